package server

import (
	"math/bits"
	"sync"
)

// Request bodies and slices are megabytes each; allocating them afresh for
// every request made the runtime zero and fault in new memory each time,
// which dominated a slice's cost. Buffers come from per-size-class pools.
var pools [27]sync.Pool // classes 1 B .. 64 MB, by power of two

func class(n int) int { return bits.Len(uint(max(n, 1) - 1)) }

// getBuf returns an empty buffer with capacity at least n.
func getBuf(n int) []byte {
	c := class(n)
	if c >= len(pools) {
		return make([]byte, 0, n)
	}
	if b, ok := pools[c].Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, 1<<c)
}

// putBuf gives a buffer from getBuf back; the caller must not use it again.
func putBuf(b []byte) {
	c := class(cap(b))
	if cap(b) != 1<<c || c >= len(pools) {
		return
	}
	pools[c].Put(&b)
}
