package server

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/cosv2/cosv2/signer"
)

// fill stores n files of 1 byte in /d/ and sessions unfinished uploads, all
// in one transaction straight through the metadata (uploading them one by
// one would take minutes and measure something else).
func fill(tb testing.TB, s *Server, bucket string, n, sessions int) {
	ctx := context.Background()
	err := s.meta.tx(ctx, func(tx *sql.Tx) error {
		if err := s.meta.putNode(ctx, tx, &node{Bucket: bucket, Path: "/d/", Ctime: 1, Mtime: 1}); err != nil {
			return err
		}
		for i := range n {
			key := newID()
			if err := s.meta.addBlob(ctx, tx, key, 0, false); err != nil {
				return err
			}
			if err := s.meta.putNode(ctx, tx, &node{Bucket: bucket, Path: fmt.Sprintf("/d/f%07d", i), Ctime: 1, Mtime: 1, Size: 1, SHA: key[:40], Data: key}); err != nil {
				return err
			}
		}
		for i := range sessions {
			if err := s.meta.insertSession(ctx, tx, &session{ID: newID(), Bucket: bucket, Path: fmt.Sprintf("/d/s%07d", i), FileSize: 1 << 30,
				SliceSize: 1 << 20, Created: time.Now().Unix(), Expires: time.Now().Add(time.Hour).Unix()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkGrowth reports the median latency of a stat and of a list page
// (100 entries, from the middle of the directory) with 1k and with 100k
// files stored, their ratio (the bound: 1.5), and how long a server
// takes to start on 100k files and 10k unfinished uploads (bound: 2 s).
func BenchmarkGrowth(b *testing.B) {
	const appID, bucket, id, key = "1250000000", "photos", "AKIDbench", "bench-key"
	creds := signer.Credentials{AppID: appID, SecretID: id, SecretKey: key}
	measure := func(b *testing.B, n int) (stat, list time.Duration) {
		dir := b.TempDir()
		cfg := Config{AppID: appID, Buckets: []string{bucket}, SecretID: id, SecretKey: key, DataDir: dir}
		s, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		fill(b, s, bucket, n, 0)
		srv := httptest.NewServer(s)
		defer func() { srv.Close(); _ = s.Close() }()
		sig := func(path string) string {
			now := time.Now()
			v, err := signer.Sign(creds, signer.Params{Bucket: bucket, Kind: signer.Multi, Now: now, Expires: now.Add(time.Hour)})
			if err != nil {
				b.Fatal(err)
			}
			return v
		}(bucket)
		get := func(u string) time.Duration {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+u, nil)
			req.Header.Set("Authorization", sig)
			st := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("%s: %d", u, resp.StatusCode)
			}
			return time.Since(st)
		}
		var stats, lists []time.Duration
		for i := range 300 {
			stats = append(stats, get(fmt.Sprintf("/files/v2/%s/%s/d/f%07d?op=stat", appID, bucket, i*7919%n)))
			lists = append(lists, get(fmt.Sprintf("/files/v2/%s/%s/d/?op=list&num=100&context=f%07d", appID, bucket, n/2)))
		}
		return median(stats), median(lists)
	}
	for b.Loop() {
		stat1k, list1k := measure(b, 1000)
		stat100k, list100k := measure(b, 100_000)
		b.ReportMetric(float64(stat1k.Microseconds()), "stat-1k-µs")
		b.ReportMetric(float64(stat100k.Microseconds()), "stat-100k-µs")
		b.ReportMetric(float64(stat100k)/float64(stat1k), "stat-ratio")
		b.ReportMetric(float64(list1k.Microseconds()), "list-1k-µs")
		b.ReportMetric(float64(list100k.Microseconds()), "list-100k-µs")
		b.ReportMetric(float64(list100k)/float64(list1k), "list-ratio")

		dir := b.TempDir()
		cfg := Config{AppID: appID, Buckets: []string{bucket}, SecretID: id, SecretKey: key, DataDir: dir}
		s, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		fill(b, s, bucket, 100_000, 10_000)
		_ = s.Close()
		st := time.Now()
		s, err = New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(st).Seconds(), "startup-100k-s")
		_ = s.Close()
	}
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}
