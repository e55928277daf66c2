package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/cosv2/cosv2/signer"
)

type vector struct {
	Kind      string `json:"kind"`
	AppID     string `json:"appid"`
	Bucket    string `json:"bucket"`
	SecretID  string `json:"secret_id"`
	SecretKey string `json:"secret_key"`
	Expired   int64  `json:"expired"`
	Now       int64  `json:"now"`
	Rand      int64  `json:"rand"`
	Path      string `json:"path"`
	Signature string `json:"signature"`
}

// inProcess runs the CLI in this process and returns its status and output.
func inProcess(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"cosv2"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// vectorsPath is the signer's vectors computed from the document; one copy
// in the repository serves both suites.
const vectorsPath = "../../signer/testdata/signatures.json"

var _ = Describe("sign", func() {
	raw, err := os.ReadFile(vectorsPath)
	var vs []vector
	if err == nil {
		err = json.Unmarshal(raw, &vs)
	}
	It("reads the vectors", func() {
		Expect(err).NotTo(HaveOccurred())
		Expect(vs).NotTo(BeEmpty())
	})
	for _, v := range vs {
		It("prints the vector's signature alone for "+v.Kind+" "+v.Path, func() {
			args := []string{"--appid", v.AppID, "--bucket", v.Bucket, "--secret-id", v.SecretID, "--secret-key", v.SecretKey,
				"sign", "--kind", v.Kind, "--now", itoa(v.Now), "--rand", itoa(v.Rand)}
			if v.Kind == "once" {
				args = append(args, "--path", v.Path)
			} else {
				args = append(args, "--ttl", itoa(v.Expired-v.Now)+"s")
			}
			code, out, errOut := inProcess(args...)
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(Equal(v.Signature + "\n"))
		})
	}
})

var _ = Describe("sign --rand", func() {
	args := func(r string) []string {
		return []string{"--appid", "1250000000", "--bucket", "photos", "--secret-id", "AKIDx", "--secret-key", "k",
			"sign", "--kind", "multi", "--now", "1700000000", "--ttl", "60s", "--rand", r}
	}

	DescribeTable("signs every r of up to 10 digits, as the document allows",
		func(r string, want uint64) {
			code, out, errOut := inProcess(args(r)...)
			Expect(code).To(Equal(0), errOut)
			p, err := signer.Parse(strings.TrimSpace(out))
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Rand).To(Equal(want))
			Expect(p.Plaintext).To(ContainSubstring("&r=" + r + "&"))
		},
		Entry("0", "0", uint64(0)),
		Entry("2^32-1", "4294967295", uint64(4294967295)),
		Entry("2^32", "4294967296", uint64(4294967296)),
		Entry("the largest: 9999999999", "9999999999", uint64(9999999999)),
	)

	It("refuses r of 11 digits", func() {
		code, _, errOut := inProcess(args("10000000000")...)
		Expect(code).To(Equal(2))
		Expect(errOut).To(ContainSubstring("9999999999"))
	})
})

var _ = Describe("--version", func() {
	It("prints the module version from the build info", func() {
		code, out, errOut := inProcess("--version")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(MatchRegexp(`^cosv2 version (v\d+\.\d+\.\d+\S*|\(devel\)( [0-9a-f]{1,12}(\+dirty)?)?)\n$`))
	})
})

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var _ = Describe("usage errors exit 2", func() {
	creds := []string{"--appid", "1", "--bucket", "b", "--secret-id", "i", "--secret-key", "k", "--endpoint", "http://127.0.0.1:1"}
	DescribeTable("before any request",
		func(args []string) {
			code, _, errOut := inProcess(args...)
			Expect(code).To(Equal(2), errOut)
			Expect(errOut).NotTo(BeEmpty())
		},
		Entry("an unknown flag", append(creds, "ls", "--nope", "/")),
		Entry("a missing argument", append(creds, "mkdir")),
		Entry("a directory without its slash", append(creds, "mkdir", "docs")),
		Entry("a file path with a slash", append(creds, "rm", "docs/")),
		Entry("missing credentials", []string{"ls", "/"}),
		Entry("a bad slice size", append(creds, "put", "x", "y", "--slice-size", "1000")),
		Entry("a bad authority", append(creds, "update", "a.txt", "--authority", "everyone")),
		Entry("a bad header", append(creds, "update", "a.txt", "--header", "nocolon")),
		Entry("a one-time signature without a path", append(creds, "sign", "--kind", "once")),
		Entry("serve without data", append(creds, "serve")),
	)
})

