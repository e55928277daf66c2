package cosv2_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

var _ = Describe("a download's signature", func() {
	// The GET goes to the stat answer's source_url: another host, a CDN, or
	// plain http on the service; its Authorization must open the file and
	// nothing else: neither an upload over it nor one over another file
	// (the path alone of a file under a directory named /<appid>/<bucket>/
	// spells the fileid of a shorter path).
	DescribeTable("is good for the download only, not for the API",
		func(file, target string) {
			url := newServer().URL
			ctx := context.Background()
			var (
				mu  sync.Mutex
				sig string
			)
			tr := transportFunc(func(r *http.Request) (*http.Response, error) {
				if !strings.HasPrefix(r.URL.Path, "/files/v2/") {
					mu.Lock()
					sig = r.Header.Get("Authorization")
					mu.Unlock()
				}
				return http.DefaultTransport.RoundTrip(r)
			})
			c := newClient(url, cosv2.WithHTTPClient(&http.Client{Transport: tr}))
			for _, d := range []string{"/" + appID + "/", "/" + appID + "/" + bucket + "/"} {
				if strings.HasPrefix(file, d) {
					Expect(c.MakeDir(ctx, d)).To(Succeed())
				}
			}
			_, err := c.Put(ctx, target, strings.NewReader("mine"), 4, cosv2.WithOverwrite())
			Expect(err).NotTo(HaveOccurred())
			_, err = c.Put(ctx, file, strings.NewReader("mine"), 4, cosv2.WithOverwrite())
			Expect(err).NotTo(HaveOccurred())
			var got bytes.Buffer
			_, err = c.Download(ctx, file, &got)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.String()).To(Equal("mine"))
			mu.Lock()
			stolen := sig
			mu.Unlock()
			Expect(stolen).NotTo(BeEmpty())

			// Whoever saw that GET sends the API an upload with it.
			thief := newClient(url, cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 1}),
				cosv2.WithHTTPClient(&http.Client{Transport: transportFunc(func(r *http.Request) (*http.Response, error) {
					r.Header.Set("Authorization", stolen)
					return http.DefaultTransport.RoundTrip(r)
				})}))
			_, err = thief.Put(ctx, target, strings.NewReader("evil"), 4, cosv2.WithOverwrite())
			Expect(err).To(HaveOccurred())
			got.Reset()
			_, err = c.Download(ctx, target, &got)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.String()).To(Equal("mine"))
		},
		Entry("over the file", "/f.txt", "/f.txt"),
		Entry("over the file whose fileid its path spells", "/"+appID+"/"+bucket+"/x.txt", "/x.txt"),
	)
})
