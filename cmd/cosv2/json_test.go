package main

import (
	"encoding/json"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("--json on stderr", func() {
	It("is the error object alone when no endpoint is set", func() {
		code, _, errOut := inProcess("--json", "--appid", "1", "--bucket", "b", "--secret-id", "i", "--secret-key", "k",
			"share", "a.txt", "--ttl", "0s")
		Expect(code).To(Equal(2), errOut)
		var v struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		Expect(json.Unmarshal([]byte(errOut), &v)).To(Succeed(), errOut)
		Expect(v.Error.Message).To(ContainSubstring("--ttl"))
	})
})

var _ = Describe("--json with files that fail", func() {
	It("reports each failed file as a JSON object on stderr, then the summary", func() {
		l := newLocal()
		dir := GinkgoT().TempDir()
		write(filepath.Join(dir, "a.txt"), []byte("a"))
		write(filepath.Join(dir, "b.txt"), []byte("b"))
		code, _, errOut := l.run("mkdir", "up/")
		Expect(code).To(Equal(0), errOut)
		code, _, errOut = l.run("put", filepath.Join(dir, "a.txt"), "up/")
		Expect(code).To(Equal(0), errOut)

		code, out, errOut := l.run("--json", "put", filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt"), "up/")
		Expect(code).To(Equal(1), errOut)
		Expect(out).To(ContainSubstring(`"path":"up/b.txt"`))
		type failure struct {
			Error struct {
				File string `json:"file"`
				Code int    `json:"code"`
				Exit *int   `json:"exit"`
			} `json:"error"`
		}
		var got []failure
		for _, ln := range strings.Split(strings.TrimSpace(errOut), "\n") {
			var f failure
			Expect(json.Unmarshal([]byte(ln), &f)).To(Succeed(), ln)
			got = append(got, f)
		}
		Expect(got).To(HaveLen(2), errOut)
		Expect(got[0].Error.File).To(Equal(filepath.Join(dir, "a.txt")))
		Expect(got[0].Error.Code).To(Equal(-177))
		Expect(got[1].Error.Exit).To(HaveValue(Equal(1)))
	})
})
