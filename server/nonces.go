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

// errNonceForgotten refuses a one-time signature whose t is below the
// database's horizon: one that old may have been used and forgotten since.
var errNonceForgotten = errors.New("a one-time signature older than those the servers of this database still remember " +
	"(one of them has a clock ahead of this one's, or had a shorter --once-window): sign again")

// windowKept is how long a server's window still counts after the server
// last said so (at each collection, at least every gcEvery while it runs),
// so a server restarted meanwhile finds the signatures of its window kept.
const windowKept = time.Hour

// nonces is the server's signer.ReplayCache: every one-time signature used
// within Limits.OnceWindow is a row of the nonces table, with its t, so a
// replay is refused whatever happened in between, restarts and other servers
// sharing the database included.
//
// Servers sharing a database may have different windows, and clocks: each
// records its window in once_windows, and a row is forgotten only once its t
// is past the longest window of them all (by the clock of the server that
// collects). That collection raises, in its transaction, the horizon
// (nonce_horizon) below which rows may be gone, and a signature whose t is
// below it is refused (-96): so no server accepts a replay within its own
// window, even one that started with a longer window after a shorter one
// forgot, or one whose clock is behind the collector's. In the common case
// (the same window, synchronized clocks) the horizon refuses nothing the
// window would accept.
type nonces struct {
	m      *meta
	now    func() time.Time
	window time.Duration // the Verifier's OnceWindow: Add's until is t + window
	max    int64
	count  atomic.Int64 // rows, as last counted plus those added since
}

func newNonces(ctx context.Context, m *meta, now func() time.Time, window time.Duration, limit int) (*nonces, error) {
	n := &nonces{m: m, now: now, window: window, max: int64(limit)}
	return n, n.expire(ctx)
}

// Add implements signer.ReplayCache.
func (n *nonces) Add(key string, until time.Time) (bool, error) {
	ctx := context.Background()
	t := int64(math.MaxInt64) // no window: kept for good
	if !until.IsZero() {
		t = until.Add(-n.window).Unix()
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
		res, err := n.m.exec(ctx, tx, `INSERT INTO nonces (mac, t) VALUES (?, ?) ON CONFLICT (mac) DO NOTHING`, hex.EncodeToString([]byte(key)), t)
		if err != nil {
			return err
		}
		rows, err := res.RowsAffected()
		if err != nil {
			return err
		}
		fresh = rows == 1
		// Read in the transaction of the insert, so a collection either
		// committed before it (its horizon is seen here) or runs after it
		// (and whatever it forgets, its horizon then refuses).
		var forgotten int64
		if err := n.m.queryRow(ctx, tx, `SELECT forgotten FROM nonce_horizon`).Scan(&forgotten); err != nil {
			return err
		}
		if t < forgotten {
			return errNonceForgotten
		}
		return nil
	})
	if fresh && err == nil {
		n.count.Add(1)
	}
	return fresh && err == nil, err
}

// expire records this server's window, forgets the signatures past the
// longest window of the servers of the database, raises the horizon to
// match, and counts the rest.
func (n *nonces) expire(ctx context.Context) error {
	now := n.now().Unix()
	own := int64((n.window + time.Second - 1) / time.Second)
	var left int64
	err := n.m.tx(ctx, func(tx *sql.Tx) error {
		if _, err := n.m.exec(ctx, tx, `INSERT INTO once_windows (seconds, seen) VALUES (?, ?) `+
			`ON CONFLICT (seconds) DO UPDATE SET seen = excluded.seen WHERE once_windows.seen < excluded.seen`, own, now); err != nil {
			return err
		}
		if _, err := n.m.exec(ctx, tx, `DELETE FROM once_windows WHERE seen < ?`, now-int64(windowKept/time.Second)); err != nil {
			return err
		}
		var longest int64
		if err := n.m.queryRow(ctx, tx, `SELECT COALESCE(MAX(seconds), 0) FROM once_windows`).Scan(&longest); err != nil {
			return err
		}
		horizon := now - max(longest, own)
		if _, err := n.m.exec(ctx, tx, `DELETE FROM nonces WHERE t < ?`, horizon); err != nil {
			return err
		}
		if _, err := n.m.exec(ctx, tx, `UPDATE nonce_horizon SET forgotten = ? WHERE forgotten < ?`, horizon, horizon); err != nil {
			return err
		}
		return n.m.queryRow(ctx, tx, `SELECT COUNT(*) FROM nonces`).Scan(&left)
	})
	if err == nil {
		n.count.Store(left)
	}
	return err
}
