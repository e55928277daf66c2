package server

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"

	"github.com/cosv2/cosv2/gen/coserr"
)

// isSHA: 40 hex digits, a SHA-1 or its running state.
func isSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// checkSHA refuses a field that should hold a SHA-1 and holds something else;
// absent or empty is fine (it is optional everywhere).
func checkSHA(name, v string) *apiError {
	if v != "" && !isSHA(v) {
		return fail(coserr.ErrCGIParam, "%s %q: want 40 hex digits", name, clip(v))
	}
	return nil
}

// insertOnly reads insertOnly: 1, absent or empty (PHP) keep an existing file.
func insertOnly(q *request) (bool, *apiError) {
	switch q.fields["insertOnly"] {
	case "", "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, fail(coserr.ErrCGIParam, "insertOnly %q: want 0 or 1", q.fields["insertOnly"])
}

// commitFile makes n (whose Data holds the bytes) the file at n.Path,
// atomically: the node's JSON is the commit point. It checks the parent and
// insertOnly again under the lock, since other requests ran while the bytes
// were written.
func (s *Server) commitFile(n *node, keep bool) (*reply, *apiError) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	if aerr := s.needParent(n.Bucket, n.Path); aerr != nil {
		_ = s.ix.store.remove(n.Data)
		return nil, aerr
	}
	old := s.ix.get(n.Bucket, n.Path)
	if old != nil && keep {
		_ = s.ix.store.remove(n.Data)
		return nil, fail(coserr.ErrFileExist, "%s exists and insertOnly is 1", n.Path)
	}
	n.Ctime, n.Mtime = s.now(), s.now()
	if old != nil {
		n.Ctime = old.Ctime
	}
	if err := s.ix.save(n); err != nil {
		_ = s.ix.store.remove(n.Data)
		return nil, storeFailed(err)
	}
	if old != nil && old.Data != "" {
		_ = s.ix.store.remove(old.Data)
	}
	return &reply{data: s.urls(n.Bucket, n.Path)}, nil
}

func (s *Server) upload(q *request) (*reply, *apiError) {
	if !q.hasFile {
		return nil, fail(coserr.ErrMissingFileContent, "filecontent is missing")
	}
	keep, aerr := insertOnly(q)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := checkSHA("sha", q.fields["sha"]); aerr != nil {
		return nil, aerr
	}
	sum := sha1.Sum(q.file)
	sha := hex.EncodeToString(sum[:])
	if want := q.fields["sha"]; want != "" && !strings.EqualFold(want, sha) {
		return nil, fail(coserr.ErrCGISHANotMatch, "sha %s does not match the bytes (%s)", want, sha)
	}
	s.ix.mu.Lock()
	exists, parentErr := s.ix.get(q.bucket, q.path) != nil, s.needParent(q.bucket, q.path)
	s.ix.mu.Unlock()
	if parentErr != nil {
		return nil, parentErr
	}
	if exists && keep {
		return nil, fail(coserr.ErrFileExist, "%s exists and insertOnly is 1", q.path)
	}
	key := dataKey()
	if _, err := s.ix.store.put(key, bytes.NewReader(q.file)); err != nil {
		return nil, storeFailed(err)
	}
	return s.commitFile(&node{Bucket: q.bucket, Path: q.path, Data: key, Size: int64(len(q.file)), SHA: sha, BizAttr: q.fields["biz_attr"]}, keep)
}

func (s *Server) statFile(q *request) (*reply, *apiError) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	n := s.ix.get(q.bucket, q.path)
	if n == nil {
		return nil, fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
	}
	d := s.urls(q.bucket, q.path)
	delete(d, "url")
	delete(d, "resource_path")
	d["name"] = n.Path[strings.LastIndex(n.Path, "/")+1:]
	d["biz_attr"], d["filesize"], d["filelen"], d["sha"] = n.BizAttr, n.Size, n.Size, n.SHA
	d["ctime"], d["mtime"], d["forbid"], d["slicesize"] = n.Ctime, n.Mtime, 0, n.Size
	if n.Authority != "" {
		d["authority"] = n.Authority
	}
	if len(n.Headers) > 0 {
		d["custom_headers"] = n.Headers
	}
	return &reply{data: d}, nil
}

var authorities = map[string]bool{"eInvalid": true, "eWRPrivate": true, "eWPrivateRPublic": true}

