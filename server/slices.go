package server

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/internal/rules"
)

func (s *Server) sliceInit(ctx context.Context, q *request) (*reply, *apiError) {
	raw, ok := q.fields["filesize"]
	if !ok {
		return nil, fail(coserr.ErrMissingFilesize, "filesize is missing")
	}
	size, ok := decimal(raw, math.MaxInt64)
	if !ok {
		return nil, fail(coserr.ErrFileSize, "filesize %q: want a number of bytes in decimal digits", clip(raw))
	}
	if size > MaxFileSize {
		return nil, fail(coserr.ErrFileTooLarge, "filesize %d: this server stores files of at most %d bytes", size, int64(MaxFileSize))
	}
	if aerr := checkSHA("sha", q.fields["sha"]); aerr != nil {
		return nil, aerr
	}
	slice, ok := decimal(q.fields["slice_size"], MaxFileSize)
	if !ok || !rules.ValidSliceSize(slice) {
		return nil, fail(coserr.ErrCGIParam, "slice_size %q: want 524288, 1048576, 2097152 or 3145728", q.fields["slice_size"])
	}
	keep, aerr := insertOnly(q)
	if aerr != nil {
		return nil, aerr
	}
	now := s.now()
	sess := &session{ID: newID(), Bucket: q.bucket, Path: q.path, FileSize: size, SliceSize: slice, Overwrite: !keep,
		BizAttr: q.fields["biz_attr"], SHA: strings.ToLower(q.fields["sha"]), Created: now, Expires: now + int64(s.cfg.SessionTTL.Seconds())}
	if up := q.fields["uploadparts"]; up != "" {
		if aerr := sess.setParts(up); aerr != nil {
			return nil, aerr
		}
		// The last entry is the file's SHA-1 itself: no bytes match both.
		if n := len(sess.Parts); n > 0 && !strings.EqualFold(sess.Parts[n-1].Datasha, sess.SHA) {
			return nil, fail(coserr.ErrParamInvalid, "uploadparts ends with datasha %s, not the file's sha %s", sess.Parts[n-1].Datasha, sess.SHA)
		}
	}
	if aerr := s.initCheck(ctx, s.meta.db, sess, keep); aerr != nil {
		return nil, aerr
	}
	if same, err := s.meta.withSHA(ctx, s.meta.db, q.bucket, sess.SHA, size); err != nil || same != nil {
		if err != nil {
			return nil, storeFailed(err)
		}
		// Quick upload ("秒传"): the bucket stores these bytes; the file
		// appears at once, sharing them, and the answer has its URLs.
		out, aerr := s.commitFile(ctx, &node{Bucket: q.bucket, Path: q.path, Data: same.Data, Slice: same.Slice, Size: same.Size, SHA: same.SHA, BizAttr: sess.BizAttr}, keep, shared, nil)
		if aerr == nil || !errors.Is(aerr.cause, errBlobGone) {
			return out, aerr
		}
		// Deleted meanwhile: upload the bytes after all.
	}
	key := sess.blobKey()
	// The bytes are garbage unless a finish takes them before the session expires.
	if err := s.meta.tx(ctx, func(tx *sql.Tx) error { return s.meta.garbage(ctx, tx, key, sess.Expires+pendingGrace) }); err != nil {
		return nil, storeFailed(err)
	}
	if err := s.blobs.create(ctx, key, size, slice); err != nil {
		s.discard(ctx, key)
		return nil, storeFailed(err)
	}
	aerr = s.inTx(ctx, func(tx *sql.Tx) *apiError {
		if aerr := s.initCheck(ctx, tx, sess, keep); aerr != nil {
			return aerr
		}
		return dbFailed(s.meta.insertSession(ctx, tx, sess))
	})
	if aerr != nil {
		s.discard(ctx, key)
		return nil, aerr
	}
	return &reply{data: map[string]any{"session": sess.ID, "slice_size": slice, "serial_upload": 0}}, nil
}

