package signer_test

import (
	"fmt"
	"time"

	"github.com/cosv2/cosv2/signer"
)

// A business backend hands its end users signatures instead of its key: here a
// multi-use one for uploads into one directory for ten minutes, and a one-time
// one to delete one file.
func ExampleSigner() {
	s, err := signer.New(signer.Credentials{AppID: "200001", SecretID: "AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv", SecretKey: "bLcPnl88WU30VY57ipRhSePfPdOfSruK"},
		signer.WithClock(func() time.Time { return time.Unix(1437995644, 0) }),
		signer.WithRand(func() uint32 { return 2081660421 }))
	if err != nil {
		panic(err)
	}
	upload, _ := s.MultiUse("newbucket", signer.FileID("200001", "newbucket", "/uploads/"), 10*time.Minute)
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
