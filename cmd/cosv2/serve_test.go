package main

import (
	"context"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("serve with --memory and a store that outlives it", func() {
	DescribeTable("refuses before it listens, exit 2",
		func(flag, value string) {
			ctx, cancel := context.WithCancel(context.Background())
			DeferCleanup(cancel) // stops a server that did start
			var out, errOut lockedBuffer
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, []string{"cosv2", "serve", "--addr", "127.0.0.1:0", "--appid", "1", "--bucket", "b",
					"--secret-id", "i", "--secret-key", "k", "--memory", flag, value}, &out, &errOut)
			}()
			var code int
			Eventually(done).WithTimeout(30*time.Second).Should(Receive(&code), "serve is running: %s", out.String())
			Expect(code).To(Equal(2), errOut.String())
			Expect(errOut.String()).To(ContainSubstring(flag))
			Expect(out.String()).NotTo(ContainSubstring("listening"))
		},
		Entry("--data: nothing would be kept there", "--data", filepath.Join(os.TempDir(), "cosv2-memory-and-data")),
		Entry("--meta: its rows would outlive the bytes", "--meta", "postgres://127.0.0.1:1/cosv2"),
	)
})
