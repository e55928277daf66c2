package cosv2_test

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/costest"
)

var _ = Describe("Put whose answer was lost", func() {
	It("returns where the file is, as stat shows it, not an empty Object", func() {
		srv := costest.New(GinkgoTB(), costest.DropAnswer(costest.OpUpload, 1))
		ctx := context.Background()
		obj, err := srv.Client.Put(ctx, "a.txt", strings.NewReader("abc"), 3)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Injected()).To(Equal(1))
		st, err := srv.Client.Stat(ctx, "a.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(obj).To(Equal(&cosv2.Object{AccessURL: st.AccessURL, SourceURL: st.SourceURL,
			ResourcePath: "/" + srv.AppID + "/" + srv.Buckets[0] + "/a.txt"}))
		Expect(obj.SourceURL).NotTo(BeEmpty())
	})
})