// initCheck refuses an init whose file cannot be made: no parent, a file
// there and insertOnly, or another unfinished upload of the path.
func (s *Server) initCheck(ctx context.Context, q querier, sess *session, keep bool) *apiError {
	if aerr := s.needParent(ctx, q, sess.Bucket, sess.Path); aerr != nil {
		return aerr
	}
	if n, err := s.meta.getNode(ctx, q, sess.Bucket, sess.Path); err != nil || n != nil && keep {
		if err != nil {
			return storeFailed(err)
		}
		return fail(coserr.ErrFileExist, "%s exists and insertOnly is 1", sess.Path)
	}
	other, err := s.meta.sessionAt(ctx, q, sess.Bucket, sess.Path)
	if err != nil {
		return storeFailed(err)
	}
	if other != nil {
		return fail(coserr.ErrUnfinishedUpload, "an unfinished upload of %s exists: list its slices and resume", sess.Path)
	}
	return nil
}

// setParts reads an init's uploadparts: in order, each entry with the
// running SHA-1 state after it, one per slice, or one per MB where slices
// are larger (the Java SDK hashes in steps of at most 1 MB whatever the slice
// size).
func (sess *session) setParts(raw string) *apiError {
	var parts []sumPart
	if err := json.Unmarshal([]byte(raw), &parts); err != nil {
		return fail(coserr.ErrReqParam, "uploadparts is not a JSON array of {offset, datalen, datasha}: %v", err)
	}
	if sess.SHA == "" {
		return fail(coserr.ErrMissingSHA, "uploadparts needs sha")
	}
	step := sess.SliceSize
	if len(parts) > 0 && step > javaStep && parts[0].Datalen == javaStep {
		step = javaStep
	}
	var off int64
	for i, p := range parts {
		want := min(step, sess.FileSize-off)
		if p.Offset != off || p.Datalen != want || !rules.IsSHA1Hex(p.Datasha) {
			return fail(coserr.ErrParamInvalid, "uploadparts[%d] = {%d, %d, %q}: want offset %d, datalen %d and a datasha of 40 hex digits", i, p.Offset, p.Datalen, clip(p.Datasha), off, want)
		}
		off += p.Datalen
	}
	if off != sess.FileSize {
		return fail(coserr.ErrParamInvalid, "uploadparts covers %d bytes, the file has %d", off, sess.FileSize)
	}
	sess.Parts = parts
	return nil
}

// javaStep is the Java SDK's step of uploadparts for slices larger than it.
const javaStep = 1 << 20

// declared returns the running state uploadparts declared after the file's
// first end bytes, if an entry ends there: every slice's end has one. The
// states inside a slice (the Java SDK's steps) are not checked; the last
// one, the file's SHA-1, always is.
func (sess *session) declared(end int64) (string, bool) {
	if len(sess.Parts) == 0 || end <= 0 {
		return "", false
	}
	i := (end - 1) / sess.Parts[0].Datalen
	if i >= int64(len(sess.Parts)) || sess.Parts[i].Offset+sess.Parts[i].Datalen != end {
		return "", false
	}
	return sess.Parts[i].Datasha, true
}

// session returns the request's unfinished upload, which its session field names.
func (s *Server) session(ctx context.Context, q *request) (*session, *apiError) {
	sess, err := s.meta.sessionAt(ctx, s.meta.db, q.bucket, q.path)
	if err != nil {
		return nil, storeFailed(err)
	}
	if sess == nil || sess.ID != q.fields["session"] {
		return nil, fail(coserr.ErrWrongSession, "no unfinished upload of %s with that session", q.path)
	}
	return sess, nil
}

