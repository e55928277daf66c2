package signer

import (
	"crypto/hmac"
	"crypto/sha1"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// KeyStore finds the secret key of a secret id.
type KeyStore interface {
	SecretKey(secretID string) (key string, ok bool)
}

// Keys is a KeyStore held in a map from secret id to secret key.
type Keys map[string]string

// SecretKey implements KeyStore.
func (k Keys) SecretKey(id string) (string, bool) { v, ok := k[id]; return v, ok }

// Expectation is what a request allows: the signature must be of Kind, for
// AppID and Bucket, and cover FileID, the fileid of the request's own path
// (see FileID). A zero Kind, for Authenticate only, takes the kind the
// signature itself claims (e = 0: one-time), for a server that learns the
// operation only from the body it will not read before the signature holds.
type Expectation struct {
	AppID  string
	Bucket string
	FileID string
	Kind   Kind
}

// Verifier checks signatures for a server. Keys is required; the zero values
// of the other fields mean time.Now, no replay protection and no freshness
// window.
type Verifier struct {
	Keys KeyStore
	// Now is the clock expiry is checked against; nil means time.Now.
	Now func() time.Time
	// Replay remembers one-time signatures; nil accepts them any number of
	// times. A ClockedReplayCache (MemoryReplay is one) is given Now's time.
	Replay ReplayCache
	// OnceWindow, when positive, is how far a one-time signature's t may be
	// from now, either way: an older one is refused as expired (-96), so the
	// Replay cache only needs to remember the signatures of that window, each
	// until its t + OnceWindow.
	OnceWindow time.Duration
}

// Verify checks sig against want and returns nil, a *VerifyError saying why
// the signature is refused, or another error if want itself is invalid. It is
// Authenticate followed by Authorize.
//
// The checks run in this order, so a request that breaks several rules gets
// the first code: form (-81, -5998), secret id (-79), MAC (-97), appid (-70),
// bucket (-61), then for a one-time op e = 0 (-73), f set (-76), f is the
// request's fileid (-63), t within OnceWindow (-96), not seen before (-77);
// for a multi-use op e ≠ 0 (-74), not expired (-96), lifetime within 90 days
// (-97), f covers the request's fileid (-63). Nothing unauthenticated reaches
// the replay cache, so without the key nobody can fill it or evict from it.
func (v *Verifier) Verify(sig string, want Expectation) error {
	if want.Kind != Multi && want.Kind != Once {
		return fmt.Errorf("signer: expectation of unknown kind %v", want.Kind)
	}
	p, err := v.Authenticate(sig, want)
	if err != nil {
		return err
	}
	return v.Authorize(p, want.Kind)
}

// Authenticate checks everything that does not consume the signature: its
// form, key and MAC, appid, bucket, and the rules of want.Kind (or, when
// want.Kind is zero, of the kind the signature claims) against want.FileID.
// It costs one HMAC and touches no cache, so a server can run it before it
// reads a request's body. A one-time signature is only recorded by Authorize.
func (v *Verifier) Authenticate(sig string, want Expectation) (*Parsed, error) {
	if want.Kind != 0 && want.Kind != Multi && want.Kind != Once {
		return nil, fmt.Errorf("signer: expectation of unknown kind %v", want.Kind)
	}
	p, err := Parse(sig)
	if err != nil {
		return nil, err
	}
	var key string
	var ok bool
	if v.Keys != nil {
		key, ok = v.Keys.SecretKey(p.SecretID)
	}
	if !ok {
		return nil, refuse(ReasonUnknownSecretID, "secret id %q", p.SecretID)
	}
	m := hmac.New(sha1.New, []byte(key))
	m.Write(p.plain)
	var sum [sha1.Size]byte
	if !hmac.Equal(m.Sum(sum[:0]), p.MAC) {
		return nil, refuse(ReasonBadSignature, "HMAC does not match")
	}
	switch {
	case p.AppID != want.AppID:
		return nil, refuse(ReasonAppIDMismatch, "signed for appid %q, request for %q", p.AppID, want.AppID)
	case p.Bucket != want.Bucket:
		return nil, refuse(ReasonBucketMismatch, "signed for bucket %q, request for %q", p.Bucket, want.Bucket)
	}
	kind := want.Kind
	if kind == 0 {
		kind = p.Kind()
	}
	if kind == Once {
		return p, v.once(p, want)
	}
	return p, v.multi(p, want)
}

// Authorize finishes what Authenticate began once the operation, and so the
// kind of signature it needs, is known: the signature must be of kind, and a
// one-time one must still be within OnceWindow (-96) and is recorded in
// Replay and refused if it was seen before. p must come from Authenticate.
func (v *Verifier) Authorize(p *Parsed, kind Kind) error {
	switch {
	case kind == Once && p.Expires != 0:
		return refuse(ReasonOnceExpireNotZero, "a one-time signature needs e=0, not %d", p.Expires)
	case kind == Multi && p.Expires == 0:
		return refuse(ReasonMultiExpireZero, "a multi-use signature needs e > 0")
	case kind != Once && kind != Multi:
		return fmt.Errorf("signer: expectation of unknown kind %v", kind)
	case kind == Multi || v.Replay == nil:
		return nil
	}
	var until time.Time // zero: remember for good
	now := v.now()
	if v.OnceWindow > 0 {
		// Again, at the time it is recorded: a body read since Authenticate
		// may have taken the window past t + OnceWindow, when the cache may
		// already have forgotten the signature's first use.
		if !within(now, p.Now, v.OnceWindow) {
			return refuse(ReasonExpired, "a one-time signature's t=%d was more than %v from now (%d) by the time the request was read", p.Now, v.OnceWindow, now.Unix())
		}
		until = time.Unix(p.Now, 0).Add(v.OnceWindow)
	}
	var fresh bool
	var err error
	if c, ok := v.Replay.(ClockedReplayCache); ok {
		fresh, err = c.AddAt(string(p.MAC), until, now) // the window's own clock
	} else {
		fresh, err = v.Replay.Add(string(p.MAC), until)
	}
	if err != nil {
		return fmt.Errorf("signer: recording a one-time signature: %w", err)
	}
	if !fresh {
		return refuse(ReasonReplayed, "one-time signature used before")
	}
	return nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) multi(p *Parsed, want Expectation) error {
	t := v.now().Unix()
	switch {
	case p.Expires == 0:
		return refuse(ReasonMultiExpireZero, "a multi-use signature needs e > 0")
	case p.Expires < t:
		return refuse(ReasonExpired, "expired at %d, now %d", p.Expires, t)
	// Measured from t and from now, so a t set late does not stretch it.
	case p.Expires-min(p.Now, t) > int64(MaxTTL/time.Second):
		return refuse(ReasonLifetimeTooLong, "e=%d is over 90 days after t=%d or now=%d", p.Expires, p.Now, t)
	case !covers(p.FileID, want.FileID):
		return refuse(ReasonFileIDMismatch, "bound to %q, request for %q", p.FileID, want.FileID)
	}
	return nil
}

func (v *Verifier) once(p *Parsed, want Expectation) error {
	switch {
	case p.Expires != 0:
		return refuse(ReasonOnceExpireNotZero, "a one-time signature needs e=0, not %d", p.Expires)
	case p.FileID == "":
		return refuse(ReasonOnceNoFileID, "a one-time signature needs f")
	case !sameFileID(p.FileID, want.FileID):
		return refuse(ReasonFileIDMismatch, "bound to %q, request for %q", p.FileID, want.FileID)
	}
	if v.OnceWindow > 0 {
		if now := v.now(); !within(now, p.Now, v.OnceWindow) {
			return refuse(ReasonExpired, "a one-time signature's t=%d is more than %v from now (%d): sign again, and check the clock", p.Now, v.OnceWindow, now.Unix())
		}
	}
	return nil
}

// within reports whether t (in seconds) is at most w from now, either way. It
// compares at full precision, not in whole seconds: Authorize lets the Replay
// cache forget a signature at t + w exactly, so a window that were a second
// longer, or none at all for a w under a second, would accept a replay once
// the cache had forgotten it. Whole seconds first, so a t far from now never
// reaches time.Unix, which would overflow.
func within(now time.Time, t int64, w time.Duration) bool {
	s := int64(w/time.Second) + 1
	if d := now.Unix() - t; d > s || d < -s {
		return false
	}
	d := now.Sub(time.Unix(t, 0))
	return -w <= d && d <= w
}

// covers: a multi-use f is empty, the request's own fileid, or a prefix ending
// in "/" of it (the document's prefix matching). Fileids compare decoded, so
// clients that escape differently still match. A prefix never covers a path
// that climbs out of it with "..", whether or not the server cleans paths.
func covers(f, fileID string) bool {
	if f == "" || sameFileID(f, fileID) {
		return true
	}
	pf := unescape(f)
	rest, ok := strings.CutPrefix(unescape(fileID), pf)
	return ok && strings.HasSuffix(pf, "/") && !dotSegment(rest)
}

func dotSegment(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func sameFileID(a, b string) bool { return a == b || unescape(a) == unescape(b) }

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
