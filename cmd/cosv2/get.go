package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/uploader"
)

// partChunk is the size of one ranged GET of a download, and the unit a
// partial download is resumed in.
const partChunk = uploader.DownloadChunk

// partState is what the file beside a partial download records: the
// version it is of (the object's SHA-1, its ETag) and the chunks written.
type partState struct {
	SHA1  string         `json:"sha1"`
	Size  int64          `json:"size"`
	Chunk int64          `json:"chunk"`
	Done  map[int64]bool `json:"done"`
	mu    sync.Mutex
}

// downloadFile writes remote to local through a partial file beside it
// (.NAME.cosv2-part), renamed on success, so a failed download leaves
// nothing half-written at local and the file gets the usual 0666 less umask.
// The partial file stays when the download is interrupted or the network
// fails (not when the object proves gone or changed), with a record of
// the chunks written (.NAME.cosv2-part.json): the next get of the same
// object, checked by its SHA-1 (the ETag the GETs are pinned to), fetches
// only the rest. A record of another version starts afresh.
func downloadFile(ctx context.Context, cmd *cli.Command, c *cosv2.Client, remote, local string, progress bool) (int64, error) {
	st, err := c.Stat(ctx, remote)
	if err != nil {
		return 0, err
	}
	part := filepath.Join(filepath.Dir(local), "."+filepath.Base(local)+".cosv2-part")
	record := part + ".json"
	state := &partState{SHA1: st.SHA1, Size: st.Size, Chunk: partChunk, Done: map[int64]bool{}}
	if old := readRecord(record, part, st); old != nil {
		state.Done = old
	}
	resumed := len(state.Done) > 0
	flags := os.O_RDWR | os.O_CREATE
	if !resumed {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(part, flags, 0o666)
	if err != nil {
		return 0, err
	}
	// Chunks finish on several goroutines: one record write at a time, each
	// whole (a new file renamed over the old), or a crash could leave a
	// record that does not parse.
	save := func() error {
		state.mu.Lock()
		defer state.mu.Unlock()
		raw, err := json.Marshal(state)
		if err != nil {
			return err
		}
		if err := os.WriteFile(record+".tmp", raw, 0o600); err != nil {
			return err
		}
		return os.Rename(record+".tmp", record)
	}
	var x *xfer
	if progress {
		x = newXfer(cmd, st.Size, "get")
		defer x.finish()
	}
	opts := []uploader.DownloadOption{uploader.WithFileInfo(st), uploader.WithChunkSize(partChunk),
		uploader.WithResume(func(off int64) bool { return state.Done[off] }, func(off, _ int64) error {
			state.mu.Lock()
			state.Done[off] = true
			state.mu.Unlock()
			return save()
		})}
	if x != nil {
		opts = append(opts, uploader.WithProgress(x.update))
	}
	_, err = uploader.Download(ctx, c, remote, f, opts...)
	if err == nil {
		err = f.Truncate(st.Size) // a partial file longer than the object keeps nothing past its end
	}
	if err == nil && resumed {
		// The chunks written before came from the partial file as it is now:
		// the whole must be the object's bytes.
		err = hashIs(f, st.SHA1, local)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		interrupted := ctx.Err() != nil || errors.Is(err, context.Canceled)
		if !interrupted && partUseless(err) {
			_ = os.Remove(part)
			_ = os.Remove(record)
			return 0, err
		}
		if !interrupted && len(state.Done) > 0 {
			// The network, the service or the local disk failed: what was
			// written stays.
			note(cmd, "cosv2: what was downloaded of %s is kept: run the same command again to resume", remote)
		}
		return 0, err
	}
	if err := os.Rename(part, local); err != nil {
		return 0, err
	}
	_ = os.Remove(record)
	return st.Size, nil
}

// readRecord returns the chunks the record of an interrupted get says are
// written, or nil to start afresh: no record, one of another version or
// chunk size, or a partial file that is gone or shorter than those chunks.
func readRecord(record, part string, st *cosv2.FileInfo) map[int64]bool {
	raw, err := os.ReadFile(record)
	if err != nil {
		return nil
	}
	var old partState
	if json.Unmarshal(raw, &old) != nil || st.SHA1 == "" || old.SHA1 != st.SHA1 || old.Size != st.Size || old.Chunk != partChunk {
		return nil
	}
	var end int64
	for off := range old.Done {
		if off < 0 || off >= st.Size || off%partChunk != 0 {
			return nil
		}
		end = max(end, min(off+partChunk, st.Size))
	}
	fi, err := os.Stat(part)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < end {
		return nil
	}
	return old.Done
}

// partUseless reports whether a get that failed with err can never resume
// from its partial file: the service answered about the object (it is gone,
// refused, another version, an answer that cannot be used) or the resumed
// bytes proved wrong. A network failure, a busy service or a local failure
// (a full disk) keeps the file for the next run.
func partUseless(err error) bool {
	var api *cosv2.APIError
	if errors.As(err, &api) {
		// A busy or failing service (5xx, 429, a code it marks retryable)
		// said nothing about the object.
		return api.HTTPStatus < 500 && api.HTTPStatus != http.StatusTooManyRequests && !coserr.IsRetryable(err)
	}
	return errors.Is(err, cosv2.ErrObjectChanged) || errors.Is(err, cosv2.ErrBadAnswer) || errors.Is(err, errResumedChanged)
}

// errResumedChanged is the error of a resumed download whose bytes do not
// hash to the object's SHA-1.
var errResumedChanged = errors.New("its partial file was changed")

// hashIs checks that f's bytes have SHA-1 sha, the object's.
func hashIs(f *os.File, sha, local string) error {
	h := sha1.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, math.MaxInt64)); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, sha) {
		return fmt.Errorf("%s: the resumed download hashes to %s, not the object's %s (%w): "+
			"run the same command again to download it afresh", local, got, sha, errResumedChanged)
	}
	return nil
}

