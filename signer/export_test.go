package signer

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
)

// ForgeForTest signs plaintext as given, without Sign's checks, so tests can
// craft signatures Sign refuses to make.
func ForgeForTest(key, plaintext string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(plaintext))
	return base64.StdEncoding.EncodeToString(append(m.Sum(nil), plaintext...))
}
