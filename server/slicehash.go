package server

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"hash"
	"io"
	"strings"
	"sync"

	"github.com/cosv2/cosv2/internal/rules"
)

// sliceHash is the SHA-1 of a session's slices, hashed in order as they
// arrive, so a finish need not read the whole file again. Each slice is
// checked against the running state uploadparts declared for it.
//
// Slices may arrive in any order, more than once, and at other servers. The
// hash advances over the slices the database says are stored, from where it
// stands, until one is missing; when the session's count of slices stored
// again differs from the one the hash began with, a finish starts over, so a
// hash of other bytes is never used. It lives in this server's memory only:
// after a restart, or at another server, a finish hashes what it lacks.
type sliceHash struct {
	mu       sync.Mutex
	h        hash.Hash
	to       int64 // bytes hashed
	bad      int64 // offset of the first slice whose state differs from uploadparts; -1: none
	sum      string
	rewrites int64 // the session's rewrites when h began
	expires  int64 // the session's: the collector drops the hash after it
}

// hashOf returns the running hash of a session, made when first asked for.
func (s *Server) hashOf(sess *session) *sliceHash {
	s.hashMu.Lock()
	defer s.hashMu.Unlock()
	hs := s.hashes[sess.ID]
	if hs == nil {
		hs = &sliceHash{expires: sess.Expires}
		s.hashes[sess.ID] = hs
	}
	return hs
}

// dropExpiredHashes drops the running hashes of the sessions expired at now,
// as the collector deletes the sessions: those abandoned, finished or
// discarded at another server, or made again by a request still hashing
// after its session's finish dropped the hash. (A finish that still holds
// one goes on with it; the map only forgets it.)
func (s *Server) dropExpiredHashes(now int64) {
	s.hashMu.Lock()
	defer s.hashMu.Unlock()
	for id, hs := range s.hashes {
		if hs.expires < now {
			delete(s.hashes, id)
		}
	}
}

func (s *Server) dropHash(id string) {
	s.hashMu.Lock()
	delete(s.hashes, id)
	s.hashMu.Unlock()
}

// advanceHash hashes what it can without waiting: a request that finds
// another one hashing leaves its slice to that one or to the finish.
func (s *Server) advanceHash(ctx context.Context, sess *session) {
	hs := s.hashOf(sess)
	if !hs.mu.TryLock() {
		return
	}
	defer hs.mu.Unlock()
	// A store error here is met again, and answered, by the finish.
	_ = s.hashStored(ctx, sess, hs)
}

// finishHash completes the session's hash, from scratch when a slice was
// stored again since it began, and returns the file's SHA-1 in hex,
// errMissing for the first slice not stored, or errPartSHA for the first
// that contradicts uploadparts.
func (s *Server) finishHash(ctx context.Context, sess *session) (string, error) {
	hs := s.hashOf(sess)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.h != nil && hs.rewrites != sess.Rewrites {
		hs.h = nil
	}
	if err := s.hashStored(ctx, sess, hs); err != nil {
		return "", err
	}
	switch {
	case hs.bad >= 0:
		return "", errPartSHA(hs.bad)
	case hs.to < sess.FileSize:
		return "", errMissing(hs.to)
	}
	return hs.sum, nil
}

// hashSlice adds the slice at off, whose bytes p its request still holds,
// to the session's running hash when it is the next one and nobody else is
// hashing, so its bytes need not be read back from the store (a disk store
// paid a read of every byte for it). Other slices wait for advanceHash.
// rewrites is the session's count of rewrites when the slice was recorded
// as stored: p are the stored bytes only if the hash began at that count (a
// rewrite since, of this slice maybe, began after the hash, which a finish
// then starts over); else advanceHash reads what is stored.
func (s *Server) hashSlice(sess *session, off int64, p []byte, rewrites int64) {
	hs := s.hashOf(sess)
	if !hs.mu.TryLock() {
		return
	}
	defer hs.mu.Unlock()
	hs.begin(sess)
	if hs.rewrites != rewrites || hs.to != off || hs.bad >= 0 || int64(len(p)) != min(sess.SliceSize, sess.FileSize-off) {
		return
	}
	hashIn(hs.h, p)
	hs.advance(sess)
	s.hashed(sess, off, hs.to)
}

