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
	It("refuses an expectation of no kind rather than treat it as multi-use", func() {
		err := verifier().Verify(mustSign(creds, multi("")), signer.Expectation{AppID: creds.AppID, Bucket: "photos", FileID: fileID})
		Expect(err).To(MatchError(ContainSubstring("unknown kind")))
		var ve *signer.VerifyError
		Expect(errors.As(err, &ve)).To(BeFalse())
	})

	It("knows no secret id without a KeyStore", func() {
		Expect(reason((&signer.Verifier{}).Verify(mustSign(creds, multi("")), want(signer.Multi)))).To(Equal(signer.ReasonUnknownSecretID))
	})

	It("says the code and the reason in its error, and keeps what the client sent short", func() {
		err := verifier().Verify(forge(creds.SecretKey, fields("0", fileID)+"&"+strings.Repeat("x", 5000)), want(signer.Once))
		Expect(err).To(MatchError(HavePrefix("signer: signature refused (-5998, malformed): unexpected field")))
		Expect(len(err.Error())).To(BeNumerically("<", 200))
	})

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
			deep := want(signer.Multi)
			deep.FileID = signer.FileID(creds.AppID, "photos", "a/x/..y/z.txt")
			Expect(verifier().Verify(mustSign(creds, multi("/1250000000/photos/a/")), deep)).To(Succeed())
			Expect(verifier().Verify(mustSign(creds, multi("/1250000000/photos/")), deep)).To(Succeed(), "the bucket root")
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
		It("accepts a multi-use signature until the second it expires", func() {
			v, sig := verifier(), mustSign(creds, multi(""))
			v.Now = func() time.Time { return t0.Add(time.Minute) }
			Expect(v.Verify(sig, want(signer.Multi))).To(Succeed())
			v.Now = func() time.Time { return t0.Add(time.Minute + time.Second) }
			Expect(reason(v.Verify(sig, want(signer.Multi)))).To(Equal(signer.ReasonExpired))
		})
		It("accepts a multi-use signature of exactly 90 days", func() {
			p := multi("")
			p.Expires = t0.Add(signer.MaxTTL)
			Expect(verifier().Verify(mustSign(creds, p), want(signer.Multi))).To(Succeed())
		})
		It("accepts a one-time signature for a directory, bound to its fileid", func() {
			dir := signer.FileID(creds.AppID, "photos", "2016 年/")
			p := once()
			p.FileID = dir
			w := want(signer.Once)
			w.FileID = dir
			Expect(verifier().Verify(mustSign(creds, p), w)).To(Succeed())
		})
		It("remembers a one-time signature only once it is accepted", func() {
			v, sig := verifier(), mustSign(creds, once())
			w := want(signer.Once)
			w.FileID = signer.FileID(creds.AppID, "photos", "other")
			Expect(reason(v.Verify(sig, w))).To(Equal(signer.ReasonFileIDMismatch))
			Expect(v.Verify(sig, want(signer.Once))).To(Succeed())
		})
	})

	Describe("in two steps, for a server that reads the body only after the signature holds", func() {
		It("authenticates by the signature's own kind and records nothing until Authorize", func() {
			v, sig := verifier(), mustSign(creds, once())
			p, err := v.Authenticate(sig, want(0))
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Kind()).To(Equal(signer.Once))
			_, err = v.Authenticate(sig, want(0))
			Expect(err).NotTo(HaveOccurred(), "Authenticate consumed the one-time signature")
			Expect(v.Authorize(p, signer.Once)).To(Succeed())
			Expect(reason(v.Authorize(p, signer.Once))).To(Equal(signer.ReasonReplayed))
		})
		It("checks a multi-use signature's expiry and fileid before the operation is known", func() {
			w := want(0)
			w.FileID = signer.FileID(creds.AppID, "photos", "/other.txt")
			_, err := verifier().Authenticate(mustSign(creds, multi(fileID)), w)
			Expect(reason(err)).To(Equal(signer.ReasonFileIDMismatch))
		})
		It("refuses a one-time signature whose window closed while the body was read, and records nothing", func() {
			now := t0.Add(4*time.Minute + 59*time.Second)
			rec := &recordingReplay{}
			v := verifier()
			v.OnceWindow, v.Replay, v.Now = 5*time.Minute, rec, func() time.Time { return now }
			p, err := v.Authenticate(mustSign(creds, once()), want(0))
			Expect(err).NotTo(HaveOccurred())
			now = t0.Add(5*time.Minute + 2*time.Second) // past t + window: the cache may have forgotten it
			Expect(reason(v.Authorize(p, signer.Once))).To(Equal(signer.ReasonExpired))
			Expect(rec.until).To(BeZero(), "recorded")
		})
		DescribeTable("refuses a signature of the wrong kind for the operation",
			func(p signer.Params, kind signer.Kind, r signer.Reason) {
				v := verifier()
				parsed, err := v.Authenticate(mustSign(creds, p), want(0))
				Expect(err).NotTo(HaveOccurred())
				Expect(reason(v.Authorize(parsed, kind))).To(Equal(r))
			},
			Entry("multi-use for a one-time op", multi(""), signer.Once, signer.ReasonOnceExpireNotZero),
			Entry("one-time for a multi-use op", once(), signer.Multi, signer.ReasonMultiExpireZero),
		)
	})

	Describe("with a freshness window for one-time signatures", func() {
		windowed := func(now time.Time) *signer.Verifier {
			v := verifier()
			v.OnceWindow = 5 * time.Minute
			v.Now = func() time.Time { return now }
			return v
		}
		DescribeTable("accepts t within the window either way and refuses it beyond as expired",
			func(skew time.Duration, ok bool) {
				err := windowed(t0.Add(skew)).Verify(mustSign(creds, once()), want(signer.Once))
				if ok {
					Expect(err).To(Succeed())
				} else {
					Expect(reason(err)).To(Equal(signer.ReasonExpired))
				}
			},
			Entry("now", time.Duration(0), true),
			Entry("5 min later", 5*time.Minute, true),
			Entry("5 min 1 s later", 5*time.Minute+time.Second, false),
			Entry("5 min 0.5 s later", 5*time.Minute+500*time.Millisecond, false),
			Entry("5 min earlier (a fast client clock)", -5*time.Minute, true),
			Entry("a day later", 24*time.Hour, false),
		)
		It("asks the cache to remember a signature until t + window", func() {
			rec := &recordingReplay{}
			v := windowed(t0)
			v.Replay = rec
			Expect(v.Verify(mustSign(creds, once()), want(signer.Once))).To(Succeed())
			Expect(rec.until).To(Equal(t0.Add(5 * time.Minute)))
		})
		DescribeTable("never accepts a one-time signature past the time it lets the cache forget it",
			func(window, skew time.Duration) {
				rec := &recordingReplay{}
				v := windowed(t0.Add(skew))
				v.OnceWindow, v.Replay = window, rec
				if err := v.Verify(mustSign(creds, once()), want(signer.Once)); err != nil {
					Expect(reason(err)).To(Equal(signer.ReasonExpired))
					return
				}
				Expect(rec.until).NotTo(BeTemporally("<", t0.Add(skew)), "accepted at t+%v, to be remembered until t+%v only: a replay would pass", skew, rec.until.Sub(t0))
			},
			Entry("in the last second of a 5 min window", 5*time.Minute, 5*time.Minute+500*time.Millisecond),
			Entry("a window of 1.5 s, 1.7 s later", 1500*time.Millisecond, 1700*time.Millisecond),
			Entry("a window under a second, an hour later", 500*time.Millisecond, time.Hour),
		)
		It("refuses the request when the cache cannot record it", func() {
			v := windowed(t0)
			v.Replay = &recordingReplay{err: errors.New("disk full")}
			err := v.Verify(mustSign(creds, once()), want(signer.Once))
			Expect(err).To(MatchError(ContainSubstring("disk full")))
		})
	})

	bad := func(plain string) string { return forge(creds.SecretKey, plain) }
	BeforeEach(func() { current = verifier() })

	DescribeTable("refuses each kind of bad signature with the document's code",
		func(sig func() string, kind signer.Kind, r signer.Reason, code int, requestFileID ...string) {
			w := want(kind)
			if len(requestFileID) > 0 {
				w.FileID = requestFileID[0]
			}
			err := current.Verify(sig(), w)
			Expect(reason(err)).To(Equal(r))
			Expect(r.Code()).To(Equal(code))
		},
		Entry("empty", func() string { return "" }, signer.Multi, signer.ReasonEmpty, -81),
		Entry("not base64", func() string { return "%%%" }, signer.Multi, signer.ReasonMalformed, -5998),
		Entry("too short", func() string { return base64.StdEncoding.EncodeToString([]byte("short")) }, signer.Multi, signer.ReasonMalformed, -5998),
		Entry("a field missing", func() string { return bad("a=1250000000&b=photos&k=AKIDtest&e=1&t=1&r=1") }, signer.Multi, signer.ReasonMalformed, -5998),
		Entry("a field repeated", func() string { return bad(fields("0", fileID) + "&b=x") }, signer.Once, signer.ReasonMalformed, -5998),
		Entry("an unknown field", func() string { return bad(fields("0", fileID) + "&x=1") }, signer.Once, signer.ReasonMalformed, -5998),
		Entry("a signed number", func() string { return bad(fields("+1700000060", "")) }, signer.Multi, signer.ReasonMalformed, -5998),
		Entry("r of 11 digits", func() string { return bad(strings.Replace(fields("0", fileID), "r=1", "r=12345678901", 1)) }, signer.Once, signer.ReasonMalformed, -5998),
		Entry("a line break inside", func() string { s := mustSign(creds, once()); return s[:10] + "\n" + s[10:] }, signer.Once, signer.ReasonMalformed, -5998),
		Entry("URL-safe Base64", func() string {
			return base64.URLEncoding.EncodeToString([]byte(strings.Repeat("\xff", 20) + fields("0", fileID)))
		}, signer.Once, signer.ReasonMalformed, -5998),
		Entry("a wrong key", func() string { return forge("other-key", fields("0", fileID)) }, signer.Once, signer.ReasonBadSignature, -97),
		Entry("a tampered plaintext", func() string {
			raw, _ := base64.StdEncoding.DecodeString(mustSign(creds, multi("")))
			return base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), "r=1", "r=2", 1)))
		}, signer.Multi, signer.ReasonBadSignature, -97),
		Entry("expired", func() string { return bad(fields("1700000005", "")) }, signer.Multi, signer.ReasonExpired, -96),
		Entry("over 90 days after t", func() string { return bad(fields("1707776001", "")) }, signer.Multi, signer.ReasonLifetimeTooLong, -97),
		Entry("over 90 days after now, with a t set late", func() string {
			return bad("a=1250000000&b=photos&k=AKIDtest&e=1707776011&t=1707776000&r=1&f=")
		}, signer.Multi, signer.ReasonLifetimeTooLong, -97),
		Entry("one-time with e≠0", func() string { return bad(fields("1700000060", fileID)) }, signer.Once, signer.ReasonOnceExpireNotZero, -73),
		Entry("multi-use with e=0", func() string { return bad(fields("0", "")) }, signer.Multi, signer.ReasonMultiExpireZero, -74),
		Entry("one-time without fileid", func() string { return bad(fields("0", "")) }, signer.Once, signer.ReasonOnceNoFileID, -76),
		Entry("one-time for another file", func() string { return bad(fields("0", "/1250000000/photos/other.txt")) }, signer.Once, signer.ReasonFileIDMismatch, -63),
		Entry("multi-use bound to another path", func() string { return bad(fields("1700000060", "/1250000000/photos/other.txt")) }, signer.Multi, signer.ReasonFileIDMismatch, -63),
		Entry("multi-use bound to a prefix without its trailing slash", func() string { return bad(fields("1700000060", "/1250000000/photos/a")) }, signer.Multi, signer.ReasonFileIDMismatch, -63),
		Entry("multi-use bound to a sibling directory", func() string { return bad(fields("1700000060", "/1250000000/photos/a/b.txt/")) }, signer.Multi, signer.ReasonFileIDMismatch, -63),
		Entry("multi-use bound to a prefix the request climbs out of", func() string { return bad(fields("1700000060", "/1250000000/photos/a/")) },
			signer.Multi, signer.ReasonFileIDMismatch, -63, "/1250000000/photos/a/%2E%2E/secret"),
		Entry("one-time bound to the parent directory", func() string { return bad(fields("0", "/1250000000/photos/a/")) }, signer.Once, signer.ReasonFileIDMismatch, -63),
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

// fields is a plaintext for creds and bucket photos with t = t0, r = 1.
func fields(e, f string) string {
	return "a=1250000000&b=photos&k=AKIDtest&e=" + e + "&t=1700000000&r=1&f=" + f
}

// current is the verifier of the running spec.
var current *signer.Verifier

func mustParse(sig string) *signer.Parsed {
	p, err := signer.Parse(sig)
	Expect(err).NotTo(HaveOccurred())
	return p
}

// recordingReplay is a ReplayCache that keeps the last time it was given.
type recordingReplay struct {
	until time.Time
	err   error
}

func (r *recordingReplay) Add(_ string, until time.Time) (bool, error) {
	r.until = until
	return r.err == nil, r.err
}
