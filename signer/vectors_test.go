package signer_test

import (
	"encoding/json"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/signer"
)

type vector struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	AppID     string `json:"appid"`
	Bucket    string `json:"bucket"`
	SecretID  string `json:"secret_id"`
	SecretKey string `json:"secret_key"`
	Expired   int64  `json:"expired"`
	Now       int64  `json:"now"`
	Rand      uint64 `json:"rand"`
	Path      string `json:"path"`
	FileID    string `json:"fileid"`
	Plaintext string `json:"plaintext"`
	Signature string `json:"signature"`
}

func (v vector) creds() signer.Credentials {
	return signer.Credentials{AppID: v.AppID, SecretID: v.SecretID, SecretKey: v.SecretKey}
}

func (v vector) params() signer.Params {
	k := signer.Multi
	if v.Kind == "once" {
		k = signer.Once
	}
	return signer.Params{Bucket: v.Bucket, Kind: k, FileID: v.FileID, Now: time.Unix(v.Now, 0), Expires: time.Unix(v.Expired, 0), RandWide: v.Rand}
}

func load(path string) []TableEntry {
	raw, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	var vs []vector
	Expect(json.Unmarshal(raw, &vs)).To(Succeed())
	Expect(vs).NotTo(BeEmpty())
	var es []TableEntry
	for _, v := range vs {
		es = append(es, Entry(v.Name, v))
	}
	return es
}

func checkVector(v vector) {
	Expect(signer.Plaintext(v.creds(), v.params())).To(Equal(v.Plaintext))
	sig, err := signer.Sign(v.creds(), v.params())
	Expect(err).NotTo(HaveOccurred())
	Expect(sig).To(Equal(v.Signature))
	if v.FileID != "" {
		Expect(signer.FileID(v.AppID, v.Bucket, v.Path)).To(Equal(v.FileID))
	}
	p, err := signer.Parse(v.Signature)
	Expect(err).NotTo(HaveOccurred())
	Expect(p.Plaintext).To(Equal(v.Plaintext))
	Expect(p.FileID).To(Equal(v.FileID))

	verifier := &signer.Verifier{Keys: signer.Keys{v.SecretID: v.SecretKey}, Now: func() time.Time { return time.Unix(v.Now, 0) }}
	Expect(verifier.Verify(v.Signature, signer.Expectation{AppID: v.AppID, Bucket: v.Bucket,
		FileID: signer.FileID(v.AppID, v.Bucket, v.Path), Kind: v.params().Kind})).To(Succeed())
}

var _ = Describe("signatures", func() {
	DescribeTable("match the shared vectors computed from the document, byte for byte", checkVector,
		load("../../shared/testdata/signatures.json"))
	DescribeTable("match edge-case vectors computed with Python's hmac and openssl", checkVector,
		load("testdata/edge_vectors.json"))
})
