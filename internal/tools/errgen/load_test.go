package main

import (
	"os"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"
)

// good is a valid table; entries appended to it start at line 18.
const good = `codes:
  - code: -177
    name: ERROR_CMD_COS_FILE_EXIST
    go: ErrFileExist
    group: cmd
    zh: "文件已存在"
    en: "file already exists"
    http: 409
    retryable: false
  - code: 503
    name: HTTP_SERVICE_UNAVAILABLE
    go: ErrHTTPServiceUnavailable
    group: http
    zh: "服务不可用"
    en: "service unavailable"
    http: 503
    retryable: true
`

// entry renders one list item from "key: value" lines.
func entry(lines ...string) string {
	return "  - " + lines[0] + "\n    " + strings.Join(lines[1:], "\n    ") + "\n"
}

// one is a table of one entry (lines 2-8) with fields replaced ("key: v"),
// or dropped ("-key"); new fields go at the end (line 9 on).
func one(changes ...string) string {
	fields := []string{"code: -1", "name: N", "go: ErrOne", "group: proxy", "zh: z", "en: e", "retryable: false"}
	for _, c := range changes {
		drop := strings.HasPrefix(c, "-")
		key, _, _ := strings.Cut(strings.TrimPrefix(c, "-"), ":")
		i := slices.IndexFunc(fields, func(f string) bool { return strings.HasPrefix(f, key+":") })
		switch {
		case drop:
			fields = slices.Delete(fields, i, i+1)
		case i >= 0:
			fields[i] = c
		default:
			fields = append(fields, c)
		}
	}
	return "codes:\n" + entry(fields...)
}

