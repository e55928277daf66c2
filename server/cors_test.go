package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

// startCORS runs a server in memory that allows pages of origins.
func startCORS(origins ...string) *httptest.Server {
	srv := httptest.NewUnstartedServer(nil)
	s, err := server.New(server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
		Memory: true, BaseURL: "http://" + srv.Listener.Addr().String(), CORSOrigins: origins})
	Expect(err).NotTo(HaveOccurred())
	srv.Config.Handler = s
	srv.Start()
	DeferCleanup(srv.Close)
	return srv
}

// preflight sends the OPTIONS a browser sends before a signed request.
func preflight(srv *httptest.Server, origin, method, headers string) *http.Response {
	req, err := http.NewRequest(http.MethodOptions, srv.URL+"/files/v2/"+appID+"/"+bucket+"/a.txt", nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	_, _ = io.Copy(io.Discard, resp.Body)
	Expect(resp.Body.Close()).To(Succeed())
	return resp
}

// fromPage sends a request as a page of origin would after its preflight.
func fromPage(srv *httptest.Server, origin, method, url, auth string) (*http.Response, []byte) {
	req, err := http.NewRequest(method, url, nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Origin", origin)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp, b
}

var _ = Describe("CORS", func() {
	const page = "http://127.0.0.1:5173"

	Context("with an allowed origin", func() {
		var srv *httptest.Server
		BeforeEach(func() { srv = startCORS(page, "http://other.example") })

		It("answers a preflight for a signed multipart POST without a signature", func() {
			resp := preflight(srv, page, "POST", "authorization,content-type")
			Expect(resp.StatusCode).To(Equal(http.StatusNoContent))
			Expect(resp.Header.Get("Access-Control-Allow-Origin")).To(Equal(page))
			Expect(resp.Header.Get("Access-Control-Allow-Methods")).To(ContainSubstring("POST"))
			Expect(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))).To(And(ContainSubstring("authorization"), ContainSubstring("content-type"), ContainSubstring("range")))
			Expect(resp.Header.Get("Access-Control-Max-Age")).NotTo(BeEmpty())
			Expect(resp.Header.Get("Access-Control-Allow-Credentials")).To(BeEmpty(), "signatures authorise, never cookies")
			Expect(resp.Header.Values("Vary")).To(ContainElement("Origin"))
		})

		It("lets the page read answers, errors and download headers", func() {
			resp, body := fromPage(srv, page, http.MethodGet, srv.URL+"/files/v2/"+appID+"/"+bucket+"/none.txt?op=stat", sign(signer.Multi, bucket, ""))
			Expect(resp.Header.Get("Access-Control-Allow-Origin")).To(Equal(page))
			var env struct{ Code int }
			Expect(json.Unmarshal(body, &env)).To(Succeed())
			Expect(env.Code).To(Equal(coserr.ErrFileNotExist.Code), "the error envelope reaches the page")

			up := upload(srv, "/a.txt", "hello")
			Expect(up.Code).To(Equal(0))
			resp, body = fromPage(srv, page, http.MethodGet, srv.URL+"/"+appID+"/"+bucket+"/a.txt", "")
			Expect(string(body)).To(Equal("hello"))
			Expect(resp.Header.Get("Access-Control-Allow-Origin")).To(Equal(page))
			Expect(resp.Header.Get("Access-Control-Expose-Headers")).To(And(ContainSubstring("ETag"), ContainSubstring("Content-Range")))
			Expect(resp.Header.Get("ETag")).NotTo(BeEmpty())
		})

		It("still refuses an unsigned API request", func() {
			resp, body := fromPage(srv, page, http.MethodGet, srv.URL+"/files/v2/"+appID+"/"+bucket+"/?op=stat", "")
			Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
			Expect(string(body)).To(ContainSubstring(`"code":-81`))
		})

		It("refuses a preflight for a method or header the API does not take", func() {
			Expect(preflight(srv, page, "DELETE", "").StatusCode).To(Equal(http.StatusMethodNotAllowed))
			Expect(preflight(srv, page, "POST", "authorization,x-evil").StatusCode).To(Equal(http.StatusForbidden))
		})

		It("sends no CORS header to another origin", func() {
			resp := preflight(srv, "http://evil.example", "POST", "authorization")
			Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
			Expect(resp.Header.Get("Access-Control-Allow-Origin")).To(BeEmpty())
			r, _ := fromPage(srv, "http://evil.example", http.MethodGet, srv.URL+"/files/v2/"+appID+"/"+bucket+"/?op=stat", sign(signer.Multi, bucket, ""))
			Expect(r.Header.Get("Access-Control-Allow-Origin")).To(BeEmpty())
		})
	})

	It("allows any origin with *", func() {
		srv := startCORS("*")
		resp := preflight(srv, "http://anything.example", "GET", "authorization,range")
		Expect(resp.StatusCode).To(Equal(http.StatusNoContent))
		Expect(resp.Header.Get("Access-Control-Allow-Origin")).To(Equal("*"))
	})

	It("sends no CORS header at all when no origin is configured", func() {
		srv := startCORS()
		resp := preflight(srv, page, "POST", "authorization")
		Expect(resp.Header.Get("Access-Control-Allow-Origin")).To(BeEmpty())
		r, _ := fromPage(srv, page, http.MethodGet, srv.URL+"/files/v2/"+appID+"/"+bucket+"/?op=stat", sign(signer.Multi, bucket, ""))
		Expect(r.StatusCode).To(Equal(http.StatusOK))
		Expect(r.Header.Get("Access-Control-Allow-Origin")).To(BeEmpty())
	})
})
