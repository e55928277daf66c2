package gen_test

import (
	"context"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen"
)

const specPath = "../spec/cos-v2.yaml"

// documentOps is the document's list of operations (API_NOTES.md, "Operations"),
// written out by hand so that an operation dropped from the spec fails here, plus
// the directory update the official SDKs send (API_NOTES.md, last section).
var documentOps = []struct{ target, op, method, signature string }{
	{"dir", "create", "POST", "multi"},
	{"dir", "list", "GET", "multi"},
	{"dir", "stat", "GET", "multi"},
	{"dir", "update", "POST", "once"},
	{"dir", "delete", "POST", "once"},
	{"file", "upload", "POST", "multi"},
	{"file", "upload_slice_init", "POST", "multi"},
	{"file", "upload_slice_data", "POST", "multi"},
	{"file", "upload_slice_finish", "POST", "multi"},
	{"file", "upload_slice_list", "POST", "multi"},
	{"file", "stat", "GET", "multi"},
	{"file", "update", "POST", "once"},
	{"file", "delete", "POST", "once"},
	{"file", "move", "POST", "once"},
	{"file", "copy", "POST", "once"},
}

func loadSpec() *openapi3.T {
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	Expect(err).NotTo(HaveOccurred())
	return doc
}

var _ = Describe("spec/cos-v2.yaml", func() {
	It("loads and validates with kin-openapi", func() {
		doc := loadSpec()
		Expect(doc.Validate(context.Background())).To(Succeed())
		Expect(doc.OpenAPI).To(Equal("3.0.3"))
	})

	It("declares the signature header as a security scheme and a region server", func() {
		doc := loadSpec()
		scheme := doc.Components.SecuritySchemes["cosSignature"]
		Expect(scheme).NotTo(BeNil())
		Expect(scheme.Value.In).To(Equal("header"))
		Expect(scheme.Value.Name).To(Equal("Authorization"))
		Expect(doc.Servers[0].Variables).To(HaveKey("region"))
	})

	It("has exactly the document's operations, each once, with x-cos-op, x-cos-target and x-cos-signature", func() {
		doc := loadSpec()
		type key struct{ target, op string }
		found := map[key][]string{}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				k := key{op.Extensions["x-cos-target"].(string), op.Extensions["x-cos-op"].(string)}
				found[k] = append(found[k], method+" "+path+" "+op.Extensions["x-cos-signature"].(string))
			}
		}
		Expect(found).To(HaveLen(len(documentOps)))
		for _, want := range documentOps {
			got := found[key{want.target, want.op}]
			Expect(got).To(HaveLen(1), "%s %s", want.target, want.op)
			Expect(got[0]).To(HavePrefix(want.method+" "), "%s %s", want.target, want.op)
			Expect(got[0]).To(HaveSuffix("#"+want.target+"."+want.op+" "+want.signature), "%s %s", want.target, want.op)
		}
	})

	It("is what the generated operation table says", func() {
		doc := loadSpec()
		ops := gen.Operations()
		Expect(ops).To(HaveLen(len(documentOps)))
		for _, o := range ops {
			item := doc.Paths.Find("/files/v2/{appid}/{bucket}{path}#" + o.Fragment)
			Expect(item).NotTo(BeNil(), o.Fragment)
			op := item.GetOperation(o.Method)
			Expect(op).NotTo(BeNil(), o.Fragment)
			Expect(op.OperationID).To(Equal(o.ID))
			Expect(string(o.Signature)).To(Equal(op.Extensions["x-cos-signature"]))
		}
	})

	It("keeps every fragment distinct and parseable from a URL", func() {
		for _, o := range gen.Operations() {
			u, err := url.Parse("http://h/files/v2/1/b/x#" + o.Fragment)
			Expect(err).NotTo(HaveOccurred())
			got, ok := gen.OperationByFragment(u.Fragment)
			Expect(ok).To(BeTrue())
			Expect(got).To(Equal(o))
			Expect(strings.Count(o.Fragment, ".")).To(Equal(1))
		}
		_, ok := gen.OperationByFragment("file.nope")
		Expect(ok).To(BeFalse())
	})
})
