package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

// startWith runs a memory server as `cosv2 serve` does: its listener and
// timeouts, and no spec validation unless mod turns it on, so the server's
// own rules answer.
func startWith(mod func(*server.Config)) *httptest.Server {
	srv := httptest.NewUnstartedServer(nil)
	cfg := server.Config{AppID: appID, Buckets: []string{bucket, "other"}, SecretID: secretID, SecretKey: secretKey,
		Memory: true, BaseURL: "http://" + srv.Listener.Addr().String(), DropGrace: -1}
	if mod != nil {
		mod(&cfg)
	}
	s, err := server.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(s.Close)
	srv.Config = s.HTTPServer()
	srv.Listener = s.Listener(srv.Listener)
	srv.Start()
	DeferCleanup(srv.Close)
	return srv
}

// onceAt signs a one-time signature for path with t = now.
func onceAt(path string, now time.Time) string {
	sig, err := signer.Sign(creds, signer.Params{Bucket: bucket, Kind: signer.Once, FileID: signer.FileID(appID, bucket, path), Now: now, Rand: rnd.Add(1)})
	Expect(err).NotTo(HaveOccurred())
	return sig
}

func deleteDir(srv *httptest.Server, path, sig string) answer {
	return call(srv, http.MethodPost, path, "", "application/json", []byte(`{"op":"delete"}`), sig)
}

func exists(srv *httptest.Server, path string) bool {
	return get(srv, path, "op=stat").Code == 0
}

