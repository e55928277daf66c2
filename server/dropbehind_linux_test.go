package server_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"unsafe"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/sys/unix"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// resident counts the pages of path in the page cache.
func resident(path string) (n, of int) {
	f, err := os.Open(path) //nolint:gosec // a file of the test's own data dir
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	st, err := f.Stat()
	Expect(err).NotTo(HaveOccurred())
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = unix.Munmap(m) }()
	vec := make([]byte, (len(m)+os.Getpagesize()-1)/os.Getpagesize())
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(unsafe.SliceData(m))), uintptr(len(m)), uintptr(unsafe.Pointer(unsafe.SliceData(vec))))
	Expect(errno).To(BeZero())
	for _, v := range vec {
		n += int(v & 1)
	}
	return n, len(vec)
}

var _ = Describe("a slice upload to the disk store", func() {
	// An upload's bytes, once written, synced and hashed, are not read again
	// soon; kept in the page cache they take pages the next slices need
	// (which cost ten times as much to write into when new to the cache).
	It("leaves its file's pages to the kernel once they are hashed", func() {
		dir := GinkgoT().TempDir()
		srv := start(dir)
		c, err := cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, cosv2.WithEndpoint(srv.URL))
		Expect(err).NotTo(HaveOccurred())
		body := bytes.Repeat([]byte("0123456789abcdef"), 24<<20/16) // past a simple upload's 20 MB
		_, err = uploader.Upload(context.Background(), c, "/big.bin", bytes.NewReader(body), int64(len(body)),
			uploader.WithSliceSize(524288), uploader.WithConcurrency(4))
		Expect(err).NotTo(HaveOccurred())
		var blob string
		Expect(filepath.WalkDir(filepath.Join(dir, "blobs"), func(p string, d fs.DirEntry, err error) error {
			if info, e := d.Info(); err == nil && e == nil && info.Mode().IsRegular() && info.Size() == int64(len(body)) {
				blob = p
			}
			return err
		})).To(Succeed())
		Expect(blob).NotTo(BeEmpty())
		n, of := resident(blob)
		Expect(of).To(BeNumerically(">", 1000))
		Expect(n).To(BeNumerically("<", of/10), "%d of %d pages still cached", n, of)
	})
})
