package signer_test

import (
	"strconv"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("MemoryReplay", func() {
	It("reports each key new once", func() {
		m := signer.NewMemoryReplay(10)
		Expect(m.Add("a")).To(BeTrue())
		Expect(m.Add("a")).To(BeFalse())
		Expect(m.Add("b")).To(BeTrue())
	})

	It("holds at most its size, forgetting the oldest first", func() {
		m := signer.NewMemoryReplay(3)
		for i := range 10 {
			Expect(m.Add(strconv.Itoa(i))).To(BeTrue())
		}
		Expect(m.Len()).To(Equal(3))
		Expect(m.Add("9")).To(BeFalse())
		Expect(m.Add("6")).To(BeTrue(), "forgotten")
	})

	It("lets exactly one of many concurrent callers have each key", func() {
		m := signer.NewMemoryReplay(1000)
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for k := range 100 {
					if m.Add(strconv.Itoa(k)) {
						won.Add(1)
					}
				}
			})
		}
		wg.Wait()
		Expect(won.Load()).To(BeEquivalentTo(100))
	})

	It("accepts one of many concurrent requests with the same one-time signature", func() {
		v, sig := verifier(), mustSign(creds, once())
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if v.Verify(sig, want(signer.Once)) == nil {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		Expect(ok.Load()).To(BeEquivalentTo(1))
	})
})
