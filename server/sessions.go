package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// session is an unfinished slice upload; its bytes are the blob "s"+ID.
type session struct {
	ID        string
	Bucket    string
	Path      string
	FileSize  int64
	SliceSize int64
	Overwrite bool
	BizAttr   string
	SHA       string
	Parts     []sumPart // uploadparts, if the init sent them
	Created   int64
	Expires   int64
	Rewrites  int64
}

func (s *session) blobKey() string { return "s" + s.ID }

// sumPart is one entry of an init's uploadparts.
type sumPart struct {
	Offset  int64  `json:"offset"`
	Datalen int64  `json:"datalen"`
	Datasha string `json:"datasha"`
}

// part is a slice of a session the database says is stored.
type part struct{ off, size int64 }

func (m *meta) insertSession(ctx context.Context, q querier, s *session) error {
	parts := ""
	if len(s.Parts) > 0 {
		raw, err := json.Marshal(s.Parts)
		if err != nil {
			return err
		}
		parts = string(raw)
	}
	_, err := m.exec(ctx, q, `INSERT INTO sessions (id, bucket, path, filesize, slice_size, overwrite, biz_attr, sha, parts, created, expires)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.Bucket, s.Path, s.FileSize, s.SliceSize, boolInt(s.Overwrite), s.BizAttr, s.SHA, parts, s.Created, s.Expires)
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sessionAt returns the unfinished upload of path, nil if there is none.
func (m *meta) sessionAt(ctx context.Context, q querier, bucket, path string) (*session, error) {
	var s session
	var overwrite int
	var parts string
	err := m.queryRow(ctx, q, `SELECT id, bucket, path, filesize, slice_size, overwrite, biz_attr, sha, parts, created, expires, rewrites
		FROM sessions WHERE bucket = ? AND path = ?`, bucket, path).
		Scan(&s.ID, &s.Bucket, &s.Path, &s.FileSize, &s.SliceSize, &overwrite, &s.BizAttr, &s.SHA, &parts, &s.Created, &s.Expires, &s.Rewrites)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.Overwrite = overwrite == 1
	// What an init could not have made (the slices are cut and hashed by
	// these numbers) is an error, not a division by zero.
	if s.SliceSize <= 0 || s.FileSize < 0 || parts != "" && s.setParts(parts) != nil {
		return nil, fmt.Errorf("the session %s of %s: a corrupt row (slice size %d, file size %d, uploadparts %.80q)",
			s.ID, path, s.SliceSize, s.FileSize, parts)
	}
	return &s, nil
}

// sessionIDAt returns the id of path's unfinished upload, "" if there is
// none, and reads nothing else of its row: a discard needs no more, so it
// drops even a row sessionAt refuses as corrupt, the one way out before the
// session expires.
func (m *meta) sessionIDAt(ctx context.Context, q querier, bucket, path string) (string, error) {
	var id string
	err := m.queryRow(ctx, q, `SELECT id FROM sessions WHERE bucket = ? AND path = ?`, bucket, path).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// deleteSession removes a session and its parts' rows (not its bytes).
func (m *meta) deleteSession(ctx context.Context, q querier, id string) error {
	_, err := m.exec(ctx, q, `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// partOutcome is what beginPart or endPart found.
type partOutcome int

const (
	partDone partOutcome = iota // recorded
	partGone                    // the session is gone: finished or discarded
	partBusy                    // another write of the slice holds it
)

// beginPart records that the slice at off is being written since now, and
// counts a rewrite when it was stored before. Writes of one slice take
// turns: while another one is being written since after stale, it changes
// nothing and reports partBusy, since a write that ended while this one went
// on would mark the slice stored with this one's bytes still landing. It
// reports partGone when the session is gone.
func (m *meta) beginPart(ctx context.Context, q querier, id string, off, size, now, stale int64) (partOutcome, error) {
	var state int
	var since int64
	err := m.queryRow(ctx, q, `SELECT state, since FROM parts WHERE session = ? AND off = ?`, id, off).Scan(&state, &since)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := m.exec(ctx, q, `INSERT INTO parts (session, off, size, state, since)
			SELECT id, ?, ?, 0, ? FROM sessions WHERE id = ?`, off, size, now, id)
		if err != nil {
			return partGone, err
		}
		n, err := res.RowsAffected()
		if n != 1 {
			return partGone, err
		}
		return partDone, err
	case err != nil:
		return partGone, err
	case state == 0 && since > stale:
		return partBusy, nil
	}
	if _, err := m.exec(ctx, q, `UPDATE parts SET state = 0, size = ?, since = ? WHERE session = ? AND off = ?`, size, now, id, off); err != nil {
		return partGone, err
	}
	_, err = m.exec(ctx, q, `UPDATE sessions SET rewrites = rewrites + 1 WHERE id = ?`, id)
	return partDone, err
}

// endPart records the slice at off as stored by the write that began it at
// since, and returns the session's count of rewrites in the same
// transaction: the bytes at off are this write's until the count grows. It
// reports partGone when the session is gone and partBusy when a later write
// took the slice over (this one outlived the write timeout).
func (m *meta) endPart(ctx context.Context, q querier, id string, off, since int64) (rewrites int64, got partOutcome, err error) {
	res, err := m.exec(ctx, q, `UPDATE parts SET state = 1 WHERE session = ? AND off = ? AND state = 0 AND since = ?`, id, off, since)
	if err != nil {
		return 0, partGone, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, partGone, err
	}
	err = m.queryRow(ctx, q, `SELECT rewrites FROM sessions WHERE id = ?`, id).Scan(&rewrites)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, partGone, nil
	case err != nil:
		return 0, partGone, err
	case n != 1:
		return rewrites, partBusy, nil
	}
	return rewrites, partDone, nil
}

// storedParts returns the stored slices of a session from offset from on,
// in order.
func (m *meta) storedParts(ctx context.Context, q querier, id string, from int64) ([]part, error) {
	rows, err := m.query(ctx, q, `SELECT off, size FROM parts WHERE session = ? AND state = 1 AND off >= ? ORDER BY off`, id, from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []part
	for rows.Next() {
		var p part
		if err := rows.Scan(&p.off, &p.size); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// writing counts the slices of a session being written since after.
func (m *meta) writing(ctx context.Context, q querier, id string, after int64) (int, error) {
	var n int
	err := m.queryRow(ctx, q, `SELECT COUNT(*) FROM parts WHERE session = ? AND state = 0 AND since > ?`, id, after).Scan(&n)
	return n, err
}
