package server

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"math"
	"sync/atomic"
	"time"
)

// errNoncesFull refuses a one-time request while Limits.MaxNonces signatures
// are still within their window: forgetting one early would let it replay.
var errNoncesFull = errors.New("too many one-time signatures within the window")

// nonces is the server's signer.ReplayCache: every one-time signature used
// within Limits.OnceWindow is a row of the nonces table until it leaves the
// window, so a replay is refused whatever happened in between, restarts and
// other servers sharing the database included.
type nonces struct {
	m     *meta
	now   func() time.Time
	max   int64
	count atomic.Int64 // rows, as last counted plus those added since
}

func newNonces(ctx context.Context, m *meta, now func() time.Time, limit int) (*nonces, error) {
	n := &nonces{m: m, now: now, max: int64(limit)}
	return n, n.expire(ctx)
}

// Add implements signer.ReplayCache.
func (n *nonces) Add(key string, until time.Time) (bool, error) {
	ctx := context.Background()
	forget := int64(math.MaxInt64)
	if !until.IsZero() {
		forget = until.Unix()
	}
	if n.count.Load() >= n.max {
		if err := n.expire(ctx); err != nil {
			return false, err
		}
		if n.count.Load() >= n.max {
			return false, errNoncesFull
		}
	}
	var fresh bool
	err := n.m.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, n.m.q(`INSERT INTO nonces (mac, until) VALUES (?, ?) ON CONFLICT (mac) DO NOTHING`), hex.EncodeToString([]byte(key)), forget)
		if err != nil {
			return err
		}
		rows, err := res.RowsAffected()
		fresh = rows == 1
		return err
	})
	if fresh && err == nil {
		n.count.Add(1)
	}
	return fresh && err == nil, err
}

// expire forgets the signatures past their time and counts the rest.
func (n *nonces) expire(ctx context.Context) error {
	var left int64
	err := n.m.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, n.m.q(`DELETE FROM nonces WHERE until < ?`), n.now().Unix()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM nonces`).Scan(&left)
	})
	if err == nil {
		n.count.Store(left)
	}
	return err
}
