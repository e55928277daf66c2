package server_test

import (
	"database/sql"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

// blobFiles counts the stored bytes of a data dir: the files under blobs/
// and the small files kept in the database.
func blobFiles(data string) int {
	n := 0
	Expect(filepath.WalkDir(filepath.Join(data, "blobs"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})).To(Succeed())
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "meta.db")+"?mode=ro")
	Expect(err).NotTo(HaveOccurred())
	defer db.Close()
	var inline int
	Expect(db.QueryRow(`SELECT COUNT(*) FROM inline_blobs`).Scan(&inline)).To(Succeed())
	return n + inline
}

// dueRows counts the keys on the garbage list of a data dir due at t.
func dueRows(data string, t time.Time) int {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "meta.db")+"?mode=ro")
	Expect(err).NotTo(HaveOccurred())
	defer db.Close()
	var n int
	Expect(db.QueryRow(`SELECT COUNT(*) FROM garbage WHERE after <= ?`, t.Unix()).Scan(&n)).To(Succeed())
	return n
}

var _ = Describe("garbage collection", func() {
	var (
		data  string
		srv   *httptest.Server
		mu    sync.Mutex
		now   time.Time
		clock = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	)
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	BeforeEach(func() {
		now = time.Now()
		data = GinkgoT().TempDir()
		srv = startWith(func(c *server.Config) {
			c.Memory, c.DataDir, c.Now, c.SessionTTL = false, data, clock, time.Hour
		})
	})

	It("shares the bytes of a copy and deletes them when the last name goes", func() {
		Expect(upload(srv, "/a.txt", "shared bytes").Code).To(BeZero())
		Expect(blobFiles(data)).To(Equal(1))
		Expect(formOp(srv, signer.Once, "/a.txt", "op", "copy", "dest_fileid", "/b.txt").Code).To(BeZero())
		Expect(blobFiles(data)).To(Equal(1), "a copy shares the bytes")
		Expect(jsonOp(srv, signer.Once, "/a.txt", map[string]string{"op": "delete"}).Code).To(BeZero())
		Consistently(func() int { return blobFiles(data) }).WithTimeout(200 * time.Millisecond).Should(Equal(1))
		_, b := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/b.txt")
		Expect(string(b)).To(Equal("shared bytes"))
		Expect(jsonOp(srv, signer.Once, "/b.txt", map[string]string{"op": "delete"}).Code).To(BeZero())
		Eventually(func() int { return blobFiles(data) }).Should(BeZero())
	})

	// A commit whose answer is lost (PostgreSQL's connection breaking during
	// COMMIT) may have committed: its cleanup then lists a file's live bytes
	// as garbage. The collector deletes nothing a file refers to.
	It("keeps bytes a file refers to that are listed as garbage", func() {
		s, _, gated := startGated(data, server.StoreOptions{})
		big := strings.Repeat("b", server.DefaultInlineMax+1) // in the blob store
		Expect(upload(gated, "/live.bin", big).Code).To(BeZero())
		Expect(s.DiscardBlobOf(bucket, "/live.bin")).To(Succeed())
		s.Collect(false)
		_, b := fetch(gated, gated.URL+"/"+appID+"/"+bucket+"/live.bin")
		Expect(string(b)).To(Equal(big))
	})

	It("drops the bytes an overwrite replaced", func() {
		Expect(upload(srv, "/a.txt", "one").Code).To(BeZero())
		Expect(upload(srv, "/a.txt", "two", "insertOnly", "0").Code).To(BeZero())
		Eventually(func() int { return blobFiles(data) }).Should(Equal(1))
	})

	It("keeps the bytes a file dropped DropGrace (2 minutes by default) for the downloads reading them, then drops them", func() {
		s, _, gated := startGated(data, server.StoreOptions{}, func(c *server.Config) { c.Now, c.DropGrace = clock, 0 })
		big := strings.Repeat("b", server.DefaultInlineMax+1) // in the blob store
		Expect(upload(gated, "/a.bin", big).Code).To(BeZero())
		Expect(upload(gated, "/a.bin", big+"2", "insertOnly", "0").Code).To(BeZero())
		s.Collect(false)
		Expect(blobFiles(data)).To(Equal(2))
		advance(2*time.Minute - time.Second)
		s.Collect(false)
		Expect(blobFiles(data)).To(Equal(2), "within the grace")
		advance(3 * time.Second)
		s.Collect(false)
		Expect(blobFiles(data)).To(Equal(1), "past it")
	})

	// With no grace the bytes a download here reads were due again at once:
	// a round took them for due again and again until the clock's second
	// changed (a stopped clock: for ever).
	It("keeps the bytes a download here reads without spinning when there is no grace", func() {
		data := GinkgoT().TempDir() // not srv's: its collector holds no reads
		s, _, gated := startGated(data, server.StoreOptions{}, func(c *server.Config) { c.Now = clock })
		big := strings.Repeat("b", server.DefaultInlineMax+1) // in the blob store
		Expect(upload(gated, "/a.bin", big).Code).To(BeZero())
		release, err := s.ReadBytesOf(bucket, "/a.bin")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(release) // before the server closes, which waits for its collector
		Expect(upload(gated, "/a.bin", big+"2", "insertOnly", "0").Code).To(BeZero())

		done := make(chan struct{})
		go func() { defer close(done); s.Collect(false) }()
		Eventually(done).WithTimeout(time.Minute).Should(BeClosed(), "the round ends")
		Expect(blobFiles(data)).To(Equal(2), "the bytes read are kept")
		Expect(dueRows(data, clock())).To(BeZero(), "and not due again within this second")
		release()
		advance(time.Second)
		s.Collect(false)
		Expect(blobFiles(data)).To(Equal(1), "once read, they go")
	})

	It("collects an expired session and its bytes, and then the path is free", func() {
		// Signed by the server's clock, which the test moves.
		op := func(path string, fields ...string) answer {
			ct, body := form(fields...)
			t := clock()
			sig, err := signer.Sign(creds, signer.Params{Bucket: bucket, Kind: signer.Multi, Now: t, Expires: t.Add(time.Minute), Rand: rnd.Add(1)})
			Expect(err).NotTo(HaveOccurred())
			return call(srv, "POST", path, "", ct, body, sig)
		}
		a := op("/big", "op", "upload_slice_init", "filesize", "600000", "slice_size", "524288")
		Expect(a.Code).To(BeZero())
		Expect(op("/big", "op", "upload_slice_data", "session", a.Data["session"].(string), "offset", "0",
			"filecontent", strings.Repeat("x", 524288)).Code).To(BeZero())
		Expect(blobFiles(data)).To(Equal(1))
		advance(time.Hour + time.Minute)
		// Any write kicks the collector: the session goes, its bytes once due.
		kick := func() { Expect(op("/kick", "op", "upload", "filecontent", "k", "insertOnly", "0").Code).To(BeZero()) }
		Eventually(func() int { kick(); return op("/big", "op", "upload_slice_list").Code }).WithTimeout(5 * time.Second).
			Should(Equal(coserr.ErrFileNotExist.Code))
		Expect(blobFiles(data)).To(BeNumerically(">=", 2), "the session's bytes are kept until no request can still use them")
		advance(2 * time.Hour)
		Eventually(func() int { kick(); return blobFiles(data) }).WithTimeout(5*time.Second).Should(Equal(1), "only /kick is left")
		Expect(op("/big", "op", "upload_slice_init", "filesize", "600000", "slice_size", "524288").Code).To(BeZero())
	})

	It("drops the session of an insertOnly finish that lost", func() {
		a := formOp(srv, signer.Multi, "/f", "op", "upload_slice_init", "filesize", "10", "slice_size", "524288")
		Expect(a.Code).To(BeZero())
		s := a.Data["session"].(string)
		Expect(formOp(srv, signer.Multi, "/f", "op", "upload_slice_data", "session", s, "offset", "0", "filecontent", "0123456789").Code).To(BeZero())
		Expect(upload(srv, "/f", "won").Code).To(BeZero())
		Expect(formOp(srv, signer.Multi, "/f", "op", "upload_slice_finish", "session", s, "filesize", "10").Code).To(Equal(coserr.ErrFileExist.Code))
		Expect(formOp(srv, signer.Multi, "/f", "op", "upload_slice_list").Data).NotTo(HaveKey("session"))
		Eventually(func() int { return blobFiles(data) }).Should(Equal(1))
	})

	It("refuses a slice that arrives after the finish, leaving nothing behind", func() {
		a := formOp(srv, signer.Multi, "/f", "op", "upload_slice_init", "filesize", "10", "slice_size", "524288")
		s := a.Data["session"].(string)
		Expect(formOp(srv, signer.Multi, "/f", "op", "upload_slice_data", "session", s, "offset", "0", "filecontent", "0123456789").Code).To(BeZero())
		Expect(formOp(srv, signer.Multi, "/f", "op", "upload_slice_finish", "session", s, "filesize", "10").Code).To(BeZero())
		Expect(formOp(srv, signer.Multi, "/f", "op", "upload_slice_data", "session", s, "offset", "0", "filecontent", "abcdefghij").Code).
			To(Equal(coserr.ErrWrongSession.Code))
		_, b := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/f")
		Expect(string(b)).To(Equal("0123456789"))
		Expect(blobFiles(data)).To(Equal(1))
	})
})

