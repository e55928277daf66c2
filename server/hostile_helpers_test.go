package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/cosv2/cosv2"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// cosv2Binary builds cmd/cosv2 once per test process: every spec that runs
// `cosv2 serve` as a child shares it. The suite's AfterSuite (suite_test.go)
// removes it.
func cosv2Binary() string {
	binOnce.Do(func() { binPath, binErr = gexec.Build("github.com/cosv2/cosv2/cmd/cosv2") })
	Expect(binErr).NotTo(HaveOccurred())
	return binPath
}

// child is `cosv2 serve` running as a separate process, so what a peer does
// to it is measured on the real binary: its flags, its listener, its memory.
type child struct {
	s      *gexec.Session
	addr   string // 127.0.0.1:port
	url    string // http://127.0.0.1:port
	client *http.Client
}

var listening = regexp.MustCompile(`listening on http://(\S+)`)

// serveChild starts `cosv2 serve` on the data directory data (a fresh one when
// "") for the comma-separated buckets, with more flags; the spec's cleanup
// kills it.
func serveChild(data, buckets string, flags ...string) *child {
	if data == "" {
		data = GinkgoT().TempDir()
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--appid", appID, "--bucket", buckets,
		"--secret-id", secretID, "--secret-key", secretKey}, flags...)
	s, err := gexec.Start(exec.Command(cosv2Binary(), args...), GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { s.Kill(); Eventually(s).Should(gexec.Exit()) })
	Eventually(s.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`listening on http://\S+\n`))
	m := listening.FindSubmatch(s.Out.Contents())
	Expect(m).NotTo(BeNil())
	addr := string(m[1])
	return &child{s: s, addr: addr, url: "http://" + addr,
		client: &http.Client{Timeout: time.Minute, Transport: http.DefaultTransport.(*http.Transport).Clone()}}
}

// singleShotClient is a facade client on url that tries each request once,
// on connections of its own, so a test sees exactly what the server did.
func singleShotClient(url string) *cosv2.Client {
	c, err := cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, cosv2.WithEndpoint(url),
		cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 1}), cosv2.WithHTTPClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}))
	Expect(err).NotTo(HaveOccurred())
	return c
}

// stop ends the child as an operator would (SIGTERM) and waits for it.
func (c *child) stop() {
	c.s.Terminate()
	Eventually(c.s).WithTimeout(15 * time.Second).Should(gexec.Exit())
	c.client.CloseIdleConnections()
}

// memKB is a field of the child's /proc/<pid>/status in kB: VmHWM is the
// peak resident set, VmRSS the current one.
func (c *child) memKB(field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.s.Command.Process.Pid))
	Expect(err).NotTo(HaveOccurred())
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			Expect(err).NotTo(HaveOccurred(), line)
			return n
		}
	}
	Fail("no " + field + " in /proc/<pid>/status")
	return 0
}

// api sends an API request for path (with its leading /) of bucket b and
// decodes the envelope; g lets Eventually retry it.
func (c *child) api(g Gomega, method, b, path, contentType string, body []byte, auth string) answer {
	req, err := http.NewRequest(method, c.url+"/files/v2/"+appID+"/"+b+path, bytes.NewReader(body))
	g.Expect(err).NotTo(HaveOccurred())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.client.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	return envelopeOf(g, resp)
}

// download GETs /<appid>/<b><path>?query with auth in Authorization (none when "").
func (c *child) download(b, path, query, auth string) (status int, contentType string, body []byte) {
	u := c.url + "/" + appID + "/" + b + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	Expect(err).NotTo(HaveOccurred())
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// envelopeOf reads an answer that must be the JSON envelope: Content-Type
// application/json and an object with code and message.
func envelopeOf(g Gomega, resp *http.Response) answer {
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"), "status %d: %s", resp.StatusCode, raw)
	var fields map[string]json.RawMessage
	g.Expect(json.Unmarshal(raw, &fields)).To(Succeed(), string(raw))
	g.Expect(fields).To(And(HaveKey("code"), HaveKey("message")), string(raw))
	var a answer
	g.Expect(json.Unmarshal(raw, &a)).To(Succeed(), string(raw))
	a.Status = resp.StatusCode
	return a
}

// readEnvelope reads one answer from a raw connection within a few seconds.
func readEnvelope(conn net.Conn, br *bufio.Reader) answer {
	Expect(conn.SetReadDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
	resp, err := http.ReadResponse(br, nil)
	Expect(err).NotTo(HaveOccurred(), "no answer within 5s")
	Expect(conn.SetReadDeadline(time.Time{})).To(Succeed())
	return envelopeOf(Default, resp)
}

// dial opens a raw connection the spec's cleanup closes.
func dial(addr string) net.Conn {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = conn.Close() })
	return conn
}

// dialFrom connects to addr from the loopback address ip (127.0.0.2, say):
// another peer, as far as the server can tell.
func dialFrom(ip, addr string) net.Conn {
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	conn, err := d.Dial("tcp", addr)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = conn.Close() })
	return conn
}

// closedByPeer reads conn until the server ends it (EOF or a reset) and then
// closes the returned channel; whatever answer comes first is discarded.
func closedByPeer(r io.Reader) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, r)
	}()
	return done
}

// apiHead is the header of a raw API POST for path of bucket b; auth "" sends none.
func apiHead(addr, b, path, contentType string, contentLength int, auth string) string {
	h := fmt.Sprintf("POST /files/v2/%s/%s%s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n",
		appID, b, path, addr, contentType, contentLength)
	if auth != "" {
		h += "Authorization: " + auth + "\r\n"
	}
	return h + "\r\n"
}
