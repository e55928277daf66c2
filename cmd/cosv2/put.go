package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// xfer is the progress of one transfer: the resume note, and a bar on
// stderr when stderr is a terminal and output is for people (no bar in a
// file or a pipe stderr goes to, with --json or --quiet); where stdout goes
// does not matter. The bar starts where a resume starts, and its rate
// counts only the bytes sent by this run.
type xfer struct {
	cmd     *cli.Command
	bar     *progressbar.ProgressBar
	verb    string
	mu      sync.Mutex
	start   time.Time
	noted   bool
	resumed int64
}

func newXfer(cmd *cli.Command, size int64, verb string) *xfer {
	x := &xfer{cmd: cmd, verb: verb, start: time.Now()}
	// The bar is drawn on stderr: stderr decides, so put > log still shows
	// it and put 2> log gets no escape codes.
	if cmd.Bool("json") || cmd.Bool("quiet") || !isTerminal(cmd.Root().ErrWriter) {
		return x
	}
	x.bar = progressbar.NewOptions64(size, progressbar.OptionSetDescription(verb), progressbar.OptionSetWriter(cmd.Root().ErrWriter),
		progressbar.OptionSetPredictTime(false), progressbar.OptionShowBytes(false),
		progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
	return x
}

// update is the uploader's progress callback.
func (x *xfer) update(p uploader.Progress) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if p.SlicesResumed > 0 && !x.noted {
		x.noted = true
		x.resumed = p.BytesResumed
		if x.bar != nil {
			_ = x.bar.Clear()
		}
		if x.verb == "get" {
			note(x.cmd, "resuming: %d of %d chunks already downloaded", p.SlicesResumed, p.SlicesTotal)
		} else {
			note(x.cmd, "resuming: %d of %d slices already stored", p.SlicesResumed, p.SlicesTotal)
		}
	}
	if x.bar == nil {
		return
	}
	sent := p.BytesDone - x.resumed
	desc := fmt.Sprintf("%s %s / %s", x.verb, humanSize(p.BytesDone), humanSize(p.BytesTotal))
	// A rate over less than half a second is noise (the first slice's bytes
	// over a few milliseconds).
	if el := time.Since(x.start); el > 500*time.Millisecond && sent > 0 {
		desc += fmt.Sprintf(", %s/s", humanSize(int64(float64(sent)/el.Seconds())))
	}
	// The number first: every frame drawn shows the right fraction, the
	// first one after a resume included.
	_ = x.bar.Set64(p.BytesDone)
	x.bar.Describe(desc)
}

func (x *xfer) finish() {
	if x.bar != nil {
		_ = x.bar.Finish()
	}
}

// uploadFile uploads one local file (or stdin for "-") to remote.
func uploadFile(ctx context.Context, cmd *cli.Command, c *cosv2.Client, local, remote string, progress bool) (int64, error) {
	opts := []uploader.Option{uploader.WithSliceSize(int64(cmd.Int("slice-size"))), uploader.WithConcurrency(cmd.Int("concurrency"))}
	if cmd.Bool("overwrite") || cmd.Name == "sync" {
		opts = append(opts, uploader.WithOverwrite())
	}
	if attr := cmd.String("attr"); attr != "" {
		opts = append(opts, uploader.WithBizAttr(attr))
	}
	if cmd.Bool("uploadparts") {
		opts = append(opts, uploader.WithUploadParts())
	}
	if local == "-" {
		obj, err := uploader.UploadReader(ctx, c, remote, os.Stdin, opts...)
		if err != nil {
			return 0, err
		}
		_ = obj
		st, err := c.Stat(ctx, remote)
		if err != nil {
			return 0, err
		}
		return st.Size, nil
	}
	f, err := os.Open(local)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if st.IsDir() {
		return 0, usagef("%s is a directory: put -r uploads a tree", local)
	}
	if progress {
		x := newXfer(cmd, st.Size(), "put")
		opts = append(opts, uploader.WithProgress(x.update))
		defer x.finish()
	}
	_, err = uploader.Upload(ctx, c, remote, f, st.Size(), opts...)
	if errors.Is(err, uploader.ErrMismatch) {
		err = &mismatchError{local: local, remote: remote, err: err}
	}
	return st.Size(), err
}

// mismatchError is a resume that cannot be: the unfinished upload of remote
// holds other bytes than local. It names both and the commands that help,
// without the uploader's session and offsets.
type mismatchError struct {
	local, remote string
	err           error
}

func (e *mismatchError) Error() string {
	why := "its size or slice size differ"
	switch {
	case errors.Is(e.err, cosv2.ErrSHANotEqual):
		why = "the file changed since that upload was interrupted: -174 at the finish"
	case strings.Contains(e.err.Error(), "declared with other bytes"):
		why = "its slices were declared with other bytes"
	}
	return fmt.Sprintf("the unfinished upload of %s holds other bytes than %s (%s); discard it with `cosv2 rm --incomplete %s`, wait until it expires, or put the original bytes",
		e.remote, e.local, why, e.remote)
}