// sliceData stores a slice at its offset of the session's file. The database
// records it as being written first, so a finish meanwhile waits, and as
// stored once its bytes are durable.
func (s *Server) sliceData(ctx context.Context, q *request) (*reply, *apiError) {
	sess, aerr := s.session(ctx, q)
	if aerr != nil {
		return nil, aerr
	}
	if !q.hasFile {
		return nil, fail(coserr.ErrMissingFileContent, "filecontent is missing")
	}
	off, ok := decimal(q.fields["offset"], MaxFileSize)
	if !ok || off%sess.SliceSize != 0 || off >= max(sess.FileSize, 1) {
		return nil, fail(coserr.ErrParamInvalid, "offset %q: want a multiple of %d below %d", clip(q.fields["offset"]), sess.SliceSize, sess.FileSize)
	}
	n := int64(len(q.file))
	if n > sess.SliceSize {
		return nil, fail(coserr.ErrSliceTooLarge, "the slice is %d bytes, the session's slices %d", n, sess.SliceSize)
	}
	if want := min(sess.SliceSize, sess.FileSize-off); n != want {
		return nil, fail(coserr.ErrFileSize, "the slice at %d is %d bytes, want %d", off, n, want)
	}
	if md := q.fields["datamd5"]; md != "" {
		h := md5.New()
		hashIn(h, q.file)
		if !strings.EqualFold(md, hex.EncodeToString(h.Sum(nil))) {
			return nil, fail(coserr.ErrCGISHANotMatch, "datamd5 %s does not match the slice", md)
		}
	}
	// The write is known by when it began: its end marks the slice stored
	// only if no later write took the slice over meanwhile. Once begun it
	// is carried to its end even if the client goes (its bytes are in
	// hand): cut short by the request's cancellation, it left the slice
	// "being written", so the client's next try got -300 until the write
	// timeout. It takes no longer than that timeout, after which another
	// write may take the slice over anyway.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Limits.WriteTimeout)
	defer cancel()
	since := s.now()
	stale := since - int64(s.cfg.Limits.WriteTimeout.Seconds())
	aerr = s.inTx(ctx, func(tx *sql.Tx) *apiError {
		got, err := s.meta.beginPart(ctx, tx, sess.ID, off, n, since, stale)
		if err != nil {
			return storeFailed(err)
		}
		return partAnswer(got, q.path, off)
	})
	if aerr != nil {
		return nil, aerr
	}
	if err := s.blobs.writeAt(ctx, sess.blobKey(), off, q.file); err != nil {
		return nil, storeFailed(err)
	}
	var rewrites int64
	aerr = s.inTx(ctx, func(tx *sql.Tx) *apiError {
		var got partOutcome
		var err error
		if rewrites, got, err = s.meta.endPart(ctx, tx, sess.ID, off, since); err != nil {
			return storeFailed(err)
		}
		return partAnswer(got, q.path, off)
	})
	if aerr != nil {
		return nil, aerr
	}
	if hook := s.afterEndPart.Load(); hook != nil {
		(*hook)(q.file)
	}
	// The slice in hand is hashed now if it is the next one; the slices
	// stored after it follow in the background: the answer need not wait
	// for them, and the finish waits for whatever is still hashing.
	s.hashSlice(sess, off, q.file, rewrites)
	s.bg.Go(func() { s.advanceHash(context.WithoutCancel(ctx), sess) })
	return &reply{data: map[string]any{"session": sess.ID, "offset": off, "datalen": n}}, nil
}

// partAnswer is the answer to a slice write whose beginPart or endPart found got.
func partAnswer(got partOutcome, path string, off int64) *apiError {
	switch got {
	case partGone:
		return fail(coserr.ErrWrongSession, "the upload of %s was finished or discarded", path)
	case partBusy:
		return fail(coserr.ErrOverload, "the slice at %d is being written by another request: send it again once that one is stored", off)
	}
	return nil
}

func (s *Server) sliceList(ctx context.Context, q *request) (*reply, *apiError) {
	sess, err := s.meta.sessionAt(ctx, s.meta.db, q.bucket, q.path)
	if err != nil {
		return nil, storeFailed(err)
	}
	if sess == nil {
		n, err := s.meta.getNode(ctx, s.meta.db, q.bucket, q.path)
		if err != nil {
			return nil, storeFailed(err)
		}
		if n != nil {
			return &reply{data: s.urls(ctx, q.bucket, q.path)}, nil
		}
		return nil, fail(coserr.ErrFileNotExist, "no upload of %s", q.path)
	}
	stored, err := s.meta.storedParts(ctx, s.meta.db, sess.ID, 0)
	if err != nil {
		return nil, storeFailed(err)
	}
	parts := []any{}
	for _, p := range stored {
		e := map[string]any{"offset": p.off, "datalen": p.size}
		if sha, ok := sess.declared(p.off + p.size); ok {
			e["datasha"] = sha
		}
		parts = append(parts, e)
	}
	return &reply{data: map[string]any{"session": sess.ID, "slice_size": sess.SliceSize, "filesize": sess.FileSize, "listparts": parts}}, nil
}

