package server_test

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/server"
)

// clock is a server's clock, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// sharing starts a server with its own clock and OnceWindow on the store of
// dir: a directory for SQLite and files there, pgPrefix+directory for
// PostgreSQL; servers started on one dir share its metadata.
func sharing(dir string, window time.Duration, c *clock) (*server.Server, *httptest.Server) {
	cfg := server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey, DataDir: dir,
		Now: c.now, Limits: server.Limits{OnceWindow: window}, Logger: slog.New(slog.NewTextHandler(GinkgoWriter, nil))}
	if d, ok := strings.CutPrefix(dir, pgPrefix); ok {
		cfg.DataDir, cfg.Meta = d, postgresFor(d)
	}
	s, err := server.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(s.Close)
	srv := httptest.NewServer(s)
	DeferCleanup(srv.Close)
	return s, srv
}

// A delete of a directory that is not there answers -197 once its signature
// is accepted: these use it to see whether a replay got through.
var _ = DescribeTableSubtree("one-time signatures on servers sharing one database",
	func(store func() string) {
		var (
			dir string
			t   time.Time
		)
		BeforeEach(func() {
			dir = store()
			t = time.Now().Truncate(time.Second)
		})
		refused := func(a answer, want *coserr.APIError) {
			GinkgoHelper()
			Expect(a.Code).To(Equal(want.Code), "the replay was accepted: %v", a)
		}

		It("are refused when replayed within a longer window than the server that first took them", func() {
			ca, cb := &clock{t: t}, &clock{t: t}
			sa, a := sharing(dir, time.Minute, ca)
			sb, b := sharing(dir, 10*time.Minute, cb)
			sig := onceAt("/gone/", t)
			Expect(deleteDir(a, "/gone/", sig).Code).To(Equal(coserr.ErrFileNotExist.Code))
			ca.set(t.Add(2 * time.Minute))
			cb.set(t.Add(2 * time.Minute))
			sa.Collect(true)
			sb.Collect(true)
			refused(deleteDir(b, "/gone/", sig), coserr.ErrSignatureReplayed)
		})

		It("are still accepted within the longer window after the shorter one collected", func() {
			ca, cb := &clock{t: t}, &clock{t: t}
			sa, _ := sharing(dir, time.Minute, ca)
			_, b := sharing(dir, 10*time.Minute, cb)
			ca.set(t.Add(20 * time.Minute))
			cb.set(t.Add(20 * time.Minute))
			sa.Collect(true)
			Expect(deleteDir(b, "/gone/", onceAt("/gone/", t.Add(11*time.Minute))).Code).To(Equal(coserr.ErrFileNotExist.Code))
		})

		It("are refused by a server with a longer window started after a shorter one forgot them", func() {
			ca, cb := &clock{t: t}, &clock{t: t.Add(2 * time.Minute)}
			sa, a := sharing(dir, time.Minute, ca)
			sig := onceAt("/gone/", t)
			Expect(deleteDir(a, "/gone/", sig).Code).To(Equal(coserr.ErrFileNotExist.Code))
			ca.set(t.Add(2 * time.Minute))
			sa.Collect(true)
			_, b := sharing(dir, 10*time.Minute, cb)
			refused(deleteDir(b, "/gone/", sig), coserr.ErrSignatureExpired)
		})

		It("are refused when replayed on a server whose clock is behind the one that collected", func() {
			ahead := 5 * time.Minute
			ca, cb := &clock{t: t.Add(ahead)}, &clock{t: t}
			sa, _ := sharing(dir, 10*time.Minute, ca)
			_, b := sharing(dir, 10*time.Minute, cb)
			sig := onceAt("/gone/", t)
			Expect(deleteDir(b, "/gone/", sig).Code).To(Equal(coserr.ErrFileNotExist.Code))
			ca.set(t.Add(ahead + 11*time.Minute)) // t is out of a's window
			cb.set(t.Add(6 * time.Minute))        // and within b's
			sa.Collect(true)
			refused(deleteDir(b, "/gone/", sig), coserr.ErrSignatureExpired)
		})
	},
	Entry("in a SQLite file", func() string { return GinkgoT().TempDir() }),
	Entry("in PostgreSQL", func() string { return pgPrefix + GinkgoT().TempDir() }),
)
