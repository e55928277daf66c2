package uploader_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/uploader"
)

func newClient(opts ...cosv2.Option) *cosv2.Client {
	srv := httptest.NewUnstartedServer(nil)
	s, err := server.New(server.Config{AppID: "1", Buckets: []string{"b"}, SecretID: "id", SecretKey: "key", Memory: true,
		BaseURL: "http://" + srv.Listener.Addr().String()})
	Expect(err).NotTo(HaveOccurred())
	srv.Config.Handler = s
	srv.Start()
	DeferCleanup(srv.Close)
	opts = append([]cosv2.Option{cosv2.WithEndpoint(srv.URL),
		cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond})}, opts...)
	c, err := cosv2.New("1", "b", cosv2.Credentials{SecretID: "id", SecretKey: "key"}, opts...)
	Expect(err).NotTo(HaveOccurred())
	return c
}

func data(n int64, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed)})
	_, _ = r.Read(b)
	return b
}

func download(c *cosv2.Client, path string) []byte {
	var got bytes.Buffer
	_, err := c.Download(context.Background(), path, &got)
	Expect(err).NotTo(HaveOccurred())
	return got.Bytes()
}

// counting wraps a client, counts slices sent and fails some of them.
type counting struct {
	uploader.Client
	sent     atomic.Int64
	failed   atomic.Int64
	failEach int64 // fail every failEach-th slice call (0: never)
	failWith error
	stopAt   int64 // after this many slices, fail for good (0: never)
}

func (c *counting) SliceData(ctx context.Context, file, session string, off int64, r io.ReaderAt, n int64) error {
	k := c.sent.Add(1)
	if c.stopAt > 0 && k > c.stopAt {
		c.failed.Add(1)
		return errors.New("killed")
	}
	if c.failEach > 0 && k%c.failEach == 0 {
		c.failed.Add(1)
		return c.failWith
	}
	return c.Client.SliceData(ctx, file, session, off, r, n)
}

const slice = cosv2.SliceSize512K

