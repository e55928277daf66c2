package server_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"golang.org/x/sync/errgroup"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
)

// benchClient is a facade client on srv, or on a server that only drains
// bodies and answers success, which is the baseline of the same run.
func benchServer(b *testing.B, drain bool, dir string) *cosv2.Client {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":1048576}}`)
	})
	srv := httptest.NewUnstartedServer(nil)
	if !drain {
		s, err := server.New(server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
			DataDir: dir, Memory: dir == "", BaseURL: "http://" + srv.Listener.Addr().String()})
		if err != nil {
			b.Fatal(err)
		}
		h = s
	}
	srv.Config.Handler = h
	srv.Start()
	b.Cleanup(srv.Close)
	c, err := cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, cosv2.WithEndpoint(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkSimpleUploads reports uploads/s of 64 KB files through the
// memory store, the disk store (SQLite and files; files this small are kept
// in SQLite) and a drain-only handler, in turn in the same loop, and their
// ratios: ratio is memory / drain-only, disk/memory the disk store's against
// the memory store's. best-ratio is what the drain-only handler's time
// leaves once the work no store can skip is added to it, timed in the same
// loop: the SHA-1 of the bytes (to check sha and answer it) and a copy of
// them kept in new memory.
func BenchmarkSimpleUploads(b *testing.B) {
	drain, mem, disk := benchServer(b, true, ""), benchServer(b, false, ""), benchServer(b, false, b.TempDir())
	body := bytes.Repeat([]byte("x"), 64<<10)
	var tDrain, tMem, tDisk, tFloor time.Duration
	var kept [][]byte
	ctx := context.Background()
	timed := func(c *cosv2.Client, name string) time.Duration {
		st := time.Now()
		if _, err := c.Put(ctx, name, bytes.NewReader(body), int64(len(body)), cosv2.WithOverwrite()); err != nil {
			b.Fatal(err)
		}
		return time.Since(st)
	}
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("/f%08d", i)
		tDrain += timed(drain, name)
		tMem += timed(mem, name)
		tDisk += timed(disk, name)
		st := time.Now()
		_ = sha1.Sum(body)
		kept = append(kept, bytes.Clone(body))
		tFloor += time.Since(st)
	}
	runtime.KeepAlive(kept)
	b.ReportMetric(float64(i)/tMem.Seconds(), "memory-uploads/s")
	b.ReportMetric(float64(i)/tDisk.Seconds(), "disk-uploads/s")
	b.ReportMetric(float64(i)/tDrain.Seconds(), "drain-uploads/s")
	b.ReportMetric(tDrain.Seconds()/tMem.Seconds(), "ratio")
	b.ReportMetric(tMem.Seconds()/tDisk.Seconds(), "disk/memory")
	b.ReportMetric(tDrain.Seconds()/(tDrain+tFloor).Seconds(), "best-ratio")
}

