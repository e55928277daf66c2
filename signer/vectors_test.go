package signer_test

import (
	"encoding/json"
	"fmt"
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
	return signer.Params{Bucket: v.Bucket, Kind: k, FileID: v.FileID, Now: time.Unix(v.Now, 0), Expires: time.Unix(v.Expired, 0), Rand: v.Rand}
}

// readVectors reads a file of vectors; one that holds none is an error too.
func readVectors(path string) ([]vector, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var vs []vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("%s holds no vectors", path)
	}
	return vs, nil
}

// describeVectors checks every vector of path. A file it cannot read fails a
// spec of its own, with the error, rather than the construction of the tree.
func describeVectors(text, path string) {
	vs, err := readVectors(path)
	It("reads "+path, func() { Expect(err).NotTo(HaveOccurred()) })
	var es []TableEntry
	for _, v := range vs {
		es = append(es, Entry(v.Name, v))
	}
	DescribeTable(text, checkVector, es)
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
	describeVectors("match the vectors computed from the document, byte for byte", "testdata/signatures.json")
	describeVectors("match edge-case vectors computed with Python's hmac and openssl", "testdata/edge_vectors.json")
})
