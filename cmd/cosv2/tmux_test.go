package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/cosv2/cosv2"
)

// The bar is for a person at a terminal: these run the built binary in a
// real one, tmux's (Debian's tmux; make tools installs it), and read the
// screen as that person would.
var _ = Describe("in a real terminal (tmux)", Ordered, func() {
	var (
		dir, sock, envs string
		api             *cosv2.Client
		serv            *gexec.Session
	)
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		ExpectWithOffset(1, err).NotTo(HaveOccurred(), string(out))
		return string(out)
	}
	screen := func(name string) string { return tmux("capture-pane", "-p", "-t", name) }
	// window runs a shell line in a new tmux session and leaves the pane
	// open after, with the exit status printed.
	window := func(name, line string) {
		tmux("new-session", "-d", "-s", name, "-x", "220", "-y", "20",
			fmt.Sprintf("cd %s && %s %s; echo EXIT=$?; sleep 600", dir, envs, line))
		DeferCleanup(func() { _ = exec.Command("tmux", "-S", sock, "kill-session", "-t", name).Run() })
	}

	BeforeAll(func() {
		_, lookErr := exec.LookPath("tmux")
		Expect(lookErr).NotTo(HaveOccurred(), "tmux is not installed (make tools installs Debian's)")
		dir = GinkgoT().TempDir()
		sock = filepath.Join(dir, "tmux.sock")
		DeferCleanup(func() { _ = exec.Command("tmux", "-S", sock, "kill-server").Run() })
		// tmux's server exits with its last session: a spec's cleanup that
		// killed it raced the next spec's new-session ("server exited
		// unexpectedly"). A session that lives as long as the suite keeps it up.
		tmux("new-session", "-d", "-s", "anchor", "sleep 3600")
		cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
		cmd.Env = append(os.Environ(), "COSV2_APPID=1250000000", "COSV2_BUCKET=photos", "COSV2_SECRET_ID=AKID", "COSV2_SECRET_KEY=KEY")
		var err error
		serv, err = gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(serv.Out).WithTimeout(30 * time.Second).Should(gbytes.Say(`listening on (http://127\.0\.0\.1:\d+)`))
		addr := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(serv.Out.Contents())), "listening on "))
		DeferCleanup(func() { serv.Terminate(); Eventually(serv).WithTimeout(20 * time.Second).Should(gexec.Exit()) })
		// Slices slowed down to a pace a person (and tmux) can watch: on
		// loopback 200 MB go by in under a second.
		target, err := url.Parse(addr)
		Expect(err).NotTo(HaveOccurred())
		proxy := httputil.NewSingleHostReverseProxy(target)
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.ContentLength > 64<<10 {
				time.Sleep(15 * time.Millisecond)
			}
			proxy.ServeHTTP(w, r)
		}))
		DeferCleanup(slow.Close)
		envs = "env COSV2_ENDPOINT=" + slow.URL + " COSV2_APPID=1250000000 COSV2_BUCKET=photos COSV2_SECRET_ID=AKID COSV2_SECRET_KEY=KEY XDG_CONFIG_HOME=" + dir
		api, err = cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKID", SecretKey: "KEY"}, cosv2.WithEndpoint(addr))
		Expect(err).NotTo(HaveOccurred())
		write(filepath.Join(dir, "big.bin"), random(200<<20, 42))
	})

	bar := regexp.MustCompile(`(\d+)% \|`)
	const slices = 200

	It("shows the bar; Ctrl-C exits 130 and says to run it again", func() {
		window("first", binary+" put --concurrency 1 big.bin big.bin")
		Eventually(func(g Gomega) {
			g.Expect(screen("first")).To(MatchRegexp(`put [0-9.]+ MiB / 200\.0 MiB +\d+% \|`))
		}).WithTimeout(time.Minute).WithPolling(10 * time.Millisecond).Should(Succeed())
		Eventually(func(g Gomega) {
			s, err := api.SliceList(context.Background(), "big.bin")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(len(s.Parts)).To(BeNumerically(">=", 20))
		}).WithTimeout(time.Minute).WithPolling(5 * time.Millisecond).Should(Succeed())
		tmux("send-keys", "-t", "first", "C-c")
		Eventually(func() string { return screen("first") }).WithTimeout(time.Minute).Should(
			And(ContainSubstring("run the same command again to resume"), ContainSubstring("EXIT=130")))
	})

	It("resumes at the fraction stored, with a rate of the bytes sent only", func() {
		s, err := api.SliceList(context.Background(), "big.bin")
		Expect(err).NotTo(HaveOccurred())
		stored := len(s.Parts)
		Expect(stored).To(BeNumerically("<", slices))
		window("again", binary+" put --concurrency 1 big.bin big.bin")
		var first string
		Eventually(func(g Gomega) {
			first = screen("again")
			g.Expect(bar.FindStringSubmatch(first)).NotTo(BeNil())
		}).WithTimeout(time.Minute).WithPolling(5 * time.Millisecond).Should(Succeed())
		Expect(first).To(MatchRegexp(`resuming: \d+ of %d slices already stored`, slices))
		m := regexp.MustCompile(`resuming: (\d+) of`).FindStringSubmatch(first)
		resumed, _ := strconv.Atoi(m[1])
		Expect(resumed).To(BeNumerically(">=", stored))
		pct, _ := strconv.Atoi(bar.FindStringSubmatch(first)[1])
		Expect(pct).To(BeNumerically(">=", resumed*100/slices))
		Expect(first).NotTo(MatchRegexp(`[0-9.]+ [GTP]iB/s`))
		Eventually(func() string { return screen("again") }).WithTimeout(2 * time.Minute).Should(ContainSubstring("EXIT=0"))
		Expect(screen("again")).To(ContainSubstring("uploaded big.bin"))
	})

	// The bar goes to stderr, and stderr decided nothing: the bar followed
	// stdout, so put > log showed none and put 2> log filled log with it.
	It("draws the bar at the terminal when stdout goes to a file", func() {
		window("stdout", binary+" put --concurrency 1 big.bin stdout.bin > out.log")
		Eventually(func(g Gomega) {
			g.Expect(screen("stdout")).To(MatchRegexp(`put [0-9.]+ MiB / 200\.0 MiB +\d+% \|`))
		}).WithTimeout(time.Minute).WithPolling(10 * time.Millisecond).Should(Succeed())
		Eventually(func() string { return screen("stdout") }).WithTimeout(2 * time.Minute).Should(ContainSubstring("EXIT=0"))
		Expect(os.ReadFile(filepath.Join(dir, "out.log"))).To(ContainSubstring("uploaded stdout.bin"))
	})

	It("writes no bar into the file stderr goes to", func() {
		window("stderr", binary+" put --concurrency 1 big.bin stderr.bin 2> err.log")
		Eventually(func() string { return screen("stderr") }).WithTimeout(2 * time.Minute).Should(ContainSubstring("EXIT=0"))
		Expect(screen("stderr")).To(ContainSubstring("uploaded stderr.bin"))
		log, err := os.ReadFile(filepath.Join(dir, "err.log"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(log)).NotTo(Or(MatchRegexp(`\d+% \|`), ContainSubstring("\r")))
	})

	It("draws no bar when stderr is piped", func() {
		window("piped", binary+" put --overwrite big.bin piped.bin 2>&1 | cat")
		Eventually(func() string { return screen("piped") }).WithTimeout(2 * time.Minute).Should(ContainSubstring("EXIT=0"))
		out := screen("piped")
		Expect(out).To(ContainSubstring("uploaded piped.bin"))
		Expect(out).NotTo(MatchRegexp(`\d+% \|`))
	})

	It("asks before rm -r at a terminal, and removes on yes", func() {
		ctx := context.Background()
		Expect(api.MakeDir(ctx, "trash/")).To(Succeed())
		for _, f := range []string{"trash/a", "trash/b"} {
			_, err := api.Put(ctx, f, strings.NewReader("x"), 1)
			Expect(err).NotTo(HaveOccurred())
		}
		window("rm", binary+" rm -r trash/")
		Eventually(func() string { return screen("rm") }).WithTimeout(time.Minute).Should(ContainSubstring("remove 2 files and 1 directory? [y/N]"))
		tmux("send-keys", "-t", "rm", "y", "Enter")
		Eventually(func() string { return screen("rm") }).WithTimeout(time.Minute).Should(ContainSubstring("EXIT=0"))
		_, err := api.StatDir(ctx, "trash/")
		Expect(err).To(MatchError(cosv2.ErrFileNotExist))
	})
})
