package signer

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"time"
)

// Signer makes signatures with one set of credentials, a clock and a random
// source; a business backend uses it to hand signatures to its end users.
type Signer struct {
	creds Credentials
	now   func() time.Time
	rand  func() uint32
	ttl   time.Duration
	bind  bool
}

// Option configures a Signer.
type Option func(*Signer)

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Signer) { s.now = now } }

// WithRand sets the source of r (default crypto/rand, below 10⁹ as the SDKs do).
func WithRand(r func() uint32) Option { return func(s *Signer) { s.rand = r } }

// WithTTL sets how long the multi-use signatures of the Transport live (default 5 min).
func WithTTL(d time.Duration) Option { return func(s *Signer) { s.ttl = d } }

// WithBoundMultiUse makes the Transport bind multi-use signatures to the
// request's own fileid, as the official Python SDK does. By default they have an
// empty f, as the document's tables show, which every server accepts.
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
	return s, nil
}

func cryptoRand() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return binary.LittleEndian.Uint32(b[:]) % 1_000_000_000
}

// MultiUse returns a multi-use signature for bucket valid for ttl, bound to
// fileID (a fileid, a prefix ending in "/", or "" for the whole bucket).
func (s *Signer) MultiUse(bucket, fileID string, ttl time.Duration) (string, error) {
	now := s.now()
	return Sign(s.creds, Params{Bucket: bucket, Kind: Multi, FileID: fileID, Now: now, Expires: now.Add(ttl), Rand: s.rand()})
}

// OneTime returns a one-time signature for the file or directory at path
// (e.g. "a/b.txt" or "/a/dir/") of bucket.
func (s *Signer) OneTime(bucket, path string) (string, error) {
	return Sign(s.creds, Params{Bucket: bucket, Kind: Once, FileID: FileID(s.creds.AppID, bucket, path), Now: s.now(), Rand: s.rand()})
}
