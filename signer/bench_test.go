package signer_test

import (
	"testing"
	"time"

	"github.com/cosv2/cosv2/signer"
)

var benchCreds = signer.Credentials{AppID: "1250000000", SecretID: "AKIDexampleexampleexampleexample", SecretKey: "secretsecretsecretsecretsecret12"}

// BenchmarkSign is the pure function: a fresh HMAC every call.
func BenchmarkSign(b *testing.B) {
	p := signer.Params{Bucket: "photos", Kind: signer.Once, FileID: signer.FileID(benchCreds.AppID, "photos", "/2016/照片 01.jpg"), Now: time.Unix(1700000000, 0), Rand: 42}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := signer.Sign(benchCreds, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignerMultiUse is what the Transport pays per request: a pooled HMAC.
func BenchmarkSignerMultiUse(b *testing.B) {
	s, err := signer.New(benchCreds, signer.WithClock(func() time.Time { return time.Unix(1700000000, 0) }), signer.WithRand(func() uint64 { return 42 }))
	if err != nil {
		b.Fatal(err)
	}
	f := signer.FileID(benchCreds.AppID, "photos", "/2016/照片 01.jpg")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.MultiUse("photos", f, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFileID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = signer.FileID("1250000000", "photos", "/2016/照片 01.jpg")
	}
}

func BenchmarkVerify(b *testing.B) {
	c := signer.Credentials{AppID: "1250000000", SecretID: "AKID", SecretKey: "key"}
	now := time.Unix(1700000000, 0)
	sig, _ := signer.Sign(c, signer.Params{Bucket: "photos", Kind: signer.Multi, Now: now, Expires: now.Add(time.Hour), Rand: 1})
	v := &signer.Verifier{Keys: signer.Keys{"AKID": "key"}, Now: func() time.Time { return now }}
	want := signer.Expectation{AppID: c.AppID, Bucket: "photos", FileID: "/1250000000/photos/a", Kind: signer.Multi}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(sig, want); err != nil {
			b.Fatal(err)
		}
	}
}
