package uploader

import "github.com/cosv2/cosv2"

// Progress is how far a transfer is: bytes and slices (or download chunks)
// done of the total.
type Progress struct {
	BytesDone, BytesTotal   int64
	SlicesDone, SlicesTotal int
	// BytesResumed and SlicesResumed are the part of BytesDone and SlicesDone
	// an earlier, interrupted upload had stored (all of them, in the only
	// call, for a quick upload: the service had the bytes): nothing was sent
	// for them, so a rate counts BytesDone-BytesResumed. They are reported
	// once, in the first call, before any slice goes out.
	BytesResumed  int64
	SlicesResumed int
}

type config struct {
	overwrite   bool
	bizAttr     string
	sliceSize   int64
	concurrency int
	progress    func(Progress)
	withParts   bool
	sha         string
	parts       []cosv2.SlicePart
}

// putOptions are the facade's options for a simple upload of cfg.
func (c *config) putOptions() []cosv2.PutOption {
	var o []cosv2.PutOption
	if c.overwrite {
		o = append(o, cosv2.WithOverwrite())
	}
	if c.bizAttr != "" {
		o = append(o, cosv2.WithBizAttr(c.bizAttr))
	}
	return o
}

type downloadConfig struct {
	chunk       int64
	concurrency int
	progress    func(Progress)
	info        *cosv2.FileInfo
	done        func(off int64) bool
	written     func(off, n int64) error
}

// Option configures Upload and UploadReader. The options of this package
// that return a TransferOption also configure Download.
type Option interface{ applyUpload(*config) }

// DownloadOption configures Download.
type DownloadOption interface{ applyDownload(*downloadConfig) }

// TransferOption is an option of both Upload and Download.
type TransferOption struct {
	up   func(*config)
	down func(*downloadConfig)
}

// The zero TransferOption changes nothing.
func (o TransferOption) applyUpload(c *config) {
	if o.up != nil {
		o.up(c)
	}
}

func (o TransferOption) applyDownload(c *downloadConfig) {
	if o.down != nil {
		o.down(c)
	}
}

type uploadOption func(*config)

func (f uploadOption) applyUpload(c *config) { f(c) }

type downloadOption func(*downloadConfig)

func (f downloadOption) applyDownload(c *downloadConfig) { f(c) }

// WithOverwrite replaces an existing file at the path (insertOnly=0 on the
// upload or the slice init); without it, an existing file makes the upload
// fail with cosv2.ErrFileExist, also when it holds the same bytes (as the
// service answers a quick upload). A file that appears after the init (another
// run of the same upload finished it) counts as this upload's when it holds
// these bytes, with or without WithOverwrite: the path was free when the
// upload began. One of other bytes is cosv2.ErrFileExist without
// WithOverwrite; with it, this upload replaces it (in a session of its own
// when it was finished before this upload listed it; when it was the session
// this upload was sending, the upload fails with that session's
// *UploadError, and a run again replaces the file). An unfinished upload
// that is resumed keeps the setting of
// the init that began it: the slice list does not say it, and no call
// changes it.
func WithOverwrite() Option { return uploadOption(func(c *config) { c.overwrite = true }) }

// WithBizAttr sets the file's business attributes (biz_attr). An
// unfinished upload that is resumed keeps those of the init that began it;
// set them after with cosv2.Client.Update where that matters.
func WithBizAttr(attr string) Option { return uploadOption(func(c *config) { c.bizAttr = attr }) }

// WithSliceSize sets the slice size: one of cosv2.SliceSizes() (default
// DefaultSliceSize). It has no effect on files that go in one request.
func WithSliceSize(n int64) Option { return uploadOption(func(c *config) { c.sliceSize = n }) }

// WithConcurrency sets how many slices (uploads) or ranged GETs (downloads)
// are in flight at once (default DefaultConcurrency); one slice at a time
// when the service asks for it (serial_upload in the init's answer).
func WithConcurrency(n int) TransferOption {
	return TransferOption{
		up:   func(c *config) { c.concurrency = n },
		down: func(c *downloadConfig) { c.concurrency = n },
	}
}

// WithProgress calls f after each slice or chunk (and, for a file sent in one
// request or an empty object downloaded, once at the end), from one
// goroutine at a time.
func WithProgress(f func(Progress)) TransferOption {
	return TransferOption{
		up:   func(c *config) { c.progress = f },
		down: func(c *downloadConfig) { c.progress = f },
	}
}

// WithChunkSize sets the size of one ranged GET of Download (default
// DownloadChunk).
func WithChunkSize(n int64) DownloadOption {
	return downloadOption(func(c *downloadConfig) { c.chunk = n })
}

// WithFileInfo makes Download fetch the version info describes (what a
// Stat returned) without asking stat again.
func WithFileInfo(info *cosv2.FileInfo) DownloadOption {
	return downloadOption(func(c *downloadConfig) { c.info = info })
}

// WithResume lets a caller keep a record of the chunks of a Download across
// runs: Download skips the chunks (by offset, in WithChunkSize steps) for
// which done reports true, counting them as resumed in Progress, and calls
// written after each chunk it wrote, from several goroutines at once; an
// error from written ends the download. Pin the version the record is of
// with WithFileInfo.
func WithResume(done func(off int64) bool, written func(off, n int64) error) DownloadOption {
	return downloadOption(func(c *downloadConfig) { c.done, c.written = done, written })
}

// WithUploadParts sends the file's SHA-1 and every slice's running SHA-1
// state (uploadparts) with the init, as the official SDKs do: the service can
// then answer at once when it has the bytes already (quick upload) and check
// each stored slice, and a later resume proves its slices are these bytes. It
// costs a hashing pass over the whole file before the first slice goes out.
//
// It is not the default because of what that pass costs: a whole read and
// hash of the file before any slice goes out (bench/upload.sh -parts
// measures it against the default; README's Benchmarks give figures).
// Without it, the SHA-1 is computed while the slices go
// out and checked by the service at finish all the same; a resumed upload
// whose init declared uploadparts is checked against them either way.
func WithUploadParts() Option { return uploadOption(func(c *config) { c.withParts = true }) }
