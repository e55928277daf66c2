package cosv2

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/internal/rules"
)

// MaxSimpleUpload is the largest file Put sends in one request (20 MB); larger
// files go through slice uploads (package uploader).
const MaxSimpleUpload = rules.MaxSimpleUpload

// Put uploads size bytes read from r as file in one request: a multipart POST
// of op=upload with filecontent, sha (the bytes' SHA-1, which the service
// checks) and insertOnly (1 unless WithOverwrite), signed multi-use. size is
// at most MaxSimpleUpload; larger files go through package uploader. r is
// read again for every retry, and a retry that finds the file already there
// with the same size and SHA-1 counts as success (the Object, from stat,
// then has no URL field). Errors, besides those of
// every call (see the package doc): ErrFileExist without WithOverwrite,
// ErrFileNotExist when the directory does not exist.
func (c *Client) Put(ctx context.Context, file string, r io.ReaderAt, size int64, opts ...PutOption) (*Object, error) {
	p, err := FilePath(file)
	if err != nil {
		return nil, err
	}
	if size < 0 || size > MaxSimpleUpload {
		return nil, fmt.Errorf("cos: put %s: %d bytes; a simple upload takes 0 to %d (use package uploader)", p, size, MaxSimpleUpload)
	}
	o := putOptions(opts)
	h := sha1.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, &OpError{Op: string(gen.Upload), Path: p, Err: err}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	f := newForm().field("op", string(gen.Upload)).field("sha", sum).field("insertOnly", strconv.Itoa(1-boolInt(o.overwrite)))
	if o.bizAttr != "" {
		f.field("biz_attr", o.bizAttr)
	}
	f.fileContent(r, 0, size)
	var out *Object
	sameBytes := func(ctx context.Context, err error) bool {
		if !errors.Is(err, coserr.ErrFileExist) {
			return false
		}
		if o := c.storedAs(ctx, p, size, sum); o != nil {
			out = o
			return true
		}
		return false
	}
	err = c.do(ctx, call{op: string(gen.Upload), path: p, idempotent: true, doneBefore: sameBytes}, func(ctx context.Context) (*http.Response, []byte, error) {
		resp, err := c.api.UploadFileWithBody(ctx, c.appid, c.bucket, p, f.contentType, f.reader(), f.editor)
		r, raw, err := parse(resp, err, gen.ParseUploadFileResponse)
		if err != nil {
			return resp, raw, err
		}
		if r.JSON200 != nil && r.JSON200.Data != nil {
			out = objectFrom(r.JSON200.Data)
		}
		return resp, raw, nil
	})
	if err == nil && out == nil {
		out = &Object{}
	}
	return out, err
}

func objectFrom(d *gen.FileURLs) *Object {
	return objectOf(d.AccessUrl, d.SourceUrl, d.ResourcePath, d.Url)
}

// objectOf is an Object from the URL fields the answers of upload, slice
// init, slice list and finish share (each in its own generated type).
func objectOf(access, source, resource, url *string) *Object {
	return &Object{AccessURL: deref(access), SourceURL: deref(source), ResourcePath: deref(resource), URL: deref(url)}
}
