package cosv2_test

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/costest"
)

// A call repeated after its answer was lost asks whether the first attempt
// already did the work (a delete finds the file gone). After an answer that
// said the work was not done (-71, a retryable code of the service), that
// question has no place: the retry's answer is the call's.
var _ = Describe("a call retried after a refusal that did no work", func() {
	ctx := context.Background()

	It("removes nothing it never had: Remove of a missing file is ErrFileNotExist", func() {
		srv := costest.New(GinkgoTB(), costest.Fail(costest.OpDelete, 1, cosv2.ErrFreqControl))
		err := srv.Client.Remove(ctx, "never.txt")
		Expect(srv.Injected()).To(Equal(1))
		Expect(err).To(MatchError(cosv2.ErrFileNotExist))
	})

	It("makes no directory that was there: MakeDir of an existing one is ErrPathConflict", func() {
		srv := costest.New(GinkgoTB(), costest.Fail(costest.OpCreateDir, 2, cosv2.ErrFreqControl))
		Expect(srv.Client.MakeDir(ctx, "d/")).To(Succeed())
		err := srv.Client.MakeDir(ctx, "d/")
		Expect(srv.Injected()).To(Equal(1))
		Expect(err).To(MatchError(cosv2.ErrPathConflict))
	})

	It("still counts a lost answer's work done: Remove whose answer was lost succeeds", func() {
		srv := costest.New(GinkgoTB(), costest.DropAnswer(costest.OpDelete, 1))
		_, err := srv.Client.Put(ctx, "f.txt", strings.NewReader("x"), 1)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Client.Remove(ctx, "f.txt")).To(Succeed())
		Expect(srv.Injected()).To(Equal(1))
	})
})
