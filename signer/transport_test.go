package signer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("Transport", func() {
	var (
		srv  *httptest.Server
		mu   sync.Mutex
		auth []string
		tr   *signer.Transport
		r    uint32
	)

	BeforeEach(func() {
		auth, r = nil, 0
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			mu.Lock()
			auth = append(auth, req.Header.Get("Authorization"))
			mu.Unlock()
		}))
		DeferCleanup(srv.Close)
		s, err := signer.New(creds, signer.WithClock(func() time.Time { return t0 }),
			signer.WithRand(func() uint32 { r++; return r }))
		Expect(err).NotTo(HaveOccurred())
		tr = signer.NewTransport(nil, s)
	})

	send := func(fragment, path string) (*http.Request, error) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/files/v2/1250000000/photos"+path+"#"+fragment, nil)
		Expect(err).NotTo(HaveOccurred())
		resp, err := tr.RoundTrip(req)
		if err == nil {
			Expect(resp.Body.Close()).To(Succeed())
		}
		return req, err
	}

	It("signs every operation of the spec with the kind its x-cos-signature says, bound to the request's fileid", func() {
		for _, op := range gen.Operations() {
			path := "/a/b.txt"
			if op.Target == "dir" {
				path = "/a/"
			}
			_, err := send(op.Fragment, path)
			Expect(err).NotTo(HaveOccurred(), op.ID)
			mu.Lock()
			sig := auth[len(auth)-1]
			mu.Unlock()
			kind := signer.Multi
			if op.Signature == gen.SignatureOnce {
				kind = signer.Once
			}
			v := verifier()
			v.Now = func() time.Time { return t0 }
			Expect(v.Verify(sig, signer.Expectation{AppID: creds.AppID, Bucket: "photos", FileID: signer.FileID(creds.AppID, "photos", path), Kind: kind})).
				To(Succeed(), op.ID)
			p := mustParse(sig)
			if kind == signer.Once {
				Expect(p.Expires).To(BeZero())
				Expect(p.FileID).To(Equal(signer.FileID(creds.AppID, "photos", path)))
			} else {
				Expect(p.Expires).To(Equal(t0.Add(5 * time.Minute).Unix()))
				Expect(p.FileID).To(BeEmpty())
			}
		}
	})

	It("signs afresh on every attempt and leaves the caller's request alone", func() {
		req, err := send(gen.FragmentDeleteFile, "/x")
		Expect(err).NotTo(HaveOccurred())
		Expect(req.Header.Get("Authorization")).To(BeEmpty())
		resp, err := tr.RoundTrip(req)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Body.Close()).To(Succeed())
		mu.Lock()
		defer mu.Unlock()
		Expect(auth).To(HaveLen(2))
		Expect(auth[0]).NotTo(Equal(auth[1]))
	})

	It("escapes the fileid from the decoded path", func() {
		_, err := send(gen.FragmentDeleteFile, "/2016%20%E5%B9%B4/a%3Fb")
		Expect(err).NotTo(HaveOccurred())
		mu.Lock()
		defer mu.Unlock()
		Expect(mustParse(auth[0]).FileID).To(Equal("/1250000000/photos/2016%20%E5%B9%B4/a%3Fb"))
	})

	DescribeTable("refuses to guess",
		func(fragment, url string) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+url+"#"+fragment, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = tr.RoundTrip(req)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(HavePrefix("signer:"))
		},
		Entry("an unknown operation", "file.nope", "/files/v2/1250000000/photos/a"),
		Entry("no fragment", "", "/files/v2/1250000000/photos/a"),
		Entry("another appid", gen.FragmentStatFile, "/files/v2/99/photos/a"),
		Entry("no bucket", gen.FragmentStatFile, "/files/v2/1250000000/"),
	)

	It("reads + in a download query's sign as +", func() {
		Expect(signer.SignFromQuery("a=1&sign=ab+c/d%3D")).To(Equal("ab+c/d="))
		Expect(strings.Contains(signer.SignFromQuery("sign="), " ")).To(BeFalse())
	})
})
