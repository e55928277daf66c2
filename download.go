package cosv2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/internal/rules"
	"github.com/cosv2/cosv2/signer"
)

// ErrObjectChanged is returned by a download whose object was replaced after
// the download started (or after the FileInfo given with WithFileInfo was
// read): the server refused the pinned version (HTTP 412) or answered with
// another ETag. Nothing of the new version has been returned by then.
var ErrObjectChanged = errors.New("cos: the object changed during the download")

type readConfig struct {
	off, n int64 // n < 0: to the end
	info   *FileInfo
}

// ReadOption configures NewReader and Download.
type ReadOption func(*readConfig)

// WithRange reads n bytes from offset off; n < 0 reads to the end. A range
// past the end of the object is clipped to it; an offset past the end is an
// error.
func WithRange(off, n int64) ReadOption { return func(c *readConfig) { c.off, c.n = off, n } }

// WithFileInfo reads the object as info (from Stat) describes it instead of
// asking stat again: its source URL, size and SHA-1. The download is pinned
// to that version, so several ranged readers of one object (as
// uploader.Download makes) need one stat between them.
func WithFileInfo(info *FileInfo) ReadOption { return func(c *readConfig) { c.info = info } }

// Reader reads an object's bytes. It is an io.ReadCloser that also tells the
// object's attributes. A transfer broken by the network is resumed with a
// Range request pinned to the version the reader started on (If-Match and
// If-Range with the first answer's ETag), under the client's retry policy;
// an ETag that is not stat's SHA-1 (the local server's ETag is "<sha1>")
// fails the read with ErrObjectChanged. Every request carries a fresh
// multi-use signature bound to the file's path, which the service takes for
// downloads only. A Reader is not safe for
// concurrent use.
type Reader struct {
	c      *Client
	ctx    context.Context
	info   FileInfo
	want   string // the ETag stat's SHA-1 predicts, `"<sha1>"` ("" without one)
	etag   string // the pinned version: the first answer's ETag
	off    int64  // the next byte to read
	end    int64  // one past the last byte to read
	start  int64
	body   io.ReadCloser
	failed int           // attempts in a row that brought no byte
	wait   time.Duration // what the last answer's Retry-After asked for
	err    error
}

// NewReader returns a Reader of file: all of it, or the range WithRange
// selects. It asks stat for the object's source URL, size and SHA-1 unless
// WithFileInfo gives them, and sends no GET until the first Read. Errors: those
// of Stat; ErrBadPath; an *OpError for an offset outside the object. Reads
// return an *APIError for an answer that is not the object (ErrFileNotExist
// for HTTP 404), ErrObjectChanged when the object was replaced meanwhile, or
// an *OpError when the network failed more often than the retry policy allows.
func (c *Client) NewReader(ctx context.Context, file string, opts ...ReadOption) (*Reader, error) {
	cfg := readConfig{n: -1}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	p, err := FilePath(file)
	if err != nil {
		return nil, err
	}
	info := cfg.info
	if info == nil {
		if info, err = c.Stat(ctx, p); err != nil {
			return nil, err
		}
	}
	if info.SourceURL == "" {
		return nil, &OpError{Op: "download", Path: p, Err: errors.New("stat gave no source_url")}
	}
	if cfg.off < 0 || cfg.off > info.Size {
		return nil, &OpError{Op: "download", Path: p, Err: fmt.Errorf("range offset %d outside 0..%d", cfg.off, info.Size)}
	}
	end := info.Size
	// Compare the length with what is left, never off+n, which overflows for
	// a length such as math.MaxInt64.
	if cfg.n >= 0 && cfg.n < end-cfg.off {
		end = cfg.off + cfg.n
	}
	r := &Reader{c: c, ctx: ctx, info: *info, off: cfg.off, start: cfg.off, end: end}
	r.info.Path = p
	if info.SHA1 != "" {
		r.want = `"` + info.SHA1 + `"`
	}
	return r, nil
}

// Info returns the object's attributes as the reader found them.
func (r *Reader) Info() FileInfo { return r.info }

