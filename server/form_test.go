package server_test

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"unsafe"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/server"
)

var _ = Describe("a form parsed in place", func() {
	boundaries, bodies := server.FormSeeds()
	DescribeTable("finds the parts mime/multipart finds, in the body itself, or leaves the body to mime/multipart",
		func(i int, inPlace bool) {
			body, b := bodies[i], boundaries[i]
			names, data, ok := server.SplitForm(body, b)
			Expect(ok).To(Equal(inPlace))
			if !ok {
				return
			}
			mr := multipart.NewReader(bytes.NewReader(body), b)
			for j := 0; ; j++ {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					Expect(names).To(HaveLen(j))
					break
				}
				Expect(err).NotTo(HaveOccurred())
				want, err := io.ReadAll(p)
				Expect(err).NotTo(HaveOccurred())
				Expect(names[j]).To(Equal(p.FormName()))
				Expect(data[j]).To(Equal(want))
				if len(want) > 0 { // no copy: the data lie inside the body
					off := int(uintptr(unsafe.Pointer(unsafe.SliceData(data[j]))) - uintptr(unsafe.Pointer(unsafe.SliceData(body))))
					Expect(off).To(BeNumerically(">=", 0))
					Expect(off + len(want)).To(BeNumerically("<=", len(body)))
					Expect(body[off : off+len(want)]).To(Equal(want))
				}
			}
		},
		Entry("Go's multipart.Writer, a boundary-like line inside the data", 0, true),
		Entry("no CRLF after the closing boundary", 1, true),
		Entry("an epilogue", 2, true),
		Entry("a preamble", 3, false),
		Entry("bare LF line ends", 4, false),
		Entry("padding after a boundary", 5, false),
		Entry("quoted-printable", 6, false),
		Entry("--boundary followed by other text inside the data", 7, false),
		Entry("a boundary right after the header", 8, false),
		Entry("a header ended by a bare LF", 9, true),
		Entry("other text after the closing boundary", 10, false),
		Entry("no closing boundary", 11, false),
	)
})
