package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the SQLite log", func() {
	// SQLite copies its log into the database in the commit that fills it,
	// 1000 pages by default: a request paid for it. The server copies it in
	// the background instead, and leaves commits to do it only past 8192
	// pages (128 MB), so the database file grows while the log is small.
	It("is copied into the database in the background, not by a request's commit", func() {
		dir := GinkgoT().TempDir()
		srv := start(dir)
		body := strings.Repeat("c", 64<<10)
		for i := range 40 { // 2.5 MB, inline: far below what makes a commit copy the log
			Expect(upload(srv, fmt.Sprintf("/f%02d", i), body).Code).To(BeZero())
		}
		db := filepath.Join(dir, "meta.db")
		Eventually(func() int64 {
			st, err := os.Stat(db)
			Expect(err).NotTo(HaveOccurred())
			return st.Size()
		}).WithTimeout(30 * time.Second).Should(BeNumerically(">=", 40*64<<10)) // a guard: it runs every 100 ms
	})
})
