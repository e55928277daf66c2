package server_test

import (
	"net/http/httptest"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

// A server holds the running SHA-1 of each unfinished slice upload in
// memory. Before the collector dropped those of expired sessions, only a
// finish or a delete did: every abandoned upload, and every hash a late
// hashing request made again after its session's finish, stayed for the
// life of the process.
var _ = Describe("running hashes", func() {
	const slice = 524288
	var (
		s     *server.Server
		srv   *httptest.Server
		clock atomic.Int64
		hold  atomic.Pointer[chan struct{}] // the next slice of 'a's waits on it after its end
		held  chan struct{}
	)
	BeforeEach(func() {
		clock.Store(time.Now().Unix())
		s, _, srv = startGated("", server.StoreOptions{}, func(c *server.Config) {
			c.SessionTTL = time.Hour
			c.Now = func() time.Time { return time.Unix(clock.Load(), 0) }
		})
		held = make(chan struct{}, 1)
		s.AfterEndPart(func(p []byte) {
			if r := hold.Swap(nil); r != nil && p[0] == 'a' {
				held <- struct{}{}
				<-*r
			}
		})
	})

	DescribeTable("are dropped once their sessions expire",
		func(leave func(path, sess string)) {
			for i := range 5 {
				path := "/f" + itoa(i)
				leave(path, sliceSession(srv, path, 2*slice))
			}
			s.Settle()
			Expect(s.RunningHashes()).NotTo(BeZero(), "hashes began")
			clock.Add(2 * 3600) // every session expired
			s.Collect(true)
			Expect(s.RunningHashes()).To(BeZero())
		},
		Entry("abandoned uploads", func(path, sess string) {
			Expect(sliceOp(srv, path, sess, 0, 'a').Code).To(BeZero())
		}),
		Entry("a hash a slice's request made again after its session's finish", func(path, sess string) {
			Expect(sliceOp(srv, path, sess, slice, 'b').Code).To(BeZero())
			release := make(chan struct{})
			hold.Store(&release)
			done := make(chan answer, 1)
			go func() { defer GinkgoRecover(); done <- sliceOp(srv, path, sess, 0, 'a') }()
			<-held // slice 0 stored, its request not yet hashing
			fin := formOp(srv, signer.Multi, path, "op", "upload_slice_finish", "session", sess, "filesize", itoa(2*slice))
			Expect(fin.Code).To(BeZero(), fin.Message)
			close(release)
			Expect((<-done).Code).To(BeZero())
		}),
	)
})
