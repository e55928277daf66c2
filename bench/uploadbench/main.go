// Command uploadbench measures package uploader on loopback against
// baselines measured in the same run, and prints tables of MB/s and ratios
// (bench/upload.sh runs it):
//
//   - ceiling: the same bytes POSTed by a minimal Go client, in bodies of a
//     slice each with as many in flight, to a server that only drains them;
//     the uploader is timed against a server that drains too but speaks the
//     slice protocol (drainCOS), so the ratio is what the uploader costs;
//   - serial: a naive slice upload, one slice at a time, against the uploader
//     with its defaults, both to the local server (package server, a fresh
//     store for each run);
//   - peak RSS (VmHWM) of a child process uploading each -rss size to a
//     disk-backed local server in this process, so the server's memory does
//     not count.
//
// Client and servers share this process and the machine's cores, so each
// timed run also reports the CPU time it took: the uploader must hash every
// byte (SHA-1), which the ceiling does not, and the table prints the best
// ratio that leaves possible when the cores are the limit.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/cosv2/cosv2/uploader"
)

func parseSize(s string) int64 {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "GB"):
		mult, s = 1<<30, strings.TrimSuffix(s, "GB")
	case strings.HasSuffix(s, "MB"):
		mult, s = 1<<20, strings.TrimSuffix(s, "MB")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic("bad size " + s)
	}
	return n * mult
}

// fastest runs f n times and keeps the fastest run: the others were slowed
// by something other than what is measured (the collector, the scheduler).
func fastest(n int, f func() run) run {
	best := f()
	for range n - 1 {
		if r := f(); r.wall < best.wall {
			best = r
		}
	}
	return best
}

func mbps(size int64, r run) float64 { return float64(size) / (1 << 20) / r.wall.Seconds() }

// peakRSS runs a child process (this program with -child and the flags of
// this run) that uploads size bytes, and returns the peak RSS it reports.
func peakRSS(size int64) string {
	url, stop := localServer(true)
	defer stop()
	args := []string{"-child", strconv.FormatInt(size, 10), "-server", url}
	flag.Visit(func(f *flag.Flag) { args = append(args, "-"+f.Name+"="+f.Value.String()) })
	cmd := exec.Command(os.Args[0], args...) //nolint:gosec // this very binary, in its child role
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(out))
}

func child(size int64, url string, opts []uploader.Option) {
	upload(url, size, opts...)
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			fmt.Println(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")))
		}
	}
}

func main() {
	sizes := flag.String("sizes", "256MB,1GB", "file sizes to time")
	disk := flag.Bool("disk", false, "a disk-backed local server instead of an in-memory one")
	conc := flag.Int("concurrency", uploader.DefaultConcurrency, "the uploader's slices in flight")
	slice := flag.Int64("slice", uploader.DefaultSliceSize, "the uploader's slice size")
	parts := flag.Bool("parts", false, "WithUploadParts: hash in a pass before the init and send uploadparts")
	rss := flag.String("rss", "1GB,4GB", "file sizes to measure peak RSS for (empty: none)")
	runs := flag.Int("runs", 3, "time each transfer this many times and keep the fastest")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the timed runs to this file")
	childSize := flag.Int64("child", 0, "internal: upload this many bytes and print VmHWM")
	serverURL := flag.String("server", "", "internal: the server of -child")
	cli := flag.String("cli", "", "a cosv2 binary: also time `cosv2 put` to `cosv2 serve --memory` in other processes")
	flag.Parse()
	opts := []uploader.Option{uploader.WithConcurrency(*conc), uploader.WithSliceSize(*slice)}
	mode := "SHA-1 alongside the slices (default)"
	if *parts {
		opts, mode = append(opts, uploader.WithUploadParts()), "SHA-1 and uploadparts in a pass before the init"
	}
	if *childSize > 0 {
		child(*childSize, *serverURL, opts)
		return
	}
	store := "in memory"
	if *disk {
		store = "on disk"
	}
	fmt.Printf("uploader: %d KB slices, %d in flight, %s; %d CPUs, client and servers in one process\n",
		*slice>>10, *conc, mode, runtime.NumCPU())
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			panic(err)
		}
		defer pprof.StopCPUProfile()
	}

	fmt.Printf("\nvs the ceiling (target >= 0.80)\n")
	fmt.Printf("%-6s %9s %9s %6s | %22s %8s | %s\n", "size", "ceiling", "uploader", "ratio",
		"CPU s: ceiling upl SHA", "", "est. best ratio with SHA-1 on these cores")
	for _, s := range strings.Split(*sizes, ",") {
		size := parseSize(s)
		ce := fastest(*runs, func() run { return ceiling(size, *slice, *conc) })
		url, stop := listen(newDrainCOS())
		up := fastest(*runs, func() run { return upload(url, size, opts...) })
		stop()
		sha := fastest(*runs, func() run { return hashOnly(size, *slice) })
		// The uploader needs at least the ceiling's CPU plus the hashing's;
		// with every core busy that takes (sum)/cores of wall time.
		best := min(1, ce.wall.Seconds()*float64(runtime.NumCPU())/(ce.cpu+sha.cpu).Seconds())
		fmt.Printf("%-6s %9.1f %9.1f %6.2f | %7.2f %6.2f %7.2f %8s | %.2f\n", s, mbps(size, ce), mbps(size, up),
			mbps(size, up)/mbps(size, ce), ce.cpu.Seconds(), up.cpu.Seconds(), sha.cpu.Seconds(), "", best)
	}

	fmt.Printf("\nvs a naive serial slice upload (target >= 2.00), to the drain server and to the local server %s\n", store)
	fmt.Printf("%-6s %9s %9s %6s | %9s %9s %6s\n", "size", "serial", "uploader", "ratio", "serial", "uploader", "ratio")
	for _, s := range strings.Split(*sizes, ",") {
		size := parseSize(s)
		url, stop := listen(newDrainCOS())
		dse := fastest(*runs, func() run { return serial(url, size, *slice) })
		dup := fastest(*runs, func() run { return upload(url, size, opts...) })
		stop()
		lse := fastest(*runs, func() run {
			url, stop := localServer(*disk)
			defer stop()
			return serial(url, size, *slice)
		})
		lup := fastest(*runs, func() run {
			url, stop := localServer(*disk)
			defer stop()
			return upload(url, size, opts...)
		})
		fmt.Printf("%-6s %9.1f %9.1f %6.2f | %9.1f %9.1f %6.2f\n", s, mbps(size, dse), mbps(size, dup), mbps(size, dup)/mbps(size, dse),
			mbps(size, lse), mbps(size, lup), mbps(size, lup)/mbps(size, lse))
	}

	if *cli != "" {
		// The in-memory servers above left gigabytes of garbage in this
		// process; given back, the serve child reuses those pages instead of
		// faulting in ones the machine never touched (on this VM, holding them
		// tripled the child's CPU time).
		debug.FreeOSMemory()
		cliVsDrain(*cli, *sizes, *runs, opts)
	}

	if *rss != "" {
		bound := int64(*conc) * *slice >> 20
		fmt.Printf("\npeak RSS of the uploading process (target: within concurrency x slice + 32 MB = %d MB)\n", bound+32)
		fmt.Printf("%-6s %12s\n", "size", "peak RSS")
		for _, s := range strings.Split(*rss, ",") {
			fmt.Printf("%-6s %12s\n", s, peakRSS(parseSize(s)))
		}
	}
}
