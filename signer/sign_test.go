package signer_test

import (
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("Sign", func() {
	It("writes the plaintext in the documented order a, b, k, e, t, r, f", func() {
		Expect(signer.Plaintext(creds, multi("/1250000000/photos/a/"))).
			To(Equal("a=1250000000&b=photos&k=AKIDtest&e=1700000060&t=1700000000&r=1&f=/1250000000/photos/a/"))
		Expect(signer.Plaintext(creds, once())).
			To(Equal("a=1250000000&b=photos&k=AKIDtest&e=0&t=1700000000&r=2&f=" + fileID))
	})

	It("signs r up to 10 digits, the document's range, and Verify accepts it", func() {
		p := multi("")
		p.Rand = signer.MaxRand
		sig := mustSign(creds, p)
		Expect(mustParse(sig).Rand).To(BeEquivalentTo(uint64(9999999999)))
		v := &signer.Verifier{Keys: signer.Keys{creds.SecretID: creds.SecretKey}, Now: func() time.Time { return t0 }}
		Expect(v.Verify(sig, signer.Expectation{AppID: creds.AppID, Bucket: "photos", FileID: "/1250000000/photos/x", Kind: signer.Multi})).To(Succeed())
	})

	It("writes e = 0 for a one-time signature whatever Expires says", func() {
		p := once()
		p.Expires = t0.Add(time.Hour)
		Expect(mustParse(mustSign(creds, p)).Expires).To(BeZero())
	})

	DescribeTable("refuses to make what no server accepts",
		func(c signer.Credentials, edit func(*signer.Params), msg string) {
			p := multi("")
			edit(&p)
			_, err := signer.Sign(c, p)
			Expect(err).To(MatchError(ContainSubstring(msg)))
		},
		Entry("no secret key", signer.Credentials{AppID: "1", SecretID: "id"}, func(*signer.Params) {}, "required"),
		Entry("no bucket", creds, func(p *signer.Params) { p.Bucket = "" }, "bucket is required"),
		Entry("r of 11 digits", creds, func(p *signer.Params) { p.Rand = signer.MaxRand + 1 }, "more than 10 digits"),
		Entry("a one-time signature without a fileid", creds, func(p *signer.Params) { p.Kind = signer.Once }, "needs a fileid"),
		Entry("a multi-use signature that expires at once", creds, func(p *signer.Params) { p.Expires = p.Now.Add(time.Millisecond) }, "must expire after now"),
		Entry("a multi-use signature of 90 days and a second", creds, func(p *signer.Params) { p.Expires = p.Now.Add(signer.MaxTTL + time.Second) }, "at most 90 days"),
		Entry("no kind", creds, func(p *signer.Params) { p.Kind = 0 }, "unknown kind"),
		Entry("an unescaped & in the fileid", creds, func(p *signer.Params) { p.FileID = "/1250000000/photos/a&b" }, `must not contain "&"`),
		Entry("a time before 1970", creds, func(p *signer.Params) { p.Now = time.Unix(-1, 0) }, "before 1970"),
	)
})

var _ = Describe("FileID", func() {
	DescribeTable("escapes every byte but A-Z a-z 0-9 - _ . ~ /, and normalises the leading slash",
		func(path, want string) { Expect(signer.FileID("1", "bk", path)).To(Equal(want)) },
		Entry("a file", "a/b.txt", "/1/bk/a/b.txt"),
		Entry("a file with its slash", "/a/b.txt", "/1/bk/a/b.txt"),
		Entry("a directory keeps its trailing slash", "a/b/", "/1/bk/a/b/"),
		Entry("the root, empty", "", "/1/bk/"),
		Entry("the root", "/", "/1/bk/"),
		Entry("unreserved", "AZaz09-_.~", "/1/bk/AZaz09-_.~"),
		Entry("space, plus, percent", "a b+c%d", "/1/bk/a%20b%2Bc%25d"),
		Entry("Chinese, as UTF-8", "照片", "/1/bk/%E7%85%A7%E7%89%87"),
		Entry("reserved and control bytes", "?#&=;:\t\x00\xff", "/1/bk/%3F%23%26%3D%3B%3A%09%00%FF"),
	)
})

var _ = Describe("PathFileID", func() {
	DescribeTable("is the path alone, escaped as FileID escapes it, whatever it spells",
		func(path, want string) { Expect(signer.PathFileID(path)).To(Equal(want)) },
		Entry("a file", "a/b.txt", "/a/b.txt"),
		Entry("the root", "", "/"),
		Entry("under /<appid>/<bucket>/", "/1/bk/x.txt", "/1/bk/x.txt"),
	)
})

var _ = Describe("DownloadFileID", func() {
	DescribeTable("is the path alone, escaped as FileID escapes it",
		func(path, want string) { Expect(signer.DownloadFileID("1", "bk", path)).To(Equal(want)) },
		Entry("a file", "a/b.txt", "/a/b.txt"),
		Entry("a file with its slash", "/a/b.txt", "/a/b.txt"),
		Entry("the root", "", "/"),
		Entry("space, plus, percent", "/a b+c%d", "/a%20b%2Bc%25d"),
		Entry("Chinese, as UTF-8", "/照片", "/%E7%85%A7%E7%89%87"),
		Entry("under /<appid>/<bucket>/, which would spell another file's fileid: its own fileid", "/1/bk/x.txt", "/1/bk/1/bk/x.txt"),
		Entry("under /<appid>/ of another bucket: the path alone", "/1/other/x.txt", "/1/other/x.txt"),
	)
})

var _ = Describe("Signer", func() {
	var s *signer.Signer
	BeforeEach(func() {
		var err error
		s, err = signer.New(creds, signer.WithClock(func() time.Time { return t0 }), signer.WithRand(func() uint64 { return 2 }))
		Expect(err).NotTo(HaveOccurred())
	})

	It("makes what Sign makes, with its clock and random number", func() {
		Expect(s.OneTime("photos", "a/b.txt")).To(Equal(mustSign(creds, once())))
		p := multi("/1250000000/photos/a/")
		p.Rand = 2
		Expect(s.MultiUse("photos", "/1250000000/photos/a/", time.Minute)).To(Equal(mustSign(creds, p)))
	})

	It("signs the same from many goroutines at once (its HMACs are pooled)", func() {
		want := mustSign(creds, once())
		var wg sync.WaitGroup
		got := make([]string, 64)
		for i := range got {
			wg.Go(func() { got[i], _ = s.OneTime("photos", "/a/b.txt") })
		}
		wg.Wait()
		Expect(got).To(HaveEach(want))
	})

	It("refuses a multi-use lifetime over 90 days, when made and when used", func() {
		_, err := signer.New(creds, signer.WithTTL(signer.MaxTTL+time.Second))
		Expect(err).To(HaveOccurred())
		_, err = s.MultiUse("photos", "", signer.MaxTTL+time.Second)
		Expect(err).To(MatchError(ContainSubstring("at most 90 days")))
	})

	It("keeps its defaults when given a nil clock or random source", func() {
		d, err := signer.New(creds, signer.WithClock(nil), signer.WithRand(nil))
		Expect(err).NotTo(HaveOccurred())
		sig, err := d.MultiUse("photos", "", time.Minute)
		Expect(err).NotTo(HaveOccurred())
		p := mustParse(sig)
		Expect(p.Now).To(BeNumerically("~", time.Now().Unix(), 5))
		Expect(p.Rand).To(BeNumerically("<", 1_000_000_000))
	})

	It("draws r below 10⁹ from crypto/rand by default", func() {
		d, err := signer.New(creds)
		Expect(err).NotTo(HaveOccurred())
		seen := map[uint64]bool{}
		for range 20 {
			sig, err := d.OneTime("photos", "x")
			Expect(err).NotTo(HaveOccurred())
			r := mustParse(sig).Rand
			Expect(r).To(BeNumerically("<", 1_000_000_000))
			seen[r] = true
		}
		Expect(len(seen)).To(BeNumerically(">", 15))
	})
})