var _ = Describe("Upload", func() {
	DescribeTable("round-trips byte-exact around every boundary",
		func(size int64, sliceSize int64, concurrency int) {
			c := newClient()
			b := data(size, uint64(size))
			var last uploader.Progress
			_, err := uploader.Upload(context.Background(), c, "f.bin", bytes.NewReader(b), size,
				uploader.WithSliceSize(sliceSize), uploader.WithConcurrency(concurrency),
				uploader.WithProgress(func(p uploader.Progress) { last = p }))
			Expect(err).NotTo(HaveOccurred())
			Expect(download(c, "f.bin")).To(Equal(b))
			Expect(last.BytesDone).To(Equal(size))
			Expect(last.SlicesDone).To(Equal(last.SlicesTotal))
		},
		Entry("empty", int64(0), slice, 1),
		Entry("one byte", int64(1), slice, 1),
		Entry("20 MB exactly: one request", int64(cosv2.MaxSimpleUpload), slice, 4),
		Entry("20 MB + 1: slices, the last of one byte", int64(cosv2.MaxSimpleUpload+1), slice, 4),
		Entry("odd size, 1 MB slices, serial", int64(cosv2.MaxSimpleUpload+slice*3+17), cosv2.SliceSize1M, 1),
		Entry("3 MB slices, many at once", int64(cosv2.MaxSimpleUpload+cosv2.SliceSize3M-1), cosv2.SliceSize3M, 8),
	)

	DescribeTable("completes byte-exact in one run through failures the client's retries get past",
		func(fail func() (*http.Response, error)) {
			var calls, failed atomic.Int64
			tr := roundTripper(func(r *http.Request) (*http.Response, error) {
				if r.URL.Fragment == gen.FragmentUploadSliceData && calls.Add(1)%3 == 0 {
					failed.Add(1)
					_, _ = io.Copy(io.Discard, r.Body)
					_ = r.Body.Close()
					return fail()
				}
				return http.DefaultTransport.RoundTrip(r)
			})
			c := newClient(cosv2.WithHTTPClient(&http.Client{Transport: tr}))
			size := int64(cosv2.MaxSimpleUpload + 5*slice)
			b := data(size, 7)
			// One slice at a time, so the attempt after a failed one succeeds.
			_, err := uploader.Upload(context.Background(), c, "f.bin", bytes.NewReader(b), size,
				uploader.WithSliceSize(slice), uploader.WithConcurrency(1))
			Expect(err).NotTo(HaveOccurred())
			Expect(failed.Load()).To(BeNumerically(">", 10))
			Expect(download(c, "f.bin")).To(Equal(b))
		},
		Entry("connection resets", func() (*http.Response, error) {
			return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
		}),
		Entry("-71, too frequent", answer(`{"code":-71,"message":"too frequent"}`)),
		Entry("-300, overloaded", answer(`{"code":-300,"message":"overloaded"}`)),
	)

	It("fails with an *UploadError a later run resumes from when a slice fails for good", func() {
		c := newClient()
		size := int64(cosv2.MaxSimpleUpload + 5*slice)
		b := data(size, 8)
		w := &counting{Client: c, failEach: 3, failWith: cosv2.ErrFreqControl}
		_, err := uploader.Upload(context.Background(), w, "f.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
		var ue *uploader.UploadError
		Expect(errors.As(err, &ue)).To(BeTrue())
		Expect(ue.Session).NotTo(BeEmpty())
		Expect(err).To(MatchError(cosv2.ErrFreqControl))
		_, err = uploader.Upload(context.Background(), c, "f.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
		Expect(err).NotTo(HaveOccurred())
		Expect(download(c, "f.bin")).To(Equal(b))
	})

	It("resumes an interrupted upload, sending only the missing slices", func() {
		c := newClient()
		size := int64(cosv2.MaxSimpleUpload + 8*slice)
		total := (size + slice - 1) / slice
		b := data(size, 9)
		killed := &counting{Client: c, stopAt: 10}
		_, err := uploader.Upload(context.Background(), killed, "r.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice), uploader.WithConcurrency(1))
		var ue *uploader.UploadError
		Expect(errors.As(err, &ue)).To(BeTrue())
		Expect(ue.Session).NotTo(BeEmpty())
		stored, err := c.SliceList(context.Background(), "r.bin")
		Expect(err).NotTo(HaveOccurred())
		Expect(stored.Parts).To(HaveLen(10))

		again := &counting{Client: c}
		_, err = uploader.Upload(context.Background(), again, "r.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
		Expect(err).NotTo(HaveOccurred())
		Expect(again.sent.Load()).To(Equal(total - 10))
		Expect(download(c, "r.bin")).To(Equal(b))
	})

	It("with uploadparts, lets the server satisfy an upload of bytes it has at once, sending no slice", func() {
		c := newClient()
		size := int64(cosv2.MaxSimpleUpload + 3*slice)
		b := data(size, 11)
		_, err := uploader.Upload(context.Background(), c, "one.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
		Expect(err).NotTo(HaveOccurred())
		w := &counting{Client: c}
		obj, err := uploader.Upload(context.Background(), w, "two.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice), uploader.WithUploadParts())
		Expect(err).NotTo(HaveOccurred())
		Expect(obj.AccessURL).To(ContainSubstring("two.bin"))
		Expect(w.sent.Load()).To(BeZero())
		Expect(download(c, "two.bin")).To(Equal(b))
	})

	It("without uploadparts (the default), sends every slice even of bytes the server has", func() {
		c := newClient()
		size := int64(cosv2.MaxSimpleUpload + 3*slice)
		b := data(size, 12)
		_, err := uploader.Upload(context.Background(), c, "one.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
		Expect(err).NotTo(HaveOccurred())
		w := &counting{Client: c}
		_, err = uploader.Upload(context.Background(), w, "two.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
		Expect(err).NotTo(HaveOccurred())
		Expect(w.sent.Load()).To(Equal((size + slice - 1) / slice))
	})

	It("resumes an upload declared with uploadparts, proving the stored slices against them", func() {
		c := newClient()
		size := int64(cosv2.MaxSimpleUpload + 8*slice)
		total := (size + slice - 1) / slice
		b := data(size, 13)
		killed := &counting{Client: c, stopAt: 6}
		_, err := uploader.Upload(context.Background(), killed, "p.bin", bytes.NewReader(b), size,
			uploader.WithSliceSize(slice), uploader.WithConcurrency(1), uploader.WithUploadParts())
		Expect(err).To(HaveOccurred())

		// Other bytes of the same size: their running states differ from the
		// declared ones from the first slice on.
		other := data(size, 14)
		_, err = uploader.Upload(context.Background(), c, "p.bin", bytes.NewReader(other), size, uploader.WithSliceSize(slice))
		Expect(err).To(MatchError(uploader.ErrMismatch))
		Expect(err.Error()).To(ContainSubstring("declared with other bytes"))

		again := &counting{Client: c}
		_, err = uploader.Upload(context.Background(), again, "p.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
		Expect(err).NotTo(HaveOccurred())
		Expect(again.sent.Load()).To(Equal(total - 6))
		Expect(download(c, "p.bin")).To(Equal(b))
	})

	It("refuses to resume an unfinished upload of another size", func() {
		c := newClient()
		size := int64(cosv2.MaxSimpleUpload + slice)
		_, err := c.SliceInit(context.Background(), "m.bin", size+1, slice, cosv2.SliceInitOptions{})
		Expect(err).NotTo(HaveOccurred())
		_, err = uploader.Upload(context.Background(), c, "m.bin", bytes.NewReader(data(size, 1)), size, uploader.WithSliceSize(slice))
		Expect(err).To(MatchError(uploader.ErrMismatch))
	})

	It("stops every goroutine when the context is cancelled", func() {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		c := newClient(cosv2.WithHTTPClient(&http.Client{Transport: tr}))
		size := int64(cosv2.MaxSimpleUpload + 16*slice)
		before := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(context.Background())
		var once sync.Once
		_, err := uploader.Upload(ctx, c, "c.bin", bytes.NewReader(data(size, 3)), size, uploader.WithSliceSize(slice), uploader.WithConcurrency(4),
			uploader.WithProgress(func(p uploader.Progress) {
				if p.SlicesDone >= 3 {
					once.Do(cancel)
				}
			}))
		Expect(err).To(MatchError(context.Canceled))
		// Idle keep-alive connections are the transport's, not the uploader's.
		Eventually(func() int { tr.CloseIdleConnections(); return runtime.NumGoroutine() }).
			WithTimeout(10 * time.Second).Should(BeNumerically("<=", before))
	})
})

var _ = Describe("Download", func() {
	It("fetches a large object with concurrent ranged GETs, byte-exact, with progress", func() {
		c := newClient()
		size := int64(3*uploader.DownloadChunk + 12345)
		b := data(size, 21)
		_, err := uploader.Upload(context.Background(), c, "d.bin", bytes.NewReader(b), size)
		Expect(err).NotTo(HaveOccurred())
		dst, err := os.Create(filepath.Join(GinkgoT().TempDir(), "d.bin"))
		Expect(err).NotTo(HaveOccurred())
		defer dst.Close()
		var last uploader.Progress
		n, err := uploader.Download(context.Background(), c, "d.bin", dst, uploader.WithConcurrency(3),
			uploader.WithProgress(func(p uploader.Progress) { last = p }))
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(Equal(size))
		got, err := os.ReadFile(dst.Name())
		Expect(err).NotTo(HaveOccurred())
		Expect(bytes.Equal(got, b)).To(BeTrue())
		Expect(last.BytesDone).To(Equal(size))
		Expect(last.SlicesDone).To(Equal(4))
	})
})

var _ = Describe("retries", func() {
	It("has one layer: a slice that always fails is sent MaxAttempts times, not MaxAttempts²", func() {
		var sent atomic.Int32
		tr := roundTripper(func(r *http.Request) (*http.Response, error) {
			if r.URL.Fragment == gen.FragmentUploadSliceData {
				sent.Add(1)
				_, _ = io.Copy(io.Discard, r.Body)
				_ = r.Body.Close()
				return answer(`{"code":-71,"message":"too frequent"}`)()
			}
			return http.DefaultTransport.RoundTrip(r)
		})
		c := newClient(cosv2.WithHTTPClient(&http.Client{Transport: tr})) // MaxAttempts: 4
		size := int64(cosv2.MaxSimpleUpload + 1)
		_, err := uploader.Upload(context.Background(), c, "f.bin", bytes.NewReader(data(size, 5)), size,
			uploader.WithSliceSize(slice), uploader.WithConcurrency(1))
		Expect(err).To(MatchError(cosv2.ErrFreqControl))
		var ue *uploader.UploadError
		Expect(errors.As(err, &ue)).To(BeTrue())
		Expect(sent.Load()).To(BeEquivalentTo(4))
	})
})

// dropFirst sends every request, but loses the answer to the first request
// of the operation with fragment op, as a network that fails after the
// server did the work.
func dropFirst(op string) (http.RoundTripper, *atomic.Int32) {
	var seen atomic.Int32
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && r.URL.Fragment == op && seen.Add(1) == 1 {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
		}
		return resp, err
	}), &seen
}

var _ = Describe("answers lost on the way back", func() {
	DescribeTable("do not fail an upload the server did",
		func(op string, attempts int32) {
			tr, seen := dropFirst(op)
			c := newClient(cosv2.WithHTTPClient(&http.Client{Transport: tr}))
			size := int64(cosv2.MaxSimpleUpload + 3*slice + 5)
			b := data(size, 31)
			_, err := uploader.Upload(context.Background(), c, "lost.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
			Expect(err).NotTo(HaveOccurred())
			Expect(seen.Load()).To(BeNumerically(">=", attempts))
			Expect(download(c, "lost.bin")).To(Equal(b))
		},
		// The repeated finish finds the session gone (-5983); stat shows the
		// file stored with this size and SHA-1, which means done.
		Entry("the finish's answer", gen.FragmentUploadSliceFinish, int32(1)),
		// The repeated init finds the first one's session (-4019) and resumes it.
		Entry("the slice init's answer", gen.FragmentUploadSliceInit, int32(2)),
	)
})

var _ = Describe("Download, once per object", func() {
	It("asks stat once, not once per chunk", func() {
		var stats atomic.Int32
		tr := roundTripper(func(r *http.Request) (*http.Response, error) {
			if r.URL.Query().Get("op") == "stat" {
				stats.Add(1)
			}
			return http.DefaultTransport.RoundTrip(r)
		})
		c := newClient(cosv2.WithHTTPClient(&http.Client{Transport: tr}))
		size := int64(3*uploader.DownloadChunk + 1)
		b := data(size, 22)
		_, err := uploader.Upload(context.Background(), c, "s.bin", bytes.NewReader(b), size)
		Expect(err).NotTo(HaveOccurred())
		dst, err := os.Create(filepath.Join(GinkgoT().TempDir(), "s.bin"))
		Expect(err).NotTo(HaveOccurred())
		defer dst.Close()
		stats.Store(0)
		_, err = uploader.Download(context.Background(), c, "s.bin", dst)
		Expect(err).NotTo(HaveOccurred())
		Expect(stats.Load()).To(BeEquivalentTo(1))
	})

	It("resumes from a record of the chunks written: only the others are fetched, none asked stat", func() {
		var gets atomic.Int32
		tr := roundTripper(func(r *http.Request) (*http.Response, error) {
			if r.Method == http.MethodGet && r.URL.Query().Get("op") == "" {
				gets.Add(1)
			}
			return http.DefaultTransport.RoundTrip(r)
		})
		c := newClient(cosv2.WithHTTPClient(&http.Client{Transport: tr}))
		const chunk = 1 << 20
		size := int64(5*chunk + 7)
		b := data(size, 23)
		_, err := uploader.Upload(context.Background(), c, "r.bin", bytes.NewReader(b), size)
		Expect(err).NotTo(HaveOccurred())
		info, err := c.Stat(context.Background(), "r.bin")
		Expect(err).NotTo(HaveOccurred())
		// An earlier run wrote chunks 0 and 3.
		dst := make([]byte, size)
		copy(dst[0:chunk], b[0:chunk])
		copy(dst[3*chunk:4*chunk], b[3*chunk:4*chunk])
		var mu sync.Mutex
		written := map[int64]bool{0: true, 3 * chunk: true}
		var first, last uploader.Progress
		gets.Store(0)
		n, err := uploader.Download(context.Background(), c, "r.bin", writerAt(dst), uploader.WithChunkSize(chunk),
			uploader.WithFileInfo(info),
			uploader.WithResume(func(off int64) bool { return written[off] }, func(off, n int64) error {
				mu.Lock()
				defer mu.Unlock()
				Expect(written[off]).To(BeFalse(), "chunk %d fetched twice", off)
				written[off] = true
				return nil
			}),
			uploader.WithProgress(func(p uploader.Progress) {
				if first.SlicesTotal == 0 {
					first = p
				}
				last = p
			}))
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(Equal(size))
		Expect(bytes.Equal(dst, b)).To(BeTrue())
		Expect(gets.Load()).To(BeEquivalentTo(4)) // 6 chunks, 2 written before; no stat
		Expect(written).To(HaveLen(6))
		Expect(first.BytesResumed).To(Equal(int64(2 * chunk)))
		Expect(first.SlicesResumed).To(Equal(2))
		Expect(last.BytesDone).To(Equal(size))
		Expect(last.SlicesDone).To(Equal(6))
	})

	It("ends the download with the error of the record", func() {
		c := newClient()
		size := int64(3<<20 + 1)
		_, err := uploader.Upload(context.Background(), c, "e.bin", bytes.NewReader(data(size, 24)), size)
		Expect(err).NotTo(HaveOccurred())
		full := errors.New("disk full")
		_, err = uploader.Download(context.Background(), c, "e.bin", writerAt(make([]byte, size)),
			uploader.WithResume(func(int64) bool { return false }, func(int64, int64) error { return full }))
		Expect(err).To(MatchError(full))
	})
})

// writerAt writes into a byte slice.
type writerAt []byte

func (w writerAt) WriteAt(p []byte, off int64) (int, error) { return copy(w[off:], p), nil }

// answer returns an HTTP 200 answer with a JSON body.
func answer(body string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body))}, nil
	}
}

// roundTripper adapts a function to http.RoundTripper.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var _ = Describe("UploadReader", func() {
	DescribeTable("uploads a stream of unknown size byte-exact",
		func(size int64) {
			c := newClient()
			b := data(size, uint64(size)+5)
			_, err := uploader.UploadReader(context.Background(), c, "s.bin", io.MultiReader(bytes.NewReader(b)))
			Expect(err).NotTo(HaveOccurred())
			Expect(download(c, "s.bin")).To(Equal(b))
		},
		Entry("empty", int64(0)),
		Entry("small: one request", int64(1000)),
		Entry("20 MB exactly", int64(cosv2.MaxSimpleUpload)),
		Entry("past 20 MB: spooled and sliced", int64(cosv2.MaxSimpleUpload+3*slice+1)),
	)
})

var _ = Describe("answers that break the spec", func() {
	// hostile answers the operation with fragment op with body, and passes
	// the rest to the local server; it counts the slices sent.
	hostile := func(op, body string) (*cosv2.Client, *atomic.Int32) {
		var slices atomic.Int32
		tr := roundTripper(func(r *http.Request) (*http.Response, error) {
			switch r.URL.Fragment {
			case gen.FragmentUploadSliceData:
				if slices.Add(1) > 100 {
					return nil, errors.New("test: too many slices") // ends a loop that would not end
				}
			case op:
				_, _ = io.Copy(io.Discard, r.Body)
				_ = r.Body.Close()
				return answer(body)()
			}
			return http.DefaultTransport.RoundTrip(r)
		})
		return newClient(cosv2.WithHTTPClient(&http.Client{Transport: tr})), &slices
	}
	size := int64(cosv2.MaxSimpleUpload + 1)

	DescribeTable("fail the upload with ErrBadAnswer before a slice is sent",
		func(op, body string) {
			c, slices := hostile(op, body)
			if op == gen.FragmentUploadSliceList {
				// An unfinished upload to resume, so that the uploader lists it.
				_, err := c.SliceInit(context.Background(), "h.bin", size, slice, cosv2.SliceInitOptions{})
				Expect(err).NotTo(HaveOccurred())
			}
			var last uploader.Progress
			_, err := uploader.Upload(context.Background(), c, "h.bin", bytes.NewReader(data(size, 7)), size,
				uploader.WithSliceSize(slice), uploader.WithProgress(func(p uploader.Progress) { last = p }))
			Expect(err).To(MatchError(cosv2.ErrBadAnswer))
			Expect(slices.Load()).To(BeZero())
			Expect(last.BytesDone).To(BeZero())
		},
		Entry("an init's slice size of 0", gen.FragmentUploadSliceInit,
			`{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":0}}`),
		Entry("an init's slice size the spec does not allow", gen.FragmentUploadSliceInit,
			`{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":7}}`),
		Entry("an init with neither a session nor a file", gen.FragmentUploadSliceInit,
			`{"code":0,"message":"SUCCESS","data":{"slice_size":524288}}`),
		Entry("a listed slice past the end", gen.FragmentUploadSliceList,
			`{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":524288,"filesize":20971521,`+
				`"listparts":[{"offset":104857600,"datalen":-83886079}]}}`),
		Entry("a listed slice at a negative offset", gen.FragmentUploadSliceList,
			`{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":524288,"filesize":20971521,`+
				`"listparts":[{"offset":-524288,"datalen":524288}]}}`),
	)
})

var _ = Describe("a service that asks for serial slices", func() {
	It("gets one slice at a time, whatever WithConcurrency says", func() {
		var inFlight, most atomic.Int32
		tr := roundTripper(func(r *http.Request) (*http.Response, error) {
			switch r.URL.Fragment {
			case gen.FragmentUploadSliceData:
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(5 * time.Millisecond) // a slice that takes a while, so others would overlap it
			case gen.FragmentUploadSliceInit:
				resp, err := http.DefaultTransport.RoundTrip(r)
				if err != nil {
					return nil, err
				}
				body, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if err != nil {
					return nil, err
				}
				if !bytes.Contains(body, []byte(`"serial_upload":0`)) {
					return nil, errors.New("test: the init's answer has no serial_upload to change")
				}
				body = bytes.Replace(body, []byte(`"serial_upload":0`), []byte(`"serial_upload":1`), 1)
				resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
				resp.Header.Del("Content-Length")
				return resp, nil
			}
			return http.DefaultTransport.RoundTrip(r)
		})
		c := newClient(cosv2.WithHTTPClient(&http.Client{Transport: tr}))
		size := int64(cosv2.MaxSimpleUpload + 8*slice)
		b := data(size, 17)
		_, err := uploader.Upload(context.Background(), c, "serial.bin", bytes.NewReader(b), size,
			uploader.WithSliceSize(slice), uploader.WithConcurrency(4))
		Expect(err).NotTo(HaveOccurred())
		Expect(most.Load()).To(BeEquivalentTo(1))
		Expect(download(c, "serial.bin")).To(Equal(b))
	})
})
