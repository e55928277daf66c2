package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cosv2/cosv2/uploader"
)

// cliVsDrain times `cosv2 put` of a file of size bytes to `cosv2 serve
// --memory` in another process, the product as a person runs it, against the
// uploader in this process to the draining server in the same run, and
// prints the ratio (issue 14's target: at least 0.7).
func cliVsDrain(bin string, sizes string, runs int, opts []uploader.Option) {
	fmt.Printf("\ncosv2 put to cosv2 serve --memory in another process vs the uploader to the draining server (target >= 0.70)\n")
	fmt.Printf("%-6s %9s %9s %6s\n", "size", "put MB/s", "uploader", "ratio")
	dir, err := os.MkdirTemp("", "cosv2-clibench-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	for _, s := range strings.Split(sizes, ",") {
		size := parseSize(s)
		file := filepath.Join(dir, "file")
		f, err := os.Create(file) //nolint:gosec // a file of this run's own temp dir
		if err != nil {
			panic(err)
		}
		if _, err := io.Copy(f, io.NewSectionReader(source{size}, 0, size)); err != nil {
			panic(err)
		}
		_ = f.Close()
		url, stop := serveChild(bin)
		i := 0
		put := fastest(runs, func() run {
			i++
			args := []string{"--endpoint", url, "--appid", "1250000000", "--bucket", "bench", "--secret-id", "AKIDbench",
				"--secret-key", "bench-key", "put", file, fmt.Sprintf("/put-%d", i)}
			cmd := exec.Command(bin, args...) //nolint:gosec // the binary named by -cli
			cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
			t0 := time.Now()
			if err := cmd.Run(); err != nil {
				panic(err)
			}
			return run{wall: time.Since(t0)}
		})
		stop()
		durl, dstop := listen(newDrainCOS())
		up := fastest(runs, func() run { return upload(durl, size, opts...) })
		dstop()
		fmt.Printf("%-6s %9.1f %9.1f %6.2f\n", s, mbps(size, put), mbps(size, up), mbps(size, put)/mbps(size, up))
		_ = os.Remove(file)
	}
}

// serveChild starts `cosv2 serve --memory` on a free port and returns its URL
// and a func that stops it.
func serveChild(bin string) (string, func()) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--memory", "--appid", "1250000000", "--bucket", "bench",
		"--secret-id", "AKIDbench", "--secret-key", "bench-key")
	out, err := cmd.StdoutPipe()
	if err != nil {
		panic(err)
	}
	cmd.Stderr = io.Discard // its log: a line per request
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		panic(err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
}
