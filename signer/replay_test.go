package signer_test

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("MemoryReplay", func() {
	It("reports each key new once", func() {
		m := signer.NewMemoryReplay(10)
		Expect(add(m, "a")).To(BeTrue())
		Expect(add(m, "a")).To(BeFalse())
		Expect(add(m, "b")).To(BeTrue())
	})

	It("holds at most its size, forgetting the oldest first", func() {
		m := signer.NewMemoryReplay(3)
		for i := range 10 {
			Expect(add(m, strconv.Itoa(i))).To(BeTrue())
		}
		Expect(m.Len()).To(Equal(3))
		Expect(add(m, "9")).To(BeFalse())
		Expect(add(m, "6")).To(BeTrue(), "forgotten")
	})

	It("forgets a key once its time has passed, and not before", func() {
		m := signer.NewMemoryReplay(10)
		Expect(m.Add("old", time.Now().Add(-time.Second))).To(BeTrue())
		Expect(m.Add("new", time.Now().Add(time.Hour))).To(BeTrue())
		Expect(m.Len()).To(Equal(1), "the expired key went with the next Add")
		Expect(m.Add("new", time.Now().Add(time.Hour))).To(BeFalse())
	})

	It("lets exactly one of many concurrent callers have each key", func() {
		m := signer.NewMemoryReplay(1000)
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for k := range 100 {
					if add(m, strconv.Itoa(k)) {
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

// add records key for good and reports whether it was new.
func add(m *signer.MemoryReplay, key string) bool {
	fresh, err := m.Add(key, time.Time{})
	Expect(err).NotTo(HaveOccurred())
	return fresh
}
