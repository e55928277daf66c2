package cosv2_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

var _ = Describe("a nil option", func() {
	// Options picked by a condition are nil when it does not hold: the
	// writing calls and NewReader skip them; so must New and List.
	It("is skipped by New and List, not a panic", func() {
		url := newServer().URL
		c := newClient(url, nil)
		Expect(c.MakeDir(context.Background(), "d/", nil)).To(Succeed())
		names, err := collect(c, "/", nil, cosv2.WithPageSize(1), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(names).To(Equal([]string{"d/"}))
	})
})
