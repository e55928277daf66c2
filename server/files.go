package server

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/internal/rules"
)

// checkSHA refuses a field that should hold a SHA-1 and holds something else;
// absent or empty is fine (it is optional everywhere).
func checkSHA(name, v string) *apiError {
	if v != "" && !rules.IsSHA1Hex(v) {
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

// pendingGrace is how long bytes written for a file that is not yet
// committed are kept before the collector may take them: longer than any
// request may run.
const pendingGrace = 3600

// newBlob puts key on the garbage list, due after pendingGrace, before its
// bytes are written: if the file is never committed (a refusal, a crash), the
// collector deletes them; the commit takes the key off the list. Bytes in
// memory die with the process, so they need no such listing. how is what
// commitFile is to do with the key.
func (s *Server) newBlob(ctx context.Context) (key string, how holding, aerr *apiError) {
	key = newID()
	if s.volatile() {
		return key, fresh, nil
	}
	return key, listed, dbFailed(s.meta.tx(ctx, func(tx *sql.Tx) error { return s.meta.garbage(ctx, tx, key, s.now()+pendingGrace) }))
}

// volatile reports whether the blob store's bytes die with the process.
func (s *Server) volatile() bool {
	_, ok := s.blobs.(interface{ volatile() })
	return ok
}

// discard makes bytes written for a file that was not committed due at once.
func (s *Server) discard(ctx context.Context, key string) {
	_ = s.meta.tx(ctx, func(tx *sql.Tx) error { return s.meta.garbage(ctx, tx, key, s.now()) })
	s.gc.kick()
}

// holding is how a committed file holds its bytes.
type holding int

const (
	shared holding = iota // a stored blob, shared: one more reference
	fresh                 // new bytes, never on the garbage list (inline, memory)
	listed                // new bytes, on the garbage list while written
)

// commitFile makes n the file at n.Path in one transaction with also (which
// may be nil, and runs first): the parent must exist and, with keep, no file be there; a
// replaced file's bytes are dropped. how says whether n.Data is a new blob
// that gets its first reference or one that n shares.
func (s *Server) commitFile(ctx context.Context, n *node, keep bool, how holding, also func(*sql.Tx) *apiError) (*reply, *apiError) {
	var dropped bool
	aerr := s.inTx(ctx, func(tx *sql.Tx) *apiError {
		dropped = false
		// also first: a finish's check that its session is still there
		// answers a finish sent twice before the bytes' row, which the
		// first one inserted, fails to insert again.
		if also != nil {
			if aerr := also(tx); aerr != nil {
				return aerr
			}
		}
		if aerr := s.needParent(ctx, tx, n.Bucket, n.Path); aerr != nil {
			return aerr
		}
		var err error
		if how == shared {
			err = s.meta.ref(ctx, tx, n.Data)
		} else {
			err = s.meta.addBlob(ctx, tx, n.Data, n.Slice, how == listed)
		}
		if err != nil {
			return storeFailed(err)
		}
		// A new name, the usual case, is one statement; a taken one is read.
		n.Ctime, n.Mtime = s.now(), s.now()
		added, err := s.meta.addNode(ctx, tx, n)
		if err != nil {
			return storeFailed(err)
		}
		if !added {
			var aerr *apiError
			if dropped, aerr = s.replaceFile(ctx, tx, n, keep); aerr != nil {
				return aerr
			}
		}
		return nil
	})
	if dropped {
		s.gc.kick()
	}
	if aerr != nil {
		return nil, aerr
	}
	return &reply{data: s.urls(ctx, n.Bucket, n.Path)}, nil
}

// replaceFile makes n the file at its path in tx where a node is: a file,
// unless keep, whose bytes it drops (and says so).
func (s *Server) replaceFile(ctx context.Context, tx *sql.Tx, n *node, keep bool) (dropped bool, aerr *apiError) {
	old, err := s.meta.getNode(ctx, tx, n.Bucket, n.Path)
	switch {
	case err != nil:
		return false, storeFailed(err)
	case old == nil:
		return false, storeFailed(errors.New("the node at " + n.Path + " vanished within a transaction"))
	case old.dir():
		return false, fail(coserr.ErrPathConflict, "%s is a directory", n.Path)
	case keep:
		return false, fail(coserr.ErrFileExist, "%s exists and insertOnly is 1", n.Path)
	}
	n.Ctime = old.Ctime
	if err := s.meta.putNode(ctx, tx, n); err != nil {
		return false, storeFailed(err)
	}
	return true, dbFailed(s.meta.unref(ctx, tx, old.Data, s.dropAt()))
}

func (s *Server) upload(ctx context.Context, q *request) (*reply, *apiError) {
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
	h := sha1.New()
	hashIn(h, q.file)
	sha := hex.EncodeToString(h.Sum(nil))
	if want := q.fields["sha"]; want != "" && !strings.EqualFold(want, sha) {
		return nil, fail(coserr.ErrCGISHANotMatch, "sha %s does not match the bytes (%s)", want, sha)
	}
	n := &node{Bucket: q.bucket, Path: q.path, Size: int64(len(q.file)), SHA: sha, BizAttr: q.fields["biz_attr"]}
	if s.inline(len(q.file)) {
		// Small: the bytes go in the same transaction as the file.
		n.Data = inlineKey()
		return s.commitFile(ctx, n, keep, fresh, func(tx *sql.Tx) *apiError { return dbFailed(s.meta.putInline(ctx, tx, n.Data, q.file)) })
	}
	// Refuse what is bound to fail before writing the bytes where that
	// costs (a file, an object); commitFile checks again.
	if !s.volatile() {
		if aerr := s.needParent(ctx, s.meta.db, q.bucket, q.path); aerr != nil {
			return nil, aerr
		}
		if old, err := s.meta.getNode(ctx, s.meta.db, q.bucket, q.path); err != nil || old != nil && keep {
			if err != nil {
				return nil, storeFailed(err)
			}
			return nil, fail(coserr.ErrFileExist, "%s exists and insertOnly is 1", q.path)
		}
	}
	key, how, aerr := s.newBlob(ctx)
	if aerr != nil {
		return nil, aerr
	}
	if err := s.blobs.put(ctx, key, q.file); err != nil {
		s.discard(ctx, key)
		return nil, storeFailed(err)
	}
	n.Data = key
	out, aerr := s.commitFile(ctx, n, keep, how, nil)
	if aerr != nil {
		s.discard(ctx, key)
	}
	return out, aerr
}

func (s *Server) statFile(ctx context.Context, q *request) (*reply, *apiError) {
	n, err := s.meta.getNode(ctx, s.meta.db, q.bucket, q.path)
	if err != nil {
		return nil, storeFailed(err)
	}
	if n == nil {
		return nil, fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
	}
	d := s.urls(ctx, q.bucket, q.path)
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

func (s *Server) updateFile(ctx context.Context, q *request) (*reply, *apiError) {
	headers, aerr := customHeadersOf(q.json["custom_headers"])
	if aerr != nil {
		return nil, aerr
	}
	// An empty authority (the Python SDK's, which takes "" as legal) is none
	// given, as the PHP SDK treats it: the file keeps its own.
	auth := q.fields["authority"]
	setAuth := auth != ""
	if setAuth && !authorities[auth] {
		return nil, fail(coserr.ErrCGIParam, "authority %q: want eInvalid, eWRPrivate or eWPrivateRPublic", auth)
	}
	if _, aerr := mergeHeaders(nil, headers); aerr != nil {
		return nil, aerr
	}
	return nil, s.inTx(ctx, func(tx *sql.Tx) *apiError {
		n, err := s.meta.getNode(ctx, tx, q.bucket, q.path)
		if err != nil {
			return storeFailed(err)
		}
		if n == nil {
			return fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
		}
		var aerr *apiError
		if n.Headers, aerr = mergeHeaders(n.Headers, headers); aerr != nil {
			return aerr
		}
		if setAuth {
			n.Authority = auth
		}
		if attr, ok := q.fields["biz_attr"]; ok {
			n.BizAttr = attr
		}
		n.Mtime = s.now()
		return dbFailed(s.meta.putNode(ctx, tx, n))
	})
}

// moveOrCopy: dest_fileid comes from the form or, for the Python SDK's
// body-less move, from the query; a relative one is taken from the source's
// directory, one starting with "/" from the bucket root, unless it starts
// with "/<appid>/", a resource path /<appid>/<bucket>/<path>. Both are one
// transaction; a copy shares the source's bytes (a reference, not a copy).
func (s *Server) moveOrCopy(ctx context.Context, q *request) (*reply, *apiError) {
	dest := q.fields["dest_fileid"]
	if dest == "" {
		return nil, fail(coserr.ErrCGIParam, "dest_fileid is missing")
	}
	// A resource path /<appid>/<bucket>/<path> as given, not one a relative
	// name makes joined to a directory that happens to be named so.
	switch {
	case !strings.HasPrefix(dest, "/"):
		dest = parent(q.path) + dest
	case strings.HasPrefix(dest, "/"+s.cfg.AppID+"/"):
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
	aerr := s.inTx(ctx, func(tx *sql.Tx) *apiError {
		src, err := s.meta.getNode(ctx, tx, q.bucket, q.path)
		if err != nil {
			return storeFailed(err)
		}
		if src == nil {
			return fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
		}
		if dest == q.path {
			return fail(coserr.ErrPathConflict, "source and destination are the same")
		}
		if aerr := s.needParent(ctx, tx, q.bucket, dest); aerr != nil {
			return aerr
		}
		old, err := s.meta.getNode(ctx, tx, q.bucket, dest)
		if err != nil {
			return storeFailed(err)
		}
		if old != nil && (!overwrite || old.dir()) {
			return fail(coserr.ErrFileExist, "%s exists and to_over_write is 0", dest)
		}
		moved := *src // a copy keeps the source's attributes, authority and headers
		moved.Path, moved.Mtime = dest, s.now()
		if q.op.Op == "move" {
			err = s.meta.deleteNode(ctx, tx, q.bucket, q.path)
		} else {
			moved.Ctime = s.now()
			err = s.meta.ref(ctx, tx, src.Data)
		}
		if err == nil {
			err = s.meta.putNode(ctx, tx, &moved)
		}
		// The replaced bytes lose their reference once the destination's row
		// no longer holds them: the last one deletes their blob row.
		if err == nil && old != nil {
			err = s.meta.unref(ctx, tx, old.Data, s.dropAt())
		}
		return dbFailed(err)
	})
	s.gc.kick()
	return nil, aerr
}