// Remaining returns how many bytes of the range are left to read.
func (r *Reader) Remaining() int64 { return r.end - r.off }

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	for {
		if r.err != nil {
			return 0, r.err
		}
		if r.off >= r.end {
			r.closeBody()
			return 0, io.EOF
		}
		if len(p) == 0 {
			return 0, nil
		}
		if r.body == nil {
			if err := r.open(); err != nil {
				if r.again(err) {
					continue
				}
				return 0, r.err
			}
		}
		n, err := r.body.Read(p[:min(int64(len(p)), r.end-r.off)])
		r.off += int64(n)
		if n > 0 {
			r.failed = 0
		}
		if err != nil && r.off < r.end {
			// The body ended or broke before the range did: resume.
			r.closeBody()
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			if !r.again(err) && n == 0 {
				return 0, r.err
			}
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close releases the connection; later reads fail.
func (r *Reader) Close() error {
	r.closeBody()
	if r.err == nil {
		r.err = errors.New("cos: read of a closed Reader")
	}
	return nil
}

func (r *Reader) closeBody() {
	if r.body != nil {
		_ = r.body.Close()
		r.body = nil
	}
}

// again decides whether a failed attempt is tried again, waiting before it;
// when not, it records the error the reads return from now on.
func (r *Reader) again(err error) bool {
	r.failed++
	pol := r.c.retry
	retry := r.failed < pol.MaxAttempts && retryable(err, true)
	if retry {
		if serr := sleep(r.ctx, pol.delay(r.failed, r.wait)); serr != nil {
			err, retry = interrupted(serr, err), false
		}
	}
	if !retry {
		var api *APIError
		if errors.Is(err, ErrObjectChanged) || errors.As(err, &api) {
			r.err = err
		} else {
			r.err = &OpError{Op: "download", Path: r.info.Path, Err: err}
		}
		return false
	}
	r.c.log.DebugContext(r.ctx, "cos: retrying", "op", "download", "path", r.info.Path, "at", r.off, "attempt", r.failed, "err", err)
	return true
}

// open sends the GET of bytes [off, end), pinned to the reader's version.
func (r *Reader) open() error {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.info.SourceURL, nil)
	if err != nil {
		return err
	}
	// Bound to the path alone, as the official SDKs sign downloads: the GET
	// goes to source_url (another host, a CDN, plain http), and a signature
	// bound to the file's fileid would open the API to whoever sees it (an
	// upload over the file, a listing of the names that begin with its name).
	sig, err := r.c.sign.MultiUse(r.c.bucket, signer.DownloadFileID(r.c.appid, r.c.bucket, r.info.Path), r.c.signTTL)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", sig)
	req.Header.Set("User-Agent", r.c.ua)
	req.Header.Set("Range", "bytes="+strconv.FormatInt(r.off, 10)+"-"+strconv.FormatInt(r.end-1, 10))
	// The first GET pins the version: the local server's ETag is the SHA-1
	// stat gave, so another one means the object changed since; a service
	// whose ETags are spelt otherwise is pinned from its first answer on.
	// If-Match refuses another version with 412; If-Range makes a server
	// that ignores If-Match send the whole object, whose ETag then tells.
	if r.etag != "" {
		req.Header.Set("If-Match", r.etag)
		req.Header.Set("If-Range", r.etag)
	}
	r.wait = 0
	resp, err := r.c.raw.Do(req)
	if err != nil {
		return err
	}
	if tag := resp.Header.Get("ETag"); tag != "" && resp.StatusCode < 300 {
		if r.etag != "" && tag != r.etag || r.etag == "" && r.want != "" && shaTag(tag) && !strings.EqualFold(tag, r.want) {
			_ = resp.Body.Close()
			return ErrObjectChanged
		}
		r.etag = tag
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if from, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || from != r.off {
			_ = resp.Body.Close()
			return fmt.Errorf("asked for bytes from %d, got Content-Range %q", r.off, resp.Header.Get("Content-Range"))
		}
	case http.StatusOK:
		// No range support: skip to off.
		if _, err := io.CopyN(io.Discard, resp.Body, r.off); err != nil {
			_ = resp.Body.Close()
			return err
		}
	case http.StatusPreconditionFailed:
		_ = resp.Body.Close()
		return ErrObjectChanged
	default:
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if err := check("download", r.info.Path, resp, body); err != nil {
			r.wait = retryAfter(resp)
			if errors.Is(err, coserr.ErrDownloadNotFound) {
				// A download host's bare 404 (a CDN's, the service's): the
				// object is not there, which API calls say with -197.
				return coserr.New(coserr.ErrFileNotExist.Code, "the download host answered 404", resp.StatusCode, "download", r.info.Path)
			}
			return err
		}
		return fmt.Errorf("HTTP %d answer to a download", resp.StatusCode)
	}
	r.body = resp.Body
	return nil
}

// shaTag reports whether an ETag is spelt as a SHA-1: "<40 hex digits>".
func shaTag(tag string) bool {
	h, ok := strings.CutPrefix(tag, `"`)
	h, ok2 := strings.CutSuffix(h, `"`)
	return ok && ok2 && rules.IsSHA1Hex(h)
}

// rangeStart reads the first byte position of a Content-Range "bytes a-b/n".
func rangeStart(cr string) (int64, bool) {
	rest, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	a, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(a, 10, 64)
	return n, err == nil
}

// Download writes file's bytes (or the range WithRange selects) to w and
// returns how many it wrote. It is NewReader and io.Copy: one stat, then GETs
// of the object's source URL, each signed, resumed where a broken one stopped
// and pinned to the version the download started on, so w never sees a byte
// twice nor bytes of two versions. Errors are those of NewReader and its
// reads, or w's.
func (c *Client) Download(ctx context.Context, file string, w io.Writer, opts ...ReadOption) (int64, error) {
	r, err := c.NewReader(ctx, file, opts...)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return io.Copy(w, r)
}
