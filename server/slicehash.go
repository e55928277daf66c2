package server

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"strings"
	"sync"
)

// sliceHash is the SHA-1 of a session's slices, hashed in order as they
// arrive, so a finish need not read the whole file again. Each slice is
// checked against the running state uploadparts declared for it.
//
// Slices may arrive in any order and more than once. The hash advances over
// the stored slices from where it stands until one is missing; a slice stored
// again after the hash may have read it marks the session for a full rehash
// at finish (see session.rehash), so a hash of other bytes is never used.
type sliceHash struct {
	mu  sync.Mutex
	h   hash.Hash
	to  int64 // bytes hashed
	bad int64 // offset of the first slice whose state differs from uploadparts; -1: none
	sum string
}

// advanceHash hashes what it can without waiting: a request that finds
// another one hashing leaves its slice to that one or to the finish.
func (s *Server) advanceHash(sess *session) {
	if !sess.hs.mu.TryLock() {
		return
	}
	defer sess.hs.mu.Unlock()
	// A store error here is met again, and answered, by the finish.
	_ = s.hashStored(sess)
}

// finishHash completes the session's hash, from scratch when a slice was
// stored twice, and returns the file's SHA-1 in hex, errMissing for the first
// slice not stored, or errPartSHA for the first that contradicts uploadparts.
func (s *Server) finishHash(sess *session) (string, error) {
	sess.hs.mu.Lock()
	defer sess.hs.mu.Unlock()
	sess.mu.Lock()
	again := sess.rehash
	sess.rehash = false
	sess.mu.Unlock()
	if again {
		sess.hs.h = nil
	}
	if err := s.hashStored(sess); err != nil {
		return "", err
	}
	switch {
	case sess.hs.bad >= 0:
		return "", errPartSHA(sess.hs.bad)
	case sess.hs.to < sess.FileSize:
		return "", errMissing(sess.hs.to)
	}
	return sess.hs.sum, nil
}

// hashStored advances the hash over the slices stored in order; the caller
// holds sess.hs.mu.
func (s *Server) hashStored(sess *session) error {
	hs := &sess.hs
	if hs.h == nil {
		hs.h, hs.to, hs.bad, hs.sum = sha1.New(), 0, -1, ""
		if sess.FileSize == 0 {
			hs.sum = hex.EncodeToString(hs.h.Sum(nil))
		}
	}
	for hs.to < sess.FileSize && hs.bad < 0 {
		want := min(sess.SliceSize, sess.FileSize-hs.to)
		sess.mu.Lock()
		n, ok := sess.storedOffs[hs.to]
		sess.mu.Unlock()
		if !ok || n != want {
			return nil
		}
		b, err := s.ix.store.open(partKey(sess.ID, hs.to))
		if err != nil {
			return err
		}
		_, err = io.Copy(hs.h, b)
		b.Close()
		if err != nil {
			hs.h = nil // partly hashed: start again next time
			return err
		}
		i := hs.to / sess.SliceSize
		hs.to += want
		state := runningState(hs.h)
		if hs.to == sess.FileSize { // the last entry is the file's SHA-1 itself
			hs.sum = hex.EncodeToString(hs.h.Sum(nil))
			state = hs.sum
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

// runningState is the SHA-1 state after the bytes hashed so far, as the
// official SDKs write datasha: the five state words, each little-endian, in hex.
func runningState(h hash.Hash) string {
	m, _ := h.(interface{ MarshalBinary() ([]byte, error) }).MarshalBinary()
	var out [20]byte
	for i := 0; i < 5; i++ {
		binary.LittleEndian.PutUint32(out[4*i:], binary.BigEndian.Uint32(m[4+4*i:]))
	}
	return hex.EncodeToString(out[:])
}
