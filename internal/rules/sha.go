package rules

import (
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// SHA1State returns the running state of a crypto/sha1 hash as the official
// SDKs write uploadparts' datasha: the five 32-bit state words, each written
// little-endian, in hex (a memory dump of OpenSSL's SHA_CTX). It is not a
// digest: hashing more bytes continues from it.
func SHA1State(h hash.Hash) string {
	m, _ := h.(encoding.BinaryMarshaler).MarshalBinary() // "sha\x01", 5 big-endian words, ...
	var out [20]byte
	for i := range 5 {
		binary.LittleEndian.PutUint32(out[4*i:], binary.BigEndian.Uint32(m[4+4*i:]))
	}
	return hex.EncodeToString(out[:])
}

// DataSHA returns the datasha of the slice that ends where h stands: the
// running state, or, for the file's last slice, the file's real SHA-1 in
// hex, as the official SDKs send it.
func DataSHA(h hash.Hash, last bool) string {
	if last {
		return hex.EncodeToString(h.Sum(nil))
	}
	return SHA1State(h)
}

// IsSHA1Hex reports whether s is spelt as a SHA-1 or its running state: 40
// hex digits, as the API writes sha, datasha and the download ETag.
func IsSHA1Hex(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