// hashChunk is how much hashIn hashes between points where the garbage
// collector can stop the goroutine: SHA-1's assembly cannot be interrupted,
// and for one call on a 1 MB slice (half a millisecond) the collector spun
// waiting to scan the goroutine's stack, a fifth of a slice upload's CPU.
const hashChunk = 64 << 10

// hashIn adds p to h in chunks of hashChunk.
func hashIn(h hash.Hash, p []byte) {
	for len(p) > 0 {
		n := min(len(p), hashChunk)
		_, _ = h.Write(p[:n]) // a hash.Hash never fails
		p = p[n:]
	}
}

// hashed: the running hash is past the bytes from to of the session's file,
// stored and synced, which nothing reads again until the file is
// downloaded; a disk store may let the kernel drop them from its cache.
func (s *Server) hashed(sess *session, from, to int64) {
	if d, ok := s.blobs.(dropper); ok && to > from {
		d.dropBehind(sess.blobKey(), from, to-from)
	}
}

// dropper is a store whose bytes the kernel caches: diskBlobs.
type dropper interface {
	dropBehind(key string, off, n int64)
}

// begin starts the hash unless it runs; the caller holds hs.mu.
func (hs *sliceHash) begin(sess *session) {
	if hs.h == nil {
		hs.h, hs.to, hs.bad, hs.sum, hs.rewrites = sha1.New(), 0, -1, "", sess.Rewrites
		if sess.FileSize == 0 {
			hs.sum = hex.EncodeToString(hs.h.Sum(nil))
		}
	}
}

// advance moves past the slice at hs.to, just hashed: its running state is
// checked against the one uploadparts declared, and the last one's is the
// file's SHA-1.
func (hs *sliceHash) advance(sess *session) {
	from := hs.to
	hs.to += min(sess.SliceSize, sess.FileSize-hs.to)
	last := hs.to == sess.FileSize
	state := rules.DataSHA(hs.h, last) // the last entry is the file's SHA-1 itself
	if last {
		hs.sum = state
	}
	if want, ok := sess.declared(hs.to); ok && !strings.EqualFold(state, want) {
		hs.bad = from
	}
}

// hashStored advances the hash over the slices stored in order; the caller
// holds hs.mu.
func (s *Server) hashStored(ctx context.Context, sess *session, hs *sliceHash) error {
	hs.begin(sess)
	if hs.to >= sess.FileSize || hs.bad >= 0 {
		return nil
	}
	// Again while a pass gets further: the slices stored meanwhile were left
	// to this hash by the requests that found it busy. Without this the hash
	// falls behind whenever reading a slice back costs about what writing it
	// did (on S3: 56 of 256 MB left to the finish, 117 ms, in bench).
	for range 16 {
		from := hs.to
		if err := s.hashPass(ctx, sess, hs); err != nil || hs.to == from || hs.to >= sess.FileSize || hs.bad >= 0 {
			return err
		}
	}
	return nil
}

// hashPass hashes the slices stored from hs.to on, in order, up to the first
// one missing. The blob is opened after the query: a memory blob holds the
// slices stored when it was opened.
func (s *Server) hashPass(ctx context.Context, sess *session, hs *sliceHash) error {
	stored, err := s.meta.storedParts(ctx, s.meta.db, sess.ID, hs.to)
	if err != nil {
		return err
	}
	if len(stored) == 0 {
		return nil
	}
	b, err := s.blobs.open(ctx, sess.blobKey(), sess.FileSize, sess.SliceSize)
	if err != nil {
		return err
	}
	defer b.Close()
	from := hs.to
	defer func() { s.hashed(sess, from, hs.to) }()
	for _, p := range stored {
		want := min(sess.SliceSize, sess.FileSize-hs.to)
		if p.off != hs.to || p.size != want || hs.bad >= 0 {
			return nil
		}
		if _, err := io.Copy(hs.h, io.NewSectionReader(b, p.off, p.size)); err != nil {
			hs.h = nil // partly hashed: start again next time
			return err
		}
		hs.advance(sess)
	}
	return nil
}

type errMissing int64

func (e errMissing) Error() string { return "the slice at offset " + itoa(int64(e)) + " is missing" }

type errPartSHA int64

func (e errPartSHA) Error() string {
	return "the bytes up to the slice at " + itoa(int64(e)) + " do not match uploadparts' datasha"
}
