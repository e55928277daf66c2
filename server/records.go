package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/cosv2/cosv2/gen/coserr"
)

// node is a directory or a file of a bucket.
type node struct {
	Bucket    string
	Path      string // leading "/"; a directory's ends in "/"
	BizAttr   string
	Ctime     int64
	Mtime     int64
	Size      int64
	SHA       string
	Data      string // blob key of a file's bytes
	Slice     int64  // the slice size the blob was stored in, 0 for one piece
	Authority string
	Headers   map[string]string
}

func (n *node) dir() bool { return strings.HasSuffix(n.Path, "/") }

// split is the (dir, name) of path: "/a/b.txt" is ("/a/", "b.txt"), "/a/"
// is ("/", "a/").
func split(path string) (dir, name string) {
	d := parent(path)
	return d, path[len(d):]
}

// parent returns the directory path that holds path.
func parent(path string) string {
	t := strings.TrimSuffix(path, "/")
	return t[:strings.LastIndex(t, "/")+1]
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const nodeColumns = `n.bucket, n.dir, n.name, n.biz_attr, n.ctime, n.mtime, n.size, n.sha, COALESCE(n.blob, ''), COALESCE(b.slice, 0), n.authority, n.headers`
const nodeFrom = ` FROM nodes n LEFT JOIN blobs b ON b.key = n.blob `

func scanNode(row interface{ Scan(...any) error }) (*node, error) {
	var n node
	var dir, name, headers string
	if err := row.Scan(&n.Bucket, &dir, &name, &n.BizAttr, &n.Ctime, &n.Mtime, &n.Size, &n.SHA, &n.Data, &n.Slice, &n.Authority, &headers); err != nil {
		return nil, err
	}
	n.Path = dir + name
	if headers != "" {
		if err := json.Unmarshal([]byte(headers), &n.Headers); err != nil {
			return nil, err
		}
	}
	return &n, nil
}

// getNode returns the node at path, nil if there is none; the bucket root
// always exists.
func (m *meta) getNode(ctx context.Context, q querier, bucket, path string) (*node, error) {
	if path == "/" {
		return &node{Bucket: bucket, Path: "/"}, nil
	}
	dir, name := split(path)
	n, err := scanNode(m.queryRow(ctx, q, `SELECT `+nodeColumns+nodeFrom+`WHERE n.bucket = ? AND n.dir = ? AND n.name = ?`, bucket, dir, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return n, err
}

// putNode inserts n or replaces the node at its path; it does not touch
// blob references.
func (m *meta) putNode(ctx context.Context, q querier, n *node) error {
	args, err := nodeArgs(n)
	if err != nil {
		return err
	}
	_, err = m.exec(ctx, q, insertNode+`DO UPDATE SET biz_attr = excluded.biz_attr, ctime = excluded.ctime, mtime = excluded.mtime,
		size = excluded.size, sha = excluded.sha, blob = excluded.blob, authority = excluded.authority, headers = excluded.headers`, args...)
	return err
}

// addNode inserts n unless a node is at its path, and reports whether it did.
func (m *meta) addNode(ctx context.Context, q querier, n *node) (bool, error) {
	args, err := nodeArgs(n)
	if err != nil {
		return false, err
	}
	res, err := m.exec(ctx, q, insertNode+`DO NOTHING`, args...)
	if err != nil {
		return false, err
	}
	added, err := res.RowsAffected()
	return added == 1, err
}

// insertNode inserts nodeArgs, and says what to do when the path is taken.
const insertNode = `INSERT INTO nodes (bucket, dir, name, biz_attr, ctime, mtime, size, sha, blob, authority, headers)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket, dir, name) `

// nodeArgs are the values insertNode takes for n: a directory's blob is NULL.
func nodeArgs(n *node) ([]any, error) {
	dir, name := split(n.Path)
	headers := ""
	if len(n.Headers) > 0 {
		raw, err := json.Marshal(n.Headers)
		if err != nil {
			return nil, err
		}
		headers = string(raw)
	}
	var blob any
	if n.Data != "" {
		blob = n.Data
	}
	return []any{n.Bucket, dir, name, n.BizAttr, n.Ctime, n.Mtime, n.Size, n.SHA, blob, n.Authority, headers}, nil
}

// deleteNode removes the node at path.
func (m *meta) deleteNode(ctx context.Context, q querier, bucket, path string) error {
	dir, name := split(path)
	_, err := m.exec(ctx, q, `DELETE FROM nodes WHERE bucket = ? AND dir = ? AND name = ?`, bucket, dir, name)
	return err
}

// hasChildren reports whether directory dir holds anything.
func (m *meta) hasChildren(ctx context.Context, q querier, bucket, dir string) (bool, error) {
	var one int
	err := m.queryRow(ctx, q, `SELECT 1 FROM nodes WHERE bucket = ? AND dir = ? LIMIT 1`, bucket, dir).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// children returns up to n entries of dir whose names start with prefix and
// sort after after: one range scan of the primary key.
func (m *meta) children(ctx context.Context, bucket, dir, prefix, after string, n int) ([]*node, error) {
	from := max(prefix, after)
	op := ">="
	if after != "" && after >= prefix {
		op = ">"
	}
	rows, err := m.query(ctx, m.db, `SELECT `+nodeColumns+nodeFrom+`WHERE n.bucket = ? AND n.dir = ? AND n.name `+op+` ? ORDER BY n.name LIMIT ?`,
		bucket, dir, from, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*node
	for rows.Next() {
		c, err := scanNode(rows)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(c.Path[len(dir):], prefix) {
			break // past the names with the prefix: they sort together
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// withSHA returns a file of bucket with that SHA-1 and size, or nil.
func (m *meta) withSHA(ctx context.Context, q querier, bucket, sha string, size int64) (*node, error) {
	if sha == "" {
		return nil, nil
	}
	n, err := scanNode(m.queryRow(ctx, q, `SELECT `+nodeColumns+nodeFrom+`WHERE n.bucket = ? AND n.sha = ? AND n.size = ? AND n.blob IS NOT NULL LIMIT 1`,
		bucket, strings.ToLower(sha), size))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return n, err
}

// addBlob records a newly written blob with one reference and, when listed,
// takes it off the garbage list it was put on before its bytes were written.
func (m *meta) addBlob(ctx context.Context, q querier, key string, slice int64, listed bool) error {
	if listed {
		if _, err := m.exec(ctx, q, `DELETE FROM garbage WHERE key = ?`, key); err != nil {
			return err
		}
	}
	_, err := m.exec(ctx, q, `INSERT INTO blobs (key, refs, slice) VALUES (?, 1, ?)`, key, slice)
	return err
}

// errBlobGone: the blob a file was to share was dropped meanwhile.
var errBlobGone = errors.New("the stored bytes to share are gone")

// ref adds a reference to a stored blob (a copy shares the bytes).
func (m *meta) ref(ctx context.Context, q querier, key string) error {
	res, err := m.exec(ctx, q, `UPDATE blobs SET refs = refs + 1 WHERE key = ?`, key)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, errBlobGone)
	}
	return nil
}

// unref drops a reference; the last one puts the key on the garbage list, to
// be deleted from after on (Server.dropAt), once this transaction committed.
func (m *meta) unref(ctx context.Context, q querier, key string, after int64) error {
	if key == "" {
		return nil
	}
	if _, err := m.exec(ctx, q, `UPDATE blobs SET refs = refs - 1 WHERE key = ?`, key); err != nil {
		return err
	}
	var refs int64
	if err := m.queryRow(ctx, q, `SELECT refs FROM blobs WHERE key = ?`, key).Scan(&refs); err != nil || refs > 0 {
		return err
	}
	if _, err := m.exec(ctx, q, `DELETE FROM blobs WHERE key = ?`, key); err != nil {
		return err
	}
	return m.garbage(ctx, q, key, after)
}

// garbage puts key on the garbage list, deletable from after on.
func (m *meta) garbage(ctx context.Context, q querier, key string, after int64) error {
	_, err := m.exec(ctx, q, `INSERT INTO garbage (key, after) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET after = excluded.after`, key, after)
	return err
}

// storedFields are the request fields whose text the metadata database
// keeps (biz_attr) or compares (a listing's context).
var storedFields = []string{"biz_attr", "context"}

// checkStoredText refuses a stored field that is not UTF-8 or holds a NUL:
// PostgreSQL's text refuses both, and SQLite, which takes them, must answer
// the same.
func checkStoredText(q *request) *apiError {
	for _, f := range storedFields {
		v := q.fields[f]
		switch {
		case !utf8.ValidString(v):
			return fail(coserr.ErrNotUTF8, "%s is not UTF-8", f)
		case strings.IndexByte(v, 0) >= 0:
			return fail(coserr.ErrCGIParam, "%s holds a NUL character", f)
		}
	}
	return nil
}

// newID is a random key or session id.
func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
