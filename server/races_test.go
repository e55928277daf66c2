package server_test

import (
	"crypto/sha1"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

// startGated runs a validating server on memory (dir "") or SQLite and files
// in dir whose slice writes the returned Gates can hold (export_test.go).
func startGated(dir string, opts server.StoreOptions, mod ...func(*server.Config)) (*server.Server, *server.Gates, *httptest.Server) {
	cfg := server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
		DataDir: dir, Memory: dir == "", Validate: true, Logger: slog.New(slog.NewTextHandler(GinkgoWriter, nil)), DropGrace: -1}
	for _, m := range mod {
		m(&cfg)
	}
	s, g, err := server.NewWithStore(cfg, opts)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(s.Close)
	srv := httptest.NewServer(s)
	DeferCleanup(srv.Close)
	return s, g, srv
}

// sliceSession inits a slice upload of path of size bytes in slices of 512 KB.
func sliceSession(srv *httptest.Server, path string, size int) string {
	a := formOp(srv, signer.Multi, path, "op", "upload_slice_init", "filesize", itoa(size), "slice_size", "524288")
	Expect(a.Code).To(BeZero(), a.Message)
	return a.Data["session"].(string)
}

func itoa(n int) string { return strconv.Itoa(n) }

// sliceOp sends the slice at off of a session: the slice is 512 KB of b.
func sliceOp(srv *httptest.Server, path, sess string, off int, b byte) answer {
	return formOp(srv, signer.Multi, path, "op", "upload_slice_data", "session", sess, "offset", itoa(off),
		"filecontent", strings.Repeat(string(b), 524288))
}

// sha1Hex is the SHA-1 of p in hex.
func sha1Hex(p []byte) string {
	sum := sha1.Sum(p)
	return hex.EncodeToString(sum[:])
}

var _ = Describe("slice writes racing", func() {
	const slice = 524288

	// Write A of slice 0 is held in the store; write W of the same slice
	// comes meanwhile. Before writes of one slice took turns, W began too (a
	// rewrite), A's end marked the slice stored although W still wrote, and
	// then a finish committed the SHA-1 of A's bytes (or a delete discarded
	// the session) while W went on to write its bytes into the committed
	// file (or to recreate the discarded object on S3), and answered success.
	DescribeTable("a second write of a slice being written is refused with -300, and what the first wrote is what stays",
		func(dir func() string, opts server.StoreOptions, then string) {
			s, gates, srv := startGated(dir(), opts)
			sess := sliceSession(srv, "/f", slice)
			ga, gw := gates.Arm('X'), gates.Arm('Y')
			doneA, doneW := make(chan answer, 1), make(chan answer, 1)
			go func() { defer GinkgoRecover(); doneA <- sliceOp(srv, "/f", sess, 0, 'X') }()
			<-ga.Entered // A: the slice begun, its bytes being written
			go func() { defer GinkgoRecover(); doneW <- sliceOp(srv, "/f", sess, 0, 'Y') }()
			var w answer
			entered := false
			select {
			case w = <-doneW: // refused at once
			case <-gw.Entered: // W writes too: the fault
				entered = true
			}
			close(ga.Release)
			Expect((<-doneA).Code).To(BeZero())

			var end answer
			if then == "finish" {
				end = formOp(srv, signer.Multi, "/f", "op", "upload_slice_finish", "session", sess, "filesize", itoa(slice))
			} else {
				end = jsonOp(srv, signer.Once, "/f", map[string]string{"op": "delete"})
				s.Collect(false)
			}
			close(gw.Release)
			if entered {
				w = <-doneW
			}
			Expect(end.Code).To(BeZero(), end.Message)
			if then == "finish" {
				st := get(srv, "/f", "op=stat")
				_, got := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/f")
				Expect(st.Data["sha"]).To(Equal(sha1Hex(got)), "the file's recorded SHA-1 is that of its bytes")
				Expect(string(got)).To(Equal(strings.Repeat("X", slice)))
			} else {
				s.Collect(true)
				Expect(s.Stored(sess)).To(BeFalse(), "the discarded session's bytes are gone")
			}
			Expect(w.Code).To(Equal(coserr.ErrOverload.Code), "W: %d %s", w.Code, w.Message)
		},
		Entry("then a finish, in memory", func() string { return "" }, server.StoreOptions{}, "finish"),
		Entry("then a finish, on disk with SQLite", func() string { return GinkgoT().TempDir() }, server.StoreOptions{}, "finish"),
		Entry("then a delete, on an S3-like store", func() string { return "" }, server.StoreOptions{PutOnWrite: true}, "delete"),
	)

	// A's write of slice 0 ends (endPart) and A is held before it hashes
	// its bytes; W writes slice 0 again and is held in the store; slice 1
	// arrives and its request begins the running hash, counting W's rewrite.
	// Then A hashed its own bytes, X, into that hash, W stored Y, and the
	// finish, finding the rewrite count unchanged, committed the SHA-1 of
	// X+Z for a file holding Y+Z.
	It("hashes a request's own bytes only while no rewrite of the session began since its write ended", func() {
		s, gates, srv := startGated("", server.StoreOptions{})
		sess := sliceSession(srv, "/f", 2*slice)
		holdA, releaseA := make(chan struct{}), make(chan struct{})
		s.AfterEndPart(func(p []byte) {
			if p[0] == 'X' {
				close(holdA)
				<-releaseA
			}
		})
		doneA, doneW := make(chan answer, 1), make(chan answer, 1)
		go func() { defer GinkgoRecover(); doneA <- sliceOp(srv, "/f", sess, 0, 'X') }()
		<-holdA // A: slice 0 stored and recorded, not hashed yet
		gw := gates.Arm('Y')
		go func() { defer GinkgoRecover(); doneW <- sliceOp(srv, "/f", sess, 0, 'Y') }()
		<-gw.Entered // W: slice 0 begun again (a rewrite), writing
		Expect(sliceOp(srv, "/f", sess, slice, 'Z').Code).To(BeZero())
		s.Settle()
		close(releaseA)
		Expect((<-doneA).Code).To(BeZero())
		s.Settle()
		close(gw.Release)
		Expect((<-doneW).Code).To(BeZero())
		s.Settle()

		fin := formOp(srv, signer.Multi, "/f", "op", "upload_slice_finish", "session", sess, "filesize", itoa(2*slice))
		Expect(fin.Code).To(BeZero(), fin.Message)
		_, got := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/f")
		Expect(string(got)).To(Equal(strings.Repeat("Y", slice) + strings.Repeat("Z", slice)))
		Expect(get(srv, "/f", "op=stat").Data["sha"]).To(Equal(sha1Hex(got)), "the file's recorded SHA-1 is that of its bytes")
	})
})
