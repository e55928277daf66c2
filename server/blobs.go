package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// blobs holds the bytes of files; the metadata says which keys are live.
// Keys are made by the server (newID), never from request text. A file is
// stored whole (put) or as a session's slices at their offsets (writeAt),
// which a finish makes the file's bytes without copying them.
type blobs interface {
	// put stores p as key, durably when it returns.
	put(ctx context.Context, key string, p []byte) error
	// create makes key ready for size bytes written by writeAt.
	create(ctx context.Context, key string, size, slice int64) error
	// writeAt stores p at off of key, durably when it returns.
	writeAt(ctx context.Context, key string, off int64, p []byte) error
	// open returns the size bytes of key, stored whole (slice 0) or in slices.
	open(ctx context.Context, key string, size, slice int64) (blob, error)
	// remove deletes key; a missing key is no error.
	remove(ctx context.Context, key string) error
}

// blob is stored bytes opened for reading.
type blob interface {
	io.ReaderAt
	io.ReadSeeker
	io.Closer
	Size() int64
}

var errNoBlob = errors.New("no such blob")

// memBlobs keeps everything in memory (--memory, and tests). A session's
// slices are kept apart and read in order as one file.
type memBlobs struct {
	mu sync.RWMutex
	m  map[string]map[int64][]byte // key → offset → bytes
}

func newMemBlobs() *memBlobs { return &memBlobs{m: map[string]map[int64][]byte{}} }

// volatile marks a store whose bytes do not outlive the process.
func (s *memBlobs) volatile() {}

// put keeps a copy of p: memory that is written once, not zeroed first.
func (s *memBlobs) put(_ context.Context, key string, p []byte) error {
	c := bytes.Clone(p)
	s.mu.Lock()
	s.m[key] = map[int64][]byte{0: c}
	s.mu.Unlock()
	return nil
}

func (s *memBlobs) create(_ context.Context, key string, _, _ int64) error {
	s.mu.Lock()
	if s.m[key] == nil {
		s.m[key] = map[int64][]byte{}
	}
	s.mu.Unlock()
	return nil
}

// writeAt copies p into the slice stored at off when it has p's length, as
// a rewrite of a disk store's session file does: a slice stored again costs
// a copy, not a new buffer and the collection of the old one.
func (s *memBlobs) writeAt(_ context.Context, key string, off int64, p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := s.m[key]
	if parts == nil {
		return errNoBlob
	}
	if old, ok := parts[off]; ok && len(old) == len(p) {
		copy(old, p)
		return nil
	}
	parts[off] = bytes.Clone(p)
	return nil
}

func (s *memBlobs) open(_ context.Context, key string, size, _ int64) (blob, error) {
	s.mu.RLock()
	parts, ok := s.m[key]
	c := chunks{mu: &s.mu}
	offs := make([]int64, 0, len(parts))
	for o := range parts {
		offs = append(offs, o)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	for _, o := range offs {
		c.b = append(c.b, parts[o])
	}
	s.mu.RUnlock()
	if !ok {
		return nil, errNoBlob
	}
	return memBlob{io.NewSectionReader(c, 0, size)}, nil
}

func (s *memBlobs) remove(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}

// chunks are the bytes of a memory blob, in order. A session's slice stored
// again is copied over the old bytes (writeAt) under mu, which reads take
// too; nil mu: bytes nobody writes again.
type chunks struct {
	mu *sync.RWMutex
	b  [][]byte
}

// ReadAt implements io.ReaderAt across the chunks.
func (c chunks) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("chunks: negative offset")
	}
	if c.mu != nil {
		c.mu.RLock()
		defer c.mu.RUnlock()
	}
	n := 0
	for _, b := range c.b {
		if off >= int64(len(b)) {
			off -= int64(len(b))
			continue
		}
		n += copy(p[n:], b[off:])
		off = 0
		if n == len(p) {
			return n, nil
		}
	}
	return n, io.EOF
}

// memBlob reads a memory blob.
type memBlob struct{ *io.SectionReader }

func (memBlob) Close() error { return nil }

// diskBlobs keeps blobs as files under <data>/blobs, opened as an os.Root so
// no name can reach outside it. A whole file is written under its new key
// and synced (a write a crash cut short is under a key the database lists
// as pending, so the collector takes it: no temp file and rename needed); a session's file is made at its full size once and each
// slice written at its offset and synced, so a finish only records the key as
// the file's (the database says which offsets are stored). Files are 0600 and
// directories 0700: they hold private files.
type diskBlobs struct {
	root   *os.Root
	fsyncs fsyncs // of the slices written to a session's file at once
}

const tmpSuffix = ".tmp"

func newDiskBlobs(dir string) (*diskBlobs, error) {
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o700); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(filepath.Join(dir, "blobs"))
	if err != nil {
		return nil, err
	}
	return &diskBlobs{root: r}, nil
}

func (s *diskBlobs) close() error { return s.root.Close() }

// path is key's file: <first two characters>/<key>.
func (s *diskBlobs) path(key string) string { return key[:min(2, len(key))] + "/" + key }

func (s *diskBlobs) put(_ context.Context, key string, p []byte) error {
	return s.newFile(key, os.O_EXCL, func(f *os.File) error { _, err := f.Write(p); return err })
}

func (s *diskBlobs) create(_ context.Context, key string, size, _ int64) error {
	return s.newFile(key, 0, func(f *os.File) error { return f.Truncate(size) })
}

// newFile makes key's file (with the extra open flags), fills it, and syncs
// the file and its directory.
func (s *diskBlobs) newFile(key string, flags int, fill func(*os.File) error) error {
	dst := s.path(key)
	dir := filepath.Dir(dst)
	if err := s.root.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := s.root.OpenFile(dst, os.O_WRONLY|os.O_CREATE|flags, 0o600)
	if err != nil {
		return err
	}
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return s.syncDir(dir)
}

func (s *diskBlobs) writeAt(_ context.Context, key string, off int64, p []byte) error {
	f, err := s.root.OpenFile(s.path(key), os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return errNoBlob
	}
	if err != nil {
		return err
	}
	_, err = f.WriteAt(p, off)
	if err == nil {
		err = s.fsyncs.sync(key, f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *diskBlobs) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

type fileBlob struct {
	*os.File
	size int64
}

func (f fileBlob) Size() int64 { return f.size }

func (s *diskBlobs) open(_ context.Context, key string, size, _ int64) (blob, error) {
	f, err := s.root.Open(s.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoBlob
	}
	if err != nil {
		return nil, err
	}
	return fileBlob{f, size}, nil
}

// remove deletes key and the temp files of writes of it a crash cut short.
func (s *diskBlobs) remove(_ context.Context, key string) error {
	err := s.root.Remove(s.path(key))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	dir, err := s.root.Open(filepath.Dir(s.path(key)))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	names, err := dir.Readdirnames(-1)
	_ = dir.Close()
	for _, n := range names {
		if strings.HasPrefix(n, key+".") && strings.HasSuffix(n, tmpSuffix) {
			if rerr := s.root.Remove(filepath.Dir(s.path(key)) + "/" + n); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				return rerr
			}
		}
	}
	return err
}
