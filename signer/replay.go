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

// ClockedReplayCache is a ReplayCache that keeps time by its Verifier's
// clock (Verifier.Now): the Verifier calls AddAt instead of Add, with the
// time it checked the window at, so the cache forgets a key when that clock
// passes the key's time, not the wall clock. A cache that measured against
// another clock than the window's would forget a signature still within the
// window when that clock ran ahead, and a replay would pass.
type ClockedReplayCache interface {
	ReplayCache
	// AddAt is Add, with now the Verifier's time.
	AddAt(key string, until, now time.Time) (bool, error)
}

// MemoryReplay is a ReplayCache that keeps the most recent keys in memory; it
// is safe for concurrent use. It forgets a key once its time has passed (by
// the Verifier's clock, which calls AddAt; by the wall clock for Add), and
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

// Add implements ReplayCache by the wall clock; it never fails.
func (m *MemoryReplay) Add(key string, until time.Time) (bool, error) {
	return m.AddAt(key, until, time.Now())
}

// AddAt implements ClockedReplayCache: keys whose time is before now are
// forgotten. It never fails.
func (m *MemoryReplay) AddAt(key string, until, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
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
