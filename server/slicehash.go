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
}

// hashOf returns the running hash of a session, made when first asked for.
func (s *Server) hashOf(id string) *sliceHash {
	s.hashMu.Lock()
	defer s.hashMu.Unlock()
	hs := s.hashes[id]
	if hs == nil {
		hs = &sliceHash{}
		s.hashes[id] = hs
	}
	return hs
}

func (s *Server) dropHash(id string) {
	s.hashMu.Lock()
	delete(s.hashes, id)
	s.hashMu.Unlock()
}

// advanceHash hashes what it can without waiting: a request that finds
// another one hashing leaves its slice to that one or to the finish.
func (s *Server) advanceHash(ctx context.Context, sess *session) {
	hs := s.hashOf(sess.ID)
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
	hs := s.hashOf(sess.ID)
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

// hashStored advances the hash over the slices stored in order; the caller
// holds hs.mu.
func (s *Server) hashStored(ctx context.Context, sess *session, hs *sliceHash) error {
	if hs.h == nil {
		hs.h, hs.to, hs.bad, hs.sum, hs.rewrites = sha1.New(), 0, -1, "", sess.Rewrites
		if sess.FileSize == 0 {
			hs.sum = hex.EncodeToString(hs.h.Sum(nil))
		}
	}
	if hs.to >= sess.FileSize || hs.bad >= 0 {
		return nil
	}
	stored, err := s.meta.storedParts(ctx, s.meta.db, sess.ID, hs.to)
	if err != nil {
		return err
	}
	b, err := s.blobs.open(ctx, sess.blobKey(), sess.FileSize, sess.SliceSize)
	if err != nil {
		return err
	}
	defer b.Close()
	for _, p := range stored {
		want := min(sess.SliceSize, sess.FileSize-hs.to)
		if p.off != hs.to || p.size != want || hs.bad >= 0 {
			return nil
		}
		if _, err := io.Copy(hs.h, io.NewSectionReader(b, p.off, p.size)); err != nil {
			hs.h = nil // partly hashed: start again next time
			return err
		}
		i := hs.to / sess.SliceSize
		hs.to += want
		last := hs.to == sess.FileSize
		state := rules.DataSHA(hs.h, last) // the last entry is the file's SHA-1 itself
		if last {
			hs.sum = state
		}
		if int(i) < len(sess.Parts) && !strings.EqualFold(state, sess.Parts[i].Datasha) {
			hs.bad = i * sess.SliceSize
		}
	}
	return nil
}

type errMissing int64

func (e errMissing) Error() string { return "the slice at offset " + itoa(int64(e)) + " is missing" }

type errPartSHA int64

func (e errPartSHA) Error() string {
	return "the bytes up to the slice at " + itoa(int64(e)) + " do not match uploadparts' datasha"
}
