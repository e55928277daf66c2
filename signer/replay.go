package signer

import (
	"container/list"
	"sync"
)

// ReplayCache remembers one-time signatures so each is accepted once.
type ReplayCache interface {
	// Add records key and reports whether it was new.
	Add(key string) bool
}

// MemoryReplay is a ReplayCache that keeps the most recent keys in memory; it
// is safe for concurrent use. One-time signatures never expire (e = 0), so
// one older than what it holds, or sent again after a restart, is accepted
// again: size it above the one-time requests the server sees in the window
// worth guarding (a key costs about 130 bytes: 1<<16 of them, 8 MB).
type MemoryReplay struct {
	mu    sync.Mutex
	size  int
	order *list.List
	seen  map[string]*list.Element
}

// NewMemoryReplay returns a cache of at most size keys (at least 1).
func NewMemoryReplay(size int) *MemoryReplay {
	return &MemoryReplay{size: max(size, 1), order: list.New(), seen: map[string]*list.Element{}}
}

// Add implements ReplayCache.
func (m *MemoryReplay) Add(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.seen[key]; ok {
		return false
	}
	m.seen[key] = m.order.PushBack(key)
	if m.order.Len() > m.size {
		oldest := m.order.Front()
		m.order.Remove(oldest)
		delete(m.seen, oldest.Value.(string))
	}
	return true
}

// Len returns how many keys the cache holds.
func (m *MemoryReplay) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
