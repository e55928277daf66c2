package server

import (
	"context"
	"database/sql"
	"time"
)

// collector deletes what nothing refers to any more, in the background:
// expired sessions (their rows and running hashes; their bytes then fall
// due), the bytes of the garbage list that fell due, and one-time
// signatures past their window.
// Bytes are deleted only after the transaction that listed them committed,
// and a key leaves the list only after its bytes are gone, so a crash at any
// point loses nothing live and leaks nothing for good.
type collector struct {
	s    *Server
	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

// gcEvery is how often the collector runs when nothing kicks it.
const gcEvery = 30 * time.Second

// gcRetry is how long a key whose bytes the store refused to remove waits
// before it is tried again.
const gcRetry = 10 * time.Minute

func startCollector(s *Server) *collector {
	c := &collector{s: s, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// kick asks for a round of the bytes due soon, without waiting for it.
func (c *collector) kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *collector) close() {
	close(c.stop)
	<-c.done
}

func (c *collector) loop() {
	defer close(c.done)
	t := time.NewTicker(gcEvery)
	defer t.Stop()
	hold := time.NewTicker(c.s.holdEvery())
	defer hold.Stop()
	due := time.NewTimer(gcEvery)
	defer due.Stop()
	run, full, last := true, true, time.Time{}
	for {
		if run {
			if full {
				last = time.Now()
			}
			c.round(context.Background(), full)
			due.Reset(c.untilDue(context.Background()))
		}
		run = true
		select {
		case <-c.stop:
			return
		case <-hold.C: // not a round: the keys this server's downloads read
			if err := c.s.holdReads(context.Background()); err != nil {
				c.s.log.Error("server: keeping the bytes downloads read", "err", err)
			}
			run = false
		case <-c.wake: // the sessions and nonces at most once a second
			full = time.Since(last) >= time.Second
		case <-due.C:
			full = false
		case <-t.C:
			full = true
		}
	}
}

// round runs one collection: the bytes due, and with full the expired
// sessions and nonces too. Errors are logged and met again next round; a
// key whose bytes the store refused to remove is due again gcRetry later,
// and the round goes on with the others.
func (c *collector) round(ctx context.Context, full bool) {
	s := c.s
	now := s.now()
	var err error
	if full {
		s.dropExpiredHashes(now)
		err = s.meta.tx(ctx, func(tx *sql.Tx) error {
			_, err := s.meta.exec(ctx, tx, `DELETE FROM sessions WHERE expires < ?`, now)
			return err
		})
		if err == nil {
			err = s.nonces.expire(ctx)
		}
	}
	for err == nil {
		var keys []string
		if keys, err = c.due(ctx, now); err != nil || len(keys) == 0 {
			break
		}
		for _, k := range keys {
			if s.reads.has(k) {
				// A download here reads them: due again later (reads.go), a
				// second on at least (with no grace, dropAt is now).
				err = s.meta.tx(ctx, func(tx *sql.Tx) error {
					_, err := s.meta.exec(ctx, tx, `UPDATE garbage SET after = ? WHERE key = ? AND after <= ?`, max(s.dropAt(), now+1), k, now)
					return err
				})
			} else if rerr := s.removeBlob(ctx, k); rerr != nil {
				// One key the store keeps refusing (S3's AccessDenied) would
				// be first in every batch: it waits, the others go on.
				s.log.Error("server: collecting garbage: removing a blob failed, trying again later", "key", k, "err", rerr, "retry", gcRetry)
				err = s.meta.tx(ctx, func(tx *sql.Tx) error {
					_, err := s.meta.exec(ctx, tx, `UPDATE garbage SET after = ? WHERE key = ? AND after <= ?`, now+int64(gcRetry.Seconds()), k, now)
					return err
				})
			} else {
				err = s.meta.tx(ctx, func(tx *sql.Tx) error {
					_, err := s.meta.exec(ctx, tx, `DELETE FROM garbage WHERE key = ? AND after <= ?`, k, now)
					return err
				})
			}
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		s.log.Error("server: collecting garbage", "err", err)
	}
}

// untilDue is how long until the next bytes on the garbage list fall due,
// gcEvery at most (another server's drops are found then); a second when
// keys are due already, which a round that failed left.
func (c *collector) untilDue(ctx context.Context) time.Duration {
	var next sql.NullInt64
	err := c.s.meta.queryRow(ctx, c.s.meta.db, `SELECT MIN(g.after) FROM garbage g WHERE `+collectable).Scan(&next)
	if err != nil || !next.Valid {
		return gcEvery
	}
	if d := time.Unix(next.Int64, 0).Sub(c.s.cfg.Now()); d > 0 {
		return min(d, gcEvery)
	}
	return time.Second
}

// collectable is the condition on a garbage row g whose key may be
// collected once due: no blob row holds it, whatever the list says. The
// cleanup of a commit whose answer was lost (and that did commit) lists
// bytes a file refers to, and no transaction leaves a key in both tables.
const collectable = `NOT EXISTS (SELECT 1 FROM blobs b WHERE b.key = g.key)`

// due returns keys whose bytes may go now (collectable ones).
func (c *collector) due(ctx context.Context, now int64) ([]string, error) {
	rows, err := c.s.meta.query(ctx, c.s.meta.db, `SELECT g.key FROM garbage g WHERE g.after <= ? AND `+collectable+
		` ORDER BY g.after LIMIT 100`, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
