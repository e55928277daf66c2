package uploader

import (
	"context"
	"io"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/cosv2/cosv2"
)

// Downloader is the part of *cosv2.Client Download uses.
type Downloader interface {
	Stat(ctx context.Context, file string) (*cosv2.FileInfo, error)
	Download(ctx context.Context, file string, w io.Writer, r *cosv2.ByteRange) (int64, error)
}

// DownloadChunk is the size of one ranged GET of Download.
const DownloadChunk = 8 << 20

// Download writes remote into w with ranged GETs of DownloadChunk bytes, at
// most concurrency (WithConcurrency) at once; each chunk is written at its
// offset as it arrives, so memory stays within a small buffer per worker.
// Progress (WithProgress) counts bytes written. It returns the object's size.
func Download(ctx context.Context, c Downloader, remote string, w io.WriterAt, opts ...Option) (int64, error) {
	cfg := config{sliceSize: DownloadChunk, concurrency: DefaultConcurrency}
	for _, o := range opts {
		o(&cfg)
	}
	st, err := c.Stat(ctx, remote)
	if err != nil {
		return 0, err
	}
	size := st.Size
	var mu sync.Mutex
	p := Progress{BytesTotal: size, SlicesTotal: int((size + DownloadChunk - 1) / DownloadChunk)}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(cfg.concurrency, 1))
	for off := int64(0); off < size; off += DownloadChunk {
		n := min(DownloadChunk, size-off)
		g.Go(func() error {
			got, err := c.Download(gctx, remote, &offsetWriter{w: w, off: off}, &cosv2.ByteRange{Offset: off, Length: n})
			if err != nil {
				return err
			}
			if got != n {
				return io.ErrUnexpectedEOF
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

// offsetWriter writes sequentially into an io.WriterAt from off.
type offsetWriter struct {
	w   io.WriterAt
	off int64
}

func (o *offsetWriter) Write(p []byte) (int, error) {
	n, err := o.w.WriteAt(p, o.off)
	o.off += int64(n)
	return n, err
}
