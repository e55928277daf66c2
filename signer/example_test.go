package signer_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/signer"
)

// A business backend hands its end users signatures instead of its key: here a
// multi-use one for uploads into one directory for ten minutes, and a one-time
// one to delete one file.
func ExampleSigner() {
	s, err := signer.New(signer.Credentials{AppID: "200001", SecretID: "AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv", SecretKey: "bLcPnl88WU30VY57ipRhSePfPdOfSruK"},
		signer.WithClock(func() time.Time { return time.Unix(1437995644, 0) }),
		signer.WithRand(func() uint64 { return 2081660421 }))
	if err != nil {
		panic(err)
	}
	upload, _ := s.MultiUse("newbucket", signer.FileID(s.AppID(), "newbucket", "/uploads/"), 10*time.Minute)
	del, _ := s.OneTime("newbucket", "tencent_test.jpg")
	p, _ := signer.Parse(upload)
	fmt.Println(p.Plaintext)
	p, _ = signer.Parse(del)
	fmt.Println(p.Plaintext)
	// Output:
	// a=200001&b=newbucket&k=AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv&e=1437996244&t=1437995644&r=2081660421&f=/200001/newbucket/uploads/
	// a=200001&b=newbucket&k=AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv&e=0&t=1437995644&r=2081660421&f=/200001/newbucket/tencent_test.jpg
}

// Sign is the pure function under the Signer, with the clock and the random
// number passed in.
func ExampleSign() {
	c := signer.Credentials{AppID: "200001", SecretID: "AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv", SecretKey: "bLcPnl88WU30VY57ipRhSePfPdOfSruK"}
	sig, _ := signer.Sign(c, signer.Params{Bucket: "newbucket", Kind: signer.Multi,
		Now: time.Unix(1437995644, 0), Expires: time.Unix(1437995704, 0), Rand: 2081660421})
	fmt.Println(sig)
	// Output: wHgvVkXpcZ3d+G0rOkAJml3R5NdhPTIwMDAwMSZiPW5ld2J1Y2tldCZrPUFLSURVZkxVRVVpZ1FpWHFtN0NWU3NwS0pudWFpSUt0eHFBdiZlPTE0Mzc5OTU3MDQmdD0xNDM3OTk1NjQ0JnI9MjA4MTY2MDQyMSZmPQ==
}

// A server checks the Authorization header against what the request's
// operation needs; a refusal carries the document's error code.
func ExampleVerifier() {
	c := signer.Credentials{AppID: "200001", SecretID: "AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv", SecretKey: "bLcPnl88WU30VY57ipRhSePfPdOfSruK"}
	now := time.Unix(1437995645, 0)
	v := &signer.Verifier{
		Keys:   signer.Keys{c.SecretID: c.SecretKey},
		Now:    func() time.Time { return now },
		Replay: signer.NewMemoryReplay(1 << 16),
	}
	fileID := signer.FileID("200001", "newbucket", "tencent_test.jpg")
	sig, _ := signer.Sign(c, signer.Params{Bucket: "newbucket", Kind: signer.Once, FileID: fileID, Now: now, Rand: 166710792})
	deleteFile := signer.Expectation{AppID: "200001", Bucket: "newbucket", FileID: fileID, Kind: signer.Once}

	fmt.Println(v.Verify(sig, deleteFile))
	err := v.Verify(sig, deleteFile)
	var ve *signer.VerifyError
	if errors.As(err, &ve) {
		fmt.Println(ve.Code(), ve.Reason)
	}
	// Output:
	// <nil>
	// -77 replayed
}

// The Transport signs the generated client's requests, picking the kind of
// signature from the operation in the URL fragment.
func ExampleTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		p, _ := signer.Parse(r.Header.Get("Authorization"))
		fmt.Println(r.URL.Path, p.Plaintext)
	}))
	defer srv.Close()
	s, _ := signer.New(signer.Credentials{AppID: "200001", SecretID: "AKID", SecretKey: "key"},
		signer.WithClock(func() time.Time { return time.Unix(1437995644, 0) }),
		signer.WithRand(func() uint64 { return 7 }))
	client := &http.Client{Transport: signer.NewTransport(nil, s)}
	for _, fragment := range []string{gen.FragmentStatFile, gen.FragmentDeleteFile} {
		resp, err := client.Post(srv.URL+"/files/v2/200001/newbucket/a/b.txt#"+fragment, "application/json", nil)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
	}
	// Output:
	// /files/v2/200001/newbucket/a/b.txt a=200001&b=newbucket&k=AKID&e=1437995944&t=1437995644&r=7&f=
	// /files/v2/200001/newbucket/a/b.txt a=200001&b=newbucket&k=AKID&e=0&t=1437995644&r=7&f=/200001/newbucket/a/b.txt
}
