package gen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen"
)

// call sends one operation with the generated client; path is a directory path
// for dir operations and a file path for file operations.
type call func(ctx context.Context, c *gen.Client, path string) (*http.Response, error)

const (
	appid  = "1250000000"
	bucket = "photos"
)

func form() (string, *strings.Reader) {
	return "multipart/form-data; boundary=x", strings.NewReader("--x--\r\n")
}

var calls = map[string]call{
	gen.FragmentCreateDirectory: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		return c.CreateDirectory(ctx, appid, bucket, p, gen.CreateDirectoryRequest{Op: "create"}, gen.KeepSlashes)
	},
	gen.FragmentListDirectory: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		return c.ListDirectory(ctx, appid, bucket, p, &gen.ListDirectoryParams{Op: "list", Num: 10}, gen.KeepSlashes)
	},
	gen.FragmentStatDirectory: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		return c.StatDirectory(ctx, appid, bucket, p, &gen.StatDirectoryParams{Op: "stat"}, gen.KeepSlashes)
	},
	gen.FragmentUpdateDirectory: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		return c.UpdateDirectory(ctx, appid, bucket, p, gen.UpdateDirectoryRequest{Op: "update"}, gen.KeepSlashes)
	},
	gen.FragmentDeleteDirectory: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		return c.DeleteDirectory(ctx, appid, bucket, p, gen.DeleteRequest{Op: "delete"}, gen.KeepSlashes)
	},
	gen.FragmentUploadFile: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		ct, body := form()
		return c.UploadFileWithBody(ctx, appid, bucket, p, ct, body, gen.KeepSlashes)
	},
	gen.FragmentUploadSliceInit: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		ct, body := form()
		return c.UploadSliceInitWithBody(ctx, appid, bucket, p, ct, body, gen.KeepSlashes)
	},
	gen.FragmentUploadSliceData: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		ct, body := form()
		return c.UploadSliceDataWithBody(ctx, appid, bucket, p, ct, body, gen.KeepSlashes)
	},
	gen.FragmentUploadSliceFinish: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		ct, body := form()
		return c.UploadSliceFinishWithBody(ctx, appid, bucket, p, ct, body, gen.KeepSlashes)
	},
	gen.FragmentUploadSliceList: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		ct, body := form()
		return c.UploadSliceListWithBody(ctx, appid, bucket, p, ct, body, gen.KeepSlashes)
	},
	gen.FragmentStatFile: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		return c.StatFile(ctx, appid, bucket, p, &gen.StatFileParams{Op: "stat"}, gen.KeepSlashes)
	},
	gen.FragmentUpdateFile: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		return c.UpdateFile(ctx, appid, bucket, p, gen.UpdateFileRequest{Op: "update"}, gen.KeepSlashes)
	},
	gen.FragmentDeleteFile: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		return c.DeleteFile(ctx, appid, bucket, p, gen.DeleteRequest{Op: "delete"}, gen.KeepSlashes)
	},
	gen.FragmentMoveFile: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		ct, body := form()
		return c.MoveFileWithBody(ctx, appid, bucket, p, &gen.MoveFileParams{}, ct, body, gen.KeepSlashes)
	},
	gen.FragmentCopyFile: func(ctx context.Context, c *gen.Client, p string) (*http.Response, error) {
		ct, body := form()
		return c.CopyFileWithBody(ctx, appid, bucket, p, &gen.CopyFileParams{}, ct, body, gen.KeepSlashes)
	},
}

// seen is what one request looked like on each side of the wire.
type seen struct {
	fragment   string // on the client, as transports see it
	requestURI string // on the server
	method     string
	query      string
}

type recorder struct {
	mu   sync.Mutex
	last seen
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.last.fragment = req.URL.Fragment
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

var _ = Describe("the generated client", func() {
	var (
		srv *httptest.Server
		rec *recorder
		c   *gen.Client
	)

	BeforeEach(func() {
		rec = &recorder{}
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec.mu.Lock()
			rec.last.requestURI = r.RequestURI
			rec.last.method = r.Method
			rec.last.query = r.URL.RawQuery
			rec.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"code":0,"message":"SUCCESS"}`))
		}))
		DeferCleanup(srv.Close)
		var err error
		c, err = gen.NewClient(srv.URL, gen.WithHTTPClient(&http.Client{Transport: rec}))
		Expect(err).NotTo(HaveOccurred())
	})

	It("has a call in this test for every operation of the table", func() {
		Expect(calls).To(HaveLen(len(gen.Operations())))
	})

	DescribeTable("sends each operation to its URL: slashes literal, the rest escaped, no fragment",
		func(file, dir, wantFile, wantDir string) {
			for _, o := range gen.Operations() {
				path, want := file, wantFile
				if o.Target == "dir" {
					path, want = dir, wantDir
				}
				resp, err := calls[o.Fragment](context.Background(), c, path)
				Expect(err).NotTo(HaveOccurred(), o.ID)
				Expect(resp.Body.Close()).To(Succeed())
				rec.mu.Lock()
				got := rec.last
				rec.mu.Unlock()
				Expect(got.method).To(Equal(o.Method), o.ID)
				Expect(got.fragment).To(Equal(o.Fragment), o.ID)
				Expect(got.requestURI).NotTo(ContainSubstring("#"), o.ID)
				uri, _, _ := strings.Cut(got.requestURI, "?")
				Expect(uri).To(Equal("/files/v2/"+appid+"/"+bucket+want), o.ID)
				if o.Method == http.MethodGet {
					Expect(got.query).To(HavePrefix("op="+o.Op), o.ID)
				}
			}
		},
		Entry("plain names", "/a/b.txt", "/a/", "/a/b.txt", "/a/"),
		Entry("the bucket root", "/f", "/", "/f", "/"),
		Entry("spaces", "/my dir/a b.txt", "/my dir/", "/my%20dir/a%20b.txt", "/my%20dir/"),
		Entry("? and #", "/q?/h#.txt", "/q?/", "/q%3F/h%23.txt", "/q%3F/"),
		Entry("a percent sign", "/100%/x%2Fy", "/100%/", "/100%25/x%252Fy", "/100%25/"),
		Entry("a semicolon", "/a;b/c;d", "/a;b/", "/a%3Bb/c%3Bd", "/a%3Bb/"),
		Entry("Chinese", "/2016 年/照片.jpg", "/照片/", "/2016%20%E5%B9%B4/%E7%85%A7%E7%89%87.jpg", "/%E7%85%A7%E7%89%87/"),
	)
})
