package server

import (
	"encoding/hex"
	"errors"
	"io"
	"math"
	"strings"
	"sync"
	"time"
)

// errNoncesFull refuses a one-time request while Limits.MaxNonces signatures
// are still within their window: forgetting one early would let it replay.
var errNoncesFull = errors.New("too many one-time signatures within the window")

// nonces is the server's signer.ReplayCache: every one-time signature used
// within Limits.OnceWindow, each kept in the store as "nonce/<hh>/<MAC in
// hex>" holding the Unix time it may be forgotten, so a replay is refused
// whatever happened in between, restarts included. The map is the authority
// while the server runs; a signature is new only once its blob is stored.
type nonces struct {
	mu    sync.Mutex
	store blobs
	now   func() time.Time
	max   int
	seen  map[string]int64 // MAC in hex → forget after
	sweep int64            // next time to forget the expired
}

func nonceKey(h string) string { return "nonce/" + h[:2] + "/" + h }

// loadNonces reads the signatures a previous run used and forgets those past
// their time.
func loadNonces(store blobs, now func() time.Time, limit int) (*nonces, error) {
	n := &nonces{store: store, now: now, max: limit, seen: map[string]int64{}}
	keys, err := store.list("nonce/")
	if err != nil {
		return nil, err
	}
	t := now().Unix()
	for _, k := range keys {
		b, err := store.open(k)
		if err != nil {
			return nil, err
		}
		raw, err := io.ReadAll(io.LimitReader(b, 32))
		b.Close()
		if err != nil {
			return nil, err
		}
		until, ok := decimal(string(raw), math.MaxInt64)
		h := k[strings.LastIndex(k, "/")+1:]
		switch {
		case ok && until < t:
			_ = store.remove(k)
		case ok:
			n.seen[h] = until
		default: // a write a crash cut short: keep it for the longest
			n.seen[h] = math.MaxInt64
		}
	}
	return n, nil
}

// Add implements signer.ReplayCache.
func (n *nonces) Add(key string, until time.Time) (bool, error) {
	h := hex.EncodeToString([]byte(key))
	if len(h) < 2 {
		return false, errors.New("empty one-time signature")
	}
	forget := int64(math.MaxInt64)
	if !until.IsZero() {
		forget = until.Unix()
	}
	n.mu.Lock()
	expired := n.expire()
	_, used := n.seen[h]
	full := len(n.seen) >= n.max
	if !used && !full {
		n.seen[h] = forget
	}
	n.mu.Unlock()
	for _, k := range expired {
		_ = n.store.remove(nonceKey(k))
	}
	switch {
	case used:
		return false, nil
	case full:
		return false, errNoncesFull
	}
	if _, err := n.store.put(nonceKey(h), strings.NewReader(itoa(forget))); err != nil {
		n.mu.Lock()
		delete(n.seen, h)
		n.mu.Unlock()
		return false, err
	}
	return true, nil
}

// expire forgets, at most once a second, the signatures past their time and
// returns them for their blobs to be removed; the caller holds n.mu.
func (n *nonces) expire() []string {
	t := n.now().Unix()
	if t < n.sweep {
		return nil
	}
	n.sweep = t + 1
	var out []string
	for h, until := range n.seen {
		if until < t {
			delete(n.seen, h)
			out = append(out, h)
		}
	}
	return out
}
