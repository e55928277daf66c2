package server_test

import (
	"errors"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/server"
)

// settle bounds the waits for goroutines to reach a state: a guard against a
// hang, not a measure of speed.
const settle = 10 * time.Second

var _ = Describe("the disk store's fsyncs of a session's file", func() {
	// fsync is a script of fsyncs: the n-th call waits for gates[n] and
	// returns errs[n].
	type script struct {
		calls atomic.Int32
		gates []chan struct{}
		errs  []error
	}
	fsync := func(s *script) func() error {
		return func() error {
			n := s.calls.Add(1) - 1
			<-s.gates[n]
			return s.errs[n]
		}
	}
	newScript := func(errs ...error) *script {
		s := &script{errs: errs}
		for range errs {
			s.gates = append(s.gates, make(chan struct{}))
		}
		return s
	}
	write := func(f *server.Fsyncs, s *script) chan error {
		done := make(chan error, 1)
		go func() { done <- f.Sync("k", fsync(s)) }()
		return done
	}

	It("covers every write made while another fsync ran with one fsync", func() {
		f, s := &server.Fsyncs{}, newScript(nil, nil)
		first := write(f, s)
		Eventually(s.calls.Load).WithTimeout(settle).Should(BeEquivalentTo(1))
		var rest []chan error
		for range 7 {
			rest = append(rest, write(f, s))
		}
		Eventually(func() int { return f.Writers("k") }).WithTimeout(settle).Should(Equal(8))
		close(s.gates[0])
		Eventually(first).WithTimeout(settle).Should(Receive(BeNil()))
		Eventually(s.calls.Load).WithTimeout(settle).Should(BeEquivalentTo(2))
		close(s.gates[1])
		for _, d := range rest {
			Eventually(d).WithTimeout(settle).Should(Receive(BeNil()))
		}
		Expect(s.calls.Load()).To(BeEquivalentTo(2)) // not eight
		Expect(f.Writers("k")).To(BeZero())
	})

	It("fails every write a failed fsync covered, even when a later one succeeds", func() {
		lost := errors.New("EIO")
		f, s := &server.Fsyncs{}, newScript(nil, lost, nil)
		w1 := write(f, s)
		Eventually(s.calls.Load).WithTimeout(settle).Should(BeEquivalentTo(1))
		w2, w3 := write(f, s), write(f, s)
		Eventually(func() int { return f.Writers("k") }).WithTimeout(settle).Should(Equal(3))
		close(s.gates[0])
		Eventually(w1).WithTimeout(settle).Should(Receive(BeNil()))
		Eventually(s.calls.Load).WithTimeout(settle).Should(BeEquivalentTo(2)) // the fsync of w2 and w3
		w4 := write(f, s)
		Eventually(func() int { return f.Writers("k") }).WithTimeout(settle).Should(Equal(3))
		close(s.gates[1])
		Eventually(w2).WithTimeout(settle).Should(Receive(MatchError(lost)))
		Eventually(w3).WithTimeout(settle).Should(Receive(MatchError(lost)))
		Eventually(s.calls.Load).WithTimeout(settle).Should(BeEquivalentTo(3)) // w4's own
		close(s.gates[2])
		Eventually(w4).WithTimeout(settle).Should(Receive(BeNil()))
	})
})
