package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3Blobs keeps the bytes in a bucket of any S3-compatible store
// (--blobs s3://bucket/prefix), through minio-go.
//
// Layout, under prefix: a file stored whole (put) is one object <key>; a
// session's slices are one object each, <key>/<offset> with the offset in 13
// zero-padded digits (a file is at most 1 TiB), so that names sort as
// offsets do.
//
// A finish composes nothing: the file IS its slice objects, read in order,
// and the node keeps the slice size they were stored with, which names them.
// Composing one object would not fit S3: a multipart upload's parts (or the
// sources of a server-side compose) must be at least 5 MiB except the last,
// while COS slices are 512 KB to 3 MB, so the slices would have to be read
// back and uploaded again in larger parts, a second copy of every byte in the
// finish that the client waits for. Reading a file costs one GET per slice
// object instead (one stream per object, kept open while the reads are
// sequential). BenchmarkSliceFinishS3 measures both against the disk store:
// with versitygw on loopback, 256 MB in 1 MB slices finish in 1 ms as on
// disk and download in about 1.6 times the disk store's time; composing one
// object would have added about 1.3 s to the finish.
//
// A slice rewritten replaces its object whole; the database says which
// offsets are stored, and nothing is listed to find out. remove deletes the
// whole object and, listing <key>/, any slice objects.
type s3Blobs struct {
	c      *minio.Client
	bucket string
	prefix string // "" or ending in "/"
}

// s3Options are where and as whom an S3 blob store is reached.
type s3Options struct {
	Endpoint  string // host:port or http(s)://host:port; empty: AWS
	AccessKey string
	SecretKey string
	Region    string
}

// parseBlobsURL splits s3://bucket/prefix.
func parseBlobsURL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", fmt.Errorf("blobs %q: want s3://bucket or s3://bucket/prefix", raw)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	return u.Host, prefix, nil
}

// newS3Blobs connects to the store and checks that the bucket is there.
func newS3Blobs(ctx context.Context, raw string, o s3Options) (*s3Blobs, error) {
	bucket, prefix, err := parseBlobsURL(raw)
	if err != nil {
		return nil, err
	}
	endpoint, secure := o.Endpoint, true
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" || strings.Trim(u.Path, "/") != "" {
			return nil, fmt.Errorf("S3 endpoint %q: want host:port or http(s)://host:port", endpoint)
		}
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	tr, err := minio.DefaultTransport(secure)
	if err != nil {
		return nil, err
	}
	// Every request of the server may read or write bytes at once.
	tr.MaxIdleConnsPerHost = 128
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure: secure, Region: o.Region, Transport: tr})
	if err != nil {
		return nil, fmt.Errorf("S3 endpoint %q: %w", endpoint, err)
	}
	ok, err := c.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("S3 bucket %s at %s: %w", bucket, endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("S3 bucket %s at %s does not exist", bucket, endpoint)
	}
	return &s3Blobs{c: c, bucket: bucket, prefix: prefix}, nil
}

func (s *s3Blobs) name(key string) string { return s.prefix + key }

func (s *s3Blobs) sliceName(key string, off int64) string {
	return fmt.Sprintf("%s%s/%013d", s.prefix, key, off)
}

func (s *s3Blobs) putObject(ctx context.Context, name string, r io.Reader, size int64) error {
	// One PUT: a simple upload is at most 20 MB, a slice 3 MB.
	_, err := s.c.PutObject(ctx, s.bucket, name, r, size, minio.PutObjectOptions{ContentType: "application/octet-stream", DisableMultipart: true})
	return err
}

func (s *s3Blobs) put(ctx context.Context, key string, p []byte) error {
	return s.putObject(ctx, s.name(key), bytes.NewReader(p), int64(len(p)))
}

// create has nothing to prepare: each slice is its own object.
func (s *s3Blobs) create(context.Context, string, int64, int64) error { return nil }

func (s *s3Blobs) writeAt(ctx context.Context, key string, off int64, p []byte) error {
	return s.putObject(ctx, s.sliceName(key, off), bytes.NewReader(p), int64(len(p)))
}

// open checks that a whole object is there, and as long as the node says
// (one HEAD), so a download of lost bytes is refused before its answer
// begins; slice objects are found as they are read (a session's hash opens
// its blob while slices are missing).
func (s *s3Blobs) open(ctx context.Context, key string, size, slice int64) (blob, error) {
	if slice <= 0 {
		info, err := s.c.StatObject(ctx, s.bucket, s.name(key), minio.StatObjectOptions{})
		if notFound(err) {
			return nil, fmt.Errorf("%s: %w", s.name(key), errNoBlob)
		}
		if err != nil {
			return nil, err
		}
		if info.Size != size {
			return nil, fmt.Errorf("%s: %d bytes stored, %d recorded", s.name(key), info.Size, size)
		}
	}
	return &s3Blob{s: s, ctx: ctx, key: key, size: size, slice: slice}, nil
}

