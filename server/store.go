package server

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// blobs is the storage under the server: named byte strings written
// atomically. Keys are made by the server from hashes and numbers only
// (see keyFor), never from request text, so no request can name a file
// outside the store.
type blobs interface {
	// put stores r under key atomically: a reader sees the old bytes or the new,
	// never a mix, even across a crash.
	put(key string, r io.Reader) (int64, error)
	// join stores the blobs parts, in order, as key atomically, and returns
	// its size; the parts stay until removed.
	join(key string, parts []string) (int64, error)
	// open returns the bytes of key.
	open(key string) (blob, error)
	remove(key string) error
	// list returns the keys that start with prefix, sorted.
	list(prefix string) ([]string, error)
}

// blob is stored bytes opened for reading.
type blob interface {
	io.ReaderAt
	io.ReadSeeker
	io.Closer
	Size() int64
}

var errNoBlob = errors.New("no such blob")

// memBlobs keeps everything in memory (--memory, and tests). A blob is one
// or more byte slices, never changed once stored: join shares the parts'
// slices instead of copying a whole file again.
type memBlobs struct {
	mu sync.RWMutex
	m  map[string]chunks
}

func newMemBlobs() *memBlobs { return &memBlobs{m: map[string]chunks{}} }

func (s *memBlobs) put(key string, r io.Reader) (int64, error) {
	var b bytes.Buffer
	switch l := r.(type) { // allocate once, not by doubling
	case interface{ Len() int }:
		b.Grow(l.Len())
	case interface{ Size() int64 }: // a blob being copied
		b.Grow(int(l.Size()))
	}
	n, err := io.Copy(&b, r)
	if err != nil {
		return n, err
	}
	s.mu.Lock()
	s.m[key] = chunks{b.Bytes()}
	s.mu.Unlock()
	return n, nil
}

func (s *memBlobs) join(key string, parts []string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c chunks
	for _, p := range parts {
		pc, ok := s.m[p]
		if !ok {
			return 0, fmt.Errorf("join %s: %w", p, errNoBlob)
		}
		c = append(c, pc...)
	}
	s.m[key] = c
	return c.size(), nil
}

// chunks are the bytes of a memory blob, in order.
type chunks [][]byte

func (c chunks) size() (n int64) {
	for _, b := range c {
		n += int64(len(b))
	}
	return n
}

// ReadAt implements io.ReaderAt across the chunks.
func (c chunks) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("chunks: negative offset")
	}
	n := 0
	for _, b := range c {
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

// WriteTo writes the chunks without copying them (io.Copy uses it).
func (c chunks) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, b := range c {
		k, err := w.Write(b)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// memBlob reads a memory blob; whole, it is written without a copy.
type memBlob struct {
	*io.SectionReader
	c chunks
}

func (memBlob) Close() error { return nil }

// WriteTo writes what is left to read, without a copy when that is all.
func (b memBlob) WriteTo(w io.Writer) (int64, error) {
	if pos, _ := b.Seek(0, io.SeekCurrent); pos != 0 {
		return io.Copy(w, b.SectionReader)
	}
	n, err := b.c.WriteTo(w)
	_, _ = b.Seek(n, io.SeekStart)
	return n, err
}

func (s *memBlobs) open(key string) (blob, error) {
	s.mu.RLock()
	c, ok := s.m[key]
	s.mu.RUnlock()
	if !ok {
		return nil, errNoBlob
	}
	return memBlob{io.NewSectionReader(c, 0, c.size()), c}, nil
}

func (s *memBlobs) remove(key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}

func (s *memBlobs) list(prefix string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

// diskBlobs keeps blobs as files under root. A write goes to a temp file in
// the same directory, is synced, renamed over the key and the directory is
// synced: after a crash the key holds the old bytes or the new ones.
type diskBlobs struct{ root string }

const tmpSuffix = ".tmp"

func newDiskBlobs(root string) (*diskBlobs, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	s := &diskBlobs{root: root}
	// Temp files are writes a crash interrupted: nothing refers to them.
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, tmpSuffix) {
			_ = os.Remove(p)
		}
		return nil
	})
	return s, err
}

func (s *diskBlobs) path(key string) string { return filepath.Join(s.root, filepath.FromSlash(key)) }

func (s *diskBlobs) put(key string, r io.Reader) (int64, error) {
	return s.write(key, func(f *os.File) (int64, error) { return io.Copy(f, r) })
}

// write fills a temp file next to key with fill, syncs it, renames it over
// key and syncs the directory.
func (s *diskBlobs) write(key string, fill func(*os.File) (int64, error)) (int64, error) {
	dst := s.path(key)
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := dst + "." + hex.EncodeToString(rnd[:]) + tmpSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return n, err
	}
	return n, syncDir(dir)
}

// join copies the parts into a temp file (in the kernel where it can:
// io.Copy between files uses copy_file_range) and renames it over key.
func (s *diskBlobs) join(key string, parts []string) (int64, error) {
	return s.write(key, func(f *os.File) (int64, error) {
		var n int64
		for _, p := range parts {
			src, err := os.Open(s.path(p))
			if err != nil {
				return n, fmt.Errorf("join %s: %w", p, err)
			}
			k, err := io.Copy(f, src)
			src.Close()
			n += k
			if err != nil {
				return n, err
			}
		}
		return n, nil
	})
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

type fileBlob struct {
	*os.File
	size int64
}

func (f fileBlob) Size() int64 { return f.size }

func (s *diskBlobs) open(key string) (blob, error) {
	f, err := os.Open(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoBlob
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return fileBlob{f, st.Size()}, nil
}

func (s *diskBlobs) remove(key string) error {
	err := os.Remove(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func (s *diskBlobs) list(prefix string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, tmpSuffix) {
			return nil
		}
		rel, rerr := filepath.Rel(s.root, p)
		if rerr != nil {
			return fmt.Errorf("list: %w", rerr)
		}
		if k := filepath.ToSlash(rel); strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
