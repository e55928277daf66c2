package server

import (
	"context"
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
