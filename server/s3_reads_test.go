package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

// A file stored as slices is one S3 object per slice, read one after
// another: a download of it must not lose its later objects to the
// collector when the file is replaced (or deleted) while it runs, at the
// server reading it or at another one sharing the database.
var _ = Describe("a download on S3 while its file is replaced", func() {
	const slice = 512 << 10
	// Larger than what loopback's socket buffers take in, so the server is
	// still reading slice objects when the file is replaced.
	big := bytes.Repeat([]byte("0123456789abcdef"), 40*slice/16)

	grace := func(c *server.Config) { c.DropGrace = 5 * time.Second } // pushed on every 1.7 s
	sliceUpload := func(srv *httptest.Server, path string, data []byte) string {
		init := formOp(srv, signer.Multi, path, "op", "upload_slice_init", "filesize", fmt.Sprint(len(data)), "slice_size", fmt.Sprint(slice), "sha", sha(data))
		Expect(init.Code).To(BeZero(), init.Message)
		session := init.Data["session"].(string)
		for off := 0; off < len(data); off += slice {
			a := formOp(srv, signer.Multi, path, "op", "upload_slice_data", "session", session, "offset", fmt.Sprint(off),
				"filecontent", string(data[off:min(off+slice, len(data))]))
			Expect(a.Code).To(BeZero(), a.Message)
		}
		fin := formOp(srv, signer.Multi, path, "op", "upload_slice_finish", "session", session, "filesize", fmt.Sprint(len(data)))
		Expect(fin.Code).To(BeZero(), fin.Message)
		return session
	}

	// run downloads big.bin from reader, replaces it and ctl.txt at writer
	// once the first bytes are in, waits until ctl.txt's old object was
	// collected (so a collection round went past big.bin's dropped slices),
	// then reads the rest: the bytes are the old file's, whole; once the
	// download ends, its objects go too.
	run := func(d string, reader, writer *httptest.Server) {
		session := sliceUpload(reader, "/big.bin", big)
		Expect(upload(reader, "/ctl.txt", "control, first").Code).To(BeZero())
		objs := s3Objects(d)
		ctl := slices.DeleteFunc(slices.Clone(objs), func(o string) bool { return strings.Contains(o, session) })
		Expect(ctl).To(HaveLen(1))

		resp, err := http.Get(reader.URL + "/" + appID + "/" + bucket + "/big.bin")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200))
		head := make([]byte, 64<<10)
		_, err = io.ReadFull(resp.Body, head)
		Expect(err).NotTo(HaveOccurred())

		Expect(upload(writer, "/big.bin", "replaced", "insertOnly", "0").Code).To(BeZero())
		Expect(upload(writer, "/ctl.txt", "control, second", "insertOnly", "0").Code).To(BeZero())
		Eventually(func() []string { return s3Objects(d) }).WithTimeout(20*time.Second).ShouldNot(ContainElement(ctl[0]), "a collection round ran")

		rest, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(append(head, rest...)).To(Equal(big), "the download's bytes are the file it began on")
		Expect(resp.Body.Close()).To(Succeed())
		Eventually(func() string { return strings.Join(s3Objects(d), " ") }).WithTimeout(20*time.Second).
			ShouldNot(ContainSubstring(session), "the replaced file's objects go once nobody reads them")
	}

	It("keeps the file's objects for a download at the server that replaced it", func() {
		d := GinkgoT().TempDir()
		srv := start(s3Prefix+d, grace)
		DeferCleanup(srv.Close)
		run(d, srv, srv)
	})

	It("keeps them when another server sharing PostgreSQL and S3 replaced it", func() {
		d := pgPrefix + GinkgoT().TempDir()
		one, two := start(s3Prefix+d, grace), start(s3Prefix+d, grace)
		DeferCleanup(one.Close)
		DeferCleanup(two.Close)
		run(d, one, two)
	})
})
