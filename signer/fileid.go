package signer

import "strings"

// FileID returns the fileid /<appid>/<bucket>/<path> that signatures bind to:
// every byte but A-Z a-z 0-9 - _ . ~ and / is percent-encoded (upper-case hex,
// so a space is %20 and Chinese is its UTF-8 bytes), as the official SDKs do.
// path may omit its leading slash ("a/b.txt" and "/a/b.txt" are one file; ""
// and "/" are the bucket root); a directory keeps its trailing one.
func FileID(appid, bucket, path string) string {
	var b strings.Builder
	b.Grow(escapedLen(appid) + escapedLen(bucket) + escapedLen(path) + 3)
	b.WriteByte('/')
	escape(&b, appid)
	b.WriteByte('/')
	escape(&b, bucket)
	if !strings.HasPrefix(path, "/") {
		b.WriteByte('/')
	}
	escape(&b, path)
	return b.String()
}

// PathFileID returns the path alone, escaped as FileID escapes it, without
// /<appid>/<bucket>: what the official SDKs bind a download URL's signature
// to. A server takes it for a download of that path, and for nothing else,
// unless it spells another path's fileid (see DownloadFileID).
func PathFileID(path string) string {
	var b strings.Builder
	p := strings.TrimPrefix(path, "/")
	b.Grow(escapedLen(p) + 1)
	b.WriteByte('/')
	escape(&b, p)
	return b.String()
}

// DownloadFileID returns what a download's signature should bind to: the
// path alone (PathFileID), so a URL signed with it opens the file and
// nothing else. A path under a directory named /<appid>/<bucket>/ would
// spell the fileid of a shorter path, which the API takes: such a file's own
// fileid is returned instead.
func DownloadFileID(appid, bucket, path string) string {
	if alone := PathFileID(path); !strings.HasPrefix(alone, FileID(appid, bucket, "")) {
		return alone
	}
	return FileID(appid, bucket, path)
}

func escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n += 2
		}
	}
	return n
}

func escape(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~' || c == '/'
}
