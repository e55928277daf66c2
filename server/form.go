package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"sync"
)

// A form's parts are found in the body, which parse read whole, in one of
// two ways. splitForm finds them in place with bytes.Index, for bodies in the
// shape every client sends (Go's, the browsers', the v4 SDKs'); anything else
// goes to mime/multipart (readParts), which copies every byte through a 4 KB
// window and scans it twice: on a 1 MB slice that cost more than receiving
// it. splitForm answers only where mime/multipart would give the same parts
// (FuzzSplitForm checks it against mime/multipart).

// formPart is one part of a multipart/form-data body.
type formPart struct {
	header textproto.MIMEHeader
	data   []byte // splitForm: a part of the body itself
}

// name is the part's form field name, as multipart.Part.FormName gives it.
func (p formPart) name() string {
	d, params, err := mime.ParseMediaType(p.header.Get("Content-Disposition"))
	if err != nil || d != "form-data" {
		return ""
	}
	return params["name"]
}

var errTooManyParts = errors.New("too many parts")

// maxHeaderWindow bounds where splitForm looks for a part header's end: a
// header not ended by then is left to readParts, and readForm refuses one
// over MaxPartHeader whichever parsed it.
const maxHeaderWindow = 2 * MaxPartHeader

// headerReaders read the parts' headers for splitForm: a new 8 KB buffer
// for each request cost more than the rest of splitForm.
var headerReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, maxHeaderWindow) }}

// splitForm parses body in place: the parts' data are slices of body. It
// returns ok false, having decided nothing, when body is not of the plain
// shape: "--boundary" CRLF, then each part's header, a blank line, its data
// and CRLF "--boundary" followed by CRLF (another part) or "--" (the end:
// CRLF or nothing after, then anything). A boundary of other characters than
// RFC 2046's, a preamble, bare LF line ends, padding after a boundary, a
// Content-Transfer-Encoding, a "--boundary" that ends no part, or more than
// MaxParts parts make it leave the body to readParts.
func splitForm(body []byte, boundary string) (parts []formPart, ok bool) {
	if !plainBoundary(boundary) {
		return nil, false
	}
	delim := []byte("\r\n--" + boundary)
	if !bytes.HasPrefix(body, delim[2:]) || !bytes.HasPrefix(body[len(delim)-2:], []byte("\r\n")) {
		return nil, false
	}
	pos := len(delim)
	br := headerReaders.Get().(*bufio.Reader)
	defer func() {
		br.Reset(nil) // no hold on the body while pooled
		headerReaders.Put(br)
	}()
	for {
		if len(parts) == MaxParts {
			return nil, false
		}
		window := body[pos:min(len(body), pos+maxHeaderWindow)]
		src := bytes.NewReader(window)
		br.Reset(src)
		h, err := textproto.NewReader(br).ReadMIMEHeader()
		if err != nil || h.Get("Content-Transfer-Encoding") != "" {
			return nil, false
		}
		pos += len(window) - br.Buffered() - src.Len()
		data := body[pos:]
		if bytes.HasPrefix(data, delim[2:]) { // a boundary right after the header
			return nil, false
		}
		end := bytes.Index(data, delim)
		if end < 0 {
			return nil, false
		}
		parts = append(parts, formPart{header: h, data: data[:end:end]})
		after := data[end+len(delim):]
		switch {
		case bytes.HasPrefix(after, []byte("\r\n")):
			pos += end + len(delim) + 2
		case bytes.HasPrefix(after, []byte("--")):
			if rest := after[2:]; len(rest) == 0 || bytes.HasPrefix(rest, []byte("\r\n")) {
				return parts, true
			}
			return nil, false
		default:
			return nil, false
		}
	}
}

// plainBoundary: a boundary of RFC 2046's characters (bchars), not ending in
// a space; 1 to 70 of them.
func plainBoundary(b string) bool {
	if len(b) == 0 || len(b) > 70 || b[len(b)-1] == ' ' {
		return false
	}
	for i := 0; i < len(b); i++ {
		if !bchar(b[i]) {
			return false
		}
	}
	return true
}

func bchar(c byte) bool {
	switch {
	case '0' <= c && c <= '9', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return true
	}
	return strings.IndexByte("'()+_,-./:=? ", c) >= 0
}

// readParts parses body with mime/multipart: at most MaxParts parts
// (errTooManyParts past them). Their data are copied into arena, which has
// room for them all (a part's data are never longer than the bytes of the
// body it came from), so the copies cost one body-sized buffer.
func readParts(body []byte, boundary string, arena []byte) ([]formPart, []byte, error) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []formPart
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return parts, arena, nil
		}
		if err != nil {
			return nil, arena, fmt.Errorf("malformed multipart body: %w", err)
		}
		if len(parts) == MaxParts {
			return nil, arena, errTooManyParts
		}
		start := len(arena)
		for err == nil {
			if len(arena) == cap(arena) {
				arena = append(arena, 0)[:len(arena)]
			}
			var n int
			n, err = p.Read(arena[len(arena):cap(arena)])
			arena = arena[:len(arena)+n]
		}
		if !errors.Is(err, io.EOF) {
			return nil, arena, fmt.Errorf("malformed multipart part %q: %w", p.FormName(), err)
		}
		parts = append(parts, formPart{header: p.Header, data: arena[start:len(arena):len(arena)]})
	}
}
