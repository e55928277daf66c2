package server

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strings"

	"github.com/cosv2/cosv2/gen/coserr"
)

var sliceSizes = map[int64]bool{524288: true, 1048576: true, 2097152: true, 3145728: true}

func (s *Server) sliceInit(q *request) (*reply, *apiError) {
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
	if !ok || !sliceSizes[slice] {
		return nil, fail(coserr.ErrCGIParam, "slice_size %q: want 524288, 1048576, 2097152 or 3145728", q.fields["slice_size"])
	}
	keep, aerr := insertOnly(q)
	if aerr != nil {
		return nil, aerr
	}
	sess := &session{ID: newID(), Bucket: q.bucket, Path: q.path, FileSize: size, SliceSize: slice, Overwrite: !keep,
		BizAttr: q.fields["biz_attr"], SHA: strings.ToLower(q.fields["sha"]), Created: s.now(), storedOffs: map[int64]int64{}}
	if up := q.fields["uploadparts"]; up != "" {
		if aerr := sess.setParts(up); aerr != nil {
			return nil, aerr
		}
	}
	s.ix.mu.Lock()
	if aerr := s.needParent(q.bucket, q.path); aerr != nil {
		s.ix.mu.Unlock()
		return nil, aerr
	}
	if s.ix.get(q.bucket, q.path) != nil && keep {
		s.ix.mu.Unlock()
		return nil, fail(coserr.ErrFileExist, "%s exists and insertOnly is 1", q.path)
	}
	if _, busy := s.ix.sessions[q.bucket+q.path]; busy {
		s.ix.mu.Unlock()
		return nil, fail(coserr.ErrUnfinishedUpload, "an unfinished upload of %s exists: list its slices and resume", q.path)
	}
	if same := s.ix.withSHA(q.bucket, sess.SHA, size); same != nil {
		s.ix.mu.Unlock()
		return s.quickUpload(q, same, sess, keep)
	}
	defer s.ix.mu.Unlock()
	if err := writeJSON(s.ix.store, sessionKey(sess.ID), sess); err != nil {
		return nil, storeFailed(err)
	}
	s.ix.sessions[q.bucket+q.path] = sess
	return &reply{data: map[string]any{"session": sess.ID, "slice_size": slice, "serial_upload": 0}}, nil
}

// quickUpload ("秒传") satisfies an init whose sha the bucket already stores:
// the object appears at once and the answer carries its URLs, no session.
func (s *Server) quickUpload(q *request, same *node, sess *session, keep bool) (*reply, *apiError) {
	key, err := s.copyData(same.Data)
	if err != nil {
		return nil, storeFailed(err)
	}
	return s.commitFile(&node{Bucket: q.bucket, Path: q.path, Data: key, Size: same.Size, SHA: same.SHA, BizAttr: sess.BizAttr}, keep)
}

