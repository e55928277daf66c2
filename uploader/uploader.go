// Package uploader uploads files of any size to COS: at most 20 MB in one
// request, larger ones as concurrent slices that resume an unfinished upload
// of the same path without any local state.
//
// Memory stays within concurrency × slice size plus a small constant: slices
// are streamed from the io.ReaderAt by the facade's multipart bodies, never
// read whole. The whole file's SHA-1 is computed while the slices go out (or,
// with WithUploadParts, in a pass before the init) and sent with
// upload_slice_finish, where the server checks it.
package uploader

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/cosv2/cosv2"
)

// Client is the part of *cosv2.Client the uploader uses; tests wrap it to
// inject faults.
type Client interface {
	Put(ctx context.Context, file string, r io.ReaderAt, size int64, opts ...cosv2.PutOption) (*cosv2.Object, error)
	SliceInit(ctx context.Context, file string, size, sliceSize int64, in cosv2.SliceInitOptions) (*cosv2.SliceSession, error)
	SliceData(ctx context.Context, file, session string, offset int64, r io.ReaderAt, n int64) error
	SliceFinish(ctx context.Context, file, session string, size int64, sha string) (*cosv2.Object, error)
	SliceList(ctx context.Context, file string) (*cosv2.SliceSession, error)
	// Stat tells whether a file another run finished holds these bytes.
	Stat(ctx context.Context, file string) (*cosv2.FileInfo, error)
}

// Defaults; DefaultConcurrency × DefaultSliceSize bounds the bytes in flight.
// Chosen with bench/upload.sh (1 GB, loopback, 2 cores, against the server
// that drains the slice protocol, fastest of 2-3 runs): 2×1 MB 0.76 of the
// ceiling, 4×1 MB 0.69-0.74, 8×1 MB 0.62. On loopback 2 and 4 are alike,
// both CPU-bound; 4 hides more of a real network's round trips for 4 MB of
// buffers, and the official SDKs use 1 MB slices too.
const (
	DefaultSliceSize   = cosv2.SliceSize1M
	DefaultConcurrency = 4
)

// UploadError is a slice upload that failed; Session and Offset tell which
// slice failed, so a later Upload of the same path resumes from there.
type UploadError struct {
	Path    string
	Session string
	Offset  int64
	Err     error
}