func (s *Server) updateFile(q *request) (*reply, *apiError) {
	var headers map[string]string
	if raw, ok := q.json["custom_headers"]; ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("[]")) {
		if err := json.Unmarshal(raw, &headers); err != nil {
			return nil, fail(coserr.ErrJSONParse, "custom_headers: want an object of strings: %v", err)
		}
	}
	auth, setAuth := q.fields["authority"]
	if setAuth && !authorities[auth] {
		return nil, fail(coserr.ErrCGIParam, "authority %q: want eInvalid, eWRPrivate or eWPrivateRPublic", auth)
	}
	if _, aerr := mergeHeaders(nil, headers); aerr != nil {
		return nil, aerr
	}
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	n := s.ix.get(q.bucket, q.path)
	if n == nil {
		return nil, fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
	}
	var aerr *apiError
	c := *n
	if c.Headers, aerr = mergeHeaders(n.Headers, headers); aerr != nil {
		return nil, aerr
	}
	if setAuth {
		c.Authority = auth
	}
	if attr, ok := q.fields["biz_attr"]; ok {
		c.BizAttr = attr
	}
	c.Mtime = s.now()
	if err := s.ix.save(&c); err != nil {
		return nil, storeFailed(err)
	}
	return nil, nil
}

// moveOrCopy: dest_fileid comes from the form or, for the Python SDK's
// body-less move, from the query; a relative one is taken from the source's
// directory, one starting with "/" from the bucket root.
func (s *Server) moveOrCopy(_ context.Context, q *request) (*reply, *apiError) {
	dest := q.fields["dest_fileid"]
	if dest == "" {
		return nil, fail(coserr.ErrCGIParam, "dest_fileid is missing")
	}
	if !strings.HasPrefix(dest, "/") {
		dest = parent(q.path) + dest
	}
	if strings.HasPrefix(dest, "/"+s.cfg.AppID+"/") {
		rest := strings.TrimPrefix(dest, "/"+s.cfg.AppID+"/")
		b, p, _ := strings.Cut(rest, "/")
		if b != q.bucket {
			return nil, fail(coserr.ErrCrossBucketCopy, "cannot %s across buckets", q.op.Op)
		}
		dest = "/" + p
	}
	if aerr := checkPath(dest); aerr != nil {
		return nil, aerr
	}
	if strings.HasSuffix(dest, "/") {
		return nil, fail(coserr.ErrFileSurplusSlash, "dest_fileid %q names a directory", dest)
	}
	var overwrite bool
	switch v := q.fields["to_over_write"]; v {
	case "", "0":
	case "1":
		overwrite = true
	default:
		return nil, fail(coserr.ErrCGIParam, "to_over_write %q: want 0 or 1", clip(v))
	}
	s.ix.mu.Lock()
	src := s.ix.get(q.bucket, q.path)
	if src == nil {
		s.ix.mu.Unlock()
		return nil, fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
	}
	if dest == q.path {
		s.ix.mu.Unlock()
		return nil, fail(coserr.ErrPathConflict, "source and destination are the same")
	}
	if aerr := s.needParent(q.bucket, dest); aerr != nil {
		s.ix.mu.Unlock()
		return nil, aerr
	}
	if s.ix.get(q.bucket, dest) != nil && !overwrite {
		s.ix.mu.Unlock()
		return nil, fail(coserr.ErrFileExist, "%s exists and to_over_write is 0", dest)
	}
	if q.op.Op == "move" {
		defer s.ix.mu.Unlock()
		old := s.ix.get(q.bucket, dest)
		moved := *src
		moved.Path, moved.Mtime = dest, s.now()
		if err := s.ix.save(&moved); err != nil {
			return nil, storeFailed(err)
		}
		if err := s.ix.drop(src); err != nil {
			return nil, storeFailed(err)
		}
		if old != nil && old.Data != "" && old.Data != src.Data {
			_ = s.ix.store.remove(old.Data)
		}
		return nil, nil
	}
	// The copy keeps the source's attributes, authority and headers.
	cp := *src
	s.ix.mu.Unlock()
	key, err := s.copyData(cp.Data)
	if err != nil {
		return nil, storeFailed(err)
	}
	cp.Path, cp.Data = dest, key
	if _, aerr := s.commitFile(&cp, !overwrite); aerr != nil {
		return nil, aerr
	}
	return nil, nil
}

// copyData stores a copy of the bytes under key from and returns the new key:
// every node owns its bytes, so deleting one never touches another's.
func (s *Server) copyData(from string) (string, error) {
	b, err := s.ix.store.open(from)
	if err != nil {
		return "", err
	}
	defer b.Close()
	key := dataKey()
	if _, err := s.ix.store.put(key, io.NewSectionReader(b, 0, b.Size())); err != nil {
		return "", err
	}
	return key, nil
}
