package coserr_test

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The document sits beside the repository: <root>/../shared/reference.
const documentPath = "../../../shared/reference/000_b04621084e6d76d5.txt"

// docCode is a code as the document's error section prints it.
type docCode struct {
	group, name, zh string
	code, line      int
}

// headers open the groups of the error section.
var headers = map[string]string{
	"服务端 SDK 错误码": "sdk", "下载状态码": "download", "后端HTTP返回码": "http", "业务返回码": "business",
	"PROXY 错误码": "proxy", "CMD 错误码": "cmd", "文件缓存的错误码": "cache", "文件插件错误码": "plugin",
	"CGI 错误码": "cgi", "OSS 错误码": "oss",
}

var (
	codeFirst = regexp.MustCompile(`^(-?)\s?(\d+)\s+(.+)$`)               // "- 95 NAME 说明", "-5999 NAME 说明", "- 1 说明"
	nameFirst = regexp.MustCompile(`^(_?[A-Z][A-Z_]*)\s+(-?\d+)\s+(.+)$`) // "_SUCCESS 0 成功"
	caps      = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// parseDocument reads the codes of the error section. The OCR lost minus
// signs, so the sign comes from the group: the sdk, download and http codes are
// positive (their "- " is a list bullet), the others negative, except that the
// business group prints its own ("_SUCCESS 0", "-9999").
func parseDocument(text string) []docCode {
	start, end := strings.Index(text, "\n服务端 SDK 错误码\n"), strings.Index(text, "\n目录接口\n")
	if start < 0 || end < start {
		return nil
	}
	var out []docCode
	group := ""
	firstLine := strings.Count(text[:start+1], "\n") + 1
	for i, l := range strings.Split(text[start+1:end], "\n") {
		l = strings.TrimSpace(l)
		if g, ok := headers[l]; ok {
			group = g
			continue
		}
		d := docCode{group: group, line: firstLine + i}
		if m := nameFirst.FindStringSubmatch(l); m != nil && group == "business" {
			d.name, d.code, d.zh = m[1], atoi(m[2]), m[3]
		} else if m := codeFirst.FindStringSubmatch(l); m != nil {
			d.code, d.zh = atoi(m[2]), m[3]
			switch group {
			case "sdk", "download", "http":
			case "business":
				d.code = atoi(m[1] + m[2])
			default:
				d.code = -d.code
			}
			if group != "sdk" && group != "download" {
				// The constant comes first; "ERROR_CGI SOCK_CREATE" lost its "_".
				f := strings.Fields(d.zh)
				d.name = f[0]
				if len(f) > 2 && caps.MatchString(f[0]) && caps.MatchString(f[1]) {
					d.name = f[0] + "_" + f[1]
				}
				d.zh = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(d.zh, f[0]), " "+strings.TrimPrefix(d.name, f[0]+"_")))
			}
		} else {
			continue
		}
		out = append(out, d)
	}
	return out
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

var _ = Describe("errcodes.yaml against the document", func() {
	var (
		doc []docCode
		ys  []yamlEntry
	)
	BeforeEach(func() {
		raw, err := os.ReadFile(documentPath)
		if os.IsNotExist(err) {
			Skip("the API document is not at " + documentPath + " (the shared directory beside the repository)")
		}
		Expect(err).NotTo(HaveOccurred())
		doc = parseDocument(string(raw))
		ys, err = loadYAML()
		Expect(err).NotTo(HaveOccurred())
	})

	It("parses all 201 lines of the error section (-61 is printed twice)", func() {
		Expect(doc).To(HaveLen(201))
	})

	It("lists every code of the document, with its words and its constant", func() {
		for _, d := range doc {
			where := fmt.Sprintf("document line %d (%s %d %s)", d.line, d.group, d.code, d.name)
			var y *yamlEntry
			for i := range ys {
				if ys[i].Group == d.group && ys[i].Code == d.code {
					y = &ys[i]
				}
			}
			Expect(y).NotTo(BeNil(), "%s is missing from errcodes.yaml", where)
			names, zhs := []string{y.Name}, []string{y.Zh}
			for _, a := range y.Also {
				names, zhs = append(names, a.Name), append(zhs, a.Zh)
			}
			Expect(zhs).To(ContainElement(d.zh), where)
			if d.name != "" && !strings.Contains(y.Note, d.name) {
				Expect(names).To(ContainElement(d.name), "%s: a name that differs from the document needs a note quoting the document's", where)
			}
		}
	})

	It("invents no code", func() {
		in := map[string]bool{}
		for _, d := range doc {
			in[fmt.Sprint(d.group, d.code)] = true
		}
		for _, y := range ys {
			Expect(in).To(HaveKey(fmt.Sprint(y.Group, y.Code)), "%s %d %s is not in the document", y.Group, y.Code, y.Name)
		}
	})
})
