package signer

import "strings"

// FileID returns the fileid /<appid>/<bucket>/<path> that signatures bind to:
// every byte but A-Z a-z 0-9 - _ . ~ and / is percent-encoded (upper-case hex),
// as the official SDKs do. path may omit its leading slash; a directory keeps
// its trailing one.
func FileID(appid, bucket, path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return escape("/" + appid + "/" + bucket + path)
}

func escape(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~' || c == '/'
}
