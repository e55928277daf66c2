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

// memBlobs keeps everything in memory (--memory, and tests).
type memBlobs struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func newMemBlobs() *memBlobs { return &memBlobs{m: map[string][]byte{}} }

func (s *memBlobs) put(key string, r io.Reader) (int64, error) {
	var b bytes.Buffer
	if l, ok := r.(interface{ Len() int }); ok {
		b.Grow(l.Len())
	}
	n, err := io.Copy(&b, r)
	if err != nil {
		return n, err
	}
	s.mu.Lock()
	s.m[key] = b.Bytes()
	s.mu.Unlock()
	return n, nil
}

type memBlob struct{ *bytes.Reader }

func (memBlob) Close() error { return nil }

func (s *memBlobs) open(key string) (blob, error) {
	s.mu.RLock()
	b, ok := s.m[key]
	s.mu.RUnlock()
	if !ok {
		return nil, errNoBlob
	}
	return memBlob{bytes.NewReader(b)}, nil
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
	n, err := io.Copy(f, r)
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
