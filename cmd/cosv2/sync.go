package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
)

func syncCmd() *cli.Command {
	return &cli.Command{Name: "sync", Usage: "make a remote directory like a local one, or back: only files whose size or SHA-1 differ go",
		ArgsUsage: "LOCAL REMOTE/ | REMOTE/ LOCAL",
		Description: "The direction is from an existing local directory to the remote one, else from the remote to the local one;\n" +
			"cos:PATH marks the remote side when a local directory has the remote one's name.\n" +
			"Files are compared by size, then SHA-1 (the listing's against a hash of the local file, every time: nothing is cached).",
		Flags: append(syncPutFlags(),
			&cli.BoolFlag{Name: "delete", Usage: "also remove what the source does not have"},
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print what would change, change nothing"},
		),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := args(cmd, 2, "LOCAL REMOTE/ or REMOTE/ LOCAL")
			if err != nil {
				return err
			}
			src, srcRemote := strings.CutPrefix(a[0], "cos:")
			dst, dstRemote := strings.CutPrefix(a[1], "cos:")
			if srcRemote && dstRemote {
				return usagef("sync goes between a local and a remote directory")
			}
			up := dstRemote
			if !srcRemote && !dstRemote {
				st, err := os.Stat(src)
				up = err == nil && st.IsDir()
			}
			if up {
				err = checkSliceSize(cmd)
			} else {
				err = refuseUploadOnly(cmd, a[0], a[1])
			}
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if up {
				return syncUp(ctx, cmd, c, src, dst)
			}
			return syncDown(ctx, cmd, c, src, dst)
		}}
}

// uploadOnly are put's flags that only an upload uses; the help lists
// them apart, and a sync down refuses them.
var uploadOnly = []string{"attr", "slice-size", "concurrency", "uploadparts"}

// uploadCategory is the heading of the upload-only flags in sync's help.
const uploadCategory = "for an upload only (sync LOCAL REMOTE/); a download refuses them:"

// syncPutFlags are put's flags, with --overwrite and --recursive hidden:
// sync always replaces what differs and always takes whole directories, so
// they change nothing, and are taken only so that old command lines still run.
func syncPutFlags() []cli.Flag {
	flags := putFlags()
	for _, f := range flags {
		if b, ok := f.(*cli.BoolFlag); ok && (b.Name == "overwrite" || b.Name == "recursive") {
			b.Hidden = true
		}
		if c, ok := f.(interface{ SetCategory(string) }); ok && slices.Contains(uploadOnly, f.Names()[0]) {
			c.SetCategory(uploadCategory)
		}
	}
	return flags
}

// refuseUploadOnly is the error of a sync down given flags only an upload
// uses: they would change nothing, unsaid.
func refuseUploadOnly(cmd *cli.Command, src, dst string) error {
	var set []string
	for _, f := range uploadOnly {
		if cmd.IsSet(f) {
			set = append(set, "--"+f)
		}
	}
	if len(set) == 0 {
		return nil
	}
	return usagef("sync %s %s downloads (remote to local); an upload only (sync LOCAL REMOTE/) takes %s",
		src, dst, strings.Join(set, ", "))
}

// sameFile reports whether the local file has this size and SHA-1.
func sameFile(local string, size int64, sha string) bool {
	st, err := os.Stat(local)
	if err != nil || !st.Mode().IsRegular() || st.Size() != size || sha == "" {
		return false
	}
	f, err := os.Open(local)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return strings.EqualFold(hex.EncodeToString(h.Sum(nil)), sha)
}

