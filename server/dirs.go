package server

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/internal/rules"
)

func (s *Server) now() int64 { return s.cfg.Now().Unix() }

func escapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

// baseKey carries the base URL of a request's answers in its context.
type baseKey struct{}

// baseURL is Config.BaseURL or, without one, the scheme and Host the request
// came to, so a server behind httptest.NewServer answers with URLs that work.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// urls are where a file is reached, pointing at this server.
func (s *Server) urls(ctx context.Context, bucket, path string) map[string]any {
	base, _ := ctx.Value(baseKey{}).(string)
	obj := base + "/" + s.cfg.AppID + "/" + bucket + escapePath(path)
	return map[string]any{
		"access_url":    obj,
		"source_url":    obj,
		"url":           base + "/files/v2/" + s.cfg.AppID + "/" + bucket + escapePath(path),
		"resource_path": "/" + s.cfg.AppID + "/" + bucket + path,
	}
}

// needParent fails unless the directory holding path exists.
func (s *Server) needParent(ctx context.Context, q querier, bucket, path string) *apiError {
	p := parent(path)
	n, err := s.meta.getNode(ctx, q, bucket, p)
	if err != nil {
		return storeFailed(err)
	}
	if n == nil {
		return fail(coserr.ErrFileNotExist, "directory %s does not exist", p)
	}
	return nil
}

// inTx runs fn in one transaction; an *apiError fn returns rolls it back and
// is the answer, any other error is a storage failure.
func (s *Server) inTx(ctx context.Context, fn func(tx *sql.Tx) *apiError) *apiError {
	var aerr *apiError
	err := s.meta.tx(ctx, func(tx *sql.Tx) error {
		aerr = fn(tx)
		if aerr != nil {
			return aerr
		}
		return nil
	})
	if aerr != nil {
		return aerr
	}
	if err != nil {
		return storeFailed(err)
	}
	return nil
}

func (s *Server) createDir(ctx context.Context, q *request) (*reply, *apiError) {
	now := s.now()
	aerr := s.inTx(ctx, func(tx *sql.Tx) *apiError {
		n, err := s.meta.getNode(ctx, tx, q.bucket, q.path)
		if err != nil {
			return storeFailed(err)
		}
		if n != nil {
			return fail(coserr.ErrPathConflict, "%s exists already", q.path)
		}
		if aerr := s.needParent(ctx, tx, q.bucket, q.path); aerr != nil {
			return aerr
		}
		return dbFailed(s.meta.putNode(ctx, tx, &node{Bucket: q.bucket, Path: q.path, BizAttr: q.fields["biz_attr"], Ctime: now, Mtime: now}))
	})
	if aerr != nil {
		return nil, aerr
	}
	return &reply{data: map[string]any{"ctime": now, "resource_path": "/" + s.cfg.AppID + "/" + q.bucket + q.path}}, nil
}

// dbFailed is storeFailed for an error that may be nil.
func dbFailed(err error) *apiError {
	if err == nil {
		return nil
	}
	return storeFailed(err)
}

func (s *Server) statDir(ctx context.Context, q *request) (*reply, *apiError) {
	n, err := s.meta.getNode(ctx, s.meta.db, q.bucket, q.path)
	if err != nil {
		return nil, storeFailed(err)
	}
	if n == nil {
		return nil, fail(coserr.ErrFileNotExist, "directory %s does not exist", q.path)
	}
	return &reply{data: map[string]any{"biz_attr": n.BizAttr, "ctime": n.Ctime, "mtime": n.Mtime}}, nil
}

func (s *Server) updateDir(ctx context.Context, q *request) (*reply, *apiError) {
	return nil, s.inTx(ctx, func(tx *sql.Tx) *apiError {
		n, err := s.meta.getNode(ctx, tx, q.bucket, q.path)
		if err != nil {
			return storeFailed(err)
		}
		if n == nil || q.path == "/" {
			return fail(coserr.ErrFileNotExist, "directory %s does not exist", q.path)
		}
		n.BizAttr, n.Mtime = q.fields["biz_attr"], s.now()
		return dbFailed(s.meta.putNode(ctx, tx, n))
	})
}

// deleteNode deletes an empty directory or a file; the file's bytes go once
// the deletion committed and no other file shares them.
func (s *Server) deleteNode(ctx context.Context, q *request) (*reply, *apiError) {
	if q.path == "/" {
		return nil, fail(coserr.ErrInvalidPath, "the bucket root cannot be deleted")
	}
	var discarded string
	aerr := s.inTx(ctx, func(tx *sql.Tx) *apiError {
		n, err := s.meta.getNode(ctx, tx, q.bucket, q.path)
		if err != nil {
			return storeFailed(err)
		}
		if n == nil && !strings.HasSuffix(q.path, "/") {
			var aerr *apiError
			discarded, aerr = s.discardUpload(ctx, tx, q) // this server's extension: see discard.go
			return aerr
		}
		if n == nil {
			return fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
		}
		if n.dir() {
			busy, err := s.meta.hasChildren(ctx, tx, q.bucket, q.path)
			if err != nil {
				return storeFailed(err)
			}
			if busy {
				return fail(coserr.ErrDirNotEmpty, "directory %s is not empty", q.path)
			}
		}
		if err := s.meta.deleteNode(ctx, tx, q.bucket, q.path); err != nil {
			return storeFailed(err)
		}
		return dbFailed(s.meta.unref(ctx, tx, n.Data, s.dropAt()))
	})
	if aerr == nil && discarded != "" {
		s.dropHash(discarded)
	}
	s.gc.kick()
	return nil, aerr
}

// listDir lists a directory, or the entries of a directory whose names start
// with a prefix. context is the last name returned: the next page starts
// after it, so inserts between pages neither repeat nor shift entries.
func (s *Server) listDir(ctx context.Context, q *request) (*reply, *apiError) {
	num, _ := decimal(q.fields["num"], rules.MaxListNum) // checked by parse
	dir, prefix := q.path, ""
	if !strings.HasSuffix(dir, "/") {
		dir, prefix = parent(q.path), q.path[len(parent(q.path)):]
	}
	d, err := s.meta.getNode(ctx, s.meta.db, q.bucket, dir)
	if err != nil {
		return nil, storeFailed(err)
	}
	if d == nil {
		return nil, fail(coserr.ErrFileNotExist, "directory %s does not exist", dir)
	}
	nodes, err := s.meta.children(ctx, q.bucket, dir, prefix, q.fields["context"], int(num)+1)
	if err != nil {
		return nil, storeFailed(err)
	}
	over := len(nodes) <= int(num)
	infos, last := []any{}, ""
	for _, n := range nodes[:min(len(nodes), int(num))] {
		last = n.Path[len(dir):]
		infos = append(infos, s.entry(ctx, n, last))
	}
	if over {
		last = ""
	}
	return &reply{data: map[string]any{"context": last, "listover": over, "infos": infos}}, nil
}

func (s *Server) entry(ctx context.Context, n *node, name string) map[string]any {
	e := map[string]any{"name": name, "ctime": n.Ctime, "mtime": n.Mtime}
	if n.dir() {
		return e
	}
	u := s.urls(ctx, n.Bucket, n.Path)
	e["filesize"], e["filelen"], e["sha"] = n.Size, n.Size, n.SHA
	e["access_url"], e["source_url"] = u["access_url"], u["source_url"]
	if n.Authority != "" {
		e["authority"] = n.Authority
	}
	return e
}