func (e *mismatchError) Unwrap() error { return e.err }

func putFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.BoolFlag{Name: "overwrite", Usage: "replace existing files"},
		&cli.StringFlag{Name: "attr", Usage: "the files' biz_attr"},
		&cli.IntFlag{Name: "slice-size", Value: int(uploader.DefaultSliceSize), Usage: "slice size: 524288, 1048576, 2097152 or 3145728"},
		&cli.IntFlag{Name: "concurrency", Value: uploader.DefaultConcurrency, Usage: "slices in flight per file"},
		&cli.BoolFlag{Name: "uploadparts", Usage: "hash the file before a slice upload and send sha and uploadparts at init: no upload when the service has the bytes"},
	}, treeFlags()...)
}

// checkSliceSize refuses a --slice-size the service does not take, before
// any file is sent.
func checkSliceSize(cmd *cli.Command) error {
	if !cosv2.ValidSliceSize(int64(cmd.Int("slice-size"))) {
		return usagef("--slice-size %d is not one of %v", cmd.Int("slice-size"), cosv2.SliceSizes())
	}
	return nil
}

func putCmd() *cli.Command {
	return &cli.Command{Name: "put", Usage: "upload files (slices above 20 MB; - reads stdin); resumes an interrupted upload", ArgsUsage: "LOCAL... REMOTE",
		Description: "A REMOTE ending in / or naming an existing directory receives each LOCAL under its own name.",
		Flags:       putFlags(),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := atLeast(cmd, 2, "LOCAL... REMOTE")
			if err != nil {
				return err
			}
			if err := checkSliceSize(cmd); err != nil {
				return err
			}
			srcs, dst := a[:len(a)-1], a[len(a)-1]
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if len(srcs) == 1 && !cmd.Bool("recursive") {
				target := dst
				if srcs[0] != "-" {
					if target, err = remoteTarget(ctx, c, dst, filepath.Base(srcs[0])); err != nil {
						return err
					}
				}
				if _, err := cosv2.FilePath(target); err != nil {
					return err
				}
				n, err := uploadFile(ctx, cmd, c, srcs[0], target, true)
				if err != nil {
					return err
				}
				return emit(cmd, map[string]any{"path": target, "size": n}, fmt.Sprintf("uploaded %s (%d bytes)", target, n))
			}
			return putTree(ctx, cmd, c, srcs, dst)
		}}
}

// putTree uploads several sources, files or (with -r) directories, into the
// directory dst, made when missing.
func putTree(ctx context.Context, cmd *cli.Command, c *cosv2.Client, srcs []string, dst string) error {
	dst = strings.TrimSuffix(dst, "/") + "/"
	if dst == "/" {
		dst = ""
	}
	existed, err := remoteDir(ctx, c, dst)
	if err != nil {
		return err
	}
	if !existed {
		if err := mkdirAll(ctx, c, dst); err != nil {
			return err
		}
	}
	b := newBatch(cmd, "put")
	keep := filter(cmd)
	for _, src := range srcs {
		st, err := os.Stat(src)
		if err != nil {
			b.failed(src, err)
			continue
		}
		if !st.IsDir() {
			if keep(filepath.Base(src)) {
				target := dst + filepath.Base(src)
				b.goFile(ctx, src, func() (int64, error) { return putOne(ctx, cmd, c, src, target) })
			}
			continue
		}
		if !cmd.Bool("recursive") {
			b.failed(src, usagef("is a directory (put -r uploads a tree)"))
			continue
		}
		// cp -r: into an existing directory the tree goes under its own
		// name; a new one becomes the copy (one source).
		root := dst
		if existed || len(srcs) > 1 {
			root = dst + localName(src) + "/"
			if err := mkdirAll(ctx, c, root); err != nil {
				b.failed(src, err)
				continue
			}
		} else {
			b.resumeWith(dst+localName(src)+"/", "sync", src, dst)
		}
		err = walkLocal(ctx, b, src, keep, func(p, rel string) error {
			if err := c.MakeDir(ctx, root+rel); err != nil && !isExists(err) {
				b.failed(p, err)
				return filepath.SkipDir
			}
			return nil
		}, func(p, rel string) {
			target := root + rel
			b.goFile(ctx, p, func() (int64, error) { return putOne(ctx, cmd, c, p, target) })
		}, nil)
		if err != nil && ctx.Err() == nil {
			b.failed(src, err)
		}
	}
	return b.done(ctx)
}

func putOne(ctx context.Context, cmd *cli.Command, c *cosv2.Client, local, remote string) (int64, error) {
	n, err := uploadFile(ctx, cmd, c, local, remote, false)
	if err == nil {
		line(cmd, map[string]any{"put": local, "path": remote, "size": n}, local+" -> "+remote)
	}
	return n, err
}

func isExists(err error) bool { return err != nil && errors.Is(err, cosv2.ErrPathConflict) }
