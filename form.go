package cosv2

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
)

// form is a multipart body whose file part is read from an io.ReaderAt when the
// request is sent: only the fields and the part headers are held in memory, the
// body has a Content-Length, and every attempt (and GetBody) reads it afresh, so
// a slice body is never built twice (DESIGN.md, gotcha 7).
type form struct {
	buf         bytes.Buffer
	w           *multipart.Writer
	contentType string
	prefix      []byte
	suffix      []byte
	file        io.ReaderAt
	off, n      int64
}

func newForm() *form {
	f := &form{}
	f.w = multipart.NewWriter(&f.buf)
	f.contentType = f.w.FormDataContentType()
	return f
}

// field adds a plain field.
func (f *form) field(name, value string) *form {
	_ = f.w.WriteField(name, value) // writes to a bytes.Buffer: cannot fail
	return f
}

// fileContent adds the filecontent part, n bytes of r from off, and closes the form.
func (f *form) fileContent(r io.ReaderAt, off, n int64) *form {
	_, _ = f.w.CreateFormFile("filecontent", "blob")
	f.prefix = append([]byte(nil), f.buf.Bytes()...)
	f.buf.Reset()
	_ = f.w.Close()
	f.suffix = append([]byte(nil), f.buf.Bytes()...) // "\r\n--boundary--\r\n"
	f.file, f.off, f.n = r, off, n
	return f
}

// close ends a form without a file part.
func (f *form) close() *form {
	_ = f.w.Close()
	f.prefix = append([]byte(nil), f.buf.Bytes()...)
	return f
}

func (f *form) len() int64 { return int64(len(f.prefix)) + f.n + int64(len(f.suffix)) }

// reader returns a fresh reader over the whole body.
func (f *form) reader() io.Reader {
	if f.file == nil {
		return bytes.NewReader(f.prefix)
	}
	return io.MultiReader(bytes.NewReader(f.prefix), io.NewSectionReader(f.file, f.off, f.n), bytes.NewReader(f.suffix))
}

// editor sets the length and makes the body replayable on the generated request.
func (f *form) editor(_ context.Context, req *http.Request) error {
	req.ContentLength = f.len()
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(f.reader()), nil }
	return nil
}
