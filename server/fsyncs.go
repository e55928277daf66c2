package server

import "sync"

// fsyncs makes writes to one file durable together: the slices of a session
// arrive several at once, each written at its offset of the session's file,
// and one fsync begun after all of them were written covers them all. A
// write waits for the fsync in progress to end, then for one begun after
// it, or runs that one itself. An fsync that fails fails every write it
// covered, even when a later one succeeds: Linux may have dropped the pages
// it could not write.
type fsyncs struct {
	mu    sync.Mutex
	files map[string]*fsyncGroup
}

type fsyncGroup struct {
	users   int    // writes in sync
	written uint64 // writes that asked for an fsync, numbered from 1
	synced  uint64 // the writes up to this one are durable
	failed  uint64 // the writes up to this one were covered by a failed fsync
	err     error  // of that fsync
	running bool
	done    sync.Cond
}

// syncer is a file: *os.File.
type syncer interface{ Sync() error }

// sync makes durable the write to f (a file of key) that its caller just
// finished.
func (s *fsyncs) sync(key string, f syncer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]*fsyncGroup{}
	}
	g := s.files[key]
	if g == nil {
		g = &fsyncGroup{}
		g.done.L = &s.mu
		s.files[key] = g
	}
	g.users++
	g.written++
	mine := g.written
	for g.synced < mine && g.failed < mine {
		if g.running {
			g.done.Wait()
			continue
		}
		g.running = true
		covers := g.written
		s.mu.Unlock()
		err := f.Sync()
		s.mu.Lock()
		g.running = false
		if err != nil {
			g.failed, g.err = covers, err
		} else {
			g.synced = covers
		}
		g.done.Broadcast()
	}
	var err error
	if mine <= g.failed {
		err = g.err
	}
	if g.users--; g.users == 0 {
		delete(s.files, key)
	}
	return err
}
