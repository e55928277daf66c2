package server

import (
	"context"
	"database/sql"

	"github.com/cosv2/cosv2/gen/coserr"
)

// discardUpload is this server's extension of delete, not the document's:
// the document has no op to discard an unfinished slice upload, so a path
// whose upload was abandoned (the local file changed, say) could not be
// uploaded again until the session expired. A delete of a path that has no
// file but an unfinished upload drops that upload's session row in the
// delete's transaction (tx); its bytes become garbage there too, and the
// collector deletes them once it committed. -197 (ErrFileNotExist) when
// there is no upload either; -300 (retryable) while a slice is being written.
func (s *Server) discardUpload(ctx context.Context, tx *sql.Tx, q *request) (string, *apiError) {
	id, err := s.meta.sessionIDAt(ctx, tx, q.bucket, q.path)
	if err != nil {
		return "", storeFailed(err)
	}
	if id == "" {
		return "", fail(coserr.ErrFileNotExist, "%s does not exist", q.path)
	}
	sess := &session{ID: id}
	// A slice being written now would land in a blob already garbage, and
	// outlive it: as the finish does, wait for it (the code is retryable).
	busy, err := s.meta.writing(ctx, tx, sess.ID, s.now()-int64(s.cfg.Limits.WriteTimeout.Seconds()))
	if err != nil {
		return "", storeFailed(err)
	}
	if busy > 0 {
		return "", fail(coserr.ErrOverload, "a slice of the upload of %s is being written: delete again once it is stored", q.path)
	}
	if err := s.meta.deleteSession(ctx, tx, sess.ID); err != nil {
		return "", storeFailed(err)
	}
	return sess.ID, dbFailed(s.meta.garbage(ctx, tx, sess.blobKey(), s.now()))
}
