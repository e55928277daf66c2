package server

import (
	"context"
	"database/sql"
	"math"
	"strings"
	"sync"
	"time"
)

// A download reads a file's bytes for as long as its client takes, and on
// S3 a file stored as slices is one object per slice, read one after
// another: the collector must not take them while the download runs,
// whichever server sharing the database deleted or replaced the file.
// So the bytes a file drops are due DropGrace later (dropAt); a server's
// collector keeps the keys its own downloads read; and every DropGrace/3
// each server pushes the keys its downloads read DropGrace on (holdReads),
// which keeps them from every other collector too. A server that dies
// stops pushing: its keys fall due DropGrace later.

// reads counts the downloads of this server reading each blob key.
type reads struct {
	mu sync.Mutex
	n  map[string]int
}

// hold counts a download of key until the func it returns is called.
func (r *reads) hold(key string) (release func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[key]++
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.n[key]--; r.n[key] == 0 {
			delete(r.n, key)
		}
	}
}

// has reports whether a download of this server reads key.
func (r *reads) has(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[key] > 0
}

// keys are the keys downloads of this server read.
func (r *reads) keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.n))
	for k := range r.n {
		out = append(out, k)
	}
	return out
}

// dropAt is when bytes dropped now fall due: DropGrace on, counted from the
// end of the current second (the database keeps whole seconds).
func (s *Server) dropAt() int64 {
	if s.cfg.DropGrace < 0 {
		return s.now()
	}
	return s.now() + int64(math.Ceil(s.cfg.DropGrace.Seconds())) + 1
}

// holdEvery is how often a server pushes on the keys its downloads read.
func (s *Server) holdEvery() time.Duration { return max(s.cfg.DropGrace/3, time.Second) }

// holdBatch is how many keys one statement of holdReads pushes on; a batch
// is padded with "" (no key) so the statement's text is always the same.
const holdBatch = 32

var holdQuery = `UPDATE garbage SET after = ? WHERE after < ? AND key IN (?` + strings.Repeat(", ?", holdBatch-1) + `)`

// holdReads pushes the keys this server's downloads read, where listed as
// garbage, to dropAt.
func (s *Server) holdReads(ctx context.Context) error {
	if s.cfg.DropGrace < 0 {
		return nil
	}
	keys := s.reads.keys()
	for len(keys) > 0 {
		n := min(len(keys), holdBatch)
		at := s.dropAt()
		args := []any{at, at}
		for i := range holdBatch {
			k := ""
			if i < n {
				k = keys[i]
			}
			args = append(args, k)
		}
		keys = keys[n:]
		if err := s.meta.tx(ctx, func(tx *sql.Tx) error {
			_, err := s.meta.exec(ctx, tx, holdQuery, args...)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
