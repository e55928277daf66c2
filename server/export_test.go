package server

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
)

// NewFailingWrites returns a memory server whose blob storage refuses every
// write with err once armed, as a full disk does; the caller arms it.
func NewFailingWrites(cfg Config, err error) (s *Server, arm func(), e error) {
	cfg.Memory = true
	if cfg, e = cfg.normalize(); e != nil {
		return nil, nil, e
	}
	fs := &failingBlobs{memBlobs: newMemBlobs(), err: err}
	s, e = newServer(cfg, "", fs)
	return s, func() { fs.armed = true }, e
}

type failingBlobs struct {
	*memBlobs
	err   error
	armed bool
}

func (f *failingBlobs) put(ctx context.Context, key string, p []byte) error {
	if f.armed {
		return f.err
	}
	return f.memBlobs.put(ctx, key, p)
}

// FormSeeds are the bodies of the form parser's fuzz seeds.
func FormSeeds() (boundaries []string, bodies [][]byte) { return formSeeds() }

// SplitForm parses a form body in place, as the server does first: the
// parts' names and data, and whether the body had the plain shape.
func SplitForm(body []byte, boundary string) (names []string, data [][]byte, inPlace bool) {
	parts, ok := splitForm(body, boundary)
	if !ok {
		return nil, nil, false
	}
	for _, p := range parts {
		names, data = append(names, p.name()), append(data, p.data)
	}
	return names, data, true
}

// Fsyncs is the disk store's coalescing of the fsyncs of one file.
type Fsyncs struct{ f fsyncs }

// Sync makes a write to the file key durable with sync as its fsync.
func (p *Fsyncs) Sync(key string, sync func() error) error { return p.f.sync(key, syncFunc(sync)) }

// Writers is how many writes to key are in Sync.
func (p *Fsyncs) Writers(key string) int {
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	if g := p.f.files[key]; g != nil {
		return g.users
	}
	return 0
}

type syncFunc func() error

func (f syncFunc) Sync() error { return f() }

// Gates hold a blob store's slice writes until a test releases them: a
// write whose first byte is armed waits in writeAt, before its bytes land.
type Gates struct {
	mu    sync.Mutex
	gates map[byte]*Gate
}

// Gate is one armed write: Entered is closed once it waits, Release lets it go on.
type Gate struct{ Entered, Release chan struct{} }

// Arm holds the next write whose first byte is b.
func (g *Gates) Arm(b byte) *Gate {
	g.mu.Lock()
	defer g.mu.Unlock()
	gt := &Gate{Entered: make(chan struct{}), Release: make(chan struct{})}
	g.gates[b] = gt
	return gt
}

func (g *Gates) wait(p []byte) {
	if len(p) == 0 {
		return
	}
	g.mu.Lock()
	gt := g.gates[p[0]]
	delete(g.gates, p[0])
	g.mu.Unlock()
	if gt != nil {
		close(gt.Entered)
		<-gt.Release
	}
}

// StoreOptions shape the blob store of NewWithStore.
type StoreOptions struct {
	// PutOnWrite makes writeAt create its key, as S3's PutObject of a
	// slice object does (its create is a no-op).
	PutOnWrite bool
	// FailOneRemove makes the removal of the first key removed fail, every
	// time, as an object the store refuses to delete (AccessDenied).
	FailOneRemove bool
	// PanicOnOpen makes every open of stored bytes panic, as a fault in a
	// store would.
	PanicOnOpen bool
	// FailOpen, when set, is the error of every open of stored bytes, as a
	// store that is down for a while answers.
	FailOpen error
	// FailRead, when set, is the error of every read of stored bytes
	// opened, as a store that fails once a download has begun.
	FailRead error
}

// NewWithStore returns a server on memory (cfg.Memory) or SQLite (or
// PostgreSQL, cfg.Meta) and files in cfg.DataDir whose slice writes the
// returned Gates can hold.
func NewWithStore(cfg Config, opts StoreOptions) (*Server, *Gates, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, nil, err
	}
	var base blobs = newMemBlobs()
	dsn := ""
	if !cfg.Memory {
		if base, err = newDiskBlobs(cfg.DataDir); err != nil {
			return nil, nil, err
		}
		dsn = filepath.Join(cfg.DataDir, "meta.db")
	}
	if cfg.Meta != "" {
		dsn = cfg.Meta
	}
	g := &Gates{gates: map[byte]*Gate{}}
	s, err := newServer(cfg, dsn, &testBlobs{blobs: base, g: g, opts: opts})
	return s, g, err
}

