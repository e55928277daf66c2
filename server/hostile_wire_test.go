package server_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/server"
)

// Peers of a server run as `cosv2 serve` runs it (its listener and
// timeouts), in process, over TCP on loopback.
var _ = Describe("hostile peers on the wire", func() {
	// goError is an answer as net/http writes it itself to a request it
	// cannot parse, which the listener turns into the JSON envelope.
	const goError = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"

	DescribeTable("download a file that holds net/http's own error answer byte for byte",
		func(before int) {
			srv := startWith(nil)
			content := strings.Repeat("a", before) + goError
			Expect(upload(srv, "/trap.bin", content).Code).To(BeZero())
			resp, err := http.Get(srv.URL + "/" + appID + "/" + bucket + "/trap.bin")
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.StatusCode).To(Equal(http.StatusOK))
			Expect(string(got)).To(Equal(content), "the listener rewrote the file's bytes")
		},
		// The answer's last write then starts with the file's tail.
		Entry("after 32 KB", 32<<10),
		Entry("after 64 KB", 64<<10),
	)

	It("still answers a bad request on a kept-alive connection with the JSON envelope", func() {
		srv := startWith(nil)
		Expect(upload(srv, "/f.txt", "hello").Code).To(BeZero())
		conn := dial(srv.Listener.Addr().String())
		br := bufio.NewReader(conn)
		Expect(conn.SetDeadline(time.Now().Add(time.Minute))).To(Succeed())
		_, err := fmt.Fprintf(conn, "GET /%s/%s/f.txt HTTP/1.1\r\nHost: x\r\n\r\n", appID, bucket)
		Expect(err).NotTo(HaveOccurred())
		resp, err := http.ReadResponse(br, nil)
		Expect(err).NotTo(HaveOccurred())
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(body)).To(Equal("hello"))

		_, err = io.WriteString(conn, "GARBAGE\r\n\r\n")
		Expect(err).NotTo(HaveOccurred())
		a := readEnvelope(conn, br)
		Expect(a.Status).To(Equal(http.StatusBadRequest), fmt.Sprint(a))
		Expect(a.Code).To(Equal(coserr.ErrCGIParam.Code), fmt.Sprint(a))
	})

	Describe("a Range of many ranges", func() {
		var srv *httptest.Server
		content := strings.Repeat("0123456789", 10_000)
		BeforeEach(func() {
			srv = startWith(nil)
			Expect(upload(srv, "/r.bin", content).Code).To(BeZero())
		})
		download := func(ranges int) *http.Response {
			rs := make([]string, ranges)
			for i := range rs {
				rs[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
			}
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/"+appID+"/"+bucket+"/r.bin", nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Range", "bytes="+strings.Join(rs, ","))
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(resp.Body.Close)
			return resp
		}

		It("is served as the whole file: 5000 one-byte ranges are not 5000 parts, each a read of the store", func() {
			// 48 KB of header asked for some 750 KB of parts, and on S3 each
			// range out of order is a GET of its own.
			resp := download(5000)
			body, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.StatusCode).To(Equal(http.StatusOK), "a multipart answer of %d bytes", len(body))
			Expect(string(body)).To(Equal(content))
		})

		It("is served in parts up to the limit", func() {
			resp := download(server.MaxRanges)
			Expect(resp.StatusCode).To(Equal(http.StatusPartialContent))
			Expect(resp.Header.Get("Content-Type")).To(HavePrefix("multipart/byteranges"))
			_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			Expect(err).NotTo(HaveOccurred())
			mr := multipart.NewReader(resp.Body, params["boundary"])
			n := 0
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					break
				}
				Expect(err).NotTo(HaveOccurred())
				b, err := io.ReadAll(p)
				Expect(err).NotTo(HaveOccurred())
				Expect(string(b)).To(Equal(content[2*n : 2*n+1]))
				n++
			}
			Expect(n).To(Equal(server.MaxRanges))
		})
	})
})