func (s *Server) sliceFinish(ctx context.Context, q *request) (*reply, *apiError) {
	sess, aerr := s.session(ctx, q)
	if aerr != nil {
		return nil, aerr
	}
	raw, ok := q.fields["filesize"]
	if !ok {
		return nil, fail(coserr.ErrMissingFilesize, "filesize is missing")
	}
	size, ok := decimal(raw, math.MaxInt64)
	if !ok {
		return nil, fail(coserr.ErrFileSize, "filesize %q: want a number of bytes in decimal digits", clip(raw))
	}
	if size != sess.FileSize {
		return nil, fail(coserr.ErrFileSizeNotEqual, "filesize %d differs from the init's %d", size, sess.FileSize)
	}
	if aerr := checkSHA("sha", q.fields["sha"]); aerr != nil {
		return nil, aerr
	}
	sha := strings.ToLower(q.fields["sha"])
	if sha == "" {
		sha = sess.SHA
	}
	got, err := s.finishHash(ctx, sess)
	var bad errPartSHA
	var missing errMissing
	switch {
	case errors.As(err, &bad):
		return nil, fail(coserr.ErrNotSameSHA, "cannot finish: %v", err)
	case errors.As(err, &missing):
		// Or the session is gone meanwhile, its parts with it: another
		// finish of it (a client's retry) committed first.
		if _, aerr := s.session(ctx, q); aerr != nil {
			s.dropHash(sess.ID)
			return nil, aerr
		}
		return nil, fail(coserr.ErrFileSizeNotEqual, "cannot finish: %v", err)
	case err != nil:
		return nil, storeFailed(err)
	case sha != "" && sha != got:
		return nil, fail(coserr.ErrSHANotEqual, "the stored bytes hash to %s, not %s", got, sha)
	}
	// The file takes the session's bytes as they are: nothing is copied.
	n := &node{Bucket: q.bucket, Path: q.path, Data: sess.blobKey(), Slice: sess.SliceSize, Size: size, SHA: got, BizAttr: sess.BizAttr}
	out, aerr := s.commitFile(ctx, n, !sess.Overwrite, listed, func(tx *sql.Tx) *apiError {
		// Still this session, its bytes as hashed, and no slice being written.
		now, err := s.meta.sessionAt(ctx, tx, q.bucket, q.path)
		if err != nil {
			return storeFailed(err)
		}
		if now == nil || now.ID != sess.ID {
			return fail(coserr.ErrWrongSession, "the upload of %s was finished or discarded meanwhile", q.path)
		}
		if now.Rewrites != sess.Rewrites {
			return fail(coserr.ErrOverload, "a slice was stored again while finishing: finish again")
		}
		busy, err := s.meta.writing(ctx, tx, sess.ID, s.now()-int64(s.cfg.Limits.WriteTimeout.Seconds()))
		if err != nil {
			return storeFailed(err)
		}
		if busy > 0 {
			return fail(coserr.ErrOverload, "a slice is being written: finish again once it is stored")
		}
		return dbFailed(s.meta.deleteSession(ctx, tx, sess.ID))
	})
	s.dropHash(sess.ID)
	if errors.Is(aerr, coserr.ErrFileExist) {
		if hook := s.finishLost.Load(); hook != nil {
			(*hook)()
		}
		// insertOnly lost to another upload: this one cannot finish, ever.
		s.dropLost(ctx, sess)
	}
	return out, aerr
}

// dropLost drops the session of an insertOnly finish that lost, and makes
// its bytes due, in one transaction; not when the session is gone meanwhile
// (the file may have gone and a retry of the finish committed the bytes as
// it), nor while a slice is being written (it would land in bytes already
// deleted): the session and its bytes then go at its expiry.
func (s *Server) dropLost(ctx context.Context, sess *session) {
	err := s.meta.tx(ctx, func(tx *sql.Tx) error {
		busy, err := s.meta.writing(ctx, tx, sess.ID, s.now()-int64(s.cfg.Limits.WriteTimeout.Seconds()))
		if err != nil || busy > 0 {
			return err
		}
		res, err := s.meta.exec(ctx, tx, `DELETE FROM sessions WHERE id = ?`, sess.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		return s.meta.garbage(ctx, tx, sess.blobKey(), s.now())
	})
	if err != nil {
		s.log.Error("server: dropping the session of a finish that lost", "session", sess.ID, "err", err)
	}
	s.gc.kick()
}
