package cosv2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/internal/rules"
)

// The slice sizes the service allows.
const (
	SliceSize512K = rules.SliceSize512K
	SliceSize1M   = rules.SliceSize1M
	SliceSize2M   = rules.SliceSize2M
	SliceSize3M   = rules.SliceSize3M
)

// SliceSizes returns the allowed slice sizes, smallest first.
func SliceSizes() []int64 { return rules.SliceSizes() }

// ValidSliceSize reports whether n is an allowed slice size.
func ValidSliceSize(n int64) bool { return rules.ValidSliceSize(n) }

// SlicePart is one stored slice of an upload.
type SlicePart struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"datalen"`
	// DataSHA is the running SHA-1 state after this slice, as the official
	// clients declare it in uploadparts (see package uploader); may be empty.
	DataSHA string `json:"datasha,omitempty"`
}

// SliceSession is the state of a slice upload.
type SliceSession struct {
	Session   string
	SliceSize int64
	FileSize  int64
	// Parts are the slices already stored (from SliceList).
	Parts []SlicePart
	// Object is set when there is nothing left to upload: a quick upload at init,
	// or a finished upload found by SliceList.
	Object *Object
	// Serial asks the client to send one slice at a time.
	Serial bool
}

// SliceInitOptions are the optional fields of a slice init.
type SliceInitOptions struct {
	// Overwrite replaces an existing file (insertOnly=0); by default an
	// existing file makes the init fail with ErrFileExist, and so the finish
	// when the file was made after the init.
	Overwrite bool
	// BizAttr are the file's business attributes (biz_attr).
	BizAttr string
	// SHA1 is the whole file's SHA-1 in hex; it lets the service skip the upload
	// when it has the bytes already and check them at finish.
	SHA1 string
	// Parts declares every slice's running SHA-1 state (sent as uploadparts);
	// it needs SHA1.
	Parts []SlicePart
}

// SliceInit opens a slice upload of size bytes in slices of sliceSize (one
// of SliceSizes()): a multipart POST of op=upload_slice_init with filesize,
// slice_size, insertOnly and the optional fields of in, signed multi-use.
// The answer is a session, or an Object at once when the service has the
// bytes already (quick upload, with in.SHA1 and in.Parts). When an
// unfinished upload of file exists the service answers ErrUnfinishedUpload:
// ask SliceList and resume. A lost answer is retried like any idempotent
// call, since a repeated init meets that same error. Package uploader does
// all of this; these calls are for callers that drive slices themselves.
func (c *Client) SliceInit(ctx context.Context, file string, size, sliceSize int64, in SliceInitOptions) (*SliceSession, error) {
	p, err := FilePath(file)
	if err != nil {
		return nil, err
	}
	if !ValidSliceSize(sliceSize) {
		return nil, fmt.Errorf("cos: %s %s: slice size %d is not one of %v", gen.UploadSliceInit, p, sliceSize, SliceSizes())
	}
	if size < 0 {
		return nil, fmt.Errorf("cos: %s %s: file size %d is negative", gen.UploadSliceInit, p, size)
	}
	f := newForm().field("op", string(gen.UploadSliceInit)).field("filesize", strconv.FormatInt(size, 10)).
		field("slice_size", strconv.FormatInt(sliceSize, 10)).field("insertOnly", strconv.Itoa(1-boolInt(in.Overwrite)))
	if in.BizAttr != "" {
		f.field("biz_attr", in.BizAttr)
	}
	if in.SHA1 != "" {
		f.field("sha", in.SHA1)
	}
	if len(in.Parts) > 0 {
		js, err := json.Marshal(in.Parts)
		if err != nil {
			return nil, err
		}
		f.field("uploadparts", string(js))
	}
	f.close()
	out := &SliceSession{FileSize: size, SliceSize: sliceSize}
	// Safe to repeat after a lost answer: a repeated init finds the first
	// one's session (-4019, ErrUnfinishedUpload), which the caller resumes
	// through SliceList like any unfinished upload (package uploader does).
	// When the first one was a quick upload (the service had the bytes), the
	// repeated one finds the file (-177): stat shows whether it is these bytes.
	quickDone := func(ctx context.Context, err error) bool {
		if !errors.Is(err, ErrFileExist) {
			return false
		}
		if o := c.storedAs(ctx, p, size, in.SHA1); o != nil {
			out.Session, out.Object = "", o
			return true
		}
		return false
	}
	err = c.do(ctx, call{op: string(gen.UploadSliceInit), path: p, idempotent: true, doneBefore: quickDone}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.UploadSliceInitWithBody(ctx, c.appid, c.bucket, p, f.contentType, f.reader(), f.editor)
		r, raw, err := parse(resp, err, gen.ParseUploadSliceInitResponse)
		if err != nil {
			return resp, raw, err
		}
		if r.JSON200 != nil && r.JSON200.Data != nil {
			d := r.JSON200.Data
			out.Session = deref(d.Session)
			if d.SliceSize != nil {
				out.SliceSize = int64(*d.SliceSize)
			}
			out.Serial = deref(d.SerialUpload) == 1
			if d.AccessUrl != nil && out.Session == "" {
				out.Object = objectOf(d.AccessUrl, d.SourceUrl, d.ResourcePath, d.Url)
			}
		}
		return resp, raw, nil
	})
	if err != nil {
		return nil, err
	}
	if out.Object == nil {
		if err := out.check(string(gen.UploadSliceInit), p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SliceData stores n bytes of r, read from offset, as the slice at offset of
// session: a multipart POST of op=upload_slice_data streamed from r (never
// held in memory), signed multi-use. The body is read from r on every
// attempt; storing the same slice twice is harmless. ErrWrongSession (-5983)
// when the session is unknown or finished.
func (c *Client) SliceData(ctx context.Context, file, session string, offset int64, r io.ReaderAt, n int64) error {
	p, err := FilePath(file)
	if err != nil {
		return err
	}
	f := newForm().field("op", string(gen.UploadSliceData)).field("session", session).
		field("offset", strconv.FormatInt(offset, 10)).fileContent(r, offset, n)
	return c.do(ctx, call{op: string(gen.UploadSliceData), path: p, idempotent: true}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.UploadSliceDataWithBody(ctx, c.appid, c.bucket, p, f.contentType, f.reader(), f.editor)
		_, raw, err := parse(resp, err, gen.ParseUploadSliceDataResponse)
		if err != nil {
			return resp, raw, err
		}
		return resp, raw, nil
	})
}

// SliceFinish completes the upload (op=upload_slice_finish); sha, the whole
// file's SHA-1 in hex, is checked by the service when given (ErrSHANotEqual
// when it differs, ErrFileSizeNotEqual when slices are missing). When an
// answer is lost (a transport error, or a repeated finish that finds the
// session gone), stat decides: the file stored with this size and SHA-1
// counts as done, and the Object then has no URL field.
func (c *Client) SliceFinish(ctx context.Context, file, session string, size int64, sha string) (*Object, error) {
	p, err := FilePath(file)
	if err != nil {
		return nil, err
	}
	f := newForm().field("op", string(gen.UploadSliceFinish)).field("session", session).field("filesize", strconv.FormatInt(size, 10))
	if sha != "" {
		f.field("sha", sha)
	}
	f.close()
	var out *Object
	// A finish whose answer was lost may have stored the file: a repeated
	// finish then finds the session gone (-5983). Stat decides: the file
	// stored with this size and SHA-1 means done.
	stored := func(ctx context.Context) bool {
		if o := c.storedAs(ctx, p, size, sha); o != nil {
			out = o
			return true
		}
		return false
	}
	cl := call{op: string(gen.UploadSliceFinish), path: p, idempotent: true,
		doneBefore: func(ctx context.Context, _ error) bool { return stored(ctx) }}
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.UploadSliceFinishWithBody(ctx, c.appid, c.bucket, p, f.contentType, f.reader(), f.editor)
		r, raw, err := parse(resp, err, gen.ParseUploadSliceFinishResponse)
		if err != nil {
			return resp, raw, err
		}
		if r.JSON200 != nil && r.JSON200.Data != nil {
			out = objectFrom(r.JSON200.Data)
		}
		return resp, raw, nil
	})
	if err != nil && ambiguous(err) && stored(ctx) {
		err = nil // every attempt's answer was lost, but the file is there
	}
	if err == nil && out == nil {
		out = &Object{}
	}
	return out, err
}

// storedAs returns the object at p when stat shows it has size bytes with
// SHA-1 sha, else nil (also when sha is unknown: size alone proves nothing).
func (c *Client) storedAs(ctx context.Context, p string, size int64, sha string) *Object {
	if sha == "" {
		return nil
	}
	st, err := c.Stat(ctx, p)
	if err != nil || st.Size != size || !strings.EqualFold(st.SHA1, sha) {
		return nil
	}
	return &Object{AccessURL: st.AccessURL, SourceURL: st.SourceURL, ResourcePath: "/" + c.appid + "/" + c.bucket + p}
}

// ambiguous reports whether err leaves open whether the service did the
// work: no answer came back, or a bare 5xx did.
func ambiguous(err error) bool {
	var api *APIError
	if errors.As(err, &api) {
		return api.Code > 0 && api.HTTPStatus >= 500
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// SliceList returns the unfinished upload of file with its stored slices (a
// multipart POST of op=upload_slice_list, signed multi-use), or, when the
// upload has finished, a session whose Object is set.
func (c *Client) SliceList(ctx context.Context, file string) (*SliceSession, error) {
	p, err := FilePath(file)
	if err != nil {
		return nil, err
	}
	f := newForm().field("op", string(gen.UploadSliceList)).close()
	var out *SliceSession
	err = c.do(ctx, call{op: string(gen.UploadSliceList), path: p, idempotent: true}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.UploadSliceListWithBody(ctx, c.appid, c.bucket, p, f.contentType, f.reader(), f.editor)
		r, raw, err := parse(resp, err, gen.ParseUploadSliceListResponse)
		if err != nil {
			return resp, raw, err
		}
		out = &SliceSession{}
		if r.JSON200 != nil && r.JSON200.Data != nil {
			d := r.JSON200.Data
			out.Session, out.FileSize = deref(d.Session), deref(d.Filesize)
			if d.SliceSize != nil {
				out.SliceSize = int64(*d.SliceSize)
			}
			for _, lp := range deref(d.Listparts) {
				out.Parts = append(out.Parts, SlicePart{Offset: lp.Offset, Length: lp.Datalen, DataSHA: deref(lp.Datasha)})
			}
			if out.Session == "" && d.AccessUrl != nil {
				out.Object = objectOf(d.AccessUrl, d.SourceUrl, d.ResourcePath, d.Url)
			}
		}
		return resp, raw, nil
	})
	if err != nil {
		return nil, err
	}
	if out.Object == nil {
		if err := out.check(string(gen.UploadSliceList), p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// check refuses an unfinished session whose answer a client cannot follow:
// no session, a slice size the spec does not allow (a zero one would have
// a client send empty slices forever), a negative size, or a stored slice
// that is not one of the file's slices.
func (s *SliceSession) check(op, p string) error {
	switch {
	case s.Session == "":
		return badValues(op, p, "neither a session nor a finished file")
	case !gen.SliceSize(s.SliceSize).Valid():
		return badValues(op, p, "slice size %d is not one of %v", s.SliceSize, SliceSizes())
	case s.FileSize < 0:
		return badValues(op, p, "file size %d", s.FileSize)
	}
	for _, part := range s.Parts {
		if part.Offset < 0 || part.Offset >= s.FileSize || part.Offset%s.SliceSize != 0 ||
			part.Length != min(s.SliceSize, s.FileSize-part.Offset) {
			return badValues(op, p, "stored slice of %d bytes at %d is not one of a %d-byte file's slices of %d",
				part.Length, part.Offset, s.FileSize, s.SliceSize)
		}
	}
	return nil
}
