package rules_test

import (
	"errors"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/internal/rules"
)

// document holds the lines of the API document that state the limits,
// copied verbatim (see its first line): a fixture in the repository.
const document = "testdata/document-limits.txt"

var _ = Describe("the limits", func() {
	var doc string
	BeforeEach(func() {
		b, err := os.ReadFile(document)
		Expect(err).NotTo(HaveOccurred(), "the fixture of the document's lines")
		doc = string(b)
	})

	DescribeTable("are the document's",
		func(got, want int64, says string) {
			Expect(doc).To(ContainSubstring(says))
			Expect(got).To(Equal(want))
		},
		Entry("a simple upload is at most 20 MB", int64(rules.MaxSimpleUpload), int64(20<<20), "上传 $\\leq 20\\text{MB}$ 的文件"),
		Entry("slice size 512 KB", rules.SliceSize512K, int64(524288), "524288 (512 KB)"),
		Entry("slice size 1 MB", rules.SliceSize1M, int64(1048576), "1048576 (1 MB)"),
		Entry("slice size 2 MB", rules.SliceSize2M, int64(2097152), "2097152 (2 MB)"),
		Entry("slice size 3 MB", rules.SliceSize3M, int64(3145728), "3145728 (3 MB)"),
		Entry("list num at most 1000", int64(rules.MaxListNum), int64(1000), "num\t是\tInt\t本次查询所要列出的目录总数,最大支持1000"),
		Entry("a URL is at most 1024 bytes", int64(rules.MaxURL), int64(1024), "总长度不得超过 1024 字节"),
	)

	It("leave room in a URL for the prefix of the longest path", func() {
		Expect(len("https://gz.file.myqcloud.com/files/v2/1250000000/bucket") + rules.MaxPath).To(BeNumerically("<=", 1100))
		Expect(rules.MaxPath).To(BeNumerically("<", rules.MaxURL))
	})

	It("lists exactly the document's slice sizes, and nobody can change them", func() {
		s := rules.SliceSizes()
		Expect(s).To(Equal([]int64{524288, 1048576, 2097152, 3145728}))
		s[0] = 1
		Expect(rules.SliceSizes()[0]).To(Equal(int64(524288)))
		Expect(rules.ValidSliceSize(1)).To(BeFalse())
		Expect(rules.ValidSliceSize(3145728)).To(BeTrue())
	})

	DescribeTable("bound list num to 1..1000",
		func(n int, ok bool) { Expect(rules.ValidListNum(n)).To(Equal(ok)) },
		Entry("0", 0, false), Entry("1", 1, true), Entry("199", 199, true), Entry("1000", 1000, true), Entry("1001", 1001, false),
	)
})

// expectProblem expects err to be nil when want is 0, else a *PathError
// with that problem.
func expectProblem(err error, want rules.Problem) {
	GinkgoHelper()
	if want == 0 {
		Expect(err).NotTo(HaveOccurred())
		return
	}
	var pe *rules.PathError
	Expect(errors.As(err, &pe)).To(BeTrue())
	Expect(pe.Problem).To(Equal(want))
}

var _ = Describe("the path rules", func() {
	DescribeTable("Check",
		func(p string, want rules.Problem) { expectProblem(rules.Check(p), want) },
		Entry("the root", "/", rules.Problem(0)),
		Entry("a file", "/a/b.txt", rules.Problem(0)),
		Entry("a directory", "/a/b/", rules.Problem(0)),
		Entry("spaces, Chinese and punctuation", "/a b/照片 ?#%;.txt", rules.Problem(0)),
		Entry("a name of 255 bytes", "/"+strings.Repeat("n", 255), rules.Problem(0)),
		Entry("a path of 1000 bytes", "/"+strings.Repeat(strings.Repeat("n", 99)+"/", 9)+strings.Repeat("n", 99), rules.Problem(0)),
		Entry("a path of 1001 bytes", "/"+strings.Repeat(strings.Repeat("n", 99)+"/", 9)+strings.Repeat("n", 100), rules.TooLong),
		Entry("a name of 256 bytes", "/"+strings.Repeat("n", 256), rules.NameTooLong),
		Entry("invalid UTF-8", "/a\xff", rules.NotUTF8),
		Entry("a NUL byte", "/a\x00b", rules.BadChar),
		Entry("a tab", "/a\tb", rules.BadChar),
		Entry("DEL", "/a\x7fb", rules.BadChar),
		Entry("a C1 control character", "/a\u0085b", rules.BadChar),
		Entry("a backslash", `/a\b`, rules.BadChar),
		Entry("an empty segment", "/a//b", rules.BadSegment),
		Entry("a leading empty segment", "//a", rules.BadSegment),
		Entry("a . segment", "/a/./b", rules.BadSegment),
		Entry("a .. segment", "/a/../b", rules.BadSegment),
		Entry("no leading slash", "a/b", rules.BadSegment),
	)

	DescribeTable("Name judges one listed name, whatever its length",
		func(n string, want rules.Problem) { expectProblem(rules.Name(n), want) },
		Entry("a file", "b.txt", rules.Problem(0)),
		Entry("a directory", "b/", rules.Problem(0)),
		Entry("spaces, Chinese and punctuation", "照片 ?#%;.txt", rules.Problem(0)),
		Entry("a name of 300 bytes (made by another client)", strings.Repeat("n", 300), rules.Problem(0)),
		Entry("two names", "a/b", rules.BadSegment),
		Entry("a name that climbs", "../x", rules.BadSegment),
		Entry("the directory above", "../", rules.BadSegment),
		Entry("..", "..", rules.BadSegment),
		Entry(".", ".", rules.BadSegment),
		Entry("empty", "", rules.BadSegment),
		Entry("a lone slash", "/", rules.BadSegment),
		Entry("an escape sequence", "x\x1b]0;t\x07", rules.BadChar),
		Entry("a backslash", `a\b`, rules.BadChar),
		Entry("invalid UTF-8", "a\xff", rules.NotUTF8),
	)

	DescribeTable("Dir and File normalise and check",
		func(f func(string) (string, error), in, want string, problem rules.Problem) {
			got, err := f(in)
			if problem != 0 {
				var pe *rules.PathError
				Expect(errors.As(err, &pe)).To(BeTrue())
				Expect(pe.Problem).To(Equal(problem))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("Dir adds the leading slash", rules.Dir, "a/", "/a/", rules.Problem(0)),
		Entry("Dir: '' is the root", rules.Dir, "", "/", rules.Problem(0)),
		Entry("Dir needs the trailing slash", rules.Dir, "a", "", rules.NotADir),
		Entry("File adds the leading slash", rules.File, "a/b.txt", "/a/b.txt", rules.Problem(0)),
		Entry("File refuses a trailing slash", rules.File, "a/", "", rules.NotAFile),
		Entry("File refuses ''", rules.File, "", "", rules.NotAFile),
		Entry("File checks the rules", rules.File, `a\b`, "", rules.BadChar),
	)

	// It said "a file path names a file: not empty, not ending in /", which
	// a user given a directory (a glob's match, say) could not read.
	DescribeTable("File says what its refusal is about",
		func(in, want string) {
			_, err := rules.File(in)
			Expect(err).To(MatchError(want))
		},
		Entry("a directory's path", "docs/s1/", `path "docs/s1/": names a directory (it ends in "/"), not a file`),
		Entry("nothing", "", `path "": is empty: a file path names a file`),
	)
})
