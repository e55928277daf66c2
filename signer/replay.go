package signer

import (
	"container/list"
	"sync"
	"time"
)

// ReplayCache remembers one-time signatures so each is accepted once.
type ReplayCache interface {
	// Add records key until the time until (zero: for good) and reports
	// whether it was new. An error means it could not be recorded: the
	// request must be refused, since a later replay would not be caught.
	Add(key string, until time.Time) (bool, error)
}

// MemoryReplay is a ReplayCache that keeps the most recent keys in memory; it
// is safe for concurrent use. It forgets a key once its time has passed, and
// the oldest key when it holds size of them, so one that old, or one sent
// again after a restart, is accepted again unless Verifier.OnceWindow refuses
// it first: size it above the one-time requests the server sees in the
// window (a key costs about 150 bytes: 1<<16 of them, 10 MB). A server that
// must refuse replays across restarts keeps them durably instead.
type MemoryReplay struct {
	mu    sync.Mutex
	size  int
	order *list.List // of entry, oldest first
	seen  map[string]*list.Element
}

type entry struct {
	key   string
	until time.Time
}

// NewMemoryReplay returns a cache of at most size keys (at least 1).
func NewMemoryReplay(size int) *MemoryReplay {
	return &MemoryReplay{size: max(size, 1), order: list.New(), seen: map[string]*list.Element{}}
}

// Add implements ReplayCache; it never fails.
func (m *MemoryReplay) Add(key string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	for e := m.order.Front(); e != nil; e = m.order.Front() {
		if u := e.Value.(entry).until; u.IsZero() || !u.Before(now) {
			break
		}
		m.drop(e)
	}
	if _, ok := m.seen[key]; ok {
		return false, nil
	}
	m.seen[key] = m.order.PushBack(entry{key, until})
	if m.order.Len() > m.size {
		m.drop(m.order.Front())
	}
	return true, nil
}

func (m *MemoryReplay) drop(e *list.Element) {
	m.order.Remove(e)
	delete(m.seen, e.Value.(entry).key)
}

// Len returns how many keys the cache holds.
func (m *MemoryReplay) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
