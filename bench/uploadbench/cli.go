package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/cosv2/cosv2/uploader"
)

// cliVsDrain times `cosv2 put` of a file of size bytes to `cosv2 serve
// --memory` in another process, the product as a person runs it, against the
// uploader in this process to the draining server in the same run, and
// prints the ratio (issue 14's target: at least 0.7). It also prints the CPU
// seconds of both processes: `cosv2 put` hashes every byte, and so does the
// server, which the draining server does not; the best ratio these cores
// leave is the uploader's time against the two processes' CPU time spread
// over every core.
func cliVsDrain(bin string, sizes string, runs int, opts []uploader.Option) {
	fmt.Printf("\ncosv2 put to cosv2 serve --memory in another process vs the uploader to the draining server (target >= 0.70)\n")
	fmt.Printf("%-6s %9s %9s %6s | %19s | %s\n", "size", "put MB/s", "uploader", "ratio", "CPU s: put serve", "est. best ratio on these cores")
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
		url, pid, stop := serveChild(bin)
		i := 0
		var putCPU, serveCPU, bestWall time.Duration
		put := fastest(runs, func() run {
			i++
			args := []string{"--endpoint", url, "--appid", "1250000000", "--bucket", "bench", "--secret-id", "AKIDbench",
				"--secret-key", "bench-key", "put", file, fmt.Sprintf("/put-%d", i)}
			cmd := exec.Command(bin, args...) //nolint:gosec // the binary named by -cli
			cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
			s0, t0 := processCPU(pid), time.Now()
			if err := cmd.Run(); err != nil {
				panic(err)
			}
			r := run{wall: time.Since(t0), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
			if i == 1 || r.wall < bestWall { // the CPU of the run kept
				bestWall, putCPU, serveCPU = r.wall, r.cpu, processCPU(pid)-s0
			}
			return r
		})
		stop()
		durl, dstop := listen(newDrainCOS())
		up := fastest(runs, func() run { return upload(durl, size, opts...) })
		dstop()
		best := min(1, up.wall.Seconds()*float64(runtime.NumCPU())/(putCPU+serveCPU).Seconds())
		fmt.Printf("%-6s %9.1f %9.1f %6.2f | %9.2f %9.2f | %.2f\n", s, mbps(size, put), mbps(size, up), mbps(size, put)/mbps(size, up),
			putCPU.Seconds(), serveCPU.Seconds(), best)
		_ = os.Remove(file)
	}
}

// processCPU is the user and system time process pid has used, from
// /proc/<pid>/stat (clock ticks of 1/100 s on Linux).
func processCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		panic(err)
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64) // fields 14 and 15 of the line
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// serveChild starts `cosv2 serve --memory` on a free port and returns its
// URL, its process id and a func that stops it.
func serveChild(bin string) (string, int, func()) {
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
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), cmd.Process.Pid, func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
}