func (s *s3Blobs) remove(ctx context.Context, key string) error {
	if err := s.c.RemoveObject(ctx, s.bucket, s.name(key), minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return err
	}
	objs := s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.name(key) + "/", Recursive: true})
	var listErr error
	names := make(chan minio.ObjectInfo)
	go func() {
		defer close(names)
		for o := range objs {
			if o.Err != nil {
				listErr = o.Err
				continue // drain: the lister stops once its context ends or it is done
			}
			select {
			case names <- o:
			case <-ctx.Done():
			}
		}
	}()
	var errs []error
	for e := range s.c.RemoveObjects(ctx, s.bucket, names, minio.RemoveObjectsOptions{}) {
		if e.Err != nil && !notFound(e.Err) {
			errs = append(errs, fmt.Errorf("%s: %w", e.ObjectName, e.Err))
		}
	}
	return errors.Join(append(errs, listErr)...)
}

func notFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == minio.NoSuchKey || code == "NotFound"
}

// s3Blob reads a file from its object, or from its slice objects in order.
// A read opens one stream from its offset to the end of that object and
// keeps it while the reads that follow go on from where it stands, so a
// sequential read (a download, a hash) costs one GET per object.
type s3Blob struct {
	s *s3Blobs
	// ctx is the open's: the request's, so a download that ends stops its GETs.
	ctx         context.Context //nolint:containedctx // the blob lives within one request
	key         string
	size, slice int64

	mu      sync.Mutex
	pos     int64         // for Read and Seek
	body    io.ReadCloser // the open stream, or nil
	at, end int64         // the offset of its next byte in the file; the end of its object
}

func (b *s3Blob) Size() int64 { return b.size }

// object names the object holding off, and its first and end offsets.
func (b *s3Blob) object(off int64) (name string, start, end int64) {
	if b.slice <= 0 {
		return b.s.name(b.key), 0, b.size
	}
	start = off / b.slice * b.slice
	return b.s.sliceName(b.key, start), start, min(start+b.slice, b.size)
}

func (b *s3Blob) drop() {
	if b.body != nil {
		_ = b.body.Close()
		b.body = nil
	}
}

// readSome reads up to len(p) bytes at off from the object holding it; the
// caller holds mu.
func (b *s3Blob) readSome(p []byte, off int64) (int, error) {
	if off >= b.size {
		return 0, io.EOF
	}
	if b.body == nil || b.at != off {
		b.drop()
		name, start, end := b.object(off)
		var opts minio.GetObjectOptions
		if off > start {
			if err := opts.SetRange(off-start, 0); err != nil {
				return 0, err
			}
		}
		body, _, _, err := minio.Core{Client: b.s.c}.GetObject(b.ctx, b.s.bucket, name, opts)
		if err != nil {
			if notFound(err) {
				return 0, fmt.Errorf("%s: %w", name, errNoBlob)
			}
			return 0, err
		}
		b.body, b.at, b.end = body, off, end
	}
	n, err := b.body.Read(p[:min(int64(len(p)), b.end-off)])
	b.at += int64(n)
	if errors.Is(err, io.EOF) {
		if b.at < b.end {
			err = fmt.Errorf("%s: the object ends %d bytes short: %w", b.key, b.end-b.at, io.ErrUnexpectedEOF)
		} else {
			err = nil
		}
	}
	if err != nil || b.at >= b.end {
		b.drop()
	}
	return n, err
}

// ReadAt implements io.ReaderAt.
func (b *s3Blob) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("s3 blob: negative offset")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for n < len(p) {
		m, err := b.readSome(p[n:], off+int64(n))
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Read implements io.Reader.
func (b *s3Blob) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		n, err := b.readSome(p, b.pos)
		b.pos += int64(n)
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// Seek implements io.Seeker; the open stream stays for a read where it stands.
func (b *s3Blob) Seek(offset int64, whence int) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += b.pos
	case io.SeekEnd:
		offset += b.size
	default:
		return 0, errors.New("s3 blob: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("s3 blob: negative position")
	}
	b.pos = offset
	return offset, nil
}

// Close implements io.Closer.
func (b *s3Blob) Close() error {
	b.mu.Lock()
	b.drop()
	b.mu.Unlock()
	return nil
}