// BenchmarkSliceData reports MB/s of 1 MB slices through the server and
// through a drain-only handler in the same run, and their ratio.
func BenchmarkSliceData(b *testing.B) {
	real, drain := benchServer(b, false, ""), benchServer(b, true, "")
	const slice = 1 << 20
	size := int64(64 << 20)
	body := bytes.Repeat([]byte("y"), int(size))
	ctx := context.Background()
	sess, err := real.SliceInit(ctx, "/big", size, slice, cosv2.SliceInitOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var tReal, tDrain time.Duration
	var off int64
	for b.Loop() {
		st := time.Now()
		if err := drain.SliceData(ctx, "/big", "s", off, bytes.NewReader(body), slice); err != nil {
			b.Fatal(err)
		}
		tDrain += time.Since(st)
		st = time.Now()
		if err := real.SliceData(ctx, "/big", sess.Session, off, bytes.NewReader(body), slice); err != nil {
			b.Fatal(err)
		}
		tReal += time.Since(st)
		off = (off + slice) % size
	}
	mb := float64(b.N) // one MB per slice
	b.ReportMetric(mb/tReal.Seconds(), "MB/s")
	b.ReportMetric(mb/tDrain.Seconds(), "drain-MB/s")
	b.ReportMetric(tDrain.Seconds()/tReal.Seconds(), "ratio")
}

// BenchmarkSliceFinishS3 measures the design of a finish on S3 (issue 14): a
// slice upload of COSV2_BENCH_MB (256) MB in 1 MB slices, four at a time, its
// finish and a full download, on the disk store (SQLite and files) and on S3
// (SQLite and versitygw on loopback, started by scripts/s3.sh) in the same
// run, and their ratios (S3 time / disk time). A finish on S3 composes
// nothing, so it should cost what it costs on disk; "compose-ms" is what the
// alternative would have added to it: reading the slice objects back and
// uploading them again as one object in 16 MiB parts. Run it with
//
//	go test ./server -run '^$' -bench SliceFinishS3 -benchtime 1x
func BenchmarkSliceFinishS3(b *testing.B) {
	size := int64(256 << 20)
	if mb, err := strconv.Atoi(os.Getenv("COSV2_BENCH_MB")); err == nil && mb > 0 {
		size = int64(mb) << 20
	}
	const slice = 1 << 20
	body := make([]byte, size)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(body) // incompressible, the same every run
	sum := sha1.Sum(body)
	hexSum := hex.EncodeToString(sum[:])

	s3dir := filepath.Join(b.TempDir(), "s3")
	st, s3c, err := startS3(s3dir)
	b.Cleanup(func() { stopS3At(s3dir) })
	if err != nil {
		b.Fatal(err)
	}
	type times struct{ upload, finish, download, compose time.Duration }
	run := func(i int, onS3 bool) times {
		ctx := context.Background()
		srv := httptest.NewUnstartedServer(nil)
		cfg := server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
			DataDir: b.TempDir(), BaseURL: "http://" + srv.Listener.Addr().String()}
		bkt := fmt.Sprintf("bench-%d-%d", os.Getpid(), i)
		if onS3 {
			if err := s3c.MakeBucket(ctx, bkt, minio.MakeBucketOptions{}); err != nil {
				b.Fatal(err)
			}
			cfg.Blobs, cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Region = "s3://"+bkt, st.Endpoint, st.AccessKey, st.SecretKey, st.Region
		}
		s, err := server.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		srv.Config.Handler = s
		srv.Start()
		defer srv.Close()
		c, err := cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, cosv2.WithEndpoint(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		var t times
		start := time.Now()
		sess, err := c.SliceInit(ctx, "/big", size, slice, cosv2.SliceInitOptions{SHA1: hexSum})
		if err != nil {
			b.Fatal(err)
		}
		var g errgroup.Group
		g.SetLimit(4)
		for off := int64(0); off < size; off += slice {
			g.Go(func() error {
				return c.SliceData(ctx, "/big", sess.Session, off, bytes.NewReader(body), min(slice, size-off))
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		t.upload = time.Since(start)
		start = time.Now()
		obj, err := c.SliceFinish(ctx, "/big", sess.Session, size, hexSum)
		if err != nil {
			b.Fatal(err)
		}
		t.finish = time.Since(start)
		start = time.Now()
		resp, err := http.Get(obj.SourceURL)
		if err != nil {
			b.Fatal(err)
		}
		h := sha1.New()
		n, err := io.Copy(h, resp.Body)
		_ = resp.Body.Close()
		if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != hexSum {
			b.Fatalf("download: %d bytes of %d, %v", n, size, err)
		}
		t.download = time.Since(start)
		if onS3 {
			t.compose = composeOnce(b, s3c, bkt, size)
		}
		return t
	}
	var disk, s3 times
	i := 0
	for b.Loop() {
		i++
		d, s := run(i, false), run(i, true)
		disk.upload, disk.finish, disk.download = disk.upload+d.upload, disk.finish+d.finish, disk.download+d.download
		s3.upload, s3.finish, s3.download, s3.compose = s3.upload+s.upload, s3.finish+s.finish, s3.download+s.download, s3.compose+s.compose
	}
	mb, n := float64(size)/(1<<20), float64(i)
	ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / n }
	b.ReportMetric(mb*n/disk.upload.Seconds(), "disk-upload-MB/s")
	b.ReportMetric(mb*n/s3.upload.Seconds(), "s3-upload-MB/s")
	b.ReportMetric(ms(disk.finish), "disk-finish-ms")
	b.ReportMetric(ms(s3.finish), "s3-finish-ms")
	b.ReportMetric(ms(s3.compose), "compose-ms")
	b.ReportMetric(mb*n/disk.download.Seconds(), "disk-download-MB/s")
	b.ReportMetric(mb*n/s3.download.Seconds(), "s3-download-MB/s")
	ratio := (s3.finish + s3.download).Seconds() / (disk.finish + disk.download).Seconds()
	b.ReportMetric(ratio, "s3/disk-finish+download")
	b.Logf("%.0f MB in 1 MB slices: upload %.0f vs %.0f MB/s (S3/disk time %.2f); finish %.0f vs %.0f ms; download %.0f vs %.0f MB/s (S3/disk time %.2f); "+
		"finish+download S3/disk time %.2f; composing one object on finish would add %.0f ms",
		mb, mb*n/s3.upload.Seconds(), mb*n/disk.upload.Seconds(), s3.upload.Seconds()/disk.upload.Seconds(),
		ms(s3.finish), ms(disk.finish), mb*n/s3.download.Seconds(), mb*n/disk.download.Seconds(), s3.download.Seconds()/disk.download.Seconds(),
		ratio, ms(s3.compose))
}

// composeOnce times what a finish that composed one object would add: the
// slice objects of the bucket's only session read in order and uploaded as
// one object in 16 MiB parts (S3's parts must be at least 5 MiB), which is
// then deleted.
func composeOnce(b *testing.B, c *minio.Client, bkt string, size int64) time.Duration {
	ctx := context.Background()
	start := time.Now()
	var names []string
	for o := range c.ListObjects(ctx, bkt, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			b.Fatal(o.Err)
		}
		names = append(names, o.Key)
	}
	sort.Strings(names)
	pr, pw := io.Pipe()
	go func() {
		for _, n := range names {
			o, err := c.GetObject(ctx, bkt, n, minio.GetObjectOptions{})
			if err == nil {
				_, err = io.Copy(pw, o)
				_ = o.Close()
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		_ = pw.Close()
	}()
	if _, err := c.PutObject(ctx, bkt, "composed", pr, size, minio.PutObjectOptions{PartSize: 16 << 20}); err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	_ = c.RemoveObject(ctx, bkt, "composed", minio.RemoveObjectOptions{})
	return d
}
