//go:build !race

package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
)

// Sixty-five thousand requests in a row: built without the race detector,
// which would multiply their cost and has nothing to find in one goroutine
// (make test runs this file in its unit-stores step).
var _ = Describe("one-time signatures, many", func() {
	It("are refused when replayed after 65,536 other one-time requests", func() {
		srv := startWith(nil)
		mkdir(srv, "/d/")
		sig := onceAt("/d/", time.Now())
		Expect(deleteDir(srv, "/d/", sig).Code).To(BeZero())
		h := srv.Config.Handler
		for range 1<<16 + 8 {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/files/v2/"+appID+"/"+bucket+"/gone/", strings.NewReader(`{"op":"delete"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", onceAt("/gone/", time.Now()))
			h.ServeHTTP(rec, req)
			Expect(rec.Body.String()).To(ContainSubstring(fmt.Sprint(coserr.ErrFileNotExist.Code)))
		}
		mkdir(srv, "/d/")
		Expect(deleteDir(srv, "/d/", sig).Code).To(Equal(coserr.ErrSignatureReplayed.Code))
	})
})
