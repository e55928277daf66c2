package server_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("a slice finish without filesize", func() {
	// The document requires it at the finish as at the init; the init
	// answered its absence -5971 (missing filesize), the finish -5995
	// (wrong file size), as if "" were a size.
	It("is answered as the init's: filesize is missing", func() {
		srv := startWith(nil) // the server's own rules, as `cosv2 serve` runs
		a := formOp(srv, signer.Multi, "/f", "op", "upload_slice_init", "filesize", "10", "slice_size", "524288")
		Expect(a.Code).To(BeZero(), a.Message)
		sess := a.Data["session"].(string)
		a = formOp(srv, signer.Multi, "/f", "op", "upload_slice_finish", "session", sess)
		Expect(a.Code).To(Equal(coserr.ErrMissingFilesize.Code), a.Message)
		a = formOp(srv, signer.Multi, "/f", "op", "upload_slice_finish", "session", sess, "filesize", "ten")
		Expect(a.Code).To(Equal(coserr.ErrFileSize.Code), a.Message)
	})
})
