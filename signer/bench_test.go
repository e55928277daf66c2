package signer_test

import (
	"testing"
	"time"

	"github.com/cosv2/cosv2/signer"
)

func BenchmarkSign(b *testing.B) {
	c := signer.Credentials{AppID: "1250000000", SecretID: "AKIDexampleexampleexampleexample", SecretKey: "secretsecretsecretsecretsecret12"}
	p := signer.Params{Bucket: "photos", Kind: signer.Once, FileID: signer.FileID(c.AppID, "photos", "/2016/照片 01.jpg"), Now: time.Unix(1700000000, 0), Rand: 42}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := signer.Sign(c, p); err != nil {
			b.Fatal(err)
		}
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
