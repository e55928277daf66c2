// Package cosv2 is a client for the JSON API of Tencent Cloud COS, version 2
// (/files/v2/<appid>/<bucket>/<path>).
//
// A Client addresses one bucket. Every call takes a context first; paths are
// normalised in one place (a directory path ends in "/", a file path does
// not) and refused before any request when the API cannot address them.
// Listings are iterators that page by themselves. Every answer with a
// non-zero code is an *APIError that matches the generated sentinels with
// errors.Is (errors.Is(err, cosv2.ErrFileExist)); transport failures are
// *OpError naming the operation and path. Retries follow a RetryPolicy and
// every attempt is signed afresh.
//
// Under the facade is the client oapi-codegen generates from spec/cos-v2.yaml
// (package gen), the signing transport (package signer) and the error table
// generated from errcodes.yaml (package gen/coserr). Large files go through
// package uploader; package server is a local COS v2 server to run it against.
package cosv2
