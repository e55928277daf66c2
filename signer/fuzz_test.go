package signer_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/cosv2/cosv2/signer"
)

func seeds(f *testing.F) {
	for _, path := range []string{"../../shared/testdata/signatures.json", "testdata/edge_vectors.json"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var vs []vector
		if json.Unmarshal(raw, &vs) == nil {
			for _, v := range vs {
				f.Add(v.Signature)
			}
		}
	}
	f.Add("")
	f.Add("====")
}

// FuzzParse: no input makes Parse panic, and what it accepts has every field.
func FuzzParse(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, sig string) {
		p, err := signer.Parse(sig)
		if err == nil && (len(p.MAC) != 20 || p.Plaintext == "") {
			t.Fatalf("accepted %q without a MAC or plaintext", sig)
		}
	})
}

// FuzzVerify: Verify never panics and never accepts a signature that was not
// made with the key: whatever it accepts re-signs to the same bytes.
func FuzzVerify(f *testing.F) {
	seeds(f)
	f.Add(signer.ForgeForTest("secret-key", "a=1250000000&b=photos&k=AKIDtest&e=1700000060&t=1700000000&r=1&f="))
	keys := signer.Keys{"AKIDtest": "secret-key", "AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv": "bLcPnl88WU30VY57ipRhSePfPdOfSruK"}
	f.Fuzz(func(t *testing.T, sig string) {
		v := &signer.Verifier{Keys: keys, Now: func() time.Time { return time.Unix(1437995650, 0) }}
		p, err := signer.Parse(sig)
		if err != nil {
			return
		}
		for _, kind := range []signer.Kind{signer.Multi, signer.Once} {
			want := signer.Expectation{AppID: p.AppID, Bucket: p.Bucket, FileID: p.FileID, Kind: kind}
			if v.Verify(sig, want) != nil {
				continue
			}
			if signer.ForgeForTest(keys[p.SecretID], p.Plaintext) != sig {
				t.Fatalf("accepted %q, which the key does not make", sig)
			}
		}
	})
}
