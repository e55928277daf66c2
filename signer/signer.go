package signer

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"hash"
	"sync"
	"time"
)

// Signer makes signatures with one set of credentials, a clock and a random
// source: the Transport signs requests with it, and a business backend uses it
// to hand signatures to its end users. It is safe for concurrent use.
type Signer struct {
	creds Credentials
	now   func() time.Time
	rand  func() uint64
	ttl   time.Duration
	bind  bool
	macs  sync.Pool // of hash.Hash: HMAC-SHA1 keyed with creds.SecretKey
}

// Option configures a Signer.
type Option func(*Signer)

// WithClock sets the clock (nil or by default time.Now).
func WithClock(now func() time.Time) Option {
	return func(s *Signer) {
		if now != nil {
			s.now = now
		}
	}
}

// WithRand sets the source of r (nil or by default crypto/rand, below 10⁹ as
// the official SDKs do). r must return at most MaxRand, or signing fails.
func WithRand(r func() uint64) Option {
	return func(s *Signer) {
		if r != nil {
			s.rand = r
		}
	}
}

// WithTTL sets how long the multi-use signatures of the Transport live
// (default 5 min, at most MaxTTL).
func WithTTL(d time.Duration) Option { return func(s *Signer) { s.ttl = d } }

// WithBoundMultiUse makes the Transport bind multi-use signatures to the
// request's own fileid, as the official Python SDK does, so a signature that
// leaks works on that one path only. By default f is empty, as the document's
// tables say for stat, create and list and as the PHP SDK sends.
func WithBoundMultiUse() Option { return func(s *Signer) { s.bind = true } }

// New returns a Signer.
func New(c Credentials, opts ...Option) (*Signer, error) {
	if c.AppID == "" || c.SecretID == "" || c.SecretKey == "" {
		return nil, errors.New("signer: appid, secret id and secret key are required")
	}
	s := &Signer{creds: c, now: time.Now, rand: cryptoRand, ttl: 5 * time.Minute}
	for _, o := range opts {
		o(s)
	}
	if s.ttl <= 0 || s.ttl > MaxTTL {
		return nil, errors.New("signer: the multi-use lifetime must be within 0 and 90 days")
	}
	key := []byte(c.SecretKey)
	s.macs.New = func() any { return hmac.New(sha1.New, key) }
	return s, nil
}

func cryptoRand() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return binary.LittleEndian.Uint64(b[:]) % 1_000_000_000
}

// AppID returns the appid the Signer signs for.
func (s *Signer) AppID() string { return s.creds.AppID }

// MultiUse returns a multi-use signature for bucket valid for ttl, bound to
// fileID: "" for the whole bucket, or a FileID, or a FileID ending in "/" for
// everything under that directory.
func (s *Signer) MultiUse(bucket, fileID string, ttl time.Duration) (string, error) {
	now := s.now()
	return s.sign(Params{Bucket: bucket, Kind: Multi, FileID: fileID, Now: now, Expires: now.Add(ttl), Rand: s.rand()})
}

// OneTime returns a one-time signature for the file or directory at path
// (e.g. "a/b.txt" or "/a/dir/") of bucket.
func (s *Signer) OneTime(bucket, path string) (string, error) {
	return s.sign(Params{Bucket: bucket, Kind: Once, FileID: FileID(s.creds.AppID, bucket, path), Now: s.now(), Rand: s.rand()})
}

// sign is Sign with a pooled HMAC, which saves the six allocations of
// hmac.New on every request.
func (s *Signer) sign(p Params) (string, error) {
	if err := check(s.creds, p); err != nil {
		return "", err
	}
	m := s.macs.Get().(hash.Hash)
	defer s.macs.Put(m)
	m.Reset()
	return sign(m, s.creds, p), nil
}
