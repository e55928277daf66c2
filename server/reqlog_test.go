package server_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"

	"github.com/cosv2/cosv2/server"
)

var _ = Describe("the request log", func() {
	// cosv2 serve's README: "logs one line per request on stderr". Only API
	// requests whose op was known were logged: downloads, refused
	// signatures and preflights left no line, so a user looking for why a
	// download or a signature failed found nothing.
	DescribeTable("has one line for every request, with its status and code, and never its query",
		func(send func(srv string) (*http.Response, error), line string) {
			log := gbytes.NewBuffer()
			srv := start("", func(c *server.Config) {
				c.Logger = slog.New(slog.NewTextHandler(log, nil))
				c.CORSOrigins = []string{"http://app.example"}
			})
			Expect(upload(srv, "/a.txt", "hello").Code).To(BeZero())
			Eventually(log).WithTimeout(10 * time.Second).Should(gbytes.Say(`msg=request method=POST op=upload path=/a.txt status=200 code=0\n`))
			resp, err := send(srv.URL)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Eventually(log).WithTimeout(10 * time.Second).Should(gbytes.Say(`msg=request ` + regexp.QuoteMeta(line) + `\n`))
			Expect(string(log.Contents())).NotTo(ContainSubstring("SECRET"))
		},
		Entry("a download", func(srv string) (*http.Response, error) {
			return http.Get(srv + "/" + appID + "/" + bucket + "/a.txt?sign=SECRET")
		}, "method=GET op=download path=/a.txt status=200 code=0"),
		Entry("a download of no file", func(srv string) (*http.Response, error) {
			return http.Head(srv + "/" + appID + "/" + bucket + "/none.txt")
		}, "method=HEAD op=download path=/none.txt status=404 code=-197"),
		Entry("an API request without a signature", func(srv string) (*http.Response, error) {
			return http.Get(srv + "/files/v2/" + appID + "/" + bucket + "/?op=list&sign=SECRET")
		}, "method=GET op=\"\" path=/files/v2/"+appID+"/"+bucket+"/ status=403 code=-81"),
		Entry("a preflight", func(srv string) (*http.Response, error) {
			req, err := http.NewRequest(http.MethodOptions, srv+"/files/v2/"+appID+"/"+bucket+"/a.txt", nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Origin", "http://app.example")
			req.Header.Set("Access-Control-Request-Method", "POST")
			return http.DefaultClient.Do(req)
		}, "method=OPTIONS op=\"\" path=/files/v2/"+appID+"/"+bucket+"/a.txt status=204 code=0"),
	)
})

var _ = Describe("a download whose bytes cannot be read", func() {
	// The answer had begun (200 and its length): the client saw a short
	// body, and the server's log said nothing of the store's error.
	It("logs the store's error and -181 in the request's line", func() {
		log := gbytes.NewBuffer()
		_, _, srv := startGated("", server.StoreOptions{FailRead: errors.New("input/output error reading cos-data/blobs/ab")},
			func(c *server.Config) { c.Logger = slog.New(slog.NewTextHandler(log, nil)) })
		Expect(upload(srv, "/big.bin", strings.Repeat("x", server.DefaultInlineMax+1)).Code).To(BeZero()) // not kept in the database
		resp, err := http.Get(srv.URL + "/" + appID + "/" + bucket + "/big.bin")
		Expect(err).NotTo(HaveOccurred())
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		Eventually(log).WithTimeout(10 * time.Second).Should(gbytes.Say(`level=ERROR msg="server: download failed" path=/big.bin err="input/output error reading cos-data/blobs/ab"\n`))
		Eventually(log).WithTimeout(10 * time.Second).Should(gbytes.Say(`msg=request method=GET op=download path=/big.bin status=200 code=-181\n`))
	})
})
