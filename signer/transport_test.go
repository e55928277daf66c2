package signer_test

import (
	"context"
	"errors"
	"io"
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

// seen is one request as the server received it.
type seen struct {
	auth, path, requestURI string
}

var _ = Describe("Transport", func() {
	var (
		srv  *httptest.Server
		mu   sync.Mutex
		got  []seen
		tr   *signer.Transport
		r    uint64
		opts []signer.Option
	)

	last := func() seen {
		mu.Lock()
		defer mu.Unlock()
		Expect(got).NotTo(BeEmpty())
		return got[len(got)-1]
	}

	BeforeEach(func() {
		got, r, opts = nil, 0, nil
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			mu.Lock()
			got = append(got, seen{req.Header.Get("Authorization"), req.URL.Path, req.RequestURI})
			mu.Unlock()
		}))
		DeferCleanup(srv.Close)
	})

	JustBeforeEach(func() {
		s, err := signer.New(creds, append([]signer.Option{signer.WithClock(func() time.Time { return t0 }),
			signer.WithRand(func() uint64 { r++; return r })}, opts...)...)
		Expect(err).NotTo(HaveOccurred())
		tr = signer.NewTransport(nil, s)
	})

	newRequest := func(fragment, path string) *http.Request {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/files/v2/1250000000/photos"+path+"#"+fragment, strings.NewReader(`{"op":"x"}`))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("X-Caller", "1")
		return req
	}
	send := func(req *http.Request) error {
		resp, err := tr.RoundTrip(req)
		if err == nil {
			Expect(resp.Body.Close()).To(Succeed())
		}
		return err
	}

	// verifyOnServer checks a signature the way a server does: from the path
	// that arrived, not from what the test meant to send.
	verifyOnServer := func(s seen, kind signer.Kind) error {
		path := strings.TrimPrefix(s.path, "/files/v2/1250000000/photos")
		v := verifier()
		v.Now = func() time.Time { return t0 }
		return v.Verify(s.auth, signer.Expectation{AppID: creds.AppID, Bucket: "photos", FileID: signer.FileID(creds.AppID, "photos", path), Kind: kind})
	}

	It("signs every operation of the spec with the kind its x-cos-signature says", func() {
		ops := gen.Operations()
		Expect(ops).To(HaveLen(15))
		for _, op := range ops {
			path := "/a/b.txt"
			if op.Target == "dir" {
				path = "/a/"
			}
			Expect(send(newRequest(op.Fragment, path))).To(Succeed(), op.ID)
			s := last()
			Expect(s.requestURI).NotTo(ContainSubstring("#"), "the fragment stays off the wire")
			kind := map[gen.SignatureKind]signer.Kind{gen.SignatureMulti: signer.Multi, gen.SignatureOnce: signer.Once}[op.Signature]
			Expect(kind).NotTo(BeZero(), op.ID)
			Expect(verifyOnServer(s, kind)).To(Succeed(), op.ID)
			p := mustParse(s.auth)
			if kind == signer.Once {
				Expect(p.Expires).To(BeZero(), op.ID)
				Expect(p.FileID).To(Equal(signer.FileID(creds.AppID, "photos", path)), op.ID)
			} else {
				Expect(p.Expires).To(Equal(t0.Add(5*time.Minute).Unix()), op.ID)
				Expect(p.FileID).To(BeEmpty(), op.ID)
			}
		}
	})

	It("signs afresh on every attempt, as inside a retry loop, and leaves the caller's request alone", func() {
		req := newRequest(gen.FragmentDeleteFile, "/x")
		url, header := req.URL.String(), req.Header.Clone()
		Expect(send(req)).To(Succeed())
		Expect(send(req)).To(Succeed())
		Expect(req.URL.String()).To(Equal(url))
		Expect(req.Header).To(Equal(header))
		mu.Lock()
		defer mu.Unlock()
		Expect(got).To(HaveLen(2))
		Expect(got[0].auth).NotTo(Equal(got[1].auth))
		Expect(mustParse(got[0].auth).Rand).NotTo(Equal(mustParse(got[1].auth).Rand))
	})

	It("escapes the fileid from the decoded path", func() {
		Expect(send(newRequest(gen.FragmentDeleteFile, "/2016%20%E5%B9%B4/a%3Fb%2Bc~"))).To(Succeed())
		s := last()
		Expect(mustParse(s.auth).FileID).To(Equal("/1250000000/photos/2016%20%E5%B9%B4/a%3Fb%2Bc~"))
		Expect(verifyOnServer(s, signer.Once)).To(Succeed())
	})

	It("signs a directory, and the bucket root, with their trailing slash", func() {
		Expect(send(newRequest(gen.FragmentDeleteDirectory, "/d/"))).To(Succeed())
		Expect(mustParse(last().auth).FileID).To(Equal("/1250000000/photos/d/"))
		Expect(send(newRequest(gen.FragmentUpdateDirectory, "/"))).To(Succeed())
		Expect(mustParse(last().auth).FileID).To(Equal("/1250000000/photos/"))
	})

	Context("with WithBoundMultiUse", func() {
		BeforeEach(func() { opts = []signer.Option{signer.WithBoundMultiUse()} })

		It("binds multi-use signatures to the request's fileid", func() {
			Expect(send(newRequest(gen.FragmentStatFile, "/a/b.txt"))).To(Succeed())
			s := last()
			Expect(mustParse(s.auth).FileID).To(Equal("/1250000000/photos/a/b.txt"))
			Expect(verifyOnServer(s, signer.Multi)).To(Succeed())
		})
	})

	It("takes the kind from its Lookup when given one, and the spec's table when not", func() {
		tr.Lookup = func(fragment string) (signer.Kind, bool) { return signer.Once, fragment == "custom" }
		Expect(send(newRequest("custom", "/a"))).To(Succeed())
		Expect(mustParse(last().auth).Expires).To(BeZero())
		Expect(send(newRequest(gen.FragmentStatFile, "/a"))).To(HaveOccurred())

		zero := &signer.Transport{Signer: tr.Signer}
		resp, err := zero.RoundTrip(newRequest(gen.FragmentStatFile, "/a"))
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.Body.Close()).To(Succeed())
		Expect(mustParse(last().auth).Expires).NotTo(BeZero())
	})

	DescribeTable("refuses to guess, and closes the body",
		func(fragment, url string) {
			body := &closeRecorder{Reader: strings.NewReader("x")}
			req, err := http.NewRequest(http.MethodPost, srv.URL+url+"#"+fragment, body)
			Expect(err).NotTo(HaveOccurred())
			_, err = tr.RoundTrip(req)
			Expect(err).To(MatchError(HavePrefix("signer:")))
			Expect(body.closed).To(BeTrue())
			mu.Lock()
			defer mu.Unlock()
			Expect(got).To(BeEmpty())
		},
		Entry("an unknown operation", "file.nope", "/files/v2/1250000000/photos/a"),
		Entry("no fragment", "", "/files/v2/1250000000/photos/a"),
		Entry("an operationId instead of a fragment", "deleteFile", "/files/v2/1250000000/photos/a"),
		Entry("another appid", gen.FragmentStatFile, "/files/v2/99/photos/a"),
		Entry("an appid that only starts the same", gen.FragmentStatFile, "/files/v2/12500000001/photos/a"),
		Entry("no bucket", gen.FragmentStatFile, "/files/v2/1250000000/"),
		Entry("a bucket without a path", gen.FragmentStatFile, "/files/v2/1250000000/photos"),
		Entry("another API", gen.FragmentStatFile, "/files/v1/1250000000/photos/a"),
	)

	DescribeTable("signs what the generated client sends so that the server's own fileid matches",
		func(path string) {
			api, err := gen.NewClient(srv.URL, gen.WithHTTPClient(&http.Client{Transport: tr}), gen.WithRequestEditorFn(gen.KeepSlashes))
			Expect(err).NotTo(HaveOccurred())
			resp, err := api.DeleteFile(context.Background(), creds.AppID, "photos", path, gen.DeleteFileJSONRequestBody{Op: "delete"})
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Body.Close()).To(Succeed())
			s := last()
			Expect(s.path).To(Equal("/files/v2/1250000000/photos" + path))
			Expect(verifyOnServer(s, signer.Once)).To(Succeed())
		},
		Entry("plain", "/a/b.txt"),
		Entry("spaces and Chinese", "/2016 年/照片 01.jpg"),
		Entry("characters URLs reserve", "/a#b?c%d+e;f&g=h"),
		Entry("a literal %2F in a name", "/a%2Fb"),
	)

	It("returns what the base transport returns", func() {
		tr.Base = roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("down") })
		Expect(send(newRequest(gen.FragmentStatFile, "/a"))).To(MatchError("down"))
	})
})

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }
