package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"syscall"
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

// listen serves h on a loopback port until the returned func is called.
func listen(h http.Handler) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }
}

// localServer runs the local server in this process with a fresh store: in
// memory, or on disk in a new temporary directory when disk is set. A store
// that already had the bytes would answer a repeated upload by quick upload,
// timing nothing.
func localServer(disk bool) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := server.Config{AppID: "1", Buckets: []string{"b"}, SecretID: "id", SecretKey: "key", Memory: true, BaseURL: base}
	if disk {
		if cfg.DataDir, err = os.MkdirTemp("", "uploadbench-*"); err != nil {
			panic(err)
		}
		cfg.Memory = false
	}
	s, err := server.New(cfg)
	if err != nil {
		panic(err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return base, func() {
		_ = hs.Close()
		_ = s.Close() // else its collector keeps it, and a memory store its bytes, alive
		if cfg.DataDir != "" {
			_ = os.RemoveAll(cfg.DataDir)
		}
	}
}

func client(url string) *cosv2.Client {
	c, err := cosv2.New("1", "b", cosv2.Credentials{SecretID: "id", SecretKey: "key"}, cosv2.WithEndpoint(url))
	if err != nil {
		panic(err)
	}
	return c
}

// run is one timed transfer: its wall time and the CPU time this process
// spent in it (client and server both run here).
type run struct{ wall, cpu time.Duration }

func timed(f func()) run {
	c0, t0 := cpuTime(), time.Now()
	f()
	return run{wall: time.Since(t0), cpu: cpuTime() - c0}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ceiling POSTs size bytes in bodies of slice bytes, n in flight, to a server
// that drains them: the most the loopback carries for these bytes here.
func ceiling(size, slice int64, n int) run {
	url, stop := listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = drain(r.Body) }))
	defer stop()
	src := source{size}
	return timed(func() {
		sem := make(chan struct{}, n)
		done := make(chan struct{})
		var count int
		for off := int64(0); off < size; off += slice {
			count++
			sem <- struct{}{}
			go func(off int64) {
				defer func() { <-sem; done <- struct{}{} }()
				n := min(slice, size-off)
				req, err := http.NewRequest(http.MethodPost, url, io.NewSectionReader(src, off, n))
				if err != nil {
					panic(err)
				}
				req.ContentLength = n // not chunked: the same bytes as a slice's body
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					panic(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}(off)
		}
		for range count {
			<-done
		}
	})
}

// upload times package uploader storing size bytes at a new path of url.
func upload(url string, size int64, opts ...uploader.Option) run {
	c := client(url)
	name := fmt.Sprintf("/f-%d-%d", size, time.Now().UnixNano())
	return timed(func() {
		if _, err := uploader.Upload(context.Background(), c, name, source{size}, size, opts...); err != nil {
			panic(err)
		}
	})
}

// serial times the naive slice upload the uploader is compared with: an
// init, then each slice in turn, hashed as it goes, and a finish with the
// SHA-1, all with the facade's calls.
func serial(url string, size, slice int64) run {
	c := client(url)
	name := fmt.Sprintf("/s-%d-%d", size, time.Now().UnixNano())
	src := source{size}
	ctx := context.Background()
	return timed(func() {
		sess, err := c.SliceInit(ctx, name, size, slice, cosv2.SliceInitOptions{})
		if err != nil {
			panic(err)
		}
		h := sha1.New()
		for off := int64(0); off < size; off += slice {
			n := min(slice, size-off)
			if _, err := io.Copy(h, io.NewSectionReader(src, off, n)); err != nil {
				panic(err)
			}
			if err := c.SliceData(ctx, name, sess.Session, off, src, n); err != nil {
				panic(err)
			}
		}
		if _, err := c.SliceFinish(ctx, name, sess.Session, size, hex.EncodeToString(h.Sum(nil))); err != nil {
			panic(err)
		}
	})
}

// hashOnly times the SHA-1 pass alone, the one cost the uploader must add
// to the ceiling's.
func hashOnly(size, slice int64) run {
	return timed(func() {
		if _, _, err := uploader.RunningSHA1States(source{size}, size, slice); err != nil {
			panic(err)
		}
	})
}
