package server_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/server"
)

var _ = Describe("servers starting together on a new PostgreSQL database", func() {
	// Each applied the migrations it found missing in a transaction of its
	// own: the second CREATE TABLE of the same table failed (23505 on
	// PostgreSQL's catalog), and that server did not start.
	It("all start", func() {
		data := GinkgoT().TempDir()
		meta := postgresFor(data)
		var wg sync.WaitGroup
		servers, errs := make([]*server.Server, 4), make([]error, 4)
		for i := range servers {
			wg.Go(func() {
				servers[i], errs[i] = server.New(server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
					DataDir: data, Meta: meta})
			})
		}
		wg.Wait()
		for i, s := range servers {
			if s != nil {
				DeferCleanup(s.Close)
			}
			Expect(errs[i]).NotTo(HaveOccurred())
		}
	})
})

var _ = Describe("two servers sharing one PostgreSQL and one data directory", func() {
	var (
		a, b   *child
		ca, cb *cosv2.Client
		data   string
	)
	client := func(c *child) *cosv2.Client { return singleShotClient(c.url) }
	BeforeEach(func() {
		data = GinkgoT().TempDir()
		meta := postgresFor(data)
		a = serveChild(data, bucket, "--meta", meta)
		b = serveChild(data, bucket, "--meta", meta)
		ca, cb = client(a), client(b)
	})
	ctx := context.Background()
	file := bytes.Repeat([]byte("0123456789abcdef"), 3*524288/16+777)
	sum := sha1.Sum(file)

	It("finishes byte-exact a slice upload whose slices alternate between them", func() {
		s, err := ca.SliceInit(ctx, "/big.bin", int64(len(file)), 524288, cosv2.SliceInitOptions{})
		Expect(err).NotTo(HaveOccurred())
		i := 0
		for off := int64(0); off < int64(len(file)); off += 524288 {
			cl := []*cosv2.Client{ca, cb}[i%2]
			Expect(cl.SliceData(ctx, "/big.bin", s.Session, off, bytes.NewReader(file), min(524288, int64(len(file))-off))).To(Succeed())
			i++
		}
		obj, err := cb.SliceFinish(ctx, "/big.bin", s.Session, int64(len(file)), hex.EncodeToString(sum[:]))
		Expect(err).NotTo(HaveOccurred())
		Expect(obj).NotTo(BeNil())
		for _, cl := range []*cosv2.Client{ca, cb} {
			var got bytes.Buffer
			_, err := cl.Download(ctx, "/big.bin", &got)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Bytes()).To(Equal(file))
		}
	})

	It("agree on listings, stats and an insertOnly race", func() {
		Expect(ca.MakeDir(ctx, "/d/")).To(Succeed())
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Go(func() {
				defer GinkgoRecover()
				cl := []*cosv2.Client{ca, cb}[i%2]
				body := []byte(fmt.Sprint("writer ", i))
				_, err := cl.Put(ctx, "/d/one", bytes.NewReader(body), int64(len(body)))
				if err == nil {
					wins.Add(1)
					return
				}
				Expect(err).To(MatchError(coserr.ErrFileExist))
			})
		}
		wg.Wait()
		Expect(wins.Load()).To(BeEquivalentTo(1), "insertOnly lets exactly one writer in across the servers")
		Expect(cb.MakeDir(ctx, "/d/sub/")).To(Succeed())
		names := func(cl *cosv2.Client) []string {
			var out []string
			for e, err := range cl.List(ctx, "/d/") {
				Expect(err).NotTo(HaveOccurred())
				out = append(out, e.Name)
			}
			return out
		}
		Expect(names(ca)).To(Equal(names(cb)))
		Expect(names(ca)).To(ConsistOf("one", "sub/"))
		sa, err := ca.Stat(ctx, "/d/one")
		Expect(err).NotTo(HaveOccurred())
		sb, err := cb.Stat(ctx, "/d/one")
		Expect(err).NotTo(HaveOccurred())
		Expect(sa.SHA1).To(Equal(sb.SHA1))
	})

	It("lets one resume the upload the other was killed in", func() {
		s, err := ca.SliceInit(ctx, "/r.bin", int64(len(file)), 524288, cosv2.SliceInitOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ca.SliceData(ctx, "/r.bin", s.Session, 0, bytes.NewReader(file), 524288)).To(Succeed())
		a.s.Kill()
		Eventually(a.s).Should(gexec.Exit())
		list, err := cb.SliceList(ctx, "/r.bin")
		Expect(err).NotTo(HaveOccurred())
		Expect(list.Session).To(Equal(s.Session))
		Expect(list.Parts).To(HaveLen(1))
		for off := int64(524288); off < int64(len(file)); off += 524288 {
			Expect(cb.SliceData(ctx, "/r.bin", s.Session, off, bytes.NewReader(file), min(524288, int64(len(file))-off))).To(Succeed())
		}
		_, err = cb.SliceFinish(ctx, "/r.bin", s.Session, int64(len(file)), hex.EncodeToString(sum[:]))
		Expect(err).NotTo(HaveOccurred())
		var got bytes.Buffer
		_, err = cb.Download(ctx, "/r.bin", &got)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Bytes()).To(Equal(file))
	})
})
