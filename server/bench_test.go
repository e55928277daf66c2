package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

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

// BenchmarkSimpleUploads reports uploads/s of 64 KB files through the server
// and through a drain-only handler in the same run, and their ratio.
func BenchmarkSimpleUploads(b *testing.B) {
	for _, store := range []string{"memory", "disk"} {
		b.Run(store, func(b *testing.B) {
			dir := ""
			if store == "disk" {
				dir = b.TempDir()
			}
			real, drain := benchServer(b, false, dir), benchServer(b, true, "")
			body := bytes.Repeat([]byte("x"), 64<<10)
			var tReal, tDrain time.Duration
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				name := fmt.Sprintf("/f%08d", i)
				st := time.Now()
				if _, err := drain.Put(ctx, name, bytes.NewReader(body), int64(len(body))); err != nil {
					b.Fatal(err)
				}
				tDrain += time.Since(st)
				st = time.Now()
				if _, err := real.Put(ctx, name, bytes.NewReader(body), int64(len(body)), cosv2.WithOverwrite()); err != nil {
					b.Fatal(err)
				}
				tReal += time.Since(st)
			}
			b.ReportMetric(float64(i)/tReal.Seconds(), "uploads/s")
			b.ReportMetric(float64(i)/tDrain.Seconds(), "drain-uploads/s")
			b.ReportMetric(tDrain.Seconds()/tReal.Seconds(), "ratio")
		})
	}
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
