// Command docfixture reads the codes of the API document's error section and
// prints them as document-codes.tsv, the fixture document_test.go checks
// errcodes.yaml against:
//
//	go run ./gen/coserr/testdata/docfixture ../shared/reference/000_b04621084e6d76d5.txt \
//		> gen/coserr/testdata/document-codes.tsv
//
// It lives in testdata so that neither the build nor the suites need the
// document, which is not part of the repository.
package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

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

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: docfixture <document.txt> > document-codes.tsv")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	codes := parseDocument(string(raw))
	if len(codes) == 0 {
		fmt.Fprintln(os.Stderr, "docfixture: no error section in", os.Args[1])
		os.Exit(1)
	}
	fmt.Println("line\tgroup\tcode\tname\tzh")
	for _, d := range codes {
		if strings.ContainsAny(d.name+d.zh, "\t\n") {
			fmt.Fprintf(os.Stderr, "docfixture: line %d holds a tab\n", d.line)
			os.Exit(1)
		}
		fmt.Printf("%d\t%s\t%d\t%s\t%s\n", d.line, d.group, d.code, d.name, d.zh)
	}
}

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
