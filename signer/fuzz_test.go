package signer_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cosv2/cosv2/signer"
)

// vectors reads the document's and the edge-case vectors, for seeds.
func vectors(tb testing.TB) []vector {
	var all []vector
	for _, path := range []string{"testdata/signatures.json", "testdata/edge_vectors.json"} {
		vs, err := readVectors(path)
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, vs...)
	}
	return all
}

func seedSignatures(f *testing.F) {
	for _, v := range vectors(f) {
		f.Add(v.Signature)
	}
	f.Add("")
	f.Add("====")
	f.Add(signer.ForgeForTest("secret-key", "a=1250000000&k=AKIDtest&e=1700000060&t=1700000000&r=1&f=&b=photos"))
}

// FuzzParse: no input makes Parse panic; what it accepts has one spelling
// (its bytes re-encode to the input) and every field.
func FuzzParse(f *testing.F) {
	seedSignatures(f)
	f.Fuzz(func(t *testing.T, sig string) {
		p, err := signer.Parse(sig)
		if err != nil {
			var ve *signer.VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse(%q) = %v, not a *VerifyError", sig, err)
			}
			return
		}
		if len(p.MAC) != 20 {
			t.Fatalf("accepted %q with a MAC of %d bytes", sig, len(p.MAC))
		}
		if base64.StdEncoding.EncodeToString(append(p.MAC[:20:20], p.Plaintext...)) != sig {
			t.Fatalf("accepted %q, another spelling of its bytes", sig)
		}
		if n := strings.Count(p.Plaintext, "&"); n != 6 {
			t.Fatalf("accepted %q with %d separators", p.Plaintext, n)
		}
	})
}

// FuzzVerify: Verify never panics and never accepts a signature that was not
// made with the key: whatever it accepts, under the most permissive
// expectation (the signature's own appid, bucket and fileid, either kind, a
// clock inside every multi-use window), is byte for byte HMAC-SHA1 of its
// plaintext with the right key.
func FuzzVerify(f *testing.F) {
	seedSignatures(f)
	keys := signer.Keys{"AKIDtest": "secret-key"}
	for _, v := range vectors(f) {
		keys[v.SecretID] = v.SecretKey
	}
	f.Fuzz(func(t *testing.T, sig string) {
		p, perr := signer.Parse(sig)
		for _, kind := range []signer.Kind{signer.Multi, signer.Once} {
			want := signer.Expectation{AppID: "1250000000", Bucket: "photos", FileID: "/1250000000/photos/a", Kind: kind}
			now := time.Unix(1700000000, 0)
			if perr == nil {
				want.AppID, want.Bucket, want.FileID = p.AppID, p.Bucket, p.FileID
				now = time.Unix(min(p.Expires, 1<<40), 0)
			}
			v := &signer.Verifier{Keys: keys, Now: func() time.Time { return now }}
			err := v.Verify(sig, want)
			var ve *signer.VerifyError
			if err != nil && !errors.As(err, &ve) {
				t.Fatalf("Verify(%q) = %v, not a *VerifyError", sig, err)
			}
			if err != nil {
				continue
			}
			if perr != nil {
				t.Fatalf("Verify accepted %q, which Parse refuses: %v", sig, perr)
			}
			key, ok := keys[p.SecretID]
			if !ok || signer.ForgeForTest(key, p.Plaintext) != sig {
				t.Fatalf("accepted %q, which the key does not make", sig)
			}
		}
	})
}

// FuzzRoundTrip: whatever Sign makes, Parse reads back field for field and
// Verify accepts for the request it was made for.
func FuzzRoundTrip(f *testing.F) {
	for _, v := range vectors(f) {
		f.Add(v.AppID, v.Bucket, v.SecretID, v.SecretKey, v.Path, v.Kind == "once", v.FileID != "", v.Now, v.Expired-v.Now, v.Rand)
	}
	f.Fuzz(func(t *testing.T, appid, bucket, secretID, key, path string, once, bind bool, now, ttl int64, r uint64) {
		c := signer.Credentials{AppID: appid, SecretID: secretID, SecretKey: key}
		p := signer.Params{Bucket: bucket, Kind: signer.Multi, Now: time.Unix(now, 0), Expires: time.Unix(now+ttl, 0), Rand: r}
		fileID := signer.FileID(appid, bucket, path)
		if once {
			p.Kind = signer.Once
		}
		if once || bind {
			p.FileID = fileID
		}
		sig, err := signer.Sign(c, p)
		if err != nil {
			return
		}
		got, err := signer.Parse(sig)
		if err != nil {
			t.Fatalf("Parse(Sign(%+v)) = %v", p, err)
		}
		if got.Plaintext != signer.Plaintext(c, p) || got.AppID != appid || got.Bucket != bucket || got.SecretID != secretID ||
			got.Now != now || got.Rand != r || got.FileID != p.FileID {
			t.Fatalf("Parse read %+v back from %+v", got, p)
		}
		v := &signer.Verifier{Keys: signer.Keys{secretID: key}, Now: func() time.Time { return time.Unix(now, 0) }, Replay: signer.NewMemoryReplay(1)}
		want := signer.Expectation{AppID: appid, Bucket: bucket, FileID: fileID, Kind: p.Kind}
		if err := v.Verify(sig, want); err != nil {
			t.Fatalf("Verify(Sign(%+v)) = %v", p, err)
		}
	})
}