var _ = Describe("garbage collection with a blob the store refuses to remove", func() {
	// One key whose removal always fails (an object S3 answers AccessDenied
	// for) was first in every round's batch, ORDER BY after, and the round
	// stopped at it: nothing due after it was ever collected.
	It("collects the others, and tries that one again later", func() {
		var clock atomic.Int64
		clock.Store(time.Now().Unix())
		s, _, srv := startGated("", server.StoreOptions{FailOneRemove: true}, func(c *server.Config) {
			c.InlineMax = -1 // every file a blob
			c.Now = func() time.Time { return time.Unix(clock.Load(), 0) }
			c.Limits.OnceWindow = 1000 * time.Hour
		})
		for i := range 5 {
			p := "/f" + itoa(i)
			Expect(upload(srv, p, strings.Repeat("q", 100+i)).Code).To(BeZero())
			Expect(jsonOp(srv, signer.Once, p, map[string]string{"op": "delete"}).Code).To(BeZero())
			clock.Add(10) // the first deleted is first due
		}
		listed := func() int {
			n, err := s.Garbage()
			Expect(err).NotTo(HaveOccurred())
			return n
		}
		s.Collect(true)
		Expect(listed()).To(Equal(1), "only the blob that cannot be removed is left")
		Expect(s.RefusedRemovals()).To(Equal(1), "tried once in the round")
		s.Collect(true)
		Expect(s.RefusedRemovals()).To(Equal(1), "not again before its backoff")
		clock.Add(24 * 3600)
		s.Collect(true)
		Expect(s.RefusedRemovals()).To(Equal(2), "tried again once due")
		Expect(listed()).To(Equal(1), "and kept on the list while it fails")
	})
})
