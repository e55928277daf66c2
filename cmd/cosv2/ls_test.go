package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("ls of a directory of many pages", func() {
	// The server's first page holds first.txt; its second, second.txt, is
	// answered only once released.
	DescribeTable("prints each page's entries as they come, not all at the end",
		func(flags ...string) {
			release := make(chan struct{})
			var once sync.Once
			free := func() { once.Do(func() { close(release) }) }
			DeferCleanup(free)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Query().Get("context") == "" {
					_, _ = io.WriteString(w, `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":"first.txt","filesize":1}],"context":"p2","listover":false}}`)
					return
				}
				select {
				case <-release:
				case <-r.Context().Done():
				}
				_, _ = io.WriteString(w, `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":"second.txt","filesize":2}],"listover":true}}`)
			}))
			DeferCleanup(srv.Close)
			var out, errOut lockedBuffer
			done := make(chan int, 1)
			go func() {
				args := append([]string{"cosv2", "--endpoint", srv.URL, "--appid", "1", "--bucket", "b", "--secret-id", "i", "--secret-key", "k"}, flags...)
				done <- run(context.Background(), append(args, "ls", "dir/"), &out, &errOut)
			}()
			Eventually(out.String).WithTimeout(30*time.Second).Should(ContainSubstring("first.txt"), "the first page, before the second is answered")
			Expect(out.String()).NotTo(ContainSubstring("second.txt"))
			free()
			var code int
			Eventually(done).WithTimeout(30 * time.Second).Should(Receive(&code))
			Expect(code).To(Equal(0), errOut.String())
			Expect(out.String()).To(ContainSubstring("second.txt"))
			if len(flags) > 0 {
				var entries []entryJSON
				Expect(json.Unmarshal([]byte(out.String()), &entries)).To(Succeed(), out.String())
				Expect(entries).To(HaveLen(2))
				Expect(entries[1]).To(HaveField("Name", "second.txt"))
				Expect(entries[1]).To(HaveField("Size", int64(2)))
			}
		},
		Entry("for people", nil...),
		Entry("with --json", "--json"),
	)
})

// globTree is a server holding docs/{a.txt,b.txt,c.log} and
// docs/sub.txt/d.txt, of one byte each.
func globTree() local {
	l := newLocal()
	ctx := context.Background()
	Expect(l.Client.MakeDir(ctx, "docs/")).To(Succeed())
	Expect(l.Client.MakeDir(ctx, "docs/sub.txt/")).To(Succeed())
	for _, f := range []string{"docs/b.txt", "docs/a.txt", "docs/c.log", "docs/sub.txt/d.txt"} {
		_, err := l.Client.Put(ctx, f, strings.NewReader("x"), 1)
		Expect(err).NotTo(HaveOccurred())
	}
	return l
}

// ls refused a glob as if it were a file's name ("a directory path ends in
// /"), and with the slash added answered -197: get, cat and rm take it.
var _ = Describe("ls of a glob", func() {
	var l local
	BeforeEach(func() { l = globTree() })

	It("lists the entries of its directory that match, by name", func() {
		code, out, errOut := l.run("ls", "docs/*.txt")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(MatchRegexp(`^ +1  \S+ \S+  a\.txt\n +1  \S+ \S+  b\.txt\n +0  \S+ \S+  sub\.txt/\n$`))
	})

	It("lists them as JSON, --limit counting only what matches", func() {
		code, out, errOut := l.run("--json", "ls", "--limit", "1", "docs/[bc]*")
		Expect(code).To(Equal(0), errOut)
		var entries []entryJSON
		Expect(json.Unmarshal([]byte(out), &entries)).To(Succeed(), out)
		Expect(entries).To(ConsistOf(HaveField("Name", "b.txt")))
	})

	DescribeTable("refuses, saying why",
		func(want string, args ...string) {
			code, out, errOut := l.run(args...)
			Expect(code).To(Equal(2), errOut)
			Expect(out).To(BeEmpty())
			Expect(errOut).To(ContainSubstring(want))
		},
		Entry("a glob that matches nothing", "docs/*.md matches nothing", "ls", "docs/*.md"),
		Entry("-r with a glob", "ls -r takes a directory", "ls", "-r", "docs/*.txt"),
	)
})