var _ = Describe("a session against cosv2 serve", Ordered, func() {
	var (
		env  []string
		dir  string
		serv *gexec.Session
	)
	cosv2 := func(args ...string) *gexec.Session {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), env...)
		s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(s).WithTimeout(2 * time.Minute).Should(gexec.Exit())
		return s
	}

	BeforeAll(func() {
		dir = GinkgoT().TempDir()
		cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--validate")
		cmd.Env = append(os.Environ(), "COSV2_APPID=1250000000", "COSV2_BUCKET=photos,other", "COSV2_SECRET_ID=AKID", "COSV2_SECRET_KEY=KEY")
		var err error
		serv, err = gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(serv.Out).WithTimeout(30 * time.Second).Should(gbytes.Say(`listening on (http://127\.0\.0\.1:\d+)`))
		addr := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(serv.Out.Contents())), "listening on "))
		env = []string{"COSV2_ENDPOINT=" + addr, "COSV2_APPID=1250000000", "COSV2_BUCKET=photos", "COSV2_SECRET_ID=AKID", "COSV2_SECRET_KEY=KEY"}
	})

	AfterAll(func() {
		serv.Terminate()
		Eventually(serv).WithTimeout(20 * time.Second).Should(gexec.Exit(0))
	})

	It("runs mkdir, put, ls, stat, update, cp, mv, get, rm and rmdir", func() {
		Expect(cosv2("mkdir", "docs/").ExitCode()).To(Equal(0))
		small := filepath.Join(dir, "small.txt")
		Expect(os.WriteFile(small, []byte("hello, cosv2"), 0o644)).To(Succeed())
		big := filepath.Join(dir, "big.bin")
		data := make([]byte, 60<<20)
		_, _ = rand.NewChaCha8([32]byte{7}).Read(data)
		Expect(os.WriteFile(big, data, 0o644)).To(Succeed())

		Expect(cosv2("put", small, "docs/small.txt").ExitCode()).To(Equal(0))
		s := cosv2("put", big, "docs/big.bin", "--slice-size", "3145728", "--concurrency", "4")
		Expect(s.ExitCode()).To(Equal(0))
		Expect(s.Out).To(gbytes.Say("uploaded docs/big.bin"))
		// With uploadparts the server has these bytes: answered at init.
		Expect(cosv2("put", big, "again.bin", "--uploadparts").ExitCode()).To(Equal(0))
		Expect(cosv2("stat", "again.bin").Out).To(gbytes.Say("size: +62914560"))

		s = cosv2("--json", "ls", "docs/")
		Expect(s.ExitCode()).To(Equal(0))
		var entries []map[string]any
		Expect(json.Unmarshal(s.Out.Contents(), &entries)).To(Succeed())
		Expect(entries).To(HaveLen(2))
		Expect(cosv2("ls", "docs/", "--prefix", "sm").Out).To(gbytes.Say("small.txt"))

		s = cosv2("stat", "docs/big.bin")
		Expect(s.ExitCode()).To(Equal(0))
		Expect(s.Out).To(gbytes.Say("size: +62914560"))

		Expect(cosv2("update", "docs/small.txt", "--authority", "eWRPrivate", "--header", "Content-Type: text/plain", "--attr", "a1").ExitCode()).To(Equal(0))
		s = cosv2("--json", "stat", "docs/small.txt")
		Expect(s.Out).To(gbytes.Say(`"authority": "eWRPrivate"`))
		Expect(cosv2("update", "docs/", "--attr", "dir attr").ExitCode()).To(Equal(0))

		Expect(cosv2("cp", "docs/big.bin", "docs/copy.bin").ExitCode()).To(Equal(0))
		Expect(cosv2("mv", "docs/copy.bin", "moved.bin").ExitCode()).To(Equal(0))
		out := filepath.Join(dir, "out.bin")
		Expect(cosv2("get", "moved.bin", out).ExitCode()).To(Equal(0))
		got, err := os.ReadFile(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(bytes.Equal(got, data)).To(BeTrue())

		s = cosv2("rmdir", "docs/")
		Expect(s.ExitCode()).To(Equal(1))
		Expect(s.Err).To(gbytes.Say("-173 ErrDirNotEmpty"))
		s = cosv2("put", small, "docs/small.txt")
		Expect(s.ExitCode()).To(Equal(1))
		Expect(s.Err).To(gbytes.Say("-177 ErrFileExist"))
		for _, f := range []string{"docs/small.txt", "docs/big.bin", "moved.bin", "again.bin"} {
			Expect(cosv2("rm", f).ExitCode()).To(Equal(0))
		}
		Expect(cosv2("rmdir", "docs/").ExitCode()).To(Equal(0))
		s = cosv2("get", "moved.bin", filepath.Join(dir, "gone.bin"))
		Expect(s.ExitCode()).To(Equal(1))
		Expect(filepath.Join(dir, "gone.bin")).NotTo(BeAnExistingFile())
	})

	It("exits 1 on a transport error", func() {
		cmd := exec.Command(binary, "--retries", "1", "ls", "/")
		cmd.Env = append(os.Environ(), "COSV2_ENDPOINT=http://127.0.0.1:1", "COSV2_APPID=1", "COSV2_BUCKET=b", "COSV2_SECRET_ID=i", "COSV2_SECRET_KEY=k")
		s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(s).WithTimeout(time.Minute).Should(gexec.Exit(1))
		Expect(s.Err).To(gbytes.Say("connection refused"))
	})
})