// Error implements error.
func (e *UploadError) Error() string {
	return fmt.Sprintf("uploader: %s (session %s) slice at %d: %v", e.Path, e.Session, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *UploadError) Unwrap() error { return e.Err }

// ErrMismatch is returned when an unfinished upload of the path has another
// size or slice size than this one, or slices of other bytes (stored, or
// declared by its init's uploadparts), so resuming it would corrupt the
// file. The error wrapping it says what the user can do: see MismatchAdvice.
var ErrMismatch = errors.New("uploader: the unfinished upload of this path is of another file")

// MismatchAdvice is what a user can do about an unfinished upload of other
// bytes, which every ErrMismatch ends with: the document has no op to discard
// it, so a person needs the ways out spelled.
const MismatchAdvice = "discard it (cosv2 rm --incomplete PATH on a cosv2 server), wait until it expires, or upload the original bytes"

func mismatch(format string, args ...any) error {
	return fmt.Errorf("%w: %s; %s", ErrMismatch, fmt.Sprintf(format, args...), MismatchAdvice)
}

// Upload stores size bytes of src at remote. Up to cosv2.MaxSimpleUpload it
// is one Put; beyond, a slice upload: upload_slice_init (or, when an
// unfinished upload of remote exists, upload_slice_list and a resume that
// sends only the missing slices), upload_slice_data for each slice, at most
// WithConcurrency at once, and upload_slice_finish with the file's SHA-1,
// which the service checks. Retries are the client's (its RetryPolicy); a
// slice that fails through them fails the upload with an *UploadError naming
// the session and the slice, and a later Upload of the same path resumes.
// ErrMismatch when the unfinished upload found is of another file; errors of
// reading src are wrapped. When another run of the same upload finishes the
// unfinished upload this one meant to resume, or the session this one is
// sending (a slice or the finish then meets cosv2.ErrWrongSession), the file
// counts as this upload's if stat shows it holds src's size and SHA-1; with
// other bytes it is cosv2.ErrFileExist (wrapped by the *UploadError of the
// session gone, if this one was sending).
func Upload(ctx context.Context, c Client, remote string, src io.ReaderAt, size int64, opts ...Option) (*cosv2.Object, error) {
	cfg := config{sliceSize: DefaultSliceSize, concurrency: DefaultConcurrency}
	for _, o := range opts {
		if o != nil {
			o.applyUpload(&cfg)
		}
	}
	if !cosv2.ValidSliceSize(cfg.sliceSize) {
		return nil, fmt.Errorf("uploader: slice size %d is not one of %v", cfg.sliceSize, cosv2.SliceSizes())
	}
	cfg.concurrency = max(cfg.concurrency, 1)
	if size <= cosv2.MaxSimpleUpload {
		obj, err := c.Put(ctx, remote, src, size, cfg.putOptions()...)
		if err == nil {
			cfg.reporter(size, size).sent(size, 1)
		}
		return obj, err
	}
	if cfg.withParts {
		if err := cfg.hash(ctx, src, size); err != nil {
			return nil, fmt.Errorf("uploader: reading %s: %w", remote, err)
		}
	}
	sess, done, err := open(ctx, c, remote, src, size, &cfg)
	if err != nil {
		return nil, err
	}
	if sess.Object != nil {
		// A quick upload, or another run finished it with these bytes:
		// the service had them, none went out.
		r := cfg.reporter(size, cfg.sliceSize)
		r.resumed(size, r.p.SlicesTotal)
		return sess.Object, nil
	}
	// Unless a pass before the init hashed the file already, its SHA-1 is
	// computed alongside the slices, from a second read of src.
	sha, hashed := cfg.sha, make(chan error, 1)
	hctx, stopHashing := context.WithCancel(ctx)
	defer stopHashing()
	if sha == "" {
		go func() {
			var err error
			sha, _, err = runningStates(hctx, src, size, cfg.sliceSize)
			hashed <- err
		}()
	} else {
		hashed <- nil
	}
	report := cfg.reporter(size, sess.SliceSize)
	if len(done) > 0 {
		var stored int64
		for off := range done {
			stored += min(sess.SliceSize, size-off)
		}
		report.resumed(stored, len(done))
	}
	n := cfg.concurrency
	if sess.Serial {
		n = 1 // the service asked for one slice at a time (serial_upload)
	}
	err = send(ctx, c, remote, src, size, sess, done, n, report.sent)
	if err != nil && !errors.Is(err, cosv2.ErrWrongSession) {
		stopHashing() // a session gone needs the SHA-1 to decide (overtaken)
	}
	herr := <-hashed
	switch {
	case err != nil:
	case ctx.Err() != nil:
		// Cancelled before every slice went out, or while hashing: send
		// stops without an error of its own, and the hashing's error is not
		// one of reading src. No finish either way.
		err = ctx.Err()
	case herr != nil:
		err = fmt.Errorf("uploader: reading %s: %w", remote, herr)
	}
	if err == nil {
		var obj *cosv2.Object
		if obj, err = finish(ctx, c, remote, sess.Session, size, sha, len(done) > 0); err == nil {
			return obj, nil
		}
	}
	if errors.Is(err, cosv2.ErrWrongSession) && herr == nil {
		cfg.sha = sha
		return overtaken(ctx, c, remote, src, size, &cfg, err, report)
	}
	return nil, err
}

// finish completes the session with the file's SHA-1; resumed: slices an
// earlier run stored were kept. Its errors are *UploadErrors at size.
func finish(ctx context.Context, c Client, remote, session string, size int64, sha string, resumed bool) (*cosv2.Object, error) {
	obj, err := c.SliceFinish(ctx, remote, session, size, sha)
	switch {
	case err == nil:
	case resumed && errors.Is(err, cosv2.ErrSHANotEqual):
		// Slices stored by an earlier run were of other bytes (the file
		// changed since): resuming can never finish.
		err = fmt.Errorf("%w (%w): the slices stored before are of other bytes; %s", ErrMismatch, err, MismatchAdvice)
	case errors.Is(err, cosv2.ErrNotSameSHA):
		// The upload's init declared running states (uploadparts, as the
		// official SDKs send them) that these bytes contradict, also where
		// no slice was stored yet for the listing to show: the service
		// never finishes it.
		err = fmt.Errorf("%w (%w): its init declared other bytes; %s", ErrMismatch, err, MismatchAdvice)
	}
	if err != nil {
		return nil, &UploadError{Path: remote, Session: session, Offset: size, Err: err}
	}
	return obj, nil
}

// overtaken decides, once, an upload whose session is gone (failed: the
// *UploadError of the first slice, or the finish, that met
// cosv2.ErrWrongSession; the slices in flight were cancelled by then).
// Another run of the same upload may have resumed the session and finished
// it first: when the listing answers a file, finishedAs decides as for one
// finished before this run's listing, and a file of these bytes is this
// upload's (every byte then counts as done). The listing, not a bare stat,
// gives the Object its resource path, which this package cannot build. A
// session discarded or expired leaves no file, or another upload, and failed
// stands, as it does, wrapping why, when the file holds other bytes.
func overtaken(ctx context.Context, c Client, remote string, src io.ReaderAt, size int64, cfg *config, failed error, report *reporter) (*cosv2.Object, error) {
	var ue *UploadError
	if !errors.As(failed, &ue) {
		return nil, failed
	}
	l, err := c.SliceList(ctx, remote)
	if err != nil || l.Object == nil {
		return nil, failed
	}
	obj, err := finishedAs(ctx, c, remote, src, size, cfg, l.Object)
	switch {
	case err != nil && cfg.overwrite && errors.Is(err, cosv2.ErrFileExist):
		// Asked to replace whatever is there: the session gone is the
		// reason, and a run again replaces the file.
		return nil, failed
	case err != nil:
		return nil, &UploadError{Path: ue.Path, Session: ue.Session, Offset: ue.Offset, Err: fmt.Errorf("%w; %w", ue.Err, err)}
	}
	report.rest()
	return obj, nil
}

// hash sets the file's SHA-1 and running states from one pass over src.
func (c *config) hash(ctx context.Context, src io.ReaderAt, size int64) (err error) {
	c.sha, c.parts, err = runningStates(ctx, src, size, c.sliceSize)
	return err
}

// open starts a session, or finds the unfinished one of remote and the
// slices it has. Where that upload's init declared running states, they are
// checked against src's (hashing it now if no pass did before): the stored
// slices must be the same bytes.
func open(ctx context.Context, c Client, remote string, src io.ReaderAt, size int64, cfg *config) (*cosv2.SliceSession, map[int64]bool, error) {
	in := cosv2.SliceInitOptions{Overwrite: cfg.overwrite, BizAttr: cfg.bizAttr, SHA1: cfg.sha, Parts: cfg.parts}
	sess, err := c.SliceInit(ctx, remote, size, cfg.sliceSize, in)
	if err == nil {
		return sess, map[int64]bool{}, nil
	}
	if !errors.Is(err, cosv2.ErrUnfinishedUpload) {
		return nil, nil, err
	}
	sess, err = c.SliceList(ctx, remote)
	if err != nil {
		return nil, nil, err
	}
	if sess.Object != nil {
		// Another run finished it between the init and the listing.
		obj, err := finishedAs(ctx, c, remote, src, size, cfg, sess.Object)
		switch {
		case err != nil && cfg.overwrite && errors.Is(err, cosv2.ErrFileExist):
			// Other bytes, and asked to replace them: the unfinished
			// upload is gone, so a session of this run's own can.
			if sess, err = c.SliceInit(ctx, remote, size, cfg.sliceSize, in); err != nil {
				return nil, nil, err
			}
			return sess, map[int64]bool{}, nil
		case err != nil:
			return nil, nil, err
		}
		return &cosv2.SliceSession{Object: obj}, nil, nil
	}
	if sess.FileSize != size || sess.SliceSize <= 0 {
		return nil, nil, mismatch("%d bytes in slices of %d, not %d bytes", sess.FileSize, sess.SliceSize, size)
	}
	declared := slices.ContainsFunc(sess.Parts, func(p cosv2.SlicePart) bool { return p.DataSHA != "" })
	if declared && (cfg.parts == nil || cfg.sliceSize != sess.SliceSize) {
		cfg.sliceSize = sess.SliceSize
		if err := cfg.hash(ctx, src, size); err != nil {
			return nil, nil, fmt.Errorf("uploader: reading %s: %w", remote, err)
		}
	}
	done := map[int64]bool{}
	for _, p := range sess.Parts {
		if p.Length != min(sess.SliceSize, size-p.Offset) {
			continue
		}
		// Where the upload declared running states, they must be ours: the
		// stored slices are then the same bytes.
		if i := p.Offset / sess.SliceSize; p.DataSHA != "" && int(i) < len(cfg.parts) &&
			!strings.EqualFold(p.DataSHA, cfg.parts[i].DataSHA) {
			return nil, nil, mismatch("the slice at %d was declared with other bytes", p.Offset)
		}
		done[p.Offset] = true
	}
	return sess, done, nil
}

// finishedAs decides an unfinished upload of remote that another run
// finished after this run's init: before its listing, or while it sent
// (overtaken); listed is the listing's answer. The file is this upload's
// when stat shows it holds src's size and SHA-1 (hashed now unless this run
// did already): its bytes are exactly what this run would have stored. That
// holds with insertOnly too: the init began a session or met an unfinished
// upload, not a file, so the path was free when this run began, and the
// file came after, with these bytes. A file that was there before the init
// stays cosv2.ErrFileExist (open never gets here), as the service answers a
// quick upload of the same bytes under insertOnly. Other bytes are someone
// else's: cosv2.ErrFileExist.
func finishedAs(ctx context.Context, c Client, remote string, src io.ReaderAt, size int64, cfg *config, listed *cosv2.Object) (*cosv2.Object, error) {
	st, err := c.Stat(ctx, remote)
	if err != nil {
		return nil, fmt.Errorf("uploader: another upload of %s finished meanwhile; stat: %w", remote, err)
	}
	if st.Size == size && cfg.sha == "" {
		if err := cfg.hash(ctx, src, size); err != nil {
			return nil, fmt.Errorf("uploader: reading %s: %w", remote, err)
		}
	}
	if st.Size != size || !strings.EqualFold(st.SHA1, cfg.sha) {
		return nil, fmt.Errorf("uploader: another upload of %s finished meanwhile with other bytes (%d, SHA-1 %s) (%w)", remote, st.Size, st.SHA1, cosv2.ErrFileExist)
	}
	obj := *listed
	obj.AccessURL, obj.SourceURL = cmp.Or(st.AccessURL, obj.AccessURL), cmp.Or(st.SourceURL, obj.SourceURL)
	return &obj, nil
}

// send uploads the missing slices with at most n in flight; the first error
// cancels the rest. Once ctx ends it sends no more, and may return nil:
// the caller checks ctx.
func send(ctx context.Context, c Client, remote string, src io.ReaderAt, size int64, sess *cosv2.SliceSession, done map[int64]bool, n int, report func(int64, int)) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	for off := int64(0); off < size; off += sess.SliceSize {
		length := min(sess.SliceSize, size-off)
		if done[off] {
			continue
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err // another slice failed while this one waited for its turn
			}
			if err := sendSlice(gctx, c, remote, sess.Session, off, src, length); err != nil {
				return &UploadError{Path: remote, Session: sess.Session, Offset: off, Err: err}
			}
			report(length, 1)
			return nil
		})
	}
	return g.Wait()
}