// du took a glob for a directory's name and answered -197.
var _ = Describe("du of a glob", func() {
	var l local
	BeforeEach(func() { l = globTree() })

	It("totals what it matches: files, and the trees of directories", func() {
		code, out, errOut := l.run("--json", "du", "docs/*.txt")
		Expect(code).To(Equal(0), errOut)
		var du struct {
			Path              string
			Size, Files, Dirs int64
		}
		Expect(json.Unmarshal([]byte(out), &du)).To(Succeed(), out)
		Expect(du).To(Equal(struct {
			Path              string
			Size, Files, Dirs int64
		}{"docs/*.txt", 3, 3, 1}))
	})

	It("refuses a glob that matches nothing", func() {
		code, out, errOut := l.run("du", "docs/*.md")
		Expect(code).To(Equal(2), errOut)
		Expect(out).To(BeEmpty())
		Expect(errOut).To(ContainSubstring("docs/*.md matches nothing"))
	})
})

// rmdir refused a glob as a directory path without its slash, the way ls
// did, though rm -r takes the same glob.
var _ = Describe("rmdir of a glob", func() {
	var l local
	BeforeEach(func() {
		l = globTree()
		Expect(l.Client.MakeDir(context.Background(), "docs/empty/")).To(Succeed())
	})

	It("removes the one empty directory it matches", func() {
		code, out, errOut := l.run("rmdir", "docs/emp*")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(Equal("removed docs/empty/\n"))
		_, err := l.Client.StatDir(context.Background(), "docs/empty/")
		Expect(err).To(HaveOccurred())
	})

	DescribeTable("refuses, saying why",
		func(want, glob string) {
			code, _, errOut := l.run("rmdir", glob)
			Expect(code).To(Equal(2), errOut)
			Expect(errOut).To(ContainSubstring(want))
		},
		Entry("several matches", "docs/[ab].txt matches 2 entries", "docs/[ab].txt"),
		Entry("a file", "docs/a.txt is a file", "docs/a.t?t"),
		Entry("nothing", "docs/*.md matches nothing", "docs/*.md"),
	)
})

// ls of a name without its slash was refused ("a directory path ends in
// /"), where ls(1), mc ls and aws s3 ls print a file's line and list a
// directory.
var _ = Describe("ls of a name without its slash", func() {
	var l local
	BeforeEach(func() { l = globTree() })

	DescribeTable("prints a file's line, as a listing names it",
		func(want string, args ...string) {
			code, out, errOut := l.run(append([]string{"ls"}, args...)...)
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(MatchRegexp(want))
		},
		Entry("for people", `^ +1  \S+ \S+  a\.txt\n$`, "docs/a.txt"),
		Entry("with -h", `^ +1 B  \S+ \S+  a\.txt\n$`, "-h", "docs/a.txt"),
	)

	It("prints a file's entry as JSON", func() {
		code, out, errOut := l.run("--json", "ls", "docs/a.txt")
		Expect(code).To(Equal(0), errOut)
		var entries []entryJSON
		Expect(json.Unmarshal([]byte(out), &entries)).To(Succeed(), out)
		Expect(entries).To(ConsistOf(And(HaveField("Name", "a.txt"), HaveField("Dir", false), HaveField("Size", int64(1)))))
	})

	It("lists a directory's contents", func() {
		code, out, errOut := l.run("ls", "docs/sub.txt")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(MatchRegexp(`^ +1  \S+ \S+  d\.txt\n$`))
		code, out, errOut = l.run("ls", "-r", "docs")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(ContainSubstring("  sub.txt/d.txt\n"))
	})

	It("answers not found, exit 1, for a name that is neither", func() {
		code, out, errOut := l.run("ls", "docs/nope")
		Expect(code).To(Equal(1), errOut)
		Expect(out).To(BeEmpty())
		Expect(errOut).To(ContainSubstring("/docs/nope: -197 ErrFileNotExist"))
	})
})
