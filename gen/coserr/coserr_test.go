package coserr_test

import (
	"errors"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
)

var _ = Describe("APIError", func() {
	DescribeTable("reads as op, path, code, constant, meaning and the server's message",
		func(err error, want string) { Expect(err.Error()).To(Equal(want)) },
		Entry("an answer", coserr.New(-177, "file exists", 400, "upload", "/a/b.txt"),
			"cos: upload /a/b.txt: -177 ERROR_CMD_COS_FILE_EXIST (file already exists): file exists"),
		Entry("without a path", coserr.New(-71, "slow down", 200, "list", ""),
			"cos: list: -71 ERROR_PROXY_FREQ_CONTROL (too many requests; try again later): slow down"),
		Entry("a sentinel", coserr.ErrFileExist, "cos: -177 ERROR_CMD_COS_FILE_EXIST (file already exists)"),
		Entry("made by hand, without a name", &coserr.APIError{Code: -173}, "cos: -173 ERROR_CMD_COS_DIR_NOT_EMPTY (directory is not empty)"),
		Entry("an answer that is not the envelope", coserr.New(503, "Service Unavailable", 503, "stat", "/x"),
			"cos: stat /x: 503 HTTP_SERVICE_UNAVAILABLE (service unavailable): Service Unavailable"),
		Entry("a code the table lacks", coserr.New(-12345, "new code", 400, "stat", "/x"), "cos: stat /x: -12345 UNKNOWN_CODE: new code"),
	)

	Context("with errors.Is", func() {
		It("matches a sentinel by code, whatever the message, status, operation or path", func() {
			err := fmt.Errorf("put: %w", coserr.New(-177, "exists", 200, "upload", "/a.txt"))
			Expect(err).To(MatchError(coserr.ErrFileExist))
			Expect(&coserr.APIError{Code: -177}).To(MatchError(coserr.ErrFileExist))
			Expect(coserr.ErrFileExist).To(MatchError(coserr.ErrFileExist))
		})

		It("does not match another code, another error type or a nil sentinel", func() {
			err := coserr.New(-173, "not empty", 200, "delete", "/d/")
			Expect(err).NotTo(MatchError(coserr.ErrFileExist))
			Expect(errors.Is(err, errors.New("cos: -173"))).To(BeFalse())
			Expect(errors.Is(err, (*coserr.APIError)(nil))).To(BeFalse())
		})

		It("makes gomega's MatchError fail on a different code", func() {
			failures := InterceptGomegaFailures(func() {
				Expect(coserr.New(-173, "", 200, "", "")).To(MatchError(coserr.ErrFileExist))
			})
			Expect(failures).To(HaveLen(1))
		})
	})

	Context("with a positive code, which the http and download groups share", func() {
		It("names it from the http group first, then download", func() {
			Expect(coserr.New(403, "", 403, "download", "/a").Name).To(Equal("HTTP_FORBIDDEN"))
			Expect(coserr.New(404, "", 404, "download", "/a").Name).To(Equal("DOWNLOAD_404"))
		})

		It("matches the sentinels of both groups: a 403 is a 403", func() {
			err := fmt.Errorf("get: %w", coserr.New(403, "Forbidden", 403, "download", "/a"))
			Expect(err).To(MatchError(coserr.ErrDownloadForbidden))
			Expect(err).To(MatchError(coserr.ErrHTTPForbidden))
			Expect(err).NotTo(MatchError(coserr.ErrDownloadNotFound))
		})

		It("looks it up by group, not with Lookup", func() {
			_, ok := coserr.Lookup(403)
			Expect(ok).To(BeFalse())
			d, _ := coserr.LookupGroup(coserr.GroupDownload, 403)
			h, _ := coserr.LookupGroup(coserr.GroupHTTP, 403)
			Expect([]string{d.Name, h.Name}).To(Equal([]string{"DOWNLOAD_403", "HTTP_FORBIDDEN"}))
			Expect(coserr.ErrDownloadForbidden.Meaning()).To(Equal(d.En))
		})
	})

	It("maps -61, which the document lists twice, to the bucket mismatch", func() {
		e, ok := coserr.Lookup(-61)
		Expect(ok).To(BeTrue())
		Expect(e.Name).To(Equal("ERROR_PROXY_SIGN_BUCKET_NOTMATCH"))
		Expect(e.Sentinel()).To(BeIdenticalTo(coserr.ErrBucketNotMatch))
	})

	It("gives the codes that are not errors no sentinel", func() {
		for _, c := range []struct {
			group string
			code  int
		}{{coserr.GroupBusiness, 0}, {coserr.GroupDownload, 200}, {coserr.GroupDownload, 206}} {
			e, ok := coserr.LookupGroup(c.group, c.code)
			Expect(ok).To(BeTrue())
			Expect(e.Go).To(BeEmpty())
			Expect(e.Sentinel()).NotTo(HaveOccurred(), "no sentinel")
		}
	})

	It("keeps a code the table lacks usable", func() {
		err := coserr.New(-12345, "new code", 400, "stat", "/x")
		Expect(err.Name).To(Equal(coserr.UnknownName))
		Expect(err.HTTPStatus).To(Equal(400))
		Expect(err.Meaning()).To(BeEmpty())
		Expect(err.Retryable()).To(BeFalse())
		Expect(err).NotTo(MatchError(coserr.ErrFileExist))
		Expect(err).To(MatchError(coserr.New(-12345, "", 0, "", "")))
	})

	It("takes the table's HTTP status when the caller has none", func() {
		Expect(coserr.New(-177, "", 0, "", "").HTTPStatus).To(Equal(409))
		Expect(coserr.New(-177, "", 200, "", "").HTTPStatus).To(Equal(200))
	})

	It("hands out a copy of the table", func() {
		t := coserr.Table()
		t[0].Name = "changed"
		Expect(coserr.Table()[0].Name).NotTo(Equal("changed"))
	})
})

var _ = Describe("IsRetryable", func() {
	DescribeTable("follows the table",
		func(err error, want bool) { Expect(coserr.IsRetryable(err)).To(Equal(want)) },
		Entry("-71 too frequent", coserr.ErrFreqControl, true),
		Entry("-300 overload", coserr.ErrOverload, true),
		Entry("-4024 offset went back", coserr.ErrOffsetGoBack, true),
		Entry("-5997 backend network", coserr.ErrCGINetwork, true),
		Entry("-196 backend network", coserr.ErrBackendNetwork, true),
		Entry("503", coserr.New(503, "", 503, "stat", "/"), true),
		Entry("504", coserr.ErrHTTPGatewayTimeout, true),
		Entry("a wrapped -71", fmt.Errorf("list: %w", coserr.New(-71, "", 200, "list", "/")), true),
		Entry("-97 bad signature", coserr.ErrSignatureInvalid, false),
		Entry("-96 expired signature", coserr.ErrSignatureExpired, false),
		Entry("-177 file exists", coserr.ErrFileExist, false),
		Entry("-4019 unfinished upload", coserr.ErrUnfinishedUpload, false),
		Entry("-4027 upload again", coserr.ErrPluginOffsetRedo, false),
		Entry("a code the table lacks", coserr.New(-12345, "", 0, "", ""), false),
		Entry("an error that is not an APIError", errors.New("plain"), false),
		Entry("nil", nil, false),
	)
})
