package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("a server whose listing has names that are not names", func() {
	// The server lists one file under src/ by the name given, and serves
	// any file's stat and bytes.
	hostile := func(name string) string {
		quoted, err := json.Marshal(name)
		Expect(err).NotTo(HaveOccurred())
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			switch q := r.URL.Query().Get("op"); {
			case q == "list":
				_, _ = fmt.Fprintf(w, `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":%s,"filesize":3}],"listover":true}}`, quoted)
			case q == "stat":
				_, _ = fmt.Fprintf(w, `{"code":0,"message":"SUCCESS","data":{"name":"x","filesize":3,"source_url":"%s/src"}}`, srv.URL)
			case r.URL.Path == "/src":
				w.Header().Set("Content-Type", "application/octet-stream")
				_, _ = io.WriteString(w, "bad")
			default:
				_, _ = io.WriteString(w, `{"code":0,"message":"SUCCESS","data":{}}`)
			}
		}))
		DeferCleanup(srv.Close)
		return srv.URL
	}

	DescribeTable("get -r writes nothing outside the destination and fails",
		func(name string) {
			base := GinkgoT().TempDir()
			dst := filepath.Join(base, "a", "b", "dst")
			Expect(os.MkdirAll(dst, 0o755)).To(Succeed())
			code, _, errOut := inProcess("--endpoint", hostile(name), "--appid", "1", "--bucket", "b", "--secret-id", "id",
				"--secret-key", "key", "--no-progress", "get", "-r", "src/", dst)
			Expect(code).NotTo(BeZero(), errOut)
			var written []string
			Expect(filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					written = append(written, strings.TrimPrefix(p, base))
				}
				return err
			})).To(Succeed())
			Expect(written).To(BeEmpty())
		},
		Entry("../../escape.txt", "../../escape.txt"),
		Entry("a/../../../escape.txt", "a/../../../escape.txt"),
		Entry("../", "../"),
	)

	It("prints a server's control characters escaped: an attribute, an error message", func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/gone.txt") {
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, `{"code":-197,"message":"\u001b[2Jgone"}`)
				return
			}
			_, _ = io.WriteString(w, `{"code":0,"message":"SUCCESS","data":{"name":"a.txt","filesize":3,"biz_attr":"\u001b]0;pwned\u0007"}}`)
		}))
		DeferCleanup(srv.Close)
		args := []string{"--endpoint", srv.URL, "--appid", "1", "--bucket", "b", "--secret-id", "id", "--secret-key", "key", "stat"}
		code, out, errOut := inProcess(append(args, "a.txt")...)
		Expect(code).To(BeZero(), errOut)
		Expect(out).NotTo(ContainSubstring("\x1b"))
		Expect(out).To(ContainSubstring(`\x1b]0;pwned\a`))
		code, _, errOut = inProcess(append(args, "gone.txt")...)
		Expect(code).To(Equal(1))
		Expect(errOut).NotTo(ContainSubstring("\x1b"))
		Expect(errOut).To(ContainSubstring(`\x1b[2Jgone`))
	})

	It("ls refuses a name with a terminal escape instead of printing it", func() {
		code, out, errOut := inProcess("--endpoint", hostile("x\x1b]0;pwned\x07.txt"), "--appid", "1", "--bucket", "b",
			"--secret-id", "id", "--secret-key", "key", "ls", "src/")
		Expect(code).NotTo(BeZero())
		Expect(out + errOut).NotTo(ContainSubstring("\x1b"))
		Expect(errOut).To(ContainSubstring("does not follow the API"))
	})
})

var _ = DescribeTable("printable keeps text and escapes what a terminal would run",
	func(in, want string) { Expect(printable(in)).To(Equal(want)) },
	Entry("plain text, tabs and lines", "a\tb\nc 照片", "a\tb\nc 照片"),
	Entry("an escape sequence", "\x1b[31mred", `\x1b[31mred`),
	Entry("a bell and a carriage return", "a\a\rb", `a\a\rb`),
	Entry("a C1 control (CSI)", "x\u009by", `x\u009by`),
	Entry("DEL", "x\x7f", `x\x7f`),
)

var _ = Describe("Ctrl-C while the client waits to try again", func() {
	It("exits 130 and says to run it again, not the busy server's error", func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		DeferCleanup(srv.Close)
		var out bytes.Buffer
		// The interrupt arrives when the client says it will try again, i.e.
		// as it starts to wait out the busy server's Retry-After.
		errOut := &cancelOn{word: "retrying", cancel: cancel}
		code := run(ctx, []string{"cosv2", "--debug", "--endpoint", srv.URL, "--appid", "1", "--bucket", "b", "--secret-id", "id",
			"--secret-key", "key", "stat", "a.txt"}, &out, errOut)
		Expect(code).To(Equal(130), errOut.String())
		Expect(errOut.String()).To(ContainSubstring("interrupted"))
	})
})

// cancelOn is a stderr that calls cancel once word is written to it.
type cancelOn struct {
	bytes.Buffer
	word   string
	cancel context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(w.word)) {
		w.cancel()
	}
	return w.Buffer.Write(p)
}
