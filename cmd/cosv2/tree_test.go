package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/signer"
)

// requests counts what reaches the server through a proxy, by method.
type requests struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *requests) add(method string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n[method]++
}

func (r *requests) reset() { r.mu.Lock(); r.n = map[string]int{}; r.mu.Unlock() }

func (r *requests) get(method string) int { r.mu.Lock(); defer r.mu.Unlock(); return r.n[method] }

func random(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

func write(p string, b []byte) {
	Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
	Expect(os.WriteFile(p, b, 0o644)).To(Succeed())
}

var _ = Describe("the command line a person expects (issue 16)", Ordered, func() {
	var (
		env    []string
		dir    string
		cfg    string
		serv   *gexec.Session
		addr   string
		counts = &requests{n: map[string]int{}}
		api    *cosv2.Client
		slow   atomic.Bool
	)
	start := func(stdin io.Reader, args ...string) *gexec.Session {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Dir = dir
		cmd.Stdin = stdin
		s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	runCLI := func(args ...string) *gexec.Session {
		s := start(nil, args...)
		Eventually(s).WithTimeout(2 * time.Minute).Should(gexec.Exit())
		return s
	}
	ok := func(args ...string) *gexec.Session {
		s := runCLI(args...)
		ExpectWithOffset(1, s.ExitCode()).To(Equal(0), string(s.Err.Contents()))
		return s
	}

	BeforeAll(func() {
		dir = GinkgoT().TempDir()
		cfg = filepath.Join(dir, "config")
		cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--validate")
		cmd.Env = append(os.Environ(), "COSV2_APPID=1250000000", "COSV2_BUCKET=photos", "COSV2_SECRET_ID=AKID", "COSV2_SECRET_KEY=KEY")
		var err error
		serv, err = gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(serv.Out).WithTimeout(30 * time.Second).Should(gbytes.Say(`listening on (http://127\.0\.0\.1:\d+)`))
		addr = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(serv.Out.Contents())), "listening on "))
		target, err := url.Parse(addr)
		Expect(err).NotTo(HaveOccurred())
		proxy := httputil.NewSingleHostReverseProxy(target)
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			counts.add(r.Method)
			if slow.Load() && r.Method == http.MethodPost && r.ContentLength > 64<<10 {
				time.Sleep(20 * time.Millisecond) // a slower network, so a signal lands mid-upload
			}
			proxy.ServeHTTP(w, r)
		}))
		DeferCleanup(front.Close)
		// No scheme: host:port of a loopback address means http.
		env = []string{"COSV2_ENDPOINT=" + strings.TrimPrefix(front.URL, "http://"), "COSV2_APPID=1250000000", "COSV2_BUCKET=photos",
			"COSV2_SECRET_ID=AKID", "COSV2_SECRET_KEY=KEY", "XDG_CONFIG_HOME=" + cfg, "COSV2_PROFILE="}
		api, err = cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKID", SecretKey: "KEY"}, cosv2.WithEndpoint(addr))
		Expect(err).NotTo(HaveOccurred())
	})

	AfterAll(func() {
		serv.Terminate()
		Eventually(serv).WithTimeout(20 * time.Second).Should(gexec.Exit(0))
	})

	Context("directory targets", func() {
		It("puts into an existing directory, with or without its slash, and gets into a local one", func() {
			write(filepath.Join(dir, "report.pdf"), []byte("pdf"))
			ok("mkdir", "docs/")
			ok("put", "report.pdf", "docs")
			ok("put", "report.pdf", "docs/r2.pdf")
			Expect(ok("stat", "docs/report.pdf").Out).To(gbytes.Say("size: +3"))
			s := runCLI("stat", "docs")
			Expect(s.ExitCode()).To(Equal(1), "no file named docs beside the directory")
			Eventually(runCLI("cp", "docs/report.pdf", "docs/sub/")).Should(gexec.Exit(1)) // docs/sub/ does not exist: cp does not make it
			ok("mkdir", "-p", "docs/sub/")
			ok("cp", "docs/report.pdf", "docs/sub/")
			ok("mv", "docs/r2.pdf", "docs/sub")
			ok("put", "--overwrite", "report.pdf", "docs/")
			ok("put", "report.pdf", "docs/r3.pdf")
			ok("mv", "docs/r3.pdf", "docs/sub/")
			ok("stat", "docs/sub/r3.pdf")
			ok("rm", "docs/sub/r3.pdf")
			Expect(ok("ls", "docs/sub/").Out).To(gbytes.Say("r2.pdf"))

			Expect(os.Mkdir(filepath.Join(dir, "dl"), 0o755)).To(Succeed())
			ok("get", "docs/report.pdf", "dl/")
			ok("get", "docs/sub/r2.pdf", "dl")
			got, err := os.ReadFile(filepath.Join(dir, "dl", "report.pdf"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got)).To(Equal("pdf"))
			st, err := os.Stat(filepath.Join(dir, "dl", "r2.pdf"))
			Expect(err).NotTo(HaveOccurred())
			mask := syscall.Umask(0)
			syscall.Umask(mask)
			Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o666 &^ mask)))
		})
	})

	Context("streams", func() {
		It("reads stdin with put -, writes stdout with cat and get -", func() {
			s := start(strings.NewReader("from stdin\n"), "put", "-", "stdin.txt")
			Eventually(s).WithTimeout(time.Minute).Should(gexec.Exit(0))
			Expect(string(ok("cat", "stdin.txt").Out.Contents())).To(Equal("from stdin\n"))
			Expect(string(ok("get", "stdin.txt", "-").Out.Contents())).To(Equal("from stdin\n"))
			Expect(filepath.Join(dir, "-")).NotTo(BeAnExistingFile())
		})
	})

	Context("errors that say what to do", func() {
		It("names --overwrite on -177", func() {
			s := runCLI("put", "report.pdf", "docs/report.pdf")
			Expect(s.ExitCode()).To(Equal(1))
			Expect(s.Err).To(gbytes.Say("-177 ErrFileExist.*add --overwrite"))
		})
		It("names the secret key on -97", func() {
			s := runCLI("--secret-key", "wrong", "ls", "/")
			Expect(s.ExitCode()).To(Equal(1))
			Expect(s.Err).To(gbytes.Say("-97.*COSV2_SECRET_KEY"))
		})
		It("prints errors as JSON with --json", func() {
			s := runCLI("--json", "put", "report.pdf", "docs/report.pdf")
			Expect(s.ExitCode()).To(Equal(1))
			var v struct {
				Error struct {
					Code int    `json:"code"`
					Hint string `json:"hint"`
				} `json:"error"`
			}
			Expect(json.Unmarshal(s.Err.Contents(), &v)).To(Succeed(), string(s.Err.Contents()))
			Expect(v.Error.Code).To(Equal(-177))
			Expect(v.Error.Hint).To(ContainSubstring("--overwrite"))
		})
	})

	Context("listing", func() {
		It("lists recursively, in human sizes, and adds up a directory", func() {
			write(filepath.Join(dir, "big.bin"), random(3<<20, 1))
			ok("put", "big.bin", "docs/sub/")
			s := ok("ls", "-r", "-h", "docs/")
			Expect(s.Out).To(gbytes.Say(`3\.0 MiB .* sub/big\.bin`))
			s = ok("--json", "du", "docs/")
			var du struct{ Size, Files int64 }
			Expect(json.Unmarshal(s.Out.Contents(), &du)).To(Succeed())
			Expect(du.Files).To(Equal(int64(4)))
			Expect(du.Size).To(Equal(int64(3<<20 + 9)))
		})
	})

	Context("unfinished uploads", func() {
		size := int64(cosv2.MaxSimpleUpload + 6*cosv2.SliceSize1M)
		It("says it resumes, and how much was stored", func() {
			b := random(int(size), 2)
			write(filepath.Join(dir, "resume.bin"), b)
			sess, err := api.SliceInit(context.Background(), "resume.bin", size, cosv2.SliceSize1M, cosv2.SliceInitOptions{})
			Expect(err).NotTo(HaveOccurred())
			for i := range int64(7) {
				Expect(api.SliceData(context.Background(), "resume.bin", sess.Session, i<<20, bytes.NewReader(b), 1<<20)).To(Succeed())
			}
			s := ok("put", "resume.bin", "resume.bin")
			Expect(s.Err).To(gbytes.Say("resuming: 7 of 26 slices already stored"))
		})
		It("discards an upload of other bytes with rm --incomplete, never a file", func() {
			write(filepath.Join(dir, "changed.bin"), random(int(size), 3))
			sess, err := api.SliceInit(context.Background(), "changed.bin", size, cosv2.SliceSize1M, cosv2.SliceInitOptions{})
			Expect(err).NotTo(HaveOccurred())
			Expect(api.SliceData(context.Background(), "changed.bin", sess.Session, 0, bytes.NewReader(random(1<<20, 4)), 1<<20)).To(Succeed())
			for _, cmd := range []string{"stat", "rm"} {
				s := runCLI(cmd, "changed.bin")
				Expect(s.ExitCode()).To(Equal(1))
				Expect(s.Err).To(gbytes.Say("has an unfinished upload.*rm --incomplete changed.bin"), cmd)
			}
			s := runCLI("put", "changed.bin", "changed.bin")
			Expect(s.ExitCode()).To(Equal(1))
			Expect(s.Err).To(gbytes.Say("rm --incomplete"))
			Expect(s.Err.Contents()).NotTo(ContainSubstring("cosv2: cos:"))
			ok("rm", "--incomplete", "changed.bin")
			ok("put", "changed.bin", "changed.bin")
			s = runCLI("rm", "--incomplete", "changed.bin")
			Expect(s.ExitCode()).To(Equal(2))
			Expect(s.Err).To(gbytes.Say("is a file"))
			ok("stat", "changed.bin")
		})
		It("exits 130 on Ctrl-C, says to run it again, and the re-run resumes", func() {
			b := random(int(size), 5)
			write(filepath.Join(dir, "ctrlc.bin"), b)
			slow.Store(true)
			defer slow.Store(false)
			s := start(nil, "put", "--concurrency", "1", "ctrlc.bin", "ctrlc.bin")
			Eventually(func(g Gomega) {
				sess, err := api.SliceList(context.Background(), "ctrlc.bin")
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(len(sess.Parts)).To(BeNumerically(">=", 2))
			}).WithTimeout(time.Minute).WithPolling(5 * time.Millisecond).Should(Succeed())
			s.Signal(os.Interrupt)
			Eventually(s).WithTimeout(time.Minute).Should(gexec.Exit(130))
			Expect(s.Err).To(gbytes.Say("run the same command again to resume"))
			s = ok("put", "ctrlc.bin", "ctrlc.bin")
			Expect(s.Err).To(gbytes.Say(`resuming: \d+ of 26 slices already stored`))
			Expect(ok("cat", "ctrlc.bin").Out.Contents()).To(Equal(b))
		})
	})

	Context("an interrupted get", func() {
		It("fetches only the chunks the partial file lacks, when it is of the same version", func() {
			b := random(3*8<<20-5, 11)
			write(filepath.Join(dir, "g.bin"), b)
			ok("put", "g.bin", "g.bin")
			part := filepath.Join(dir, "gdl", ".g.bin.cosv2-part")
			// What a get stopped after its first chunk leaves behind.
			write(part, b[:8<<20])
			sha := strings.TrimSpace(strings.TrimPrefix(string(ok("--json", "stat", "g.bin").Out.Contents()), ""))
			var st struct {
				SHA1 string `json:"sha1"`
			}
			Expect(json.Unmarshal([]byte(sha), &st)).To(Succeed())
			record := func(sha string) {
				write(part+".json", []byte(`{"sha1":"`+sha+`","size":`+itoa(int64(len(b)))+`,"chunk":8388608,"done":{"0":true}}`))
			}
			record(st.SHA1)
			s := ok("--debug", "get", "g.bin", "gdl/")
			Expect(strings.Count(string(s.Err.Contents()), "op=download")).To(Equal(2))
			Expect(s.Err.Contents()).To(ContainSubstring("resuming: 1 of 3 chunks already downloaded"))
			got, err := os.ReadFile(filepath.Join(dir, "gdl", "g.bin"))
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(b))
			Expect(part).NotTo(BeAnExistingFile())
			Expect(part + ".json").NotTo(BeAnExistingFile())

			// A record of another version: all of it again.
			write(part, make([]byte, 8<<20))
			record(strings.Repeat("0", 40))
			s = ok("--debug", "get", "g.bin", "gdl/")
			Expect(strings.Count(string(s.Err.Contents()), "op=download")).To(Equal(3))
			got, err = os.ReadFile(filepath.Join(dir, "gdl", "g.bin"))
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(b))
		})
	})

	Context("a get the network fails", func() {
		DescribeTable("keeps what was downloaded, says so, and the next get resumes there", func(name string, fail func(http.ResponseWriter)) {
			// A server whose URLs point to a proxy in front of it (--base-url),
			// so downloads go through the proxy too. With down set, the first
			// chunk arrives whole and every other GET fails.
			var target atomic.Pointer[url.URL]
			var down atomic.Bool
			first := make(chan struct{})
			var once sync.Once
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if down.Load() && r.Method == http.MethodGet && r.URL.Query().Get("op") == "" {
					if !strings.HasPrefix(r.Header.Get("Range"), "bytes=0-") {
						<-first
						fail(w)
						return
					}
					defer once.Do(func() { close(first) })
				}
				httputil.NewSingleHostReverseProxy(target.Load()).ServeHTTP(w, r)
			}))
			DeferCleanup(proxy.Close)
			cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, name+"data"), "--base-url", proxy.URL)
			cmd.Env = append(os.Environ(), "COSV2_APPID=1250000000", "COSV2_BUCKET=photos", "COSV2_SECRET_ID=AKID", "COSV2_SECRET_KEY=KEY")
			srv, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(func() { srv.Terminate(); Eventually(srv).WithTimeout(20 * time.Second).Should(gexec.Exit()) })
			Eventually(srv.Out).WithTimeout(30 * time.Second).Should(gbytes.Say(`listening on (http://127\.0\.0\.1:\d+)`))
			u, err := url.Parse(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(srv.Out.Contents())), "listening on ")))
			Expect(err).NotTo(HaveOccurred())
			target.Store(u)
			at := func(args ...string) *gexec.Session {
				c := exec.Command(binary, append([]string{"--endpoint", proxy.URL}, args...)...)
				c.Env = append(os.Environ(), env...)
				c.Dir = dir
				s, err := gexec.Start(c, GinkgoWriter, GinkgoWriter)
				Expect(err).NotTo(HaveOccurred())
				Eventually(s).WithTimeout(2 * time.Minute).Should(gexec.Exit())
				return s
			}

			b := random(3*8<<20-5, 15)
			write(filepath.Join(dir, name+".bin"), b)
			Expect(at("put", name+".bin", name+".bin").ExitCode()).To(BeZero())
			down.Store(true)
			s := at("--retries", "2", "get", name+".bin", name+"dl/")
			down.Store(false)
			Expect(s.ExitCode()).To(Equal(1))
			Expect(s.Err).To(gbytes.Say("what was downloaded of .* is kept: run the same command again to resume"))
			Expect(filepath.Join(dir, name+"dl", "."+name+".bin.cosv2-part")).To(BeAnExistingFile())
			s = at("get", name+".bin", name+"dl/")
			Expect(s.ExitCode()).To(BeZero(), string(s.Err.Contents()))
			Expect(s.Err).To(gbytes.Say(`resuming: 1 of 3 chunks already downloaded`))
			got, err := os.ReadFile(filepath.Join(dir, name+"dl", name+".bin"))
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(b))
		},
			Entry("the connection is cut", "cut", func(w http.ResponseWriter) {
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					_ = conn.Close()
				}
			}),
			Entry("a proxy answers 503", "busy", func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) }),
		)
	})

	Context("an interrupted get whose partial file is not as recorded", func() {
		It("downloads all again when the partial file is gone, fails when it was changed, then downloads afresh", func() {
			b := random(3*8<<20-5, 12)
			write(filepath.Join(dir, "h.bin"), b)
			ok("put", "h.bin", "h.bin")
			sum := sha1.Sum(b)
			local := filepath.Join(dir, "hdl", "h.bin")
			part := filepath.Join(dir, "hdl", ".h.bin.cosv2-part")
			record := []byte(`{"sha1":"` + hex.EncodeToString(sum[:]) + `","size":` + itoa(int64(len(b))) +
				`,"chunk":8388608,"done":{"0":true,"8388608":true}}`)

			// The record of two chunks, its partial file gone: all three again.
			write(part+".json", record)
			s := ok("--debug", "get", "h.bin", "hdl/")
			Expect(strings.Count(string(s.Err.Contents()), "op=download")).To(Equal(3))
			got, err := os.ReadFile(local)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(b))

			// A partial file of the right length whose recorded chunks are
			// other bytes: no file at the destination, a clear error.
			Expect(os.Remove(local)).To(Succeed())
			write(part, make([]byte, 16<<20))
			write(part+".json", record)
			s = runCLI("get", "h.bin", "hdl/")
			Expect(s.ExitCode()).To(Equal(1))
			Expect(s.Err).To(gbytes.Say("partial file was changed"))
			Expect(local).NotTo(BeAnExistingFile())
			Expect(part).NotTo(BeAnExistingFile())

			ok("get", "h.bin", "hdl/")
			got, err = os.ReadFile(local)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(b))
		})
	})

	Context("two sources of one name into one directory", func() {
		It("downloads the first and refuses the second, leaving the first's bytes", func() {
			one, two := random(9<<20, 13), random(9<<20, 14)
			write(filepath.Join(dir, "same1.bin"), one)
			write(filepath.Join(dir, "same2.bin"), two)
			ok("mkdir", "-p", "s1/", "s2/")
			ok("put", "same1.bin", "s1/x.bin")
			ok("put", "same2.bin", "s2/x.bin")
			s := runCLI("get", "s1/x.bin", "s2/x.bin", "samedl/")
			Expect(s.ExitCode()).To(Equal(1))
			Expect(s.Err).To(gbytes.Say(`will not overwrite .*x\.bin, just downloaded from s1/x\.bin`))
			got, err := os.ReadFile(filepath.Join(dir, "samedl", "x.bin"))
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(one))
			entries, err := os.ReadDir(filepath.Join(dir, "samedl"))
			Expect(err).NotTo(HaveOccurred())
			Expect(entries).To(HaveLen(1), "no partial file or record left")
		})
	})

	Context("rm of a tree with filters, and of several names", func() {
		It("removes only the files the filters select, and no directory", func() {
			ok("mkdir", "-p", "r1/empty/", "r1/keep/")
			write(filepath.Join(dir, "one.txt"), []byte("1"))
			ok("put", "one.txt", "r1/x.txt")
			ok("put", "one.txt", "r1/keep/k.bin")
			s := ok("rm", "-r", "--force", "--include", "*.txt", "r1/")
			Expect(s.Out).To(gbytes.Say("removed r1/x.txt"))
			ok("stat", "r1/keep/k.bin")
			Expect(ok("ls", "r1/").Out.Contents()).To(And(ContainSubstring("empty/"), ContainSubstring("keep/")))
		})

		It("refuses a named path that is only an unfinished upload, as rm of one name does, and removes the rest", func() {
			_, err := api.SliceInit(context.Background(), "inc.bin", 30<<20, cosv2.SliceSize1M, cosv2.SliceInitOptions{})
			Expect(err).NotTo(HaveOccurred())
			write(filepath.Join(dir, "one.txt"), []byte("1"))
			ok("put", "one.txt", "other.txt")
			s := runCLI("rm", "inc.bin", "other.txt")
			Expect(s.ExitCode()).To(Equal(1))
			Expect(s.Err).To(gbytes.Say("inc.bin is not a file yet"))
			Expect(runCLI("stat", "other.txt").ExitCode()).To(Equal(1))
			sess, err := api.SliceList(context.Background(), "inc.bin")
			Expect(err).NotTo(HaveOccurred())
			Expect(sess.Session).NotTo(BeEmpty(), "the unfinished upload is still there")
		})
	})

	Context("cp -r of a directory into itself", func() {
		It("refuses, and copies nothing, into a subdirectory or onto itself", func() {
			ok("mkdir", "-p", "cpself/sub/")
			write(filepath.Join(dir, "one.txt"), []byte("1"))
			ok("put", "one.txt", "cpself/f.txt")
			before := ok("ls", "-r", "cpself/").Out.Contents()
			for _, dst := range []string{"cpself/sub/", "cpself/", ""} {
				s := runCLI("cp", "-r", "cpself/", dst)
				Expect(s.ExitCode()).NotTo(BeZero(), dst)
				Expect(s.Err).To(gbytes.Say("cannot copy a directory into itself"))
			}
			Expect(ok("ls", "-r", "cpself/").Out.Contents()).To(Equal(before))
		})
	})

	Context("sync --delete with filters", func() {
		It("down: removes only the local files the filters select, not a directory holding excluded ones", func() {
			write(filepath.Join(dir, "one.txt"), []byte("1"))
			ok("mkdir", "-p", "sf1/")
			ok("put", "one.txt", "sf1/a.txt")
			loc := filepath.Join(dir, "sfloc")
			write(filepath.Join(loc, "logs", "app.keep"), []byte("k"))
			write(filepath.Join(loc, "top.keep"), []byte("k"))
			write(filepath.Join(loc, "stale.txt"), []byte("s"))
			ok("sync", "--delete", "--exclude", "*.keep", "sf1/", "sfloc")
			Expect(filepath.Join(loc, "logs", "app.keep")).To(BeAnExistingFile())
			Expect(filepath.Join(loc, "top.keep")).To(BeAnExistingFile())
			Expect(filepath.Join(loc, "stale.txt")).NotTo(BeAnExistingFile())
			Expect(filepath.Join(loc, "a.txt")).To(BeAnExistingFile())
		})

		It("up: leaves a remote directory holding excluded files, and succeeds", func() {
			write(filepath.Join(dir, "one.txt"), []byte("1"))
			ok("mkdir", "-p", "sf2/logs/")
			ok("put", "one.txt", "sf2/logs/app.keep")
			ok("put", "one.txt", "sf2/stale.txt")
			write(filepath.Join(dir, "sfup", "a.txt"), []byte("a"))
			ok("sync", "--delete", "--exclude", "*.keep", "sfup", "sf2/")
			ok("stat", "sf2/logs/app.keep")
			ok("stat", "sf2/a.txt")
			Expect(runCLI("stat", "sf2/stale.txt").ExitCode()).To(Equal(1))
		})
	})

	Context("put -r of . and .., and trees with symbolic links", func() {
		It("names the copy of . and .. after the directory they are", func() {
			write(filepath.Join(dir, "dotree", "sub", "f.txt"), []byte("f"))
			for i, c := range []struct{ cwd, src string }{{"dotree", "."}, {"dotree", "./"}, {"dotree/sub", ".."}} {
				dst := "dotdst" + itoa(int64(i)) + "/"
				ok("mkdir", "-p", dst)
				cmd := exec.Command(binary, "put", "-r", c.src, dst)
				cmd.Env = append(os.Environ(), env...)
				cmd.Dir = filepath.Join(dir, filepath.FromSlash(c.cwd))
				s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
				Expect(err).NotTo(HaveOccurred())
				Eventually(s).WithTimeout(time.Minute).Should(gexec.Exit(0), c.src)
				ok("stat", dst+"dotree/sub/f.txt")
			}
		})

		It("skips a symbolic link, says so, and sync --delete keeps its remote copy", func() {
			write(filepath.Join(dir, "symtree", "a.txt"), []byte("a"))
			Expect(os.Symlink("a.txt", filepath.Join(dir, "symtree", "link.txt"))).To(Succeed())
			ok("mkdir", "-p", "symdst/")
			ok("put", "symtree/a.txt", "symdst/link.txt")
			s := ok("sync", "--delete", "symtree", "symdst/")
			Expect(s.Err).To(gbytes.Say(`skipped .*link\.txt: a symbolic link, not followed`))
			ok("stat", "symdst/link.txt")
			ok("stat", "symdst/a.txt")
		})
	})

	Context("a name with glob characters", func() {
		It("is addressed as it is when it matches nothing as a pattern", func() {
			write(filepath.Join(dir, "one.txt"), []byte("1"))
			ok("mkdir", "-p", "globs/")
			ok("put", "one.txt", "globs/photo[1].jpg")
			ok("get", "globs/photo[1].jpg", "globdl/")
			Expect(filepath.Join(dir, "globdl", "photo[1].jpg")).To(BeAnExistingFile())
			ok("get", "globs/photo[1].jpg", "globdl/renamed.jpg")
			Expect(filepath.Join(dir, "globdl", "renamed.jpg")).To(BeARegularFile())
			ok("cp", "globs/photo[1].jpg", "globs/copy[1].jpg")
			Expect(ok("stat", "globs/copy[1].jpg").Out).To(gbytes.Say("size: +1"))
			ok("rm", "globs/copy[1].jpg")
			ok("mv", "globs/photo[1].jpg", "globs/moved[1].jpg")
			ok("rm", "globs/moved[1].jpg")
			Expect(runCLI("rm", "globs/none[1].jpg").ExitCode()).To(Equal(2), "a pattern that matches nothing, and no such name")
		})
	})

	Context("trees", func() {
		It("puts, lists, gets, copies and removes a tree, filtered, and one bad file does not stop the rest", func() {
			for i, p := range []string{"a.txt", "b.log", "sub/c.txt", "sub/deeper/d.txt"} {
				write(filepath.Join(dir, "tree", filepath.FromSlash(p)), []byte(strings.Repeat("x", i+1)))
			}
			ok("put", "-r", "--exclude", "*.log", "tree", "up/")
			s := ok("ls", "-r", "up/")
			Expect(s.Out).To(gbytes.Say("a.txt"))
			Expect(s.Out).To(gbytes.Say("sub/deeper/d.txt"))
			Expect(s.Out.Contents()).NotTo(ContainSubstring("b.log"))

			// up/ exists now: a second put -r goes under the tree's name, and
			// several sources go into the directory.
			ok("put", "-r", "tree", "up/")
			ok("put", "tree/a.txt", "tree/b.log", "up/many/")
			Expect(ok("ls", "up/many/").Out).To(gbytes.Say("a.txt"))

			ok("get", "-r", "up/", "back")
			got, err := os.ReadFile(filepath.Join(dir, "back", "sub", "deeper", "d.txt"))
			Expect(err).NotTo(HaveOccurred())
			Expect(string(got)).To(Equal("xxxx"))
			ok("get", "up/*.txt", "globbed/")
			Expect(filepath.Join(dir, "globbed", "a.txt")).To(BeAnExistingFile())

			ok("cp", "-r", "up/sub/", "copy/")
			Expect(string(ok("cat", "copy/deeper/d.txt").Out.Contents())).To(Equal("xxxx"))

			// a.txt is there already: that one fails, the others go; exit 1.
			write(filepath.Join(dir, "tree", "e.txt"), []byte("new"))
			s = runCLI("put", "tree/a.txt", "tree/e.txt", "up/")
			Expect(s.ExitCode()).To(Equal(1))
			Expect(s.Err).To(gbytes.Say("a.txt.*-177"))
			Expect(s.Err).To(gbytes.Say("1 failed"))
			ok("stat", "up/e.txt")

			Expect(ok("--quiet", "put", "-r", "--overwrite", "tree", "up/").Out.Contents()).To(BeEmpty())
			s = runCLI("rm", "-r", "copy/")
			Expect(s.ExitCode()).To(Equal(2))
			Expect(s.Err).To(gbytes.Say("--force"))
			ok("rm", "-r", "--force", "copy/")
			ok("rm", "up/many/a.txt", "up/many/b.log") // several files: nothing to ask
			Expect(runCLI("stat", "copy/").ExitCode()).To(Equal(1))
			ok("mkdir", "-p", "m/n/o/")
			ok("mkdir", "-p", "m/n/o/")
			for _, args := range [][]string{{"get", "-r", "missing/", "x"}, {"rm", "-r", "--force", "missing/"}, {"cp", "-r", "missing/", "y/"}} {
				s := runCLI(args...)
				Expect(s.ExitCode()).To(Equal(1), args[0])
				Expect(s.Err).To(gbytes.Say("missing/.*(no such directory|does not exist)"), args[0])
			}
		})
	})

	Context("sync", func() {
		It("sends only what differs, nothing the second time, deletes with --delete, changes nothing with --dry-run", func() {
			for i := range 5 {
				write(filepath.Join(dir, "site", "p"+string(rune('0'+i))+".html"), random(1000+i, byte(i)))
			}
			write(filepath.Join(dir, "site", "img", "logo.png"), random(5000, 9))
			ok("sync", "site", "site/")
			Expect(string(ok("cat", "site/img/logo.png").Out.Contents())).To(Equal(string(random(5000, 9))))

			counts.reset()
			ok("sync", "site", "site/")
			Expect(counts.get(http.MethodPost)).To(Equal(0))

			write(filepath.Join(dir, "site", "p1.html"), random(1001, 77)) // same size, other bytes
			Expect(os.Remove(filepath.Join(dir, "site", "p2.html"))).To(Succeed())
			counts.reset()
			s := ok("sync", "--delete", "--dry-run", "site", "site/")
			Expect(s.Out).To(gbytes.Say("would put .*p1.html"))
			Expect(counts.get(http.MethodPost)).To(Equal(0))
			ok("sync", "--delete", "site", "site/")
			Expect(counts.get(http.MethodPost)).To(Equal(2)) // p1 uploaded, p2 removed
			Expect(runCLI("stat", "site/p2.html").ExitCode()).To(Equal(1))

			ok("sync", "cos:site/", "mirror")
			got, err := os.ReadFile(filepath.Join(dir, "mirror", "p1.html"))
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(random(1001, 77)))
			write(filepath.Join(dir, "mirror", "extra.txt"), []byte("x"))
			ok("sync", "--delete", "cos:site/", "mirror")
			Expect(filepath.Join(dir, "mirror", "extra.txt")).NotTo(BeAnExistingFile())
		})
	})

	Context("share", func() {
		It("prints a URL that downloads a private file", func() {
			ok("update", "docs/report.pdf", "--authority", "eWRPrivate")
			u := strings.TrimSpace(string(ok("share", "docs/report.pdf", "--ttl", "10m").Out.Contents()))
			Expect(u).To(ContainSubstring("?sign="))
			resp, err := http.Get(u)
			Expect(err).NotTo(HaveOccurred())
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusOK), string(body))
			Expect(string(body)).To(Equal("pdf"))
			resp, err = http.Get(strings.Split(u, "?")[0])
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusForbidden))
		})
	})

	Context("share's signature", func() {
		// Whoever has the URL may download the file, nothing else: with its
		// signature bound to the file's fileid, the same signature replaced
		// the file (upload) and listed its neighbours (list) through the API.
		It("gives neither an upload nor a listing through the API", func() {
			u := strings.TrimSpace(string(ok("share", "docs/report.pdf", "--ttl", "10m").Out.Contents()))
			parsed, err := url.Parse(u)
			Expect(err).NotTo(HaveOccurred())
			sig := signer.SignFromQuery(parsed.RawQuery)
			Expect(sig).NotTo(BeEmpty())
			call := func(req *http.Request) map[string]any {
				req.Header.Set("Authorization", sig)
				resp, err := http.DefaultClient.Do(req)
				Expect(err).NotTo(HaveOccurred())
				defer resp.Body.Close()
				var env map[string]any
				Expect(json.NewDecoder(resp.Body).Decode(&env)).To(Succeed())
				return env
			}
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			Expect(mw.WriteField("op", "upload")).To(Succeed())
			Expect(mw.WriteField("insertOnly", "0")).To(Succeed())
			Expect(mw.WriteField("filecontent", "replaced")).To(Succeed())
			Expect(mw.Close()).To(Succeed())
			req, err := http.NewRequest(http.MethodPost, addr+"/files/v2/1250000000/photos/docs/report.pdf", &body)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Content-Type", mw.FormDataContentType())
			Expect(call(req)["code"]).NotTo(BeEquivalentTo(0))
			req, err = http.NewRequest(http.MethodGet, addr+"/files/v2/1250000000/photos/docs/report.pdf?op=list&num=10", nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(call(req)["code"]).NotTo(BeEquivalentTo(0))
			got := ok("cat", "docs/report.pdf").Out.Contents()
			Expect(string(got)).To(Equal("pdf"))
		})
	})

	Context("profiles and --debug", func() {
		It("saves a profile 0600 and uses it; flags and the environment override it", func() {
			ok("config", "set", "local")
			st, err := os.Stat(filepath.Join(cfg, "cosv2", "config.json"))
			Expect(err).NotTo(HaveOccurred())
			Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)))
			cmd := exec.Command(binary, "--profile", "local", "stat", "docs/")
			cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+cfg)
			s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			Eventually(s).WithTimeout(time.Minute).Should(gexec.Exit(0))
			cmd = exec.Command(binary, "--secret-key", "wrong", "stat", "docs/")
			cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+cfg, "COSV2_PROFILE=local")
			s, err = gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			Eventually(s).WithTimeout(time.Minute).Should(gexec.Exit(1))
		})
		It("has cosv2 serve say its store and log one line per request", func() {
			Expect(string(serv.Err.Contents())).To(MatchRegexp(`msg=store meta="sqlite \S+meta.db" blobs="disk \S+blobs"`))
			Expect(string(serv.Err.Contents())).To(MatchRegexp(`msg=request method=POST op=upload path=/docs/report.pdf status=200 code=0`))
		})
		It("logs each request without secrets", func() {
			s := ok("--debug", "share", "docs/report.pdf")
			Expect(s.Err).To(gbytes.Say(`op=stat path=\S+ duration=\S+ status=200 code=0`))
			Expect(s.Err.Contents()).NotTo(ContainSubstring("KEY"))
			Expect(s.Err.Contents()).NotTo(ContainSubstring("sign="))
		})
	})
})

