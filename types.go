package cosv2

import (
	"strconv"
	"time"

	"github.com/cosv2/cosv2/gen"
)

// Authority is an object's access setting.
type Authority string

// The authority values of the API.
const (
	// AuthorityInherit uses the bucket's setting ("eInvalid" on the wire).
	AuthorityInherit Authority = "eInvalid"
	// AuthorityPrivate is private read and write.
	AuthorityPrivate Authority = "eWRPrivate"
	// AuthorityPublicRead is public read, private write.
	AuthorityPublicRead Authority = "eWPrivateRPublic"
)

// DirInfo is what stat tells of a directory: its path as the API addresses
// it, its business attributes and its creation and modification times.
type DirInfo struct {
	Path    string
	BizAttr string
	Created time.Time
	Updated time.Time
}

// FileInfo is what stat tells of a file. AccessURL and SourceURL are as in
// Object; SHA1 is the file's SHA-1 in hex, which downloads pin the version
// with (the server's ETag).
type FileInfo struct {
	Path      string
	Name      string
	Size      int64
	SHA1      string
	BizAttr   string
	Created   time.Time
	Updated   time.Time
	AccessURL string
	SourceURL string
	Authority Authority
	// Headers are the custom HTTP headers served with the object.
	Headers map[string]string
}

// Entry is one entry of a listing: a directory (Name ends in "/", IsDir set,
// no size or URLs) or a file (fields as in FileInfo).
type Entry struct {
	Name      string
	IsDir     bool
	Size      int64
	SHA1      string
	Created   time.Time
	Updated   time.Time
	AccessURL string
	SourceURL string
	Authority Authority
}

// Object is where a stored file can be reached, as the answer of an upload
// (or a slice finish) tells it. Fields the answer lacks are empty.
type Object struct {
	// AccessURL is the download URL through the CDN (access_url): faster, but
	// it works only once the bucket has a CDN; the service sends it anyway.
	AccessURL string
	// SourceURL is the download URL of the origin, without the CDN
	// (source_url): what Download and NewReader GET.
	SourceURL string
	// ResourcePath is the file's path within COS, /<appid>/<bucket>/<path>
	// (resource_path): the document recommends storing it as the file's ID
	// and building URLs from it.
	ResourcePath string
	// URL is the API URL of the file (url), where stat, update, delete and
	// move requests for it go.
	URL string
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// unixTime reads the API's times, sent as numbers or as strings of digits.
func unixTime(t *gen.UnixTime) time.Time {
	if t == nil {
		return time.Time{}
	}
	if n, err := t.AsUnixTime1(); err == nil {
		return time.Unix(n, 0)
	}
	if s, err := t.AsUnixTime0(); err == nil {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0)
		}
	}
	return time.Time{}
}

func headersFrom(h *gen.CustomHeaders) map[string]string {
	if h == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range h.AdditionalProperties {
		out[k] = v
	}
	for k, v := range map[string]*string{
		"Cache-Control": h.CacheControl, "Content-Type": h.ContentType, "Content-Disposition": h.ContentDisposition,
		"Content-Language": h.ContentLanguage, "Content-Encoding": h.ContentEncoding,
	} {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

func headersTo(m map[string]string) gen.CustomHeaders {
	var h gen.CustomHeaders
	for k, v := range m {
		v := v
		switch http := k; http {
		case "Cache-Control":
			h.CacheControl = &v
		case "Content-Type":
			h.ContentType = &v
		case "Content-Disposition":
			h.ContentDisposition = &v
		case "Content-Language":
			h.ContentLanguage = &v
		case "Content-Encoding":
			h.ContentEncoding = &v
		default:
			if h.AdditionalProperties == nil {
				h.AdditionalProperties = map[string]string{}
			}
			h.AdditionalProperties[k] = v
		}
	}
	return h
}
