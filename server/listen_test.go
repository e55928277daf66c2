package server_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("ListenAndServe", func() {
	// It made a Server and never closed it: its collector and checkpointer
	// kept running, and its database (and S3 store) stayed open, once
	// `cosv2 serve` had shut down.
	It("closes the server it made once shut down", func() {
		dir := GinkgoT().TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		addrs, done := make(chan string, 1), make(chan error, 1)
		go func() {
			defer GinkgoRecover()
			done <- server.ListenAndServe(ctx, server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
				DataDir: dir}, "127.0.0.1:0", func(addr string) { addrs <- addr })
		}()
		addr := <-addrs
		req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("http://%s/files/v2/%s/%s/d/", addr, appID, bucket), strings.NewReader(`{"op":"create"}`))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", sign(signer.Multi, bucket, "/d/"))
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Body.Close()).To(Succeed())
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(filepath.Join(dir, "meta.db-wal")).To(BeAnExistingFile(), "the database is open, in WAL mode")
		cancel()
		Expect(<-done).To(Succeed())
		Expect(filepath.Join(dir, "meta.db-wal")).NotTo(BeAnExistingFile(), "the database was closed: SQLite removes the log at the last close")
	})
})
