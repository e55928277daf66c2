package signer

import (
	"container/heap"
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
// the Verifier's clock, which calls AddAt; by the wall clock for Add), and,
// when it holds size keys still within their time, the one whose time ends
// first (of keys kept for good, the oldest), so such a key, or one sent again
// after a restart, is accepted again unless Verifier.OnceWindow refuses it
// first: size it above the one-time requests the server sees in the window
// (a key costs about 150 bytes: 1<<16 of them, 10 MB). A server that must
// refuse replays across restarts keeps them durably instead.
type MemoryReplay struct {
	mu   sync.Mutex
	size int
	keys byEnd // the first to forget on top
	seen map[string]*entry
	seq  uint64
}

type entry struct {
	key   string
	until time.Time // zero: for good
	seq   uint64    // the order of Adds
}

// NewMemoryReplay returns a cache of at most size keys (at least 1).
func NewMemoryReplay(size int) *MemoryReplay {
	return &MemoryReplay{size: max(size, 1), seen: map[string]*entry{}}
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
	// Every key past its time, wherever it was added: keys come in the order
	// of their requests, not of their times (t may be either side of now).
	for len(m.keys) > 0 {
		if u := m.keys[0].until; u.IsZero() || !u.Before(now) {
			break
		}
		delete(m.seen, heap.Pop(&m.keys).(*entry).key)
	}
	if _, ok := m.seen[key]; ok {
		return false, nil
	}
	m.seq++
	e := &entry{key: key, until: until, seq: m.seq}
	heap.Push(&m.keys, e)
	m.seen[key] = e
	if len(m.keys) > m.size {
		delete(m.seen, heap.Pop(&m.keys).(*entry).key)
	}
	return true, nil
}

// Len returns how many keys the cache holds.
func (m *MemoryReplay) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// byEnd is a heap of entries, the one whose time ends first on top (a zero
// time last), then the oldest.
type byEnd []*entry

func (h byEnd) Len() int { return len(h) }

func (h byEnd) Less(i, j int) bool {
	a, b := h[i], h[j]
	switch {
	case a.until.Equal(b.until):
		return a.seq < b.seq
	case a.until.IsZero() || b.until.IsZero():
		return b.until.IsZero()
	}
	return a.until.Before(b.until)
}

func (h byEnd) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

func (h *byEnd) Push(x any) { *h = append(*h, x.(*entry)) }

func (h *byEnd) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
