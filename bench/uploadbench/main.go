// Command uploadbench measures the uploader on loopback against three
// references in one run, and prints a table of MB/s and ratios:
//
//   - ceiling: the same bytes POSTed by a minimal Go client to a server that
//     only drains them;
//   - serial: a naive slice upload to the local server, one slice at a time;
//   - uploader: package uploader with its defaults, to the local server.
//
// With -rss it uploads each size from a child process and reports the
// child's peak RSS (VmHWM), the server running in this process (on disk in a
// temporary directory) so its memory does not count. Sources are computed from the offset, so no file is written.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/uploader"
)

// source is size bytes of a seeded pseudo-random pattern: a block of a prime
// length repeated, so no two slices are equal and reading costs a copy, as
// reading a cached file does (computing bytes one by one made the benchmark
// measure the generator).
type source struct{ size int64 }

var block = func() []byte {
	b := make([]byte, 1048583) // prime, above 1 MB
	_, _ = rand.NewChaCha8([32]byte{42}).Read(b)
	return b
}()

func (s source) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), s.size-off))
	for done := 0; done < n; {
		i := int((off + int64(done)) % int64(len(block)))
		done += copy(p[done:n], block[i:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

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

func listen(h http.Handler) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }
}

// localServer runs the local server in this process: in memory for the
// timings, on disk under dir (when not "") for the multi-gigabyte RSS runs.
func localServer(dir ...string) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := server.Config{AppID: "1", Buckets: []string{"b"}, SecretID: "id", SecretKey: "key", Memory: true, BaseURL: base}
	if len(dir) > 0 && dir[0] != "" {
		cfg.Memory, cfg.DataDir = false, dir[0]
	}
	s, err := server.New(cfg)
	if err != nil {
		panic(err)
	}
	hs := &http.Server{Handler: s}
	go func() { _ = hs.Serve(ln) }()
	return base, func() { _ = hs.Close() }
}

func client(url string) *cosv2.Client {
	c, err := cosv2.New("1", "b", cosv2.Credentials{SecretID: "id", SecretKey: "key"}, cosv2.WithEndpoint(url))
	if err != nil {
		panic(err)
	}
	return c
}

// ceiling POSTs size bytes in slices of slice with n in flight to a drain server.
func ceiling(size, slice int64, n int) time.Duration {
	url, stop := listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	defer stop()
	src := source{size}
	start := time.Now()
	sem := make(chan struct{}, n)
	done := make(chan struct{})
	var count int
	for off := int64(0); off < size; off += slice {
		count++
		sem <- struct{}{}
		go func(off int64) {
			defer func() { <-sem; done <- struct{}{} }()
			resp, err := http.Post(url, "application/octet-stream", io.NewSectionReader(src, off, min(slice, size-off)))
			if err != nil {
				panic(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}(off)
	}
	for range count {
		<-done
	}
	return time.Since(start)
}

func upload(url string, size int64, opts ...uploader.Option) time.Duration {
	c := client(url)
	start := time.Now()
	name := fmt.Sprintf("/f-%d-%d", size, time.Now().UnixNano())
	if _, err := uploader.Upload(context.Background(), c, name, source{size}, size, opts...); err != nil {
		panic(err)
	}
	return time.Since(start)
}

func mbps(size int64, d time.Duration) float64 { return float64(size) / (1 << 20) / d.Seconds() }

func peakRSS(size int64) string {
	dir, err := os.MkdirTemp("", "uploadbench-*")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	url, stop := localServer(dir)
	defer stop()
	cmd := exec.Command(os.Args[0], "-child", strconv.FormatInt(size, 10), "-server", url)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(out))
}

func child(size int64, url string) {
	upload(url, size)
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			fmt.Println(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")))
		}
	}
}

func main() {
	sizes := flag.String("sizes", "256MB,1GB", "file sizes to time")
	disk := flag.Bool("disk", false, "time against a disk-backed server instead of an in-memory one")
	conc := flag.Int("concurrency", uploader.DefaultConcurrency, "the uploader's slices in flight")
	sliceFlag := flag.Int64("slice", uploader.DefaultSliceSize, "the uploader's slice size")
	parts := flag.Bool("parts", true, "send sha and uploadparts at init (a hashing pass first); false hashes while sending")
	rss := flag.String("rss", "1GB,4GB", "file sizes to measure peak RSS for (empty: none)")
	childSize := flag.Int64("child", 0, "internal: upload this many bytes and print VmHWM")
	serverURL := flag.String("server", "", "internal: the server of -child")
	flag.Parse()
	if *childSize > 0 {
		child(*childSize, *serverURL)
		return
	}
	slice := *sliceFlag
	store := "in memory"
	if *disk {
		store = "on disk"
	}
	fmt.Printf("slice %d KB, concurrency %d, local server %s\n\n", slice>>10, *conc, store)
	fmt.Printf("%-8s %12s %12s %12s %14s %14s\n", "size", "ceiling MB/s", "serial MB/s", "upload MB/s", "vs ceiling", "vs serial")
	for _, s := range strings.Split(*sizes, ",") {
		size := parseSize(s)
		ce := mbps(size, ceiling(size, slice, *conc))
		// A fresh store for every run: the same bytes in a store the server
		// already has would be answered by quick upload, timing nothing.
		dir := func() string {
			if !*disk {
				return ""
			}
			d, err := os.MkdirTemp("", "uploadbench-*")
			if err != nil {
				panic(err)
			}
			return d
		}
		d1, d2 := dir(), dir()
		defer os.RemoveAll(d1)
		defer os.RemoveAll(d2)
		url, stop := localServer(d1)
		se := mbps(size, upload(url, size, uploader.WithConcurrency(1), uploader.WithoutUploadParts()))
		stop()
		url, stop = localServer(d2)
		opts := []uploader.Option{uploader.WithConcurrency(*conc), uploader.WithSliceSize(slice)}
		if !*parts {
			opts = append(opts, uploader.WithoutUploadParts())
		}
		up := mbps(size, upload(url, size, opts...))
		stop()
		fmt.Printf("%-8s %12.1f %12.1f %12.1f %14.2f %14.2f\n", s, ce, se, up, up/ce, up/se)
	}
	if *rss != "" {
		fmt.Printf("\n%-8s %14s %24s\n", "size", "peak RSS", "bound (conc x slice + 32 MB)")
		for _, s := range strings.Split(*rss, ",") {
			fmt.Printf("%-8s %14s %21d MB\n", s, peakRSS(parseSize(s)), int64(uploader.DefaultConcurrency)*uploader.DefaultSliceSize>>20+32)
		}
	}
}
