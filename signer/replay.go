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

// MemoryReplay is a ReplayCache that keeps the most recent Size keys in memory.
// A one-time signature older than what it holds is accepted again, so size it
// above the one-time requests a server sees between restarts worth guarding.
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
