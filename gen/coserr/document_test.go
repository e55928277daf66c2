package coserr_test

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
)

// documentCodes holds the codes of the API document's error section, one row
// each; testdata/README.md tells how it was made from the document.
const documentCodes = "testdata/document-codes.tsv"

// docCode is a code as the document's error section prints it.
type docCode struct {
	group, name, zh string
	code, line      int
}

// loadDocument reads the rows of the fixture, after its header.
func loadDocument(path string) ([]docCode, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if lines[0] != "line\tgroup\tcode\tname\tzh" {
		return nil, fmt.Errorf("%s: header %q", path, lines[0])
	}
	var out []docCode
	for i, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 5", path, i+2, len(f))
		}
		line, lerr := strconv.Atoi(f[0])
		code, cerr := strconv.Atoi(f[2])
		if err := errors.Join(lerr, cerr); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+2, err)
		}
		out = append(out, docCode{line: line, group: f[1], code: code, name: f[3], zh: f[4]})
	}
	return out, nil
}

var _ = Describe("errcodes.yaml against the document", func() {
	var (
		doc []docCode
		ys  []yamlEntry
	)
	BeforeEach(func() {
		var err error
		doc, err = loadDocument(documentCodes)
		Expect(err).NotTo(HaveOccurred())
		ys, err = loadYAML()
		Expect(err).NotTo(HaveOccurred())
	})

	It("has all 201 lines of the error section (-61 is printed twice)", func() {
		Expect(doc).To(HaveLen(201))
		for _, d := range doc {
			Expect(d.group).NotTo(BeEmpty(), "document line %d", d.line)
			Expect(d.zh).NotTo(BeEmpty(), "document line %d", d.line)
		}
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

	It("puts every code of the document in the generated table, with words the document gives it", func() {
		zhs := map[string][]string{}
		for _, d := range doc {
			key := fmt.Sprint(d.group, d.code)
			zhs[key] = append(zhs[key], d.zh)
		}
		for _, d := range doc {
			t, ok := coserr.LookupGroup(d.group, d.code)
			Expect(ok).To(BeTrue(), "document line %d (%s %d) is missing from the table", d.line, d.group, d.code)
			Expect(zhs[fmt.Sprint(d.group, d.code)]).To(ContainElement(t.Zh), "document line %d", d.line)
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
		for _, t := range coserr.Table() {
			Expect(in).To(HaveKey(fmt.Sprint(t.Group, t.Code)), "the table's %s %d %s is not in the document", t.Group, t.Code, t.Name)
		}
	})
})
