package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	_, err := q.ExecContext(ctx, m.q(`INSERT INTO sessions (id, bucket, path, filesize, slice_size, overwrite, biz_attr, sha, parts, created, expires)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
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
	err := q.QueryRowContext(ctx, m.q(`SELECT id, bucket, path, filesize, slice_size, overwrite, biz_attr, sha, parts, created, expires, rewrites
		FROM sessions WHERE bucket = ? AND path = ?`), bucket, path).
		Scan(&s.ID, &s.Bucket, &s.Path, &s.FileSize, &s.SliceSize, &overwrite, &s.BizAttr, &s.SHA, &parts, &s.Created, &s.Expires, &s.Rewrites)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.Overwrite = overwrite == 1
	if parts != "" {
		if err := json.Unmarshal([]byte(parts), &s.Parts); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// deleteSession removes a session and its parts' rows (not its bytes).
func (m *meta) deleteSession(ctx context.Context, q querier, id string) error {
	_, err := q.ExecContext(ctx, m.q(`DELETE FROM sessions WHERE id = ?`), id)
	return err
}

// beginPart records that the slice at off is being written since now, and
// counts a rewrite when it was stored before. It reports false when the
// session is gone.
func (m *meta) beginPart(ctx context.Context, q querier, id string, off, size, now int64) (bool, error) {
	var state int
	err := q.QueryRowContext(ctx, m.q(`SELECT state FROM parts WHERE session = ? AND off = ?`), id, off).Scan(&state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := q.ExecContext(ctx, m.q(`INSERT INTO parts (session, off, size, state, since)
			SELECT id, ?, ?, 0, ? FROM sessions WHERE id = ?`), off, size, now, id)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	case err != nil:
		return false, err
	}
	if _, err := q.ExecContext(ctx, m.q(`UPDATE parts SET state = 0, size = ?, since = ? WHERE session = ? AND off = ?`), size, now, id, off); err != nil {
		return false, err
	}
	_, err = q.ExecContext(ctx, m.q(`UPDATE sessions SET rewrites = rewrites + 1 WHERE id = ?`), id)
	return err == nil, err
}

// endPart records the slice at off as stored.
func (m *meta) endPart(ctx context.Context, q querier, id string, off int64) error {
	_, err := q.ExecContext(ctx, m.q(`UPDATE parts SET state = 1 WHERE session = ? AND off = ?`), id, off)
	return err
}

// storedParts returns the stored slices of a session from offset from on,
// in order.
func (m *meta) storedParts(ctx context.Context, q querier, id string, from int64) ([]part, error) {
	rows, err := q.QueryContext(ctx, m.q(`SELECT off, size FROM parts WHERE session = ? AND state = 1 AND off >= ? ORDER BY off`), id, from)
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
	err := q.QueryRowContext(ctx, m.q(`SELECT COUNT(*) FROM parts WHERE session = ? AND state = 0 AND since > ?`), id, after).Scan(&n)
	return n, err
}
