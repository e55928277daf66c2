package server_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("uploadparts whose last datasha is not the init's sha", func() {
	// The last entry is the file's SHA-1 itself, checked at the finish as
	// the sha is: no bytes match both, so the init took an upload that
	// failed only at its finish, after every slice was sent.
	It("is refused at the init", func() {
		srv := start("")
		parts := `[{"offset":0,"datalen":10,"datasha":"` + sha([]byte("dddddddddd")) + `"}]`
		a := formOp(srv, signer.Multi, "/f", "op", "upload_slice_init", "filesize", "10", "slice_size", "524288",
			"sha", sha([]byte("eeeeeeeeee")), "uploadparts", parts)
		Expect(a.Code).To(Equal(coserr.ErrParamInvalid.Code), a.Message)
		Expect(formOp(srv, signer.Multi, "/f", "op", "upload_slice_list").Code).To(Equal(coserr.ErrFileNotExist.Code))
	})

	It("is taken when it is the sha, in either case", func() {
		srv := start("")
		parts := `[{"offset":0,"datalen":10,"datasha":"` + sha([]byte("eeeeeeeeee")) + `"}]`
		a := formOp(srv, signer.Multi, "/f", "op", "upload_slice_init", "filesize", "10", "slice_size", "524288",
			"sha", strings.ToUpper(sha([]byte("eeeeeeeeee"))), "uploadparts", parts)
		Expect(a.Code).To(BeZero(), a.Message)
		sess := a.Data["session"].(string)
		Expect(formOp(srv, signer.Multi, "/f", "op", "upload_slice_data", "session", sess, "offset", "0", "filecontent", "eeeeeeeeee").Code).To(BeZero())
		a = formOp(srv, signer.Multi, "/f", "op", "upload_slice_finish", "session", sess, "filesize", "10")
		Expect(a.Code).To(BeZero(), a.Message)
	})
})
