// Package coserr holds the error codes of the COS JSON API, generated from
// errcodes.yaml: one sentinel per code, the table behind them, and APIError,
// the error every answer with a non-zero code becomes.
//
// Users match errors through the facade's aliases (cosv2.ErrFileExist) or
// these sentinels alike: errors.Is compares codes, errors.As gives the
// *APIError with the server's message, the operation and the path.
//
// Lookup finds an API code, the number (<= 0) a JSON envelope carries. The
// positive codes (the SDKs' own, download statuses, the backend's HTTP
// statuses) repeat across groups, so LookupGroup finds them by group; New
// names a positive code from the http group first, then download, then sdk.
package coserr
