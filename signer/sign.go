// Package signer makes and checks COS v2 signatures.
//
// A signature is Base64(HMAC-SHA1(SecretKey, plaintext) ‖ plaintext), standard
// Base64, where plaintext is
//
//	a=<appid>&b=<bucket>&k=<SecretID>&e=<expires>&t=<now>&r=<rand>&f=<fileid>
//
// A multi-use signature has e = now + lifetime (at most 90 days) and f empty or
// bound to a fileid or prefix; a one-time signature has e = 0 and f bound to the
// fileid of the one file or directory it may act on, and is accepted once.
//
// Sign is the pure function; Signer adds a clock and a random source; Transport
// signs the generated client's requests; Verifier checks signatures for a server.
package signer

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a signature.
type Kind int

// The two kinds of signature.
const (
	// Multi is a multi-use signature, valid until it expires.
	Multi Kind = iota + 1
	// Once is a one-time signature, bound to one fileid.
	Once
)

// String returns "multi" or "once", the spec's x-cos-signature values.
func (k Kind) String() string {
	switch k {
	case Multi:
		return "multi"
	case Once:
		return "once"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// MaxTTL is the longest a multi-use signature may live: 90 days (7776000 s).
const MaxTTL = 7776000 * time.Second

// Credentials are what a signature is made with. The bucket is not part of
// them: one key signs for every bucket of the appid, so it is a Params field.
type Credentials struct {
	AppID     string
	SecretID  string
	SecretKey string
}

// Params are the fields of one signature.
type Params struct {
	Bucket string
	Kind   Kind
	// FileID is f: for Once the fileid (see FileID); for Multi empty or a fileid
	// or prefix ending in "/" the signature is bound to.
	FileID string
	// Now is t.
	Now time.Time
	// Expires is e for Multi; ignored for Once (e is 0).
	Expires time.Time
	// Rand is r, a random number of at most 10 decimal digits: 0 to MaxRand.
	Rand uint64
}

// r is the signature's random number.
func (p Params) r() uint64 { return p.Rand }

// MaxRand is the largest r: the document allows up to 10 decimal digits.
const MaxRand = 9_999_999_999

// Plaintext returns the signature's plaintext in the documented field order.
func Plaintext(c Credentials, p Params) string {
	return string(appendPlaintext(nil, c, p))
}

// maxNumbers bounds the bytes of the plaintext's names, separators and numbers:
// "a=&b=&k=&e=&t=&r=&f=", two int64s and r (at most 10 digits) in decimal.
const maxNumbers = 20 + 20 + 20 + 10

func appendPlaintext(b []byte, c Credentials, p Params) []byte {
	e := int64(0)
	if p.Kind == Multi {
		e = p.Expires.Unix()
	}
	b = append(b, "a="...)
	b = append(b, c.AppID...)
	b = append(b, "&b="...)
	b = append(b, p.Bucket...)
	b = append(b, "&k="...)
	b = append(b, c.SecretID...)
	b = append(b, "&e="...)
	b = strconv.AppendInt(b, e, 10)
	b = append(b, "&t="...)
	b = strconv.AppendInt(b, p.Now.Unix(), 10)
	b = append(b, "&r="...)
	b = strconv.AppendUint(b, p.r(), 10)
	b = append(b, "&f="...)
	b = append(b, p.FileID...)
	return b
}

// Sign returns the signature of p made with c. It is a pure function: the
// clock and the random number are in p. It refuses what a server would refuse
// (a one-time signature without a fileid, a multi-use one that is expired or
// lives over MaxTTL) and fields with an "&", which would not parse back.
func Sign(c Credentials, p Params) (string, error) {
	if err := check(c, p); err != nil {
		return "", err
	}
	return sign(hmac.New(sha1.New, []byte(c.SecretKey)), c, p), nil
}

// sign signs with m, a fresh or reset HMAC-SHA1 keyed with c.SecretKey. One
// buffer holds the MAC, the plaintext after it, and then the Base64 of both.
func sign(m hash.Hash, c Credentials, p Params) string {
	n := sha1.Size + maxNumbers + len(c.AppID) + len(p.Bucket) + len(c.SecretID) + len(p.FileID)
	buf := make([]byte, sha1.Size, n+base64.StdEncoding.EncodedLen(n))
	buf = appendPlaintext(buf, c, p)
	m.Write(buf[sha1.Size:])
	m.Sum(buf[:0]) // fills buf[:20] in place: the capacity is there
	return string(base64.StdEncoding.AppendEncode(buf[len(buf):], buf))
}

func check(c Credentials, p Params) error {
	switch {
	case c.AppID == "" || c.SecretID == "" || c.SecretKey == "":
		return errors.New("signer: appid, secret id and secret key are required")
	case p.Bucket == "":
		return errors.New("signer: bucket is required")
	case strings.Contains(c.AppID, "&") || strings.Contains(c.SecretID, "&") || strings.Contains(p.Bucket, "&") || strings.Contains(p.FileID, "&"):
		return errors.New(`signer: appid, secret id, bucket and fileid must not contain "&" (escape the fileid with FileID)`)
	case p.Kind == Once && p.FileID == "":
		return errors.New("signer: a one-time signature needs a fileid")
	case p.Now.Unix() < 0:
		return fmt.Errorf("signer: the time %s is before 1970", p.Now)
	case p.Kind == Multi && p.Expires.Unix() <= p.Now.Unix():
		return fmt.Errorf("signer: a multi-use signature must expire after now (e=%d, t=%d)", p.Expires.Unix(), p.Now.Unix())
	case p.Kind == Multi && p.Expires.Unix()-p.Now.Unix() > int64(MaxTTL/time.Second):
		return fmt.Errorf("signer: a multi-use signature lives at most 90 days, not %ds", p.Expires.Unix()-p.Now.Unix())
	case p.r() > MaxRand:
		return fmt.Errorf("signer: r=%d has more than 10 digits (at most %d)", p.r(), uint64(MaxRand))
	case p.Kind != Multi && p.Kind != Once:
		return fmt.Errorf("signer: unknown kind %v", p.Kind)
	}
	return nil
}