// setParts reads an init's uploadparts: one entry per slice, in order, each
// with the running SHA-1 state after it.
func (sess *session) setParts(raw string) *apiError {
	var parts []sumPart
	if err := json.Unmarshal([]byte(raw), &parts); err != nil {
		return fail(coserr.ErrReqParam, "uploadparts is not a JSON array of {offset, datalen, datasha}: %v", err)
	}
	if sess.SHA == "" {
		return fail(coserr.ErrMissingSHA, "uploadparts needs sha")
	}
	var off int64
	for i, p := range parts {
		want := min(sess.SliceSize, sess.FileSize-off)
		if p.Offset != off || p.Datalen != want || !isSHA(p.Datasha) {
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

func (s *Server) session(q *request) (*session, *apiError) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	sess := s.ix.sessions[q.bucket+q.path]
	if sess == nil || sess.ID != q.fields["session"] {
		return nil, fail(coserr.ErrWrongSession, "no unfinished upload of %s with that session", q.path)
	}
	return sess, nil
}

func (s *Server) sliceData(q *request) (*reply, *apiError) {
	sess, aerr := s.session(q)
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
		if sum := md5.Sum(q.file); !strings.EqualFold(md, hex.EncodeToString(sum[:])) {
			return nil, fail(coserr.ErrCGISHANotMatch, "datamd5 %s does not match the slice", md)
		}
	}
	if _, err := s.ix.store.put(partKey(sess.ID, off), bytes.NewReader(q.file)); err != nil {
		return nil, storeFailed(err)
	}
	sess.mu.Lock()
	if _, again := sess.storedOffs[off]; again {
		sess.rehash = true
	}
	sess.storedOffs[off] = n
	sess.mu.Unlock()
	s.advanceHash(sess)
	return &reply{data: map[string]any{"session": sess.ID, "offset": off, "datalen": n}}, nil
}

func (s *Server) sliceList(q *request) (*reply, *apiError) {
	s.ix.mu.Lock()
	sess := s.ix.sessions[q.bucket+q.path]
	done := s.ix.get(q.bucket, q.path) != nil
	s.ix.mu.Unlock()
	if sess == nil {
		if done {
			return &reply{data: s.urls(q.bucket, q.path)}, nil
		}
		return nil, fail(coserr.ErrFileNotExist, "no upload of %s", q.path)
	}
	sess.mu.Lock()
	offs := make([]int64, 0, len(sess.storedOffs))
	for o := range sess.storedOffs {
		offs = append(offs, o)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	parts := []any{}
	for _, o := range offs {
		p := map[string]any{"offset": o, "datalen": sess.storedOffs[o]}
		if i := o / sess.SliceSize; int(i) < len(sess.Parts) {
			p["datasha"] = sess.Parts[i].Datasha
		}
		parts = append(parts, p)
	}
	sess.mu.Unlock()
	return &reply{data: map[string]any{"session": sess.ID, "slice_size": sess.SliceSize, "filesize": sess.FileSize, "listparts": parts}}, nil
}

func (s *Server) sliceFinish(q *request) (*reply, *apiError) {
	sess, aerr := s.session(q)
	if aerr != nil {
		return nil, aerr
	}
	size, ok := decimal(q.fields["filesize"], math.MaxInt64)
	if !ok {
		return nil, fail(coserr.ErrFileSize, "filesize %q: want a number of bytes in decimal digits", clip(q.fields["filesize"]))
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
	got, err := s.finishHash(sess)
	var bad errPartSHA
	var missing errMissing
	switch {
	case errors.As(err, &bad):
		return nil, fail(coserr.ErrNotSameSHA, "cannot finish: %v", err)
	case errors.As(err, &missing):
		return nil, fail(coserr.ErrFileSizeNotEqual, "cannot finish: %v", err)
	case err != nil:
		return nil, storeFailed(err)
	case sha != "" && sha != got:
		return nil, fail(coserr.ErrSHANotEqual, "the stored bytes hash to %s, not %s", got, sha)
	}
	key := dataKey()
	var parts []string
	for o := int64(0); o < sess.FileSize; o += sess.SliceSize {
		parts = append(parts, partKey(sess.ID, o))
	}
	if _, err := s.ix.store.join(key, parts); err != nil {
		_ = s.ix.store.remove(key)
		return nil, storeFailed(err)
	}
	out, aerr := s.commitFile(&node{Bucket: q.bucket, Path: q.path, Data: key, Size: size, SHA: got, BizAttr: sess.BizAttr}, !sess.Overwrite)
	if aerr != nil {
		return nil, aerr
	}
	s.ix.mu.Lock()
	delete(s.ix.sessions, q.bucket+q.path)
	s.ix.mu.Unlock()
	_ = s.ix.store.remove(sessionKey(sess.ID))
	for o := int64(0); o < sess.FileSize; o += sess.SliceSize {
		_ = s.ix.store.remove(partKey(sess.ID, o))
	}
	return out, nil
}
