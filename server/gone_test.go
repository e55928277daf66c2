package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("a slice write whose client goes away", func() {
	const slice = 524288

	// cosv2 put interrupted (Ctrl-C) while the server wrote a slice: the
	// request's context ended before the write was recorded as stored, so
	// the slice stayed "being written" and the same put run again got -300
	// for that slice until --write-timeout (2 minutes) had passed.
	DescribeTable("is finished and recorded, so the next try of that slice is accepted at once",
		func(dir func() string) {
			d := dir()
			cfg := server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
				DataDir: dataDir(d), Memory: d == "", Validate: true, Logger: slog.New(slog.NewTextHandler(GinkgoWriter, nil)), DropGrace: -1}
			if strings.HasPrefix(d, pgPrefix) {
				cfg.Meta = postgresFor(cfg.DataDir)
			}
			cfg.Limits.WriteTimeout = time.Hour // a slice left busy stays so for the whole test
			s, gates, err := server.NewWithStore(cfg, server.StoreOptions{})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(s.Close)
			var last atomic.Pointer[context.Context] // the context of the latest request
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := r.Context()
				last.Store(&ctx)
				s.ServeHTTP(w, r)
			}))
			DeferCleanup(srv.Close)
			sess := sliceSession(srv, "/f", 2*slice)

			gate := gates.Arm('X')
			ct, body := form("op", "upload_slice_data", "session", sess, "offset", "0", "filecontent", strings.Repeat("X", slice))
			ctx, cancel := context.WithCancel(context.Background())
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/files/v2/"+appID+"/"+bucket+"/f", bytes.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", sign(signer.Multi, bucket, "/f"))
			sent := make(chan error, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				sent <- err
			}()
			<-gate.Entered // the slice begun, its bytes being written
			cancel()
			Eventually(sent).WithTimeout(time.Minute).Should(Receive(HaveOccurred()))
			Eventually((*last.Load()).Done()).WithTimeout(time.Minute).Should(BeClosed(), "the server saw the client go")
			close(gate.Release)

			// The write ends in the background: until then the slice is busy
			// (-300), after it the slice is stored and may be sent again.
			Eventually(func() int { return sliceOp(srv, "/f", sess, 0, 'X').Code }).
				WithTimeout(time.Minute).WithPolling(20 * time.Millisecond).Should(BeZero())
			Expect(sliceOp(srv, "/f", sess, slice, 'X').Code).To(BeZero())
			fin := formOp(srv, signer.Multi, "/f", "op", "upload_slice_finish", "session", sess, "filesize", itoa(2*slice))
			Expect(fin.Code).To(BeZero(), fin.Message)
		},
		Entry("in memory", func() string { return "" }),
		Entry("on disk with SQLite", func() string { return GinkgoT().TempDir() }),
		Entry("on disk with PostgreSQL", func() string { return pgPrefix + GinkgoT().TempDir() }),
	)
})
