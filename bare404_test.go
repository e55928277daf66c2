package cosv2_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

// A download host (a CDN, the real service's) answers a missing object with
// a bare 404, not the API's envelope: NewReader's reads say ErrFileNotExist,
// as its doc promises, so IsNotExist tells a missing object.
var _ = Describe("a download host's bare 404", func() {
	It("is ErrFileNotExist", func() {
		host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<Error>NoSuchKey</Error>", http.StatusNotFound)
		}))
		DeferCleanup(host.Close)
		c := newClient("http://127.0.0.1:1")
		info := &cosv2.FileInfo{Path: "/gone.txt", Size: 10, SHA1: "0000000000000000000000000000000000000000", SourceURL: host.URL + "/gone.txt"}
		r, err := c.NewReader(context.Background(), "gone.txt", cosv2.WithFileInfo(info))
		Expect(err).NotTo(HaveOccurred())
		defer r.Close()
		_, err = io.ReadAll(r)
		Expect(err).To(MatchError(cosv2.ErrFileNotExist))
		Expect(cosv2.IsNotExist(err)).To(BeTrue())
	})
})
