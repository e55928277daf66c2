package main

import (
	"encoding/json"

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