func getCmd() *cli.Command {
	return &cli.Command{Name: "get", Usage: "download files (- writes to stdout)", ArgsUsage: "REMOTE... LOCAL",
		Description: "A LOCAL ending in / or naming an existing directory receives each REMOTE under its own name; REMOTE may end in a glob (docs/*.txt).\n" +
			"LOCAL - writes the files to stdout one after the other, as cat.",
		Flags: treeFlags(),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := atLeast(cmd, 2, "REMOTE... LOCAL")
			if err != nil {
				return err
			}
			srcs, dst := a[:len(a)-1], a[len(a)-1]
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if dst == "-" {
				return getToStdout(ctx, cmd, c, srcs)
			}
			if len(srcs) == 1 && !cmd.Bool("recursive") && oneName(ctx, c, srcs[0]) {
				if _, err := cosv2.FilePath(srcs[0]); err != nil {
					return err
				}
				local, err := localTarget(dst, path.Base(srcs[0]))
				if err != nil {
					return err
				}
				n, err := downloadFile(ctx, cmd, c, srcs[0], local, true)
				if err != nil {
					return err
				}
				return emit(cmd, map[string]any{"path": srcs[0], "local": local, "size": n}, fmt.Sprintf("downloaded %s to %s (%d bytes)", srcs[0], local, n))
			}
			return getTree(ctx, cmd, c, srcs, dst)
		}}
}

// localName is the name of a local directory as put -r names its copy:
// the last element of its absolute path, so "." and ".." are named too.
func localName(src string) string {
	if abs, err := filepath.Abs(src); err == nil {
		return filepath.Base(abs)
	}
	return filepath.Base(filepath.Clean(src))
}