var _ = Describe("a server on a network", func() {
	Describe("parses strictly: each bad field gets the document's code and nothing changes", func() {
		var srv *httptest.Server
		BeforeEach(func() {
			srv = startWith(nil)
			mkdir(srv, "/d/")
			Expect(upload(srv, "/d/f.txt", "hello").Code).To(BeZero())
		})
		sha := strings.Repeat("a", 40)
		DescribeTable("refused",
			func(send func() answer, want *coserr.APIError, unchanged func()) {
				a := send()
				Expect(a.Code).To(Equal(want.Code), a.Message)
				Expect(a.Status).To(BeNumerically("<", 500))
				unchanged()
			},
			Entry("filesize with a sign", func() answer {
				return formOp(srv, signer.Multi, "/d/big", "op", "upload_slice_init", "filesize", "+5", "slice_size", "524288")
			}, coserr.ErrFileSize, func() { noSession(srv, "/d/big") }),
			Entry("filesize 2^63-1", func() answer {
				return formOp(srv, signer.Multi, "/d/big", "op", "upload_slice_init", "filesize", fmt.Sprint(int64(math.MaxInt64)), "slice_size", "524288")
			}, coserr.ErrFileTooLarge, func() { noSession(srv, "/d/big") }),
			Entry("a non-hex datasha", func() answer {
				parts := fmt.Sprintf(`[{"offset":0,"datalen":5,"datasha":"%s"}]`, strings.Repeat("z", 40))
				return formOp(srv, signer.Multi, "/d/big", "op", "upload_slice_init", "filesize", "5", "slice_size", "524288", "sha", sha, "uploadparts", parts)
			}, coserr.ErrParamInvalid, func() { noSession(srv, "/d/big") }),
			Entry("a non-hex sha on upload", func() answer {
				return upload(srv, "/d/g.txt", "x", "sha", strings.Repeat("g", 40))
			}, coserr.ErrCGIParam, func() { Expect(exists(srv, "/d/g.txt")).To(BeFalse()) }),
			Entry("to_over_write 2", func() answer {
				Expect(upload(srv, "/d/h.txt", "other").Code).To(BeZero())
				return formOp(srv, signer.Once, "/d/f.txt", "op", "move", "dest_fileid", "/d/h.txt", "to_over_write", "2")
			}, coserr.ErrCGIParam, func() { Expect(exists(srv, "/d/f.txt")).To(BeTrue()) }),
			Entry("a duplicate JSON key", func() answer {
				return call(srv, http.MethodPost, "/d/f.txt", "", "application/json", []byte(`{"op":"update","op":"delete"}`), sign(signer.Once, bucket, "/d/f.txt"))
			}, coserr.ErrJSONParse, func() { Expect(exists(srv, "/d/f.txt")).To(BeTrue()) }),
			Entry("a duplicate key inside custom_headers", func() answer {
				return call(srv, http.MethodPost, "/d/f.txt", "", "application/json",
					[]byte(`{"op":"update","custom_headers":{"Content-Type":"a","Content-Type":"b"}}`), sign(signer.Once, bucket, "/d/f.txt"))
			}, coserr.ErrJSONParse, func() { Expect(get(srv, "/d/f.txt", "op=stat").Data).NotTo(HaveKey("custom_headers")) }),
			Entry("a custom header twice, its names differing only in case (which one won was chance)", func() answer {
				return call(srv, http.MethodPost, "/d/f.txt", "", "application/json",
					[]byte(`{"op":"update","custom_headers":{"Content-Type":"a","content-type":"b"}}`), sign(signer.Once, bucket, "/d/f.txt"))
			}, coserr.ErrJSONParse, func() { Expect(get(srv, "/d/f.txt", "op=stat").Data).NotTo(HaveKey("custom_headers")) }),
			Entry("a form field twice", func() answer {
				return formOp(srv, signer.Multi, "/d/g.txt", "op", "upload", "filecontent", "x", "insertOnly", "0", "insertOnly", "1")
			}, coserr.ErrFormError, func() { Expect(exists(srv, "/d/g.txt")).To(BeFalse()) }),
			Entry("more parts than a form has", func() answer {
				fields := []string{"op", "upload", "filecontent", "x"}
				for i := range server.MaxParts {
					fields = append(fields, fmt.Sprintf("x%d", i), "1")
				}
				return formOp(srv, signer.Multi, "/d/g.txt", fields...)
			}, coserr.ErrFormError, func() { Expect(exists(srv, "/d/g.txt")).To(BeFalse()) }),
		)
		It("still takes the numbers as the SDKs send them", func() {
			a := formOp(srv, signer.Multi, "/d/big", "op", "upload_slice_init", "filesize", "5", "slice_size", "524288", "insertOnly", "0")
			Expect(a.Code).To(BeZero(), a.Message)
		})
	})

	Describe("custom_headers", func() {
		var srv *httptest.Server
		BeforeEach(func() {
			srv = startWith(nil)
			Expect(upload(srv, "/f.txt", "hello, world!").Code).To(BeZero())
		})
		update := func(h map[string]string) answer {
			return jsonOp(srv, signer.Once, "/f.txt", map[string]any{"op": "update", "custom_headers": h})
		}
		DescribeTable("refuses headers the document does not list, and stores nothing",
			func(name, value string) {
				a := update(map[string]string{"Cache-Control": "no-cache", name: value})
				Expect(a.Code).To(Equal(coserr.ErrCGIParam.Code), a.Message)
				Expect(get(srv, "/f.txt", "op=stat").Data).NotTo(HaveKey("custom_headers"))
			},
			Entry("Set-Cookie", "Set-Cookie", "session=stolen"),
			Entry("Location", "Location", "http://evil.example/"),
			Entry("Access-Control-Allow-Origin", "Access-Control-Allow-Origin", "*"),
			Entry("Content-Length", "Content-Length", "3"),
			Entry("x-cos-meta- with no name", "x-cos-meta-", "x"),
			Entry("a name with a space", "x-cos-meta-a b", "x"),
			Entry("a value with a line break", "Content-Type", "text/plain\r\nSet-Cookie: a=b"),
			Entry("a value over 1 KB", "x-cos-meta-big", strings.Repeat("v", server.MaxHeaderValue+1)),
		)
		It("sends the allowed ones on downloads, names canonical, and never truncates", func() {
			Expect(update(map[string]string{"content-type": "text/x-test", "x-cos-meta-owner": "ann"}).Code).To(BeZero())
			resp, err := http.Get(srv.URL + "/" + appID + "/" + bucket + "/f.txt")
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			Expect(string(body)).To(Equal("hello, world!"))
			Expect(resp.Header.Get("Content-Type")).To(Equal("text/x-test"))
			Expect(resp.Header.Get("X-Cos-Meta-Owner")).To(Equal("ann"))
		})
		It("keeps at most 32 per file", func() {
			h := map[string]string{}
			for i := range server.MaxCustomHeaders {
				h[fmt.Sprintf("x-cos-meta-h%d", i)] = "v"
			}
			Expect(update(h).Code).To(BeZero())
			Expect(update(map[string]string{"x-cos-meta-one-more": "v"}).Code).To(Equal(coserr.ErrCGIParam.Code))
		})
	})

	Describe("private files", func() {
		var srv *httptest.Server
		BeforeEach(func() {
			srv = startWith(func(c *server.Config) { c.PrivateBuckets = []string{"other"} })
			Expect(upload(srv, "/pub.txt", "public").Code).To(BeZero())
			Expect(upload(srv, "/mine.txt", "private").Code).To(BeZero())
			Expect(jsonOp(srv, signer.Once, "/mine.txt", map[string]string{"op": "update", "authority": "eWRPrivate"}).Code).To(BeZero())
		})
		download := func(b, path, query, auth string) (int, int, string) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/"+appID+"/"+b+path+query, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var env struct{ Code int }
			if resp.StatusCode != 200 {
				Expect(json.Unmarshal(body, &env)).To(Succeed(), "the JSON envelope: %s", body)
			}
			return resp.StatusCode, env.Code, string(body)
		}
		multiFor := func(b, f string) string {
			now := time.Now()
			sig, err := signer.Sign(creds, signer.Params{Bucket: b, Kind: signer.Multi, FileID: f, Now: now, Expires: now.Add(time.Minute), Rand: rnd.Add(1)})
			Expect(err).NotTo(HaveOccurred())
			return sig
		}
		It("serves a public file unsigned", func() {
			status, _, body := download(bucket, "/pub.txt", "", "")
			Expect(status).To(Equal(200))
			Expect(body).To(Equal("public"))
		})
		It("refuses an unsigned download of a file made private", func() {
			status, code, _ := download(bucket, "/mine.txt", "", "")
			Expect(status).To(Equal(403))
			Expect(code).To(Equal(coserr.ErrSignatureEmpty.Code))
		})
		DescribeTable("serves it with a multi-use signature",
			func(query func() string, auth func() string) {
				status, _, body := download(bucket, "/mine.txt", query(), auth())
				Expect(status).To(Equal(200))
				Expect(body).To(Equal("private"))
			},
			Entry("in Authorization, f empty", func() string { return "" }, func() string { return multiFor(bucket, "") }),
			Entry("in ?sign=, + sent raw, bound to the fileid", func() string {
				return "?sign=" + multiFor(bucket, signer.FileID(appID, bucket, "/mine.txt"))
			}, func() string { return "" }),
			Entry("in ?sign=, escaped, bound to the path alone as the SDKs sign URLs", func() string {
				return "?sign=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(multiFor(bucket, "/mine.txt"))
			}, func() string { return "" }),
		)
		// The official SDKs sign a download URL for the path alone, also a
		// path under a directory named /<appid>/<bucket>/ (whose path alone
		// spells a shorter path's fileid: our clients sign such a file with
		// its own fileid, but the server must take the SDKs' URL).
		It("serves a file under /<appid>/<bucket>/ with the SDKs' signature for the path alone", func() {
			odd := "/" + appID + "/" + bucket + "/deep.txt"
			mkdir(srv, "/"+appID+"/")
			mkdir(srv, "/"+appID+"/"+bucket+"/")
			Expect(upload(srv, odd, "deep").Code).To(BeZero())
			Expect(jsonOp(srv, signer.Once, odd, map[string]string{"op": "update", "authority": "eWRPrivate"}).Code).To(BeZero())
			status, _, body := download(bucket, odd, "", multiFor(bucket, odd))
			Expect(status).To(Equal(200), body)
			Expect(body).To(Equal("deep"))
		})
		DescribeTable("refuses a signature that does not hold",
			func(auth func() string, want *coserr.APIError) {
				status, code, _ := download(bucket, "/mine.txt", "", auth())
				Expect(status).To(Equal(403))
				Expect(code).To(Equal(want.Code))
			},
			Entry("one-time", func() string { return sign(signer.Once, bucket, "/mine.txt") }, coserr.ErrMultiSignExpireZero),
			Entry("bound to another file", func() string { return multiFor(bucket, "/pub.txt") }, coserr.ErrFileIDNotMatch),
			Entry("for another bucket", func() string { return multiFor("other", "") }, coserr.ErrBucketNotMatch),
		)
		It("in a private bucket, refuses unsigned downloads of files and of files that do not exist alike", func() {
			Expect(formOp2(srv, "other", "/x.txt", "op", "upload", "filecontent", "x").Code).To(BeZero())
			status, _, _ := download("other", "/x.txt", "", "")
			Expect(status).To(Equal(403))
			status, _, _ = download("other", "/nope.txt", "", "")
			Expect(status).To(Equal(403))
			status, _, body := download("other", "/x.txt", "", multiFor("other", ""))
			Expect(status).To(Equal(200))
			Expect(body).To(Equal("x"))
		})
		It("serves a file of a private bucket marked public-read unsigned", func() {
			Expect(formOp2(srv, "other", "/open.txt", "op", "upload", "filecontent", "o").Code).To(BeZero())
			a := call2(srv, "other", http.MethodPost, "/open.txt", "application/json", []byte(`{"op":"update","authority":"eWPrivateRPublic"}`), signFor(signer.Once, "other", "/open.txt"))
			Expect(a.Code).To(BeZero(), a.Message)
			status, _, _ := download("other", "/open.txt", "", "")
			Expect(status).To(Equal(200))
		})
	})

	Describe("one-time signatures", func() {
		It("are refused when replayed after a restart", func() {
			dir := GinkgoT().TempDir()
			srv := startWith(func(c *server.Config) { c.Memory, c.DataDir = false, dir })
			mkdir(srv, "/d/")
			sig := onceAt("/d/", time.Now())
			Expect(deleteDir(srv, "/d/", sig).Code).To(BeZero())
			srv.Close()
			srv = startWith(func(c *server.Config) { c.Memory, c.DataDir = false, dir })
			mkdir(srv, "/d/")
			Expect(deleteDir(srv, "/d/", sig).Code).To(Equal(coserr.ErrSignatureReplayed.Code))
			Expect(exists(srv, "/d/")).To(BeTrue())
		})
		It("are refused as expired outside the window, and nothing changes", func() {
			srv := startWith(func(c *server.Config) { c.Limits.OnceWindow = 10 * time.Minute })
			mkdir(srv, "/d/")
			a := deleteDir(srv, "/d/", onceAt("/d/", time.Now().Add(-11*time.Minute)))
			Expect(a.Code).To(Equal(coserr.ErrSignatureExpired.Code))
			Expect(exists(srv, "/d/")).To(BeTrue())
			Expect(deleteDir(srv, "/d/", onceAt("/d/", time.Now().Add(-9*time.Minute))).Code).To(BeZero())
		})
		It("are refused as expired outside a window under a second, and nothing changes", func() {
			srv := startWith(func(c *server.Config) { c.Limits.OnceWindow = 500 * time.Millisecond })
			mkdir(srv, "/d/")
			a := deleteDir(srv, "/d/", onceAt("/d/", time.Now().Add(-time.Hour)))
			Expect(a.Code).To(Equal(coserr.ErrSignatureExpired.Code), fmt.Sprint(a))
			Expect(exists(srv, "/d/")).To(BeTrue())
		})
		It("are refused when replayed with a body that arrives after the window closed", func() {
			var mu sync.Mutex
			t := time.Now().Truncate(time.Second)
			now := t
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			set := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = t.Add(d) }
			// MaxNonces 1: the replay's Add first forgets the signatures past their window.
			srv := startWith(func(c *server.Config) { c.Now, c.Limits.MaxNonces, c.Limits.OnceWindow = clock, 1, time.Minute })
			mkdir(srv, "/d/")
			sig := onceAt("/d/", t)
			Expect(deleteDir(srv, "/d/", sig).Code).To(BeZero())
			mkdir(srv, "/d/")

			// The replay: its header within the window, its body after it.
			set(59 * time.Second)
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			Expect(err).NotTo(HaveOccurred())
			defer conn.Close()
			body := `{"op":"delete"}`
			_, err = fmt.Fprintf(conn, "POST /files/v2/%s/%s/d/ HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"+
				"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", appID, bucket, sig, len(body))
			Expect(err).NotTo(HaveOccurred())
			r := bufio.NewReader(conn)
			line, err := r.ReadString('\n')
			Expect(err).NotTo(HaveOccurred())
			Expect(line).To(HavePrefix("HTTP/1.1 100"), "the server reads the body only once the signature holds")
			_, err = r.ReadString('\n')
			Expect(err).NotTo(HaveOccurred())
			set(62 * time.Second)
			_, err = io.WriteString(conn, body)
			Expect(err).NotTo(HaveOccurred())
			resp, err := http.ReadResponse(r, nil)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			var a answer
			Expect(json.NewDecoder(resp.Body).Decode(&a)).To(Succeed())
			Expect(a.Code).To(Equal(coserr.ErrSignatureExpired.Code), fmt.Sprint(a))
			set(0) // for the multi-use signature of the stat
			Expect(exists(srv, "/d/")).To(BeTrue(), "the replay deleted the directory again")
		})
		It("when the window holds MaxNonces, refuses new ones as overload until some leave it", func() {
			var mu sync.Mutex
			now := time.Now()
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			srv := startWith(func(c *server.Config) {
				c.Now, c.Limits.MaxNonces, c.Limits.OnceWindow = clock, 3, time.Minute
			})
			for range 3 {
				Expect(deleteDir(srv, "/gone/", onceAt("/gone/", clock())).Code).To(Equal(coserr.ErrFileNotExist.Code))
			}
			a := deleteDir(srv, "/gone/", onceAt("/gone/", clock()))
			Expect(a.Code).To(Equal(coserr.ErrOverload.Code))
			Expect(a.Status).To(Equal(503))
			mu.Lock()
			now = now.Add(2*time.Minute + time.Second)
			mu.Unlock()
			Expect(deleteDir(srv, "/gone/", onceAt("/gone/", clock())).Code).To(Equal(coserr.ErrFileNotExist.Code))
		})
	})

	// A store that fails for a while (S3 answering 503, a network error) is
	// not a missing file: a 404 would tell the client not to try again.
	It("answers a download whose bytes the store fails to open as a storage failure, not a missing file", func() {
		_, _, srv := startGated("", server.StoreOptions{FailOpen: errors.New("503 SlowDown")})
		Expect(upload(srv, "/f.txt", strings.Repeat("x", server.DefaultInlineMax+1)).Code).To(BeZero()) // not kept in the database
		resp, err := http.Get(srv.URL + "/" + appID + "/" + bucket + "/f.txt")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		var env struct{ Code int }
		Expect(json.NewDecoder(resp.Body).Decode(&env)).To(Succeed())
		Expect(resp.StatusCode).To(Equal(http.StatusInternalServerError))
		Expect(env.Code).To(Equal(coserr.ErrCmdError.Code))
	})

	// A download's signature in its query is a key to the file while it
	// lasts: the log of a request that panicked must not hold it.
	It("logs a panic without the request's signature", func() {
		var log bytes.Buffer
		var mu sync.Mutex
		_, _, srv := startGated("", server.StoreOptions{PanicOnOpen: true}, func(c *server.Config) {
			c.Logger = slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
				mu.Lock()
				defer mu.Unlock()
				return log.Write(p)
			}), nil))
		})
		Expect(upload(srv, "/f.txt", strings.Repeat("x", server.DefaultInlineMax+1)).Code).To(BeZero()) // not kept in the database
		resp, err := http.Get(srv.URL + "/" + appID + "/" + bucket + "/f.txt?sign=SECRETSIGNATURE")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusInternalServerError))
		mu.Lock()
		defer mu.Unlock()
		Expect(log.String()).To(ContainSubstring("panic"))
		Expect(log.String()).To(ContainSubstring("/f.txt"))
		Expect(log.String()).NotTo(ContainSubstring("SECRETSIGNATURE"))
	})

	It("answers a full disk with a code that says so, without the server's paths, and logs the detail", func() {
		var log bytes.Buffer
		s, arm, err := server.NewFailingWrites(server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
			Logger: slog.New(slog.NewTextHandler(&log, nil))}, &fs.PathError{Op: "write", Path: "/srv/cos-data/meta/ab/x.json.tmp", Err: syscall.ENOSPC})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		srv := httptest.NewServer(s)
		DeferCleanup(srv.Close)
		arm()
		a := upload(srv, "/f.txt", "hello")
		Expect(a.Code).To(Equal(coserr.ErrCmdError.Code))
		Expect(a.Status).To(Equal(http.StatusInsufficientStorage))
		Expect(a.Message).To(ContainSubstring("full"))
		Expect(a.Message).NotTo(ContainSubstring("/srv/cos-data"))
		Expect(log.String()).To(ContainSubstring("/srv/cos-data/meta/ab/x.json.tmp"))
	})

	DescribeTable("answers what net/http refuses itself with the JSON envelope",
		func(raw string, status int) {
			srv := startWith(nil)
			c, err := net.Dial("tcp", srv.Listener.Addr().String())
			Expect(err).NotTo(HaveOccurred())
			defer c.Close()
			_, err = io.WriteString(c, raw)
			Expect(err).NotTo(HaveOccurred())
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(status))
			Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"))
			var a answer
			Expect(jsonDecode(resp, &a)).To(Succeed())
			Expect(a.Code).To(Equal(coserr.ErrCGIParam.Code))
			Expect(a.Message).NotTo(BeEmpty())
		},
		Entry("a bad request line", "GARBAGE\r\n\r\n", 400),
		Entry("a bad Content-Length", "POST /files/v2/1/b/x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
		Entry("a header over the limit", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 128<<10)+"\r\n\r\n", 431),
	)

	It("holds a body's memory share until its request ends: a second one waits", func() {
		srv := startWith(func(c *server.Config) { c.Limits.BodyMemory = 1 }) // the least: one largest body
		// The first request's body never comes: it holds the whole budget.
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		Expect(err).NotTo(HaveOccurred())
		fmt.Fprintf(c, "POST /files/v2/%s/%s/a HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n",
			appID, bucket, sign(signer.Multi, bucket, "/a"), server.MaxBody)
		// net/http asks for the body when the handler starts reading it: after the reservation.
		line, err := bufio.NewReader(c).ReadString('\n')
		Expect(err).NotTo(HaveOccurred())
		Expect(line).To(HavePrefix("HTTP/1.1 100"))
		done := make(chan answer, 1)
		go func() {
			defer GinkgoRecover()
			done <- upload(srv, "/b.txt", "b")
		}()
		Consistently(done).WithTimeout(300 * time.Millisecond).ShouldNot(Receive())
		c.Close()
		var a answer
		Eventually(done).WithTimeout(10 * time.Second).Should(Receive(&a))
		Expect(a.Code).To(BeZero(), a.Message)
	})
})

// noSession: an init of path finds no unfinished upload left behind.
func noSession(srv *httptest.Server, path string) {
	a := formOp(srv, signer.Multi, path, "op", "upload_slice_init", "filesize", "5", "slice_size", "524288")
	Expect(a.Code).To(BeZero(), "a session was left: %v", a)
}

func signFor(kind signer.Kind, b, path string) string { return sign(kind, b, path) }

// call2 is call for another bucket.
func call2(srv *httptest.Server, b, method, rawPath, contentType string, body []byte, auth string) answer {
	req, err := http.NewRequest(method, srv.URL+"/files/v2/"+appID+"/"+b+rawPath, bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", auth)
	return do(req)
}

// formOp2 is formOp for another bucket, multi-use.
func formOp2(srv *httptest.Server, b, path string, fields ...string) answer {
	ct, body := form(fields...)
	return call2(srv, b, http.MethodPost, path, ct, body, sign(signer.Multi, b, path))
}
