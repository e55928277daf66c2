package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
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
})