func getTree(ctx context.Context, cmd *cli.Command, c *cosv2.Client, srcs []string, dst string) error {
	_, statErr := os.Stat(dst)
	existed := statErr == nil
	if err := os.MkdirAll(dst, 0o777); err != nil {
		return err
	}
	b := newBatch(cmd, "get")
	keep := filter(cmd)
	all := expandAll(ctx, c, b, srcs)
	// Two sources with one name would write one local file (and its partial
	// file) at once: the later one fails, as cp refuses to overwrite a file
	// it just created.
	claimed := map[string]string{}
	get := func(remote, local string) {
		if first, ok := claimed[local]; ok {
			b.failed(remote, fmt.Errorf("will not overwrite %s, just downloaded from %s", local, first))
			return
		}
		claimed[local] = remote
		b.goFile(ctx, remote, func() (int64, error) { return getOne(ctx, cmd, c, remote, local) })
	}
	for _, src := range all {
		isDir := strings.HasSuffix(src, "/")
		if !isDir {
			d, err := remoteDir(ctx, c, src)
			if err != nil {
				b.failed(src, err)
				continue
			}
			isDir = d
		}
		if !isDir && strings.HasSuffix(src, "/") {
			b.failed(src, errors.New("no such directory"))
			continue
		}
		if !isDir {
			if keep(path.Base(src)) {
				get(src, filepath.Join(dst, path.Base(src)))
			}
			continue
		}
		if !cmd.Bool("recursive") {
			b.failed(src, usagef("is a directory (get -r downloads a tree)"))
			continue
		}
		root := dst
		if existed || len(all) > 1 {
			root = filepath.Join(dst, path.Base(strings.TrimSuffix(src, "/")))
		} else {
			b.resumeWith(filepath.Join(dst, path.Base(strings.TrimSuffix(src, "/"))), "sync", "cos:"+src, dst)
		}
		if err := os.MkdirAll(root, 0o777); err != nil {
			b.failed(src, err)
			continue
		}
		for e, err := range walkRemote(ctx, c, src) {
			if err != nil {
				b.failed(src+e.rel, err)
				break
			}
			local := filepath.Join(root, filepath.FromSlash(e.rel))
			if e.IsDir {
				if err := os.MkdirAll(local, 0o777); err != nil {
					b.failed(local, err)
				}
				continue
			}
			if !keep(e.rel) {
				continue
			}
			get(strings.TrimSuffix(src, "/")+"/"+e.rel, local)
		}
	}
	return b.done(ctx)
}

func getOne(ctx context.Context, cmd *cli.Command, c *cosv2.Client, remote, local string) (int64, error) {
	n, err := downloadFile(ctx, cmd, c, remote, local, false)
	if err == nil {
		line(cmd, map[string]any{"get": remote, "local": local, "size": n}, remote+" -> "+local)
	}
	return n, err
}

func catCmd() *cli.Command {
	return &cli.Command{Name: "cat", Usage: "write files to stdout", ArgsUsage: "REMOTE...",
		Description: "REMOTE may end in a glob (docs/*.txt): the files it matches are written in the listing's order.",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := atLeast(cmd, 1, "REMOTE...")
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			return catFiles(ctx, cmd, c, "cat", a, nil)
		}}
}

// getToStdout is get REMOTE... -: what cat REMOTE... writes.
func getToStdout(ctx context.Context, cmd *cli.Command, c *cosv2.Client, srcs []string) error {
	if cmd.Bool("recursive") {
		return usagef("get -r ... - : a tree does not go to stdout (get -r REMOTE/ LOCAL downloads it)")
	}
	return catFiles(ctx, cmd, c, "get", srcs, filter(cmd))
}

// catFiles writes the files the sources name, globs expanded (in the
// listing's order, by name), to stdout one after the other; with keep, only
// those whose name it keeps, as get to a directory takes them. A source that
// matches nothing stops it before anything is written. As cat(1): a file
// that fails (a directory among them) is reported and the others written;
// a summary ends it then.
func catFiles(ctx context.Context, cmd *cli.Command, c *cosv2.Client, verb string, srcs []string, keep func(name string) bool) error {
	var files []string
	for _, s := range srcs {
		got, err := expandRemote(ctx, c, s)
		if err != nil {
			return err
		}
		files = append(files, got...)
	}
	if keep != nil {
		files = slices.DeleteFunc(files, func(p string) bool {
			return !strings.HasSuffix(p, "/") && !keep(path.Base(p))
		})
	}
	b := newBatch(cmd, verb)
	for _, p := range files {
		var n int64
		var err error
		if strings.HasSuffix(p, "/") && len(files) > 1 {
			// A glob's match; one directory alone gets the API's own refusal.
			err = errors.New("is a directory")
		} else {
			n, err = c.Download(ctx, p, cmd.Root().Writer)
		}
		if err != nil && (ctx.Err() != nil || len(files) == 1) {
			return err
		}
		b.result(p, n, err) // the summary counts the files written too
	}
	if b.fail.Load() > 0 {
		return b.done(ctx)
	}
	return nil
}
