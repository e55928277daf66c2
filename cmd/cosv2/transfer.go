package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// bar returns a progress bar on stderr when stdout is a terminal and output
// is for people, else nil.
func bar(cmd *cli.Command, size int64, what string) *progressbar.ProgressBar {
	f, ok := cmd.Root().Writer.(*os.File)
	if cmd.Bool("json") || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(size, progressbar.OptionSetDescription(what), progressbar.OptionShowBytes(true),
		progressbar.OptionSetWriter(cmd.Root().ErrWriter), progressbar.OptionClearOnFinish())
}

func putCmd() *cli.Command {
	return &cli.Command{Name: "put", Usage: "upload a local file (slices above 20 MB)", ArgsUsage: "LOCAL REMOTE",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "overwrite", Usage: "replace an existing file"},
			&cli.StringFlag{Name: "attr", Usage: "the file's biz_attr"},
			&cli.IntFlag{Name: "slice-size", Value: int(uploader.DefaultSliceSize), Usage: "slice size: 524288, 1048576, 2097152 or 3145728"},
			&cli.IntFlag{Name: "concurrency", Value: uploader.DefaultConcurrency, Usage: "slices in flight"},
			&cli.BoolFlag{Name: "uploadparts", Usage: "hash the file before a slice upload and send sha and uploadparts at init: no upload when the service has the bytes"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := args(cmd, 2, "LOCAL REMOTE")
			if err != nil {
				return err
			}
			if !cosv2.ValidSliceSize(int64(cmd.Int("slice-size"))) {
				return usagef("--slice-size %d is not one of %v", cmd.Int("slice-size"), cosv2.SliceSizes())
			}
			if _, err := cosv2.FilePath(a[1]); err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			f, err := os.Open(a[0])
			if err != nil {
				return err
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			opts := []uploader.Option{uploader.WithSliceSize(int64(cmd.Int("slice-size"))),
				uploader.WithConcurrency(cmd.Int("concurrency"))}
			if cmd.Bool("overwrite") {
				opts = append(opts, uploader.WithOverwrite())
			}
			if attr := cmd.String("attr"); attr != "" {
				opts = append(opts, uploader.WithBizAttr(attr))
			}
			if cmd.Bool("uploadparts") {
				opts = append(opts, uploader.WithUploadParts())
			}
			if b := bar(cmd, st.Size(), "put"); b != nil {
				opts = append(opts, uploader.WithProgress(func(p uploader.Progress) { _ = b.Set64(p.BytesDone) }))
				defer func() { _ = b.Finish() }()
			}
			obj, err := uploader.Upload(ctx, c, a[1], f, st.Size(), opts...)
			if err != nil {
				return err
			}
			return emit(cmd, map[string]any{"path": a[1], "size": st.Size(), "source_url": obj.SourceURL, "resource_path": obj.ResourcePath},
				fmt.Sprintf("uploaded %s (%d bytes)", a[1], st.Size()))
		}}
}

func getCmd() *cli.Command {
	return &cli.Command{Name: "get", Usage: "download a file", ArgsUsage: "REMOTE LOCAL",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := args(cmd, 2, "REMOTE LOCAL")
			if err != nil {
				return err
			}
			if _, err := cosv2.FilePath(a[0]); err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			// A temp file beside the target, renamed on success: a failed
			// download leaves nothing half-written.
			tmp, err := os.CreateTemp(filepath.Dir(a[1]), "."+filepath.Base(a[1])+".*.part")
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name())
			var opts []uploader.DownloadOption
			if st, err := c.Stat(ctx, a[0]); err == nil {
				if b := bar(cmd, st.Size, "get"); b != nil {
					opts = append(opts, uploader.WithProgress(func(p uploader.Progress) { _ = b.Set64(p.BytesDone) }))
					defer func() { _ = b.Finish() }()
				}
			}
			// Ranged GETs in parallel, each written at its offset.
			n, err := uploader.Download(ctx, c, a[0], tmp, opts...)
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := os.Rename(tmp.Name(), a[1]); err != nil {
				return err
			}
			return emit(cmd, map[string]any{"path": a[0], "local": a[1], "size": n}, fmt.Sprintf("downloaded %s to %s (%d bytes)", a[0], a[1], n))
		}}
}