// sendSlice stores one slice. It does not retry: the client's RetryPolicy is
// the one retry layer, and a slice that failed through it fails the upload
// with an *UploadError, which a later Upload resumes.
func sendSlice(ctx context.Context, c Client, remote, session string, off int64, src io.ReaderAt, n int64) error {
	return c.SliceData(ctx, remote, session, off, src, n)
}

// reporter counts progress for an upload of size bytes in slices of slice
// (one request when slice ≥ size).
func (c config) reporter(size, slice int64) *reporter {
	total := int(max((size+slice-1)/max(slice, 1), 1))
	return &reporter{f: c.progress, p: Progress{BytesTotal: size, SlicesTotal: total}}
}

// reporter adds up a transfer's progress and calls f, one call at a time.
type reporter struct {
	mu sync.Mutex
	f  func(Progress)
	p  Progress
}

// sent counts bytes and slices sent now.
func (r *reporter) sent(bytes int64, slices int) { r.add(bytes, slices, false) }

// rest counts what is left as done: another run stored it. Sent, not
// resumed: BytesResumed is reported once, first.
func (r *reporter) rest() {
	r.mu.Lock()
	bytes, slices := r.p.BytesTotal-r.p.BytesDone, r.p.SlicesTotal-r.p.SlicesDone
	r.mu.Unlock()
	if bytes > 0 || slices > 0 {
		r.sent(bytes, slices)
	}
}

// resumed counts bytes and slices an earlier upload stored.
func (r *reporter) resumed(bytes int64, slices int) { r.add(bytes, slices, true) }

func (r *reporter) add(bytes int64, slices int, resumed bool) {
	if r.f == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.BytesDone += bytes
	r.p.SlicesDone += slices
	if resumed {
		r.p.BytesResumed += bytes
		r.p.SlicesResumed += slices
	}
	r.f(r.p)
}
