package uploader

import (
	"context"
	"fmt"
	"io"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/cosv2/cosv2"
)

// Downloader is the part of *cosv2.Client Download uses.
type Downloader interface {
	Stat(ctx context.Context, file string) (*cosv2.FileInfo, error)
	Download(ctx context.Context, file string, w io.Writer, opts ...cosv2.ReadOption) (int64, error)
}

// DownloadChunk is the default size of one ranged GET of Download.
const DownloadChunk = 8 << 20

// Download writes remote into w with ranged GETs of DownloadChunk bytes
// (WithChunkSize), at most DefaultConcurrency (WithConcurrency) at once;
// each chunk is written at its offset as it arrives, so memory stays within a
// small buffer per worker. It asks stat once (unless WithFileInfo) and pins
// every chunk to the version stat described (cosv2.WithFileInfo), so the
// chunks never mix two versions: a file replaced meanwhile fails with
// cosv2.ErrObjectChanged. Progress (WithProgress) counts bytes written;
// WithResume skips chunks written before. It returns the object's size; on an
// error, some chunks may have been written.
func Download(ctx context.Context, c Downloader, remote string, w io.WriterAt, opts ...DownloadOption) (int64, error) {
	cfg := downloadConfig{chunk: DownloadChunk, concurrency: DefaultConcurrency}
	for _, o := range opts {
		if o != nil {
			o.applyDownload(&cfg)
		}
	}
	if cfg.chunk <= 0 {
		return 0, fmt.Errorf("uploader: chunk size %d is not positive", cfg.chunk)
	}
	st := cfg.info
	if st == nil {
		var err error
		if st, err = c.Stat(ctx, remote); err != nil {
			return 0, err
		}
	}
	size := st.Size
	p := Progress{BytesTotal: size}
	if size > 0 {
		// Never size+chunk-1, which overflows for a chunk such as
		// math.MaxInt64 (one GET of the whole object).
		p.SlicesTotal = int((size-1)/cfg.chunk + 1)
	}
	var todo []int64
	for off := int64(0); off < size; off += min(cfg.chunk, size-off) {
		if cfg.done != nil && cfg.done(off) {
			n := min(cfg.chunk, size-off)
			p.BytesDone, p.BytesResumed = p.BytesDone+n, p.BytesResumed+n
			p.SlicesDone, p.SlicesResumed = p.SlicesDone+1, p.SlicesResumed+1
			continue
		}
		todo = append(todo, off)
	}
	// Resumed chunks are reported before any GET; an empty object has no
	// chunk at all, so this one call is its completion (0 of 0 bytes).
	if (p.SlicesResumed > 0 || size == 0) && cfg.progress != nil {
		cfg.progress(p)
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(cfg.concurrency, 1))
	for _, off := range todo {
		n := min(cfg.chunk, size-off)
		g.Go(func() error {
			got, err := c.Download(gctx, remote, io.NewOffsetWriter(w, off), cosv2.WithFileInfo(st), cosv2.WithRange(off, n))
			if err != nil {
				return err
			}
			if got != n {
				return io.ErrUnexpectedEOF
			}
			if cfg.written != nil {
				if err := cfg.written(off, n); err != nil {
					return err
				}
			}
			if cfg.progress != nil {
				mu.Lock()
				p.BytesDone += n
				p.SlicesDone++
				cfg.progress(p)
				mu.Unlock()
			}
			return nil
		})
	}
	return size, g.Wait()
}