var _ = Describe("settings and commands, before any request", func() {
	DescribeTable("exits 2 saying what to do",
		func(want string, args ...string) {
			code, _, errOut := inProcess(args...)
			Expect(code).To(Equal(2), errOut)
			Expect(errOut).To(ContainSubstring(want))
			Expect(errOut).NotTo(ContainSubstring("cosv2: cos:"))
		},
		Entry("every missing setting at once", "--appid (COSV2_APPID), --bucket (COSV2_BUCKET), --secret-id (COSV2_SECRET_ID), --secret-key (COSV2_SECRET_KEY)", "ls", "/"),
		Entry("an unknown command: the nearest", `did you mean "ls"`, "lss"),
		Entry("a directory without its slash", "a directory ends in /", "--appid", "1", "mkdir", "docs"),
		Entry("ls of two directories", "ls takes [DIR/]", "--appid", "1", "--bucket", "b", "--secret-id", "i", "--secret-key", "k", "ls", "a/", "b/"),
		Entry("du of two directories", "du takes [DIR/]", "--appid", "1", "--bucket", "b", "--secret-id", "i", "--secret-key", "k", "du", "a/", "b/"),
	)
	It("prints a shell completion script", func() {
		code, out, errOut := inProcess("completion", "bash")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(ContainSubstring("cosv2"))
	})
	It("says the default region's endpoint is used when none is set", func() {
		_, _, errOut := inProcess("--appid", "1", "--bucket", "b", "--secret-id", "i", "--secret-key", "k", "put", "/nonexistent/x", "y")
		Expect(errOut).To(ContainSubstring("no endpoint set"))
		Expect(errOut).To(ContainSubstring("https://sh.file.myqcloud.com"))
	})
})
