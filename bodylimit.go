package cosv2

import (
	"errors"
	"io"
	"net/http"

	"github.com/cosv2/cosv2/gen"
)

// MaxResponseBytes bounds the bytes of one API answer the client reads: a
// listing of 1000 entries fits many times over. Downloads are not bounded.
const MaxResponseBytes = 4 << 20

// MaxSliceListBytes bounds the answer of SliceList instead, which lists
// every stored slice of an upload: about 2.7 million slices with their
// datasha, a file of 1.3 TB in 512 KB slices, so that any upload a server
// takes can be resumed.
const MaxSliceListBytes = 256 << 20

// ErrResponseTooLarge is the error of an API call whose answer is longer
// than MaxResponseBytes (a slice list's: MaxSliceListBytes): the client
// stops reading there, so a broken or hostile server cannot make it buffer
// without limit. It is not retried.
var ErrResponseTooLarge = errors.New("cos: the answer is longer than the client reads (MaxResponseBytes; a slice list: MaxSliceListBytes)")

// limitTransport lets at most limit bytes of each answer's body be read
// (MaxSliceListBytes of a slice list's), whatever reads it: the generated
// parsers read bodies whole.
type limitTransport struct {
	base  http.RoundTripper
	limit int64
}

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	limit := t.limit
	if req.URL.Fragment == gen.FragmentUploadSliceList {
		limit = max(limit, MaxSliceListBytes)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: limit}
	return resp, nil
}

// limitedBody reads up to left bytes and fails with ErrResponseTooLarge
// when there are more.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.left <= 0 {
		var one [1]byte
		if n, err := b.rc.Read(one[:]); n > 0 {
			return 0, ErrResponseTooLarge
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	n, err := b.rc.Read(p[:min(int64(len(p)), b.left)])
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
