// Package cosv2 is a client for the JSON API of Tencent Cloud COS, version 2
// (/files/v2/<appid>/<bucket>/<path>).
//
// A Client addresses one bucket and has one method per operation; every call
// takes a context first. Listings are iterators that page by themselves;
// downloads are a Reader (NewReader) or Download into an io.Writer; large
// uploads go through package uploader; package costest runs a server in
// memory for tests.
//
// # Paths
//
// Paths are normalised in one place: a directory path ends in "/", a file
// path does not, and the leading "/" is added. A path the service would
// refuse (see ErrBadPath) is refused before any request, by the same rules
// the local server applies.
//
// # Errors
//
// Every call returns:
//   - an error wrapping ErrBadPath before any request, for a bad path;
//   - an *APIError for an answer with a non-zero code, whatever its HTTP
//     status: errors.Is(err, cosv2.ErrFileExist) matches by code and
//     errors.As gives the code, HTTP status, operation and path;
//   - an *OpError naming the operation and path when no usable answer came
//     back (the network failed through every attempt, or the answer was
//     malformed or over MaxResponseBytes).
//
// # Retries
//
// The client's RetryPolicy is the one retry layer (package uploader adds
// none). Which failures are tried again is fixed:
//   - an answer whose code the error table marks retryable (the service did
//     not do the work: -71 too frequent, -300 overloaded, ...);
//   - for operations that are safe to repeat (all but move, and copy without
//     WithOverwrite): an answer with HTTP status 5xx or 429, and failures of
//     the connection (refused, reset, cut short, timed out);
//   - never certificate errors, malformed answers, or the caller's
//     cancellation.
//
// Waits grow exponentially with full jitter, honour Retry-After (seconds or
// an HTTP date) and never exceed MaxDelay. Every attempt is signed afresh.
// Where a repeated attempt meets an error that says the first one worked (a
// directory that exists, a file that is gone, a finished slice upload whose
// bytes stat shows), the call counts as done.
//
// Under the facade is the client oapi-codegen generates from spec/cos-v2.yaml
// (package gen, not a supported API), the signing transport (package signer)
// and the error table generated from errcodes.yaml (package gen/coserr).
package cosv2
