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

	Context("behind a Verifier with a clock of its own", func() {
		windowed := func(now *time.Time) *signer.Verifier {
			v := verifier()
			v.OnceWindow = 5 * time.Minute
			v.Now = func() time.Time { return *now }
			return v
		}
		signedAt := func(t time.Time, r uint64) string {
			p := once()
			p.Now, p.Rand = t, r
			return mustSign(creds, p)
		}

		It("refuses a replay when that clock is behind the wall's", func() {
			now := t0.Add(10 * time.Second) // 2023: the wall clock is years past t + window
			v := windowed(&now)
			sig := signedAt(t0, 1)
			Expect(v.Verify(sig, want(signer.Once))).To(Succeed())
			now = now.Add(time.Minute)
			Expect(reason(v.Verify(sig, want(signer.Once)))).To(Equal(signer.ReasonReplayed))
		})

		It("forgets a signature once that clock, ahead of the wall's, leaves its window", func() {
			t := time.Now().Add(24 * time.Hour).Truncate(time.Second)
			now := t
			v := windowed(&now)
			m := v.Replay.(*signer.MemoryReplay)
			Expect(v.Verify(signedAt(t, 1), want(signer.Once))).To(Succeed())
			now = t.Add(6 * time.Minute)
			Expect(v.Verify(signedAt(now, 2), want(signer.Once))).To(Succeed())
			Expect(m.Len()).To(Equal(1), "the first signature is past t + window by the Verifier's clock")
		})

		It("when full, forgets the signatures past their window before one still within it", func() {
			now := t0
			v := windowed(&now)
			v.Replay = signer.NewMemoryReplay(3)
			ahead := signedAt(t0.Add(5*time.Minute), 1) // a client clock 5 min fast: within its window until t0+10m
			Expect(v.Verify(ahead, want(signer.Once))).To(Succeed())
			Expect(v.Verify(signedAt(t0, 2), want(signer.Once))).To(Succeed())
			Expect(v.Verify(signedAt(t0, 3), want(signer.Once))).To(Succeed())
			now = t0.Add(6 * time.Minute) // the last two left their window; 2 of 3 keys are within theirs
			Expect(v.Verify(signedAt(now, 4), want(signer.Once))).To(Succeed())
			Expect(reason(v.Verify(ahead, want(signer.Once)))).To(Equal(signer.ReasonReplayed))
		})
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
