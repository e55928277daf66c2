package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

// Peers that try to make `cosv2 serve` spend memory, connections or time, or
// to read what they should not, against the binary run as a child process.
// Every spec here failed on the server before it authenticated requests
// before their bodies and had timeouts, a connection cap and private
// downloads (a97217f).
var _ = Describe("hostile peers of cosv2 serve", func() {
	It("hold no memory with unsigned bodies: 30 peers streaming 21 MB each leave the peak RSS under 64 MB + 1 MB a connection", func() {
		if runtime.GOOS != "linux" {
			Skip("reads /proc/<pid>/status")
		}
		// Before the signature came first the server read each body whole
		// into a buffer of its Content-Length: some 630 MB here.
		const conns, size = 30, 21_000_000
		const boundKB = 64<<10 + conns<<10
		c := serveChild("", bucket)
		head := apiHead(c.addr, bucket, "/big.bin", "multipart/form-data; boundary=b", size, "")
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		var wg sync.WaitGroup
		for range conns {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
				Expect(err).NotTo(HaveOccurred())
				defer conn.Close()
				Expect(conn.SetDeadline(time.Now().Add(time.Minute))).To(Succeed())
				if _, err := io.WriteString(conn, head); err != nil {
					return
				}
				for sent := 0; sent < size; sent += len(chunk) {
					// The server may answer 403 at once and close: the rest of
					// the body then fails to write, which is the point.
					if _, err := conn.Write(chunk[:min(len(chunk), size-sent)]); err != nil {
						return
					}
				}
			}()
		}
		wg.Wait()
		fmt.Fprintf(GinkgoWriter, "VmHWM %d kB, VmRSS %d kB, bound %d kB\n", c.memKB("VmHWM"), c.memKB("VmRSS"), boundKB)
		Expect(c.memKB("VmHWM")).To(BeNumerically("<", boundKB), "peak RSS in kB")
		Expect(c.memKB("VmRSS")).To(BeNumerically("<", boundKB), "RSS in kB")
		a := c.api(Default, http.MethodPost, bucket, "/after/", "application/json", []byte(`{"op":"create"}`), sign(signer.Multi, bucket, "/after/"))
		Expect(a.Code).To(BeZero(), fmt.Sprint(a))
	})

	It("hold no memory with JSON nested 64 KB deep: 16 signed peers at once leave the peak RSS under 64 MB + 1 MB a peer", func() {
		if runtime.GOOS != "linux" {
			Skip("reads /proc/<pid>/status")
		}
		// The check for duplicate keys walked the nesting by recursion: the
		// stack of one request grew to 32 MB for a 64 KB body, past what
		// Limits.BodyMemory counts, and stayed with its connection.
		const peers = 16
		const boundKB = 64<<10 + peers<<10
		c := serveChild("", bucket)
		deep := []byte(strings.Repeat("[", server.MaxJSON))
		var wg sync.WaitGroup
		for i := range peers {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				path := fmt.Sprintf("/deep-%d/", i)
				a := c.api(Default, http.MethodPost, bucket, path, "application/json", deep, sign(signer.Multi, bucket, path))
				Expect(a.Code).To(Equal(coserr.ErrJSONParse.Code), fmt.Sprint(a))
			}()
		}
		wg.Wait()
		fmt.Fprintf(GinkgoWriter, "VmHWM %d kB, VmRSS %d kB, bound %d kB\n", c.memKB("VmHWM"), c.memKB("VmRSS"), boundKB)
		Expect(c.memKB("VmHWM")).To(BeNumerically("<", boundKB), "peak RSS in kB")
	})

	Describe("with --read-timeout 2s", func() {
		var c *child
		BeforeEach(func() { c = serveChild("", bucket, "--read-timeout", "2s", "--max-conns", "100") })

		// slowBody sends a signed upload's header (Content-Length 1000) and
		// then one byte of its body every 200ms, as long as the server reads;
		// the channel is closed once the server has closed the connection.
		slowBody := func() <-chan struct{} {
			conn := dial(c.addr)
			path := fmt.Sprintf("/slow-%d.bin", rnd.Add(1))
			_, err := io.WriteString(conn, apiHead(c.addr, bucket, path, "multipart/form-data; boundary=b", 1000, sign(signer.Multi, bucket, path)))
			Expect(err).NotTo(HaveOccurred())
			closed := closedByPeer(conn)
			stop := make(chan struct{})
			DeferCleanup(func() { close(stop) })
			go func() {
				t := time.NewTicker(200 * time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-closed:
						return
					case <-stop:
						return
					case <-t.C:
						if _, err := conn.Write([]byte("-")); err != nil {
							return
						}
					}
				}
			}()
			return closed
		}

		It("cuts a signed request whose body trickles in slower than the timeout", func() {
			Eventually(slowBody()).WithTimeout(6 * time.Second).Should(BeClosed())
		})

		It("cuts 100 such peers (the whole --max-conns) and then answers a signed request", func() {
			slow := make([]<-chan struct{}, 100)
			for i := range slow {
				slow[i] = slowBody()
			}
			for i, closed := range slow {
				Eventually(closed).WithTimeout(8*time.Second).Should(BeClosed(), "slow connection %d", i)
			}
			Eventually(func(g Gomega) {
				a := c.api(g, http.MethodPost, bucket, "/after/", "application/json", []byte(`{"op":"create"}`), sign(signer.Multi, bucket, "/after/"))
				g.Expect(a.Code).To(BeZero(), fmt.Sprint(a))
			}).WithTimeout(5 * time.Second).Should(Succeed())
		})
	})

	It("closes 50 idle keep-alive connections after --idle-timeout 1s", func() {
		c := serveChild("", bucket, "--idle-timeout", "1s")
		idle := make([]<-chan struct{}, 50)
		for i := range idle {
			conn := dial(c.addr)
			br := bufio.NewReader(conn)
			_, err := fmt.Fprintf(conn, "GET /%s/%s/none-%d HTTP/1.1\r\nHost: %s\r\n\r\n", appID, bucket, i, c.addr)
			Expect(err).NotTo(HaveOccurred())
			a := readEnvelope(conn, br)
			Expect(a.Status).To(Equal(http.StatusNotFound), fmt.Sprint(a))
			idle[i] = closedByPeer(br)
		}
		for i, closed := range idle {
			Eventually(closed).WithTimeout(5*time.Second).Should(BeClosed(), "idle connection %d", i)
		}
	})

	It("answers the connection over --max-conns 8 with 503 and -300, and serves again once the 8 close", func() {
		c := serveChild("", bucket, "--max-conns", "8")
		held := make([]net.Conn, 8)
		for i := range held {
			held[i] = dial(c.addr)
			br := bufio.NewReader(held[i])
			_, err := fmt.Fprintf(held[i], "GET /%s/%s/none HTTP/1.1\r\nHost: %s\r\n\r\n", appID, bucket, c.addr)
			Expect(err).NotTo(HaveOccurred())
			Expect(readEnvelope(held[i], br).Status).To(Equal(http.StatusNotFound))
		}
		// The ninth sends nothing: the answer is due on connecting, and a
		// request the server never reads would turn its close into a reset
		// that may drop the answer before it is read.
		ninth := dial(c.addr)
		a := readEnvelope(ninth, bufio.NewReader(ninth))
		Expect(a.Status).To(Equal(http.StatusServiceUnavailable), fmt.Sprint(a))
		Expect(a.Code).To(Equal(coserr.ErrOverload.Code), fmt.Sprint(a))
		Eventually(closedByPeer(ninth)).WithTimeout(5 * time.Second).Should(BeClosed())

		for _, h := range held {
			Expect(h.Close()).To(Succeed())
		}
		Eventually(func(g Gomega) {
			a := c.api(g, http.MethodPost, bucket, "/after/", "application/json", []byte(`{"op":"create"}`), sign(signer.Multi, bucket, "/after/"))
			g.Expect(a.Code).To(BeZero(), fmt.Sprint(a))
		}).WithTimeout(5 * time.Second).Should(Succeed())
	})

	// One peer could hold every slot of --max-conns (a connection that sends
	// nothing holds one for --read-header-timeout, a download read slowly
	// for as long as it reads), and no one else was served.
	It("answers a peer's connection over --max-conns-per-peer 2 with 503 and -300, while serving other peers", func() {
		c := serveChild("", bucket, "--max-conns", "8", "--max-conns-per-peer", "2")
		get := func(conn net.Conn) answer {
			br := bufio.NewReader(conn)
			_, err := fmt.Fprintf(conn, "GET /%s/%s/none HTTP/1.1\r\nHost: %s\r\n\r\n", appID, bucket, c.addr)
			Expect(err).NotTo(HaveOccurred())
			return readEnvelope(conn, br)
		}
		held := []net.Conn{dialFrom("127.0.0.1", c.addr), dialFrom("127.0.0.1", c.addr)}
		for _, h := range held {
			Expect(get(h).Status).To(Equal(http.StatusNotFound))
		}
		third := dialFrom("127.0.0.1", c.addr) // sends nothing: the answer is due on connecting
		a := readEnvelope(third, bufio.NewReader(third))
		Expect(a.Status).To(Equal(http.StatusServiceUnavailable), fmt.Sprint(a))
		Expect(a.Code).To(Equal(coserr.ErrOverload.Code), fmt.Sprint(a))
		Expect(get(dialFrom("127.0.0.2", c.addr)).Status).To(Equal(http.StatusNotFound), "another peer is served")

		Expect(held[0].Close()).To(Succeed())
		Eventually(func() int { return get(dialFrom("127.0.0.1", c.addr)).Status }).WithTimeout(5 * time.Second).Should(Equal(http.StatusNotFound))
	})

	Describe("a 17 MB form of some 200k tiny parts", func() {
		const path = "/many.txt"
		var (
			c    *child
			ct   string
			body []byte
		)
		BeforeEach(func() {
			c = serveChild("", bucket)
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			Expect(w.SetBoundary("b")).To(Succeed())
			Expect(w.WriteField("op", "upload")).To(Succeed())
			for i := 0; b.Len() < 17_000_000; i++ {
				Expect(w.WriteField(fmt.Sprintf("f%d", i), "a tiny value of a field")).To(Succeed())
			}
			Expect(w.Close()).To(Succeed())
			fmt.Fprintf(GinkgoWriter, "%d parts, %d bytes\n", strings.Count(b.String(), "\r\n--b"), b.Len())
			Expect(b.Len()).To(BeNumerically("<=", server.MaxBody))
			ct, body = w.FormDataContentType(), b.Bytes()
		})

		It("unsigned: is refused 403 (-81) from its header alone, before a byte of the body is sent", func() {
			conn := dial(c.addr)
			_, err := io.WriteString(conn, apiHead(c.addr, bucket, path, ct, len(body), ""))
			Expect(err).NotTo(HaveOccurred())
			a := readEnvelope(conn, bufio.NewReader(conn))
			Expect(a.Status).To(Equal(http.StatusForbidden), fmt.Sprint(a))
			Expect(a.Code).To(Equal(coserr.ErrSignatureEmpty.Code), fmt.Sprint(a))
		})

		It("signed: is refused with the form error naming the parts limit", func() {
			a := c.api(Default, http.MethodPost, bucket, path, ct, body, sign(signer.Multi, bucket, path))
			Expect(a.Status).To(Equal(http.StatusBadRequest), fmt.Sprint(a))
			Expect(a.Code).To(Equal(coserr.ErrFormError.Code), fmt.Sprint(a))
			Expect(a.Message).To(ContainSubstring(fmt.Sprintf("at most %d parts", server.MaxParts)))
		})
	})

	It("keeps private downloads from unsigned peers: a --private-bucket (a missing file too) and a file updated to eWRPrivate", func() {
		const priv, content = "priv", "private bytes"
		c := serveChild("", bucket+","+priv, "--private-bucket", priv)
		up := func(b, path string) {
			ct, body := form("op", "upload", "filecontent", content)
			a := c.api(Default, http.MethodPost, b, path, ct, body, sign(signer.Multi, b, path))
			Expect(a.Code).To(BeZero(), fmt.Sprint(a))
		}
		refused := func(b, path string) {
			status, ct, body := c.download(b, path, "", "")
			Expect(status).To(Equal(http.StatusForbidden), "unsigned GET of %s%s: %s", b, path, body)
			Expect(ct).To(HavePrefix("application/json"))
			var a answer
			Expect(json.Unmarshal(body, &a)).To(Succeed(), string(body))
			Expect(a.Code).To(Equal(coserr.ErrSignatureEmpty.Code), string(body))
		}
		served := func(b, path, query, auth string) {
			status, _, body := c.download(b, path, query, auth)
			Expect(status).To(Equal(http.StatusOK), "GET of %s%s?%s: %s", b, path, query, body)
			Expect(string(body)).To(Equal(content))
		}

		up(priv, "/secret.txt")
		refused(priv, "/secret.txt")
		refused(priv, "/missing.txt") // not 404: existence does not leak
		served(priv, "/secret.txt", "sign="+url.QueryEscape(sign(signer.Multi, priv, "/secret.txt")), "")
		served(priv, "/secret.txt", "", sign(signer.Multi, priv, "/secret.txt"))

		up(bucket, "/public.txt")
		served(bucket, "/public.txt", "", "")
		a := c.api(Default, http.MethodPost, bucket, "/public.txt", "application/json",
			[]byte(`{"op":"update","authority":"eWRPrivate"}`), sign(signer.Once, bucket, "/public.txt"))
		Expect(a.Code).To(BeZero(), fmt.Sprint(a))
		refused(bucket, "/public.txt")
		served(bucket, "/public.txt", "", sign(signer.Multi, bucket, "/public.txt"))
	})

	DescribeTable("answers requests net/http refuses itself with the JSON envelope, not text/plain",
		func(raw string) {
			c := serveChild("", bucket)
			conn := dial(c.addr)
			_, err := io.WriteString(conn, strings.ReplaceAll(raw, "ADDR", c.addr))
			Expect(err).NotTo(HaveOccurred())
			a := readEnvelope(conn, bufio.NewReader(conn))
			Expect(a.Status).To(Equal(http.StatusBadRequest), fmt.Sprint(a))
			Expect(a.Code).NotTo(BeZero(), fmt.Sprint(a))
			Expect(a.Message).NotTo(BeEmpty())
		},
		Entry("a garbage request line", "GARBAGE\r\n\r\n"),
		Entry("Content-Length: abc", "POST /files/v2/"+appID+"/"+bucket+"/x HTTP/1.1\r\nHost: ADDR\r\nContent-Length: abc\r\n\r\n"),
	)

	It("refuses a one-time signature replayed after a restart on the same --data (-77)", func() {
		data := GinkgoT().TempDir()
		del, auth := []byte(`{"op":"delete"}`), sign(signer.Once, bucket, "/d/")
		mkdir := func(c *child) {
			a := c.api(Default, http.MethodPost, bucket, "/d/", "application/json", []byte(`{"op":"create"}`), sign(signer.Multi, bucket, "/d/"))
			Expect(a.Code).To(BeZero(), fmt.Sprint(a))
		}

		c := serveChild(data, bucket)
		mkdir(c)
		a := c.api(Default, http.MethodPost, bucket, "/d/", "application/json", del, auth)
		Expect(a.Code).To(BeZero(), fmt.Sprint(a))
		c.stop()

		c = serveChild(data, bucket)
		mkdir(c) // so that the replay, were it accepted, would delete it again
		a = c.api(Default, http.MethodPost, bucket, "/d/", "application/json", del, auth)
		Expect(a.Status).To(Equal(http.StatusForbidden), fmt.Sprint(a))
		Expect(a.Code).To(Equal(coserr.ErrSignatureReplayed.Code), fmt.Sprint(a))
		a = c.api(Default, http.MethodGet, bucket, "/d/?op=stat", "", nil, sign(signer.Multi, bucket, "/d/"))
		Expect(a.Code).To(BeZero(), "the directory the replay would have deleted: %v", a)
	})
})