var _ = Describe("Load", func() {
	It("reads a good table, with each entry's line", func() {
		rows, err := Load("t.yaml", []byte(good))
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(2))
		Expect(rows[0]).To(MatchFields(IgnoreExtras, Fields{"Code": Equal(-177), "Go": Equal("ErrFileExist"), "HTTP": Equal(409), "Line": Equal(2)}))
		Expect(rows[1]).To(MatchFields(IgnoreExtras, Fields{"Retryable": BeTrue(), "Line": Equal(10)}))
	})

	It("keeps a second meaning of a code under also, and codes that are not errors without a Go name", func() {
		rows, err := Load("t.yaml", []byte(good+entry("code: -61", "name: A", "go: ErrA", "group: proxy", "zh: a", "en: a", "retryable: false",
			"also:", "  - {name: B, zh: b, en: b}")+entry("code: 0", "name: SUCCESS", "group: business", "zh: 成功", "en: success", "ok: true")))
		Expect(err).NotTo(HaveOccurred())
		Expect(rows[2].Also).To(ConsistOf(Also{Name: "B", Zh: "b", En: "b", Line: 26}))
		Expect(rows[3].OK).To(BeTrue())
		Expect(rows[3].Go).To(BeEmpty())
	})

	It("reports every problem, in line order", func() {
		_, err := Load("t.yaml", []byte("codes:\n"+entry("code: 7", "name: N", "go: ErrA", "group: cmd", "zh: z", "en: e", "retryable: false")+
			entry("code: -2", "name: M", "go: ErrB", "group: misc", "zh: z", "en: e", "retryable: false")))
		Expect(err).To(MatchError("t.yaml:2: code 7: group cmd codes are zero or negative (the OCR lost minus signs: restore them)\n" +
			`t.yaml:12: code -2: unknown group "misc" (want one of sdk, download, http, business, proxy, cmd, cache, plugin, cgi, oss)`))
	})

	It("reads the repository's table", func() {
		raw, err := os.ReadFile("../../../errcodes.yaml")
		Expect(err).NotTo(HaveOccurred())
		rows, err := Load("errcodes.yaml", raw)
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(200))
	})

	DescribeTable("refuses bad input, naming the line",
		func(src, want string) {
			_, err := Load("t.yaml", []byte(src))
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("a duplicate go name", good+entry("code: -178", "name: X", "go: ErrFileExist", "group: cmd", "zh: z", "en: e", "retryable: false"),
			"t.yaml:20: code -178: go name ErrFileExist already used at line 4"),
		Entry("a duplicate document name", good+entry("code: -178", "name: ERROR_CMD_COS_FILE_EXIST", "go: ErrX", "group: cmd", "zh: z", "en: e", "retryable: false"),
			"t.yaml:19: code -178: name ERROR_CMD_COS_FILE_EXIST already used at line 3"),
		Entry("a code twice in one group", good+entry("code: -177", "name: Y", "go: ErrOther", "group: cmd", "zh: z", "en: e", "retryable: false"),
			"t.yaml:18: code -177 listed twice in group cmd (first at line 2): keep one entry, decide which name the code maps to, and list the other meaning under also"),
		Entry("an API code in two groups", good+entry("code: -177", "name: Y", "go: ErrOther", "group: cgi", "zh: z", "en: e", "retryable: false"),
			"t.yaml:18: code -177 is already in group cmd at line 2: an API code is looked up by its number alone"),
		Entry("a code without a name", one("-name"), "t.yaml:2: code -1: missing name"),
		Entry("an error without a go name", one("-go"), "t.yaml:2: code -1: missing go"),
		Entry("an error without retryable", one("-retryable"), "t.yaml:2: code -1: missing retryable"),
		Entry("a code that is not a number", one("code: x1"), `t.yaml:2: want an integer, got "x1"`),
		Entry("a code as the OCR spaced it", one(`code: "- 95"`), `t.yaml:2: want an integer, got "- 95"`),
		Entry("a positive code in a negative group", one("code: 95"), "t.yaml:2: code 95: group proxy codes are zero or negative"),
		Entry("a negative code in a positive group", one("group: http"), "t.yaml:2: code -1: group http codes are positive"),
		Entry("an entry that is not a mapping", "codes:\n  - just a line\n", "t.yaml:2: an entry must be a mapping"),
		Entry("an unknown field", one("colour: red"), `t.yaml:9: unknown field "colour"`),
		Entry("a field given twice", one()+"    zh: again\n", "t.yaml:9: field zh given twice (first at line 6)"),
		Entry("an unknown group", one("group: misc"), `t.yaml:5: code -1: unknown group "misc"`),
		Entry("a mangled document name", one(`name: "ERROR_CGI SOCK_CREATE"`), `t.yaml:3: code -1: name "ERROR_CGI SOCK_CREATE" is not a constant name`),
		Entry("an empty meaning", one(`zh: ""`), `t.yaml:6: zh must be a non-empty string, got ""`),
		Entry("a meaning on two lines", one(`en: "a\nb"`), "t.yaml:7: code -1: en must be one line"),
		Entry("a bad http status", one("http: 9000"), "t.yaml:9: code -1: http 9000 is not an HTTP status"),
		Entry("a bad retryable", one("retryable: maybe"), `t.yaml:8: want true or false, got "maybe"`),
		Entry("a lower-case go name", one("go: errOne"), `t.yaml:4: code -1: go name "errOne" is not an exported Go identifier starting with Err`),
		Entry("a go name without Err", one("go: FileExist"), `t.yaml:4: code -1: go name "FileExist" is not an exported Go identifier`),
		Entry("a code that is not an error with a go name", one("code: 0", "group: business", "ok: true", "-retryable"), "t.yaml:4: code 0: an ok code is not an error and gets no sentinel: drop go"),
		Entry("also that is not a list", one("also: x"), "t.yaml:9: also must be a list of {name, zh, en}"),
		Entry("also without en", one("also:")+"      - {name: B, zh: b}\n", "t.yaml:10: also: an entry needs name, zh and en"),
		Entry("also with an unknown field", one("also:")+"      - {name: B, zh: b, en: b, go: ErrB}\n", `t.yaml:10: also: unknown or repeated field "go"`),
		Entry("malformed YAML", "codes: [\n", "t.yaml: yaml:"),
		Entry("no codes list", "other: 1\n", `t.yaml:1: unknown top-level key "other"`),
		Entry("codes that are not a list", "codes: 3\n", "t.yaml:1: want a codes list"),
	)
})
