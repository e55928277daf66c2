package signer_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/signer"
)

var (
	creds  = signer.Credentials{AppID: "1250000000", SecretID: "AKIDtest", SecretKey: "secret-key"}
	t0     = time.Unix(1700000000, 0)
	fileID = signer.FileID("1250000000", "photos", "/a/b.txt")
)

func verifier() *signer.Verifier {
	return &signer.Verifier{
		Keys:   signer.Keys{creds.SecretID: creds.SecretKey},
		Now:    func() time.Time { return t0.Add(10 * time.Second) },
		Replay: signer.NewMemoryReplay(100),
	}
}

func want(kind signer.Kind) signer.Expectation {
	return signer.Expectation{AppID: creds.AppID, Bucket: "photos", FileID: fileID, Kind: kind}
}

func mustSign(c signer.Credentials, p signer.Params) string {
	s, err := signer.Sign(c, p)
	Expect(err).NotTo(HaveOccurred())
	return s
}

// forge signs a plaintext as given, bypassing Sign's checks.
func forge(key, plaintext string) string {
	return signer.ForgeForTest(key, plaintext)
}

func multi(f string) signer.Params {
	return signer.Params{Bucket: "photos", Kind: signer.Multi, FileID: f, Now: t0, Expires: t0.Add(time.Minute), Rand: 1}
}

func once() signer.Params {
	return signer.Params{Bucket: "photos", Kind: signer.Once, FileID: fileID, Now: t0, Rand: 2}
}

func reason(err error) signer.Reason {
	var ve *signer.VerifyError
	Expect(errors.As(err, &ve)).To(BeTrue(), "%v", err)
	return ve.Reason
}

var _ = Describe("Verifier", func() {
	Context("with signatures made by Sign", func() {
		It("accepts a multi-use signature with an empty f, many times", func() {
			v, sig := verifier(), mustSign(creds, multi(""))
			Expect(v.Verify(sig, want(signer.Multi))).To(Succeed())
			Expect(v.Verify(sig, want(signer.Multi))).To(Succeed())
		})
		It("accepts a multi-use signature bound to the request's own path, even escaped differently", func() {
			Expect(verifier().Verify(mustSign(creds, multi(fileID)), want(signer.Multi))).To(Succeed())
			Expect(verifier().Verify(mustSign(creds, multi("/1250000000/photos/a/b%2Etxt")), want(signer.Multi))).To(Succeed())
		})
		It("accepts a multi-use signature bound to a prefix directory", func() {
			Expect(verifier().Verify(mustSign(creds, multi("/1250000000/photos/a/")), want(signer.Multi))).To(Succeed())
		})
		It("accepts a one-time signature once", func() {
			v, sig := verifier(), mustSign(creds, once())
			Expect(v.Verify(sig, want(signer.Once))).To(Succeed())
			Expect(reason(v.Verify(sig, want(signer.Once)))).To(Equal(signer.ReasonReplayed))
		})
		It("accepts fields in any order, as real clients send them", func() {
			plain := "a=1250000000&k=AKIDtest&e=0&t=1700000000&r=5&f=" + fileID + "&b=photos"
			Expect(verifier().Verify(forge(creds.SecretKey, plain), want(signer.Once))).To(Succeed())
		})
	})

	bad := func(plain string) string { return forge(creds.SecretKey, plain) }
	fields := func(e, f string) string {
		return "a=1250000000&b=photos&k=AKIDtest&e=" + e + "&t=1700000000&r=1&f=" + f
	}
	BeforeEach(func() { current = verifier() })

	DescribeTable("refuses each kind of bad signature with the document's code",
		func(sig func() string, kind signer.Kind, r signer.Reason, code int) {
			err := current.Verify(sig(), want(kind))
			Expect(reason(err)).To(Equal(r))
			Expect(r.Code()).To(Equal(code))
		},
		Entry("empty", func() string { return "" }, signer.Multi, signer.ReasonEmpty, -81),
		Entry("not base64", func() string { return "%%%" }, signer.Multi, signer.ReasonMalformed, -5998),
		Entry("too short", func() string { return base64.StdEncoding.EncodeToString([]byte("short")) }, signer.Multi, signer.ReasonMalformed, -5998),
		Entry("a field missing", func() string { return bad("a=1250000000&b=photos&k=AKIDtest&e=1&t=1&r=1") }, signer.Multi, signer.ReasonMalformed, -5998),
		Entry("a field repeated", func() string { return bad(fields("0", fileID) + "&b=x") }, signer.Once, signer.ReasonMalformed, -5998),
		Entry("a wrong key", func() string { return forge("other-key", fields("0", fileID)) }, signer.Once, signer.ReasonBadSignature, -97),
		Entry("a tampered plaintext", func() string {
			raw, _ := base64.StdEncoding.DecodeString(mustSign(creds, multi("")))
			return base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), "r=1", "r=2", 1)))
		}, signer.Multi, signer.ReasonBadSignature, -97),
		Entry("expired", func() string { return bad(fields("1700000005", "")) }, signer.Multi, signer.ReasonExpired, -96),
		Entry("over 90 days", func() string { return bad(fields("1800000000", "")) }, signer.Multi, signer.ReasonExpired, -96),
		Entry("one-time with e≠0", func() string { return bad(fields("1700000060", fileID)) }, signer.Once, signer.ReasonOnceExpireNotZero, -73),
		Entry("multi-use with e=0", func() string { return bad(fields("0", "")) }, signer.Multi, signer.ReasonMultiExpireZero, -74),
		Entry("one-time without fileid", func() string { return bad(fields("0", "")) }, signer.Once, signer.ReasonOnceNoFileID, -76),
		Entry("one-time for another file", func() string { return bad(fields("0", "/1250000000/photos/other.txt")) }, signer.Once, signer.ReasonFileIDMismatch, -63),
		Entry("multi-use bound to another path", func() string { return bad(fields("1700000060", "/1250000000/photos/other.txt")) }, signer.Multi, signer.ReasonFileIDMismatch, -63),
		Entry("another bucket", func() string {
			return bad("a=1250000000&b=other&k=AKIDtest&e=0&t=1700000000&r=1&f=" + fileID)
		}, signer.Once, signer.ReasonBucketMismatch, -61),
		Entry("another appid", func() string {
			return bad("a=1&b=photos&k=AKIDtest&e=0&t=1700000000&r=1&f=" + fileID)
		}, signer.Once, signer.ReasonAppIDMismatch, -70),
		Entry("an unknown secret id", func() string {
			return forge("x", "a=1250000000&b=photos&k=nobody&e=0&t=1700000000&r=1&f="+fileID)
		}, signer.Once, signer.ReasonUnknownSecretID, -79),
		Entry("a replayed one-time signature", func() string {
			sig := mustSign(creds, once())
			Expect(current.Verify(sig, want(signer.Once))).To(Succeed())
			return sig
		}, signer.Once, signer.ReasonReplayed, -77),
	)
})

// current is the verifier of the running spec.
var current *signer.Verifier

func mustParse(sig string) *signer.Parsed {
	p, err := signer.Parse(sig)
	Expect(err).NotTo(HaveOccurred())
	return p
}