type testBlobs struct {
	blobs
	g    *Gates
	opts StoreOptions

	mu      sync.Mutex
	bad     string // FailOneRemove's key
	refused int    // removals of it refused
}

func (t *testBlobs) writeAt(ctx context.Context, key string, off int64, p []byte) error {
	t.g.wait(p)
	if t.opts.PutOnWrite {
		if err := t.create(ctx, key, 0, 0); err != nil {
			return err
		}
	}
	return t.blobs.writeAt(ctx, key, off, p)
}

func (t *testBlobs) open(ctx context.Context, key string, size, slice int64) (blob, error) {
	if t.opts.PanicOnOpen {
		panic("testBlobs: open")
	}
	if t.opts.FailOpen != nil {
		return nil, t.opts.FailOpen
	}
	b, err := t.blobs.open(ctx, key, size, slice)
	if err != nil || t.opts.FailRead == nil {
		return b, err
	}
	return failingBlob{blob: b, err: t.opts.FailRead}, nil
}

// failingBlob is a blob whose reads fail.
type failingBlob struct {
	blob
	err error
}

func (f failingBlob) Read([]byte) (int, error)          { return 0, f.err }
func (f failingBlob) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func (t *testBlobs) remove(ctx context.Context, key string) error {
	if t.opts.FailOneRemove {
		t.mu.Lock()
		if t.bad == "" {
			t.bad = key
		}
		bad := t.bad == key
		if bad {
			t.refused++
		}
		t.mu.Unlock()
		if bad {
			return errors.New("access denied")
		}
	}
	return t.blobs.remove(ctx, key)
}

// Stored reports whether the store holds bytes under the key of a session.
func (s *Server) Stored(session string) bool {
	b, err := s.blobs.open(context.Background(), "s"+session, 0, 0)
	if err != nil {
		return false
	}
	_ = b.Close()
	return true
}

// DiscardBlobOf lists the bytes of the file at path as garbage, as the
// cleanup of a commit whose answer was lost (and that did commit) does.
func (s *Server) DiscardBlobOf(bucket, path string) error {
	n, err := s.meta.getNode(context.Background(), s.meta.db, bucket, path)
	if err != nil || n == nil {
		return errors.Join(err, errors.New("no such file"))
	}
	s.discard(context.Background(), n.Data)
	return nil
}

// ReadBytesOf counts a download of the file at path's bytes, as
// serveDownload does, until release is called.
func (s *Server) ReadBytesOf(bucket, path string) (release func(), err error) {
	n, err := s.meta.getNode(context.Background(), s.meta.db, bucket, path)
	if err != nil || n == nil {
		return nil, errors.Join(err, errors.New("no such file"))
	}
	return s.reads.hold(n.Data), nil
}

// Garbage counts the keys on the garbage list.
func (s *Server) Garbage() (n int, err error) {
	err = s.meta.db.QueryRow(`SELECT COUNT(*) FROM garbage`).Scan(&n)
	return n, err
}

// Collect runs one round of the collector now; full takes the expired
// sessions too.
func (s *Server) Collect(full bool) { s.gc.round(context.Background(), full) }

// Settle waits for the hashing requests left running after their answers.
func (s *Server) Settle() { s.bg.Wait() }

func (t *testBlobs) close() error {
	if c, ok := t.blobs.(interface{ close() error }); ok {
		return c.close()
	}
	return nil
}

// AfterEndPart calls hook with the bytes of each slice write between its
// end (the slice recorded as stored) and the hashing of its bytes.
func (s *Server) AfterEndPart(hook func(p []byte)) { s.afterEndPart.Store(&hook) }

// RunningHashes counts the sessions whose running hash the server holds.
func (s *Server) RunningHashes() int {
	s.hashMu.Lock()
	defer s.hashMu.Unlock()
	return len(s.hashes)
}

// RefusedRemovals counts the removals FailOneRemove refused.
func (s *Server) RefusedRemovals() int {
	t := s.blobs.(*testBlobs)
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.refused
}

// FinishLost calls hook when an insertOnly finish lost to an existing file,
// before it drops its session.
func (s *Server) FinishLost(hook func()) { s.finishLost.Store(&hook) }
