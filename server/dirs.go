package server

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/cosv2/cosv2/gen/coserr"
)

func (s *Server) now() int64 { return s.cfg.Now().Unix() }

func escapePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

// urls are where a file is reached, pointing at this server.
func (s *Server) urls(bucket, path string) map[string]any {
	obj := s.cfg.BaseURL + "/" + s.cfg.AppID + "/" + bucket + escapePath(path)
	return map[string]any{
		"access_url":    obj,
		"source_url":    obj,
		"url":           s.cfg.BaseURL + "/files/v2/" + s.cfg.AppID + "/" + bucket + escapePath(path),
		"resource_path": "/" + s.cfg.AppID + "/" + bucket + path,
	}
}

// needParent fails unless the directory holding path exists.
func (s *Server) needParent(bucket, path string) *apiError {
	if p := parent(path); s.ix.get(bucket, p) == nil {
		return fail(coserr.ErrFileNotExist, "directory %s does not exist", p)
	}
	return nil
}

func (s *Server) createDir(q *request) (*reply, *apiError) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	if q.path == "/" || s.ix.get(q.bucket, q.path) != nil {
		return nil, fail(coserr.ErrPathConflict, "%s exists already", q.path)
	}
	if aerr := s.needParent(q.bucket, q.path); aerr != nil {
		return nil, aerr
	}
	now := s.now()
	n := &node{Bucket: q.bucket, Path: q.path, BizAttr: q.fields["biz_attr"], Ctime: now, Mtime: now}
	if err := s.ix.save(n); err != nil {
		return nil, storeFailed(err)
	}
	return &reply{data: map[string]any{"ctime": now, "resource_path": "/" + s.cfg.AppID + "/" + q.bucket + q.path}}, nil
}

func (s *Server) statDir(q *request) (*reply, *apiError) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	n := s.ix.get(q.bucket, q.path)
	if n == nil {
		return nil, fail(coserr.ErrFileNotExist, "directory %s does not exist", q.path)
	}
	return &reply{data: map[string]any{"biz_attr": n.BizAttr, "ctime": n.Ctime, "mtime": n.Mtime}}, nil
}

func (s *Server) updateDir(q *request) (*reply, *apiError) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	n := s.ix.get(q.bucket, q.path)
	if n == nil || q.path == "/" {
		return nil, fail(coserr.ErrFileNotExist, "directory %s does not exist", q.path)
	}
	c := *n
	c.BizAttr, c.Mtime = q.fields["biz_attr"], s.now()
	if err := s.ix.save(&c); err != nil {
		return nil, storeFailed(err)
	}
	return nil, nil
}

// deleteNode deletes an empty directory or a file.
func (s *Server) deleteNode(q *request) (*reply, *apiError) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	if q.path == "/" {
		return nil, fail(coserr.ErrInvalidPath, "the bucket root cannot be deleted")
	}
	n := s.ix.get(q.bucket, q.path)
	if n == nil {
		return nil, fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
	}
	if n.dir() && s.ix.hasChildren(q.bucket, q.path) {
		return nil, fail(coserr.ErrDirNotEmpty, "directory %s is not empty", q.path)
	}
	if err := s.ix.drop(n); err != nil {
		return nil, storeFailed(err)
	}
	if n.Data != "" {
		_ = s.ix.store.remove(n.Data)
	}
	return nil, nil
}

// listDir lists a directory, or the entries of a directory whose names start
// with a prefix. context is the last name returned: the next page starts
// after it, so inserts between pages neither repeat nor shift entries.
func (s *Server) listDir(q *request) (*reply, *apiError) {
	num, err := strconv.Atoi(q.fields["num"])
	if err != nil || num < 1 || num > 1000 {
		return nil, fail(coserr.ErrInvalidListNum, "num %q: want 1 to 1000", q.fields["num"])
	}
	dir, prefix := q.path, ""
	if !strings.HasSuffix(dir, "/") {
		dir, prefix = parent(q.path), q.path[len(parent(q.path)):]
	}
	after := q.fields["context"]
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	if s.ix.get(q.bucket, dir) == nil {
		return nil, fail(coserr.ErrFileNotExist, "directory %s does not exist", dir)
	}
	infos := []any{}
	last, over := "", true
	for _, n := range s.ix.children(q.bucket, dir, prefix) {
		name := n.Path[len(dir):]
		if after != "" && name <= after {
			continue
		}
		if len(infos) == num {
			over = false
			break
		}
		infos = append(infos, s.entry(n, name))
		last = name
	}
	if over {
		last = ""
	}
	return &reply{data: map[string]any{"context": last, "listover": over, "infos": infos}}, nil
}

func (s *Server) entry(n *node, name string) map[string]any {
	e := map[string]any{"name": name, "ctime": n.Ctime, "mtime": n.Mtime}
	if n.dir() {
		return e
	}
	u := s.urls(n.Bucket, n.Path)
	e["filesize"], e["filelen"], e["sha"] = n.Size, n.Size, n.SHA
	e["access_url"], e["source_url"] = u["access_url"], u["source_url"]
	if n.Authority != "" {
		e["authority"] = n.Authority
	}
	return e
}
