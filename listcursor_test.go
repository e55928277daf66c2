package cosv2_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

// rewritePages passes requests to the real server and hands the data of
// each list answer (its page number counting from 1) to edit.
func rewritePages(edit func(page int, data map[string]any)) http.RoundTripper {
	var (
		mu    sync.Mutex
		pages int
	)
	return transportFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil || r.URL.Query().Get("op") != "list" {
			return resp, err
		}
		defer resp.Body.Close()
		var env map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			return nil, err
		}
		mu.Lock()
		pages++
		edit(pages, env["data"].(map[string]any))
		mu.Unlock()
		b, err := json.Marshal(env)
		if err != nil {
			return nil, err
		}
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		resp.Header.Del("Content-Length")
		return resp, nil
	})
}

var _ = Describe("List, when the service gives no way to the next page", func() {
	var url string
	BeforeEach(func() {
		url = newServer().URL
		c := newClient(url)
		for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			_, err := c.Put(context.Background(), n, strings.NewReader(n), 1)
			Expect(err).NotTo(HaveOccurred())
		}
	})

	// Pages of 2 of 8 entries; edit sees the contexts of the pages so far.
	DescribeTable("ends with ErrBadAnswer, never as if the listing were complete nor in an endless loop",
		func(edit func(page int, data map[string]any, contexts []string)) {
			var contexts []string
			tr := rewritePages(func(page int, data map[string]any) {
				contexts = append(contexts, data["context"].(string))
				edit(page, data, contexts)
			})
			c := newClient(url, cosv2.WithHTTPClient(&http.Client{Transport: tr}))
			var (
				names []string
				last  error
			)
			for e, err := range c.List(context.Background(), "/", cosv2.WithPageSize(2)) {
				if err != nil {
					last = err
					break
				}
				if names = append(names, e.Name); len(names) > 100 {
					break // a hang guard: the listing has 8 entries
				}
			}
			Expect(last).To(MatchError(cosv2.ErrBadAnswer))
			Expect(len(names)).To(BeNumerically("<=", 8))
		},
		Entry("a page that is not the last without a context", func(page int, data map[string]any, _ []string) {
			if page == 2 {
				data["context"] = ""
			}
		}),
		Entry("a page that gives the previous page's context again", func(page int, data map[string]any, contexts []string) {
			if page == 2 {
				data["context"] = contexts[0]
			}
		}),
		Entry("a page that gives an earlier page's context again", func(page int, data map[string]any, contexts []string) {
			if page == 3 {
				data["context"] = contexts[0]
			}
		}),
	)
})
