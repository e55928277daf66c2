package cosv2

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// ByteRange selects Length bytes from Offset; Length < 0 means to the end.
type ByteRange struct {
	Offset int64
	Length int64
}

// Download writes file's bytes to w and returns how many it wrote. It asks
// stat for the object's source URL, then GETs it; an interrupted transfer is
// resumed with a Range request under the retry policy, so w never sees a byte
// twice. With r, only that range is written.
func (c *Client) Download(ctx context.Context, file string, w io.Writer, r *ByteRange) (int64, error) {
	st, err := c.Stat(ctx, file)
	if err != nil {
		return 0, err
	}
	if st.SourceURL == "" {
		return 0, &OpError{Op: "download", Path: st.Path, Err: fmt.Errorf("stat gave no source_url")}
	}
	off, end := int64(0), st.Size
	if r != nil {
		off = r.Offset
		if off < 0 || off > st.Size {
			return 0, &OpError{Op: "download", Path: st.Path, Err: fmt.Errorf("range offset %d outside 0..%d", off, st.Size)}
		}
		// Compare the length with what is left, never off+Length, which
		// overflows for a length such as math.MaxInt64.
		if r.Length >= 0 && r.Length < end-off {
			end = off + r.Length
		}
	}
	var written int64
	for n := 1; ; n++ {
		k, err := c.get(ctx, st.SourceURL, off+written, end, w)
		written += k
		if err == nil || off+written >= end && end > 0 {
			return written, err
		}
		if n >= c.retry.MaxAttempts || !transient(err) || ctx.Err() != nil {
			return written, &OpError{Op: "download", Path: st.Path, Err: err}
		}
		if sleep(ctx, c.retry.delay(n, 0)) != nil {
			return written, &OpError{Op: "download", Path: st.Path, Err: err}
		}
	}
}

// get copies bytes [from, end) of url to w.
func (c *Client) get(ctx context.Context, url string, from, end int64, w io.Writer) (int64, error) {
	if from >= end {
		return 0, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Range", "bytes="+strconv.FormatInt(from, 10)+"-"+strconv.FormatInt(end-1, 10))
	resp, err := c.raw.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK:
		// No range support: skip to from.
		if _, err := io.CopyN(io.Discard, resp.Body, from); err != nil {
			return 0, err
		}
	default:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, check("download", req.URL.Path, resp, body)
	}
	return io.CopyN(w, resp.Body, end-from)
}
