package signer

import "fmt"

// Reason says why a signature was refused; Code maps it to the document's
// error code. Several reasons may share a code.
type Reason int

// The reasons a signature is refused, with the codes the service answers.
const (
	// ReasonEmpty: no signature (-81, ERROR_PROXY_AUTH_SIGN_EMPTY).
	ReasonEmpty Reason = iota + 1
	// ReasonMalformed: not canonical standard Base64, too short, or a field
	// unknown, missing, repeated or not a number (-5998, ERROR_CGI_AUTHORIZATION
	// "signature format error"). Not -97: the MAC was never checked, and the
	// document has a code for exactly this.
	ReasonMalformed
	// ReasonBadSignature: the HMAC does not match (-97, ERROR_PROXY_AUTH_FAILED).
	ReasonBadSignature
	// ReasonExpired: a multi-use signature past e (-96, ERROR_PROXY_AUTH_EXPIRED).
	ReasonExpired
	// ReasonLifetimeTooLong: a multi-use signature whose e is over 90 days after
	// its t, or after now (-97, ERROR_PROXY_AUTH_FAILED). Not -96: the signature
	// has not expired, it was made against the rules, and "expired" would send
	// whoever debugs it to the clock.
	ReasonLifetimeTooLong
	// ReasonOnceExpireNotZero: a one-time signature with e ≠ 0 (-73).
	ReasonOnceExpireNotZero
	// ReasonMultiExpireZero: a multi-use signature with e = 0 (-74).
	ReasonMultiExpireZero
	// ReasonOnceNoFileID: a one-time signature with an empty f (-76).
	ReasonOnceNoFileID
	// ReasonFileIDMismatch: f does not cover the request's fileid (-63).
	ReasonFileIDMismatch
	// ReasonBucketMismatch: b is not the request's bucket (-61).
	ReasonBucketMismatch
	// ReasonAppIDMismatch: a is not the request's appid (-70).
	ReasonAppIDMismatch
	// ReasonUnknownSecretID: k names no known key (-79).
	ReasonUnknownSecretID
	// ReasonReplayed: a one-time signature seen before (-77).
	ReasonReplayed
)

var reasons = [...]struct {
	code int
	name string
}{
	ReasonEmpty:             {-81, "empty"},
	ReasonMalformed:         {-5998, "malformed"},
	ReasonBadSignature:      {-97, "bad signature"},
	ReasonExpired:           {-96, "expired"},
	ReasonLifetimeTooLong:   {-97, "lifetime over 90 days"},
	ReasonOnceExpireNotZero: {-73, "one-time with e≠0"},
	ReasonMultiExpireZero:   {-74, "multi-use with e=0"},
	ReasonOnceNoFileID:      {-76, "one-time without fileid"},
	ReasonFileIDMismatch:    {-63, "fileid mismatch"},
	ReasonBucketMismatch:    {-61, "bucket mismatch"},
	ReasonAppIDMismatch:     {-70, "appid mismatch"},
	ReasonUnknownSecretID:   {-79, "unknown secret id"},
	ReasonReplayed:          {-77, "replayed"},
}

// Code returns the document's error code for the reason, -97 for an unknown one.
func (r Reason) Code() int {
	if r <= 0 || int(r) >= len(reasons) {
		return -97
	}
	return reasons[r].code
}

// String returns a short name of the reason.
func (r Reason) String() string {
	if r <= 0 || int(r) >= len(reasons) {
		return fmt.Sprintf("Reason(%d)", int(r))
	}
	return reasons[r].name
}

// VerifyError is a refused signature.
type VerifyError struct {
	Reason Reason
	// Detail says what was wrong, for logs and the answer's message.
	Detail string
}

// Error implements error.
func (e *VerifyError) Error() string {
	return fmt.Sprintf("signer: signature refused (%d, %s): %s", e.Code(), e.Reason, e.Detail)
}

// Code returns the document's error code.
func (e *VerifyError) Code() int { return e.Reason.Code() }

func refuse(r Reason, format string, args ...any) *VerifyError {
	return &VerifyError{Reason: r, Detail: fmt.Sprintf(format, args...)}
}