func syncUp(ctx context.Context, cmd *cli.Command, c *cosv2.Client, local, remote string) error {
	// A file would be walked as a tree of nothing, and --delete would then
	// remove every remote file.
	if st, err := os.Stat(local); err == nil && !st.IsDir() {
		return usagef("sync %s: not a directory (put uploads a file)", local)
	}
	root := strings.TrimSuffix(remote, "/") + "/"
	if root == "/" {
		root = ""
	}
	have := map[string]cosv2.Entry{}
	exists, err := remoteDir(ctx, c, root)
	if err != nil {
		return err
	}
	dry := cmd.Bool("dry-run")
	if exists {
		for e, err := range walkRemote(ctx, c, root) {
			if err != nil {
				return err
			}
			have[e.rel] = e.Entry
		}
	} else if !dry {
		if err := mkdirAll(ctx, c, root); err != nil {
			return err
		}
	}
	keep := filter(cmd)
	seen := map[string]bool{}
	b := newBatch(cmd, "sync")
	err = walkLocal(ctx, b, local, keep, func(p, rel string) error {
		seen[rel] = true
		if _, ok := have[rel]; ok {
			return nil
		}
		if dry {
			line(cmd, map[string]string{"mkdir": root + rel}, "would mkdir "+root+rel)
			return nil
		}
		if err := c.MakeDir(ctx, root+rel); err != nil && !isExists(err) {
			b.failed(p, err)
			return filepath.SkipDir
		}
		return nil
	}, func(p, rel string) {
		seen[rel] = true
		r, ok := have[rel]
		b.goFile(ctx, p, func() (int64, error) {
			if ok && sameFile(p, r.Size, r.SHA1) {
				return unchanged, nil
			}
			if dry {
				line(cmd, map[string]string{"put": p, "path": root + rel}, "would put "+p+" -> "+root+rel)
				return 0, nil
			}
			return putOne(ctx, cmd, c, p, root+rel)
		})
	}, func(rel string) { seen[rel] = true })
	if err != nil && ctx.Err() == nil {
		b.failed(local, err)
	}
	b.wg.Wait()
	if cmd.Bool("delete") && b.fail.Load() == 0 {
		var files, dirs []string
		for rel, e := range have {
			// With filters, only the files they select go: every directory stays.
			if seen[rel] || (!e.IsDir && !keep(rel)) || (e.IsDir && filtered(cmd)) {
				continue
			}
			if e.IsDir {
				dirs = append(dirs, rel)
			} else {
				files = append(files, rel)
			}
		}
		sort.Strings(files)
		for _, rel := range files {
			b.goFile(ctx, root+rel, func() (int64, error) {
				if dry {
					line(cmd, map[string]string{"rm": root + rel}, "would rm "+root+rel)
					return 0, nil
				}
				if err := c.Remove(ctx, root+rel); err != nil {
					return 0, err
				}
				line(cmd, map[string]string{"removed": root + rel}, "removed "+root+rel)
				return 0, nil
			})
		}
		b.wg.Wait()
		sort.Slice(dirs, func(i, j int) bool { return strings.Count(dirs[i], "/") > strings.Count(dirs[j], "/") })
		for _, rel := range dirs {
			if dry {
				line(cmd, map[string]string{"rmdir": root + rel}, "would rmdir "+root+rel)
				continue
			}
			if err := c.RemoveDir(ctx, root+rel); err != nil && !cosv2.IsNotExist(err) {
				b.failed(root+rel, err)
			}
		}
	}
	return b.done(ctx)
}

func syncDown(ctx context.Context, cmd *cli.Command, c *cosv2.Client, remote, local string) error {
	if err := refuseGlob(ctx, c, remote, local); err != nil {
		return err
	}
	root := strings.TrimSuffix(remote, "/") + "/"
	dry := cmd.Bool("dry-run")
	if !dry {
		if err := os.MkdirAll(local, 0o777); err != nil {
			return err
		}
	}
	keep := filter(cmd)
	seen := map[string]bool{}
	b := newBatch(cmd, "sync")
	for e, err := range walkRemote(ctx, c, root) {
		if err != nil {
			return err
		}
		p := filepath.Join(local, filepath.FromSlash(e.rel))
		seen[filepath.Clean(p)] = true
		if e.IsDir {
			if !dry {
				if err := os.MkdirAll(p, 0o777); err != nil {
					b.failed(p, err)
				}
			}
			continue
		}
		if !keep(e.rel) {
			continue
		}
		r, rel := e.Entry, e.rel
		b.goFile(ctx, root+rel, func() (int64, error) {
			if sameFile(p, r.Size, r.SHA1) {
				return unchanged, nil
			}
			if dry {
				line(cmd, map[string]string{"get": root + rel, "local": p}, "would get "+root+rel+" -> "+p)
				return 0, nil
			}
			return getOne(ctx, cmd, c, root+rel, p)
		})
	}
	b.wg.Wait()
	if cmd.Bool("delete") && b.fail.Load() == 0 {
		var gone []string
		// Through a link named as the destination too, or nothing is removed.
		_ = filepath.WalkDir(followedRoot(local), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				b.failed(p, err)
				return nil //nolint:nilerr // reported; the rest of the walk goes on
			}
			if filepath.Clean(p) == filepath.Clean(local) {
				return nil
			}
			rel, _ := filepath.Rel(local, p)
			if seen[filepath.Clean(p)] {
				return nil
			}
			switch {
			case d.IsDir() && !filtered(cmd):
				gone = append(gone, p) // all of it: nothing below is on the remote side
				return filepath.SkipDir
			case !d.IsDir() && keep(filepath.ToSlash(rel)):
				// With filters, a directory stays and only the files they select
				// below it go.
				gone = append(gone, p)
			}
			return nil
		})
		for _, p := range gone {
			if dry {
				line(cmd, map[string]string{"rm": p}, "would rm "+p)
				continue
			}
			if err := os.RemoveAll(p); err != nil {
				b.failed(p, err)
			} else {
				line(cmd, map[string]string{"removed": p}, "removed "+p)
			}
		}
	}
	return b.done(ctx)
}

// refuseGlob refuses a remote source with a glob in its last element that
// is no directory's name: sync mirrors directories (as aws s3 sync and
// rclone sync do), and --include is how it takes some of their files.
func refuseGlob(ctx context.Context, c *cosv2.Client, remote, local string) error {
	if !hasGlob(remote) {
		return nil
	}
	if isDir, err := remoteDir(ctx, c, remote); err != nil || isDir {
		return err
	}
	dir, pat := path.Split(strings.TrimSuffix(remote, "/"))
	if dir == "" {
		dir = "/"
	}
	// cos: marks the remote side: without it, a local directory of that
	// name would make the command an upload.
	return usagef("sync takes directories, and %s is a glob: sync cos:%s %s --include '%s' selects files by that name", remote, dir, local, pat)
}
