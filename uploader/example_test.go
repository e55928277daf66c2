package uploader_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/uploader"
)

// exampleClient starts a local server in memory and returns a client for it.
func exampleClient() (*cosv2.Client, func()) {
	hs := httptest.NewUnstartedServer(nil)
	s, err := server.New(server.Config{AppID: "1250000000", Buckets: []string{"photos"}, SecretID: "AKIDexample",
		SecretKey: "secret", Memory: true, BaseURL: "http://" + hs.Listener.Addr().String()})
	if err != nil {
		panic(err)
	}
	hs.Config.Handler = s
	hs.Start()
	c, err := cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKIDexample", SecretKey: "secret"},
		cosv2.WithEndpoint(hs.URL))
	if err != nil {
		panic(err)
	}
	return c, hs.Close
}

// Upload sends a file over 20 MB in slices, four at a time; a second Upload
// of the same path after a failure sends only the slices that are missing.
func ExampleUpload() {
	c, stop := exampleClient()
	defer stop()
	if err := c.MakeDir(context.Background(), "videos/"); err != nil {
		panic(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), int(cosv2.MaxSimpleUpload+3*cosv2.SliceSize1M)/16)
	var slices int
	obj, err := uploader.Upload(context.Background(), c, "videos/big.bin", bytes.NewReader(big), int64(len(big)),
		uploader.WithConcurrency(4), uploader.WithProgress(func(p uploader.Progress) { slices = p.SlicesDone }))
	if err != nil {
		panic(err) // an *uploader.UploadError names the session and the slice
	}
	fmt.Println(obj.ResourcePath, slices)
	// Output:
	// /1250000000/photos/videos/big.bin 23
}

// Download fetches a file with ranged GETs in parallel into an io.WriterAt,
// such as an *os.File, all pinned to the version one stat found.
func ExampleDownload() {
	c, stop := exampleClient()
	defer stop()
	ctx := context.Background()
	body := strings.Repeat("x", 1000)
	if _, err := uploader.Upload(ctx, c, "a.txt", strings.NewReader(body), int64(len(body))); err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "a.txt"))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	n, err := uploader.Download(ctx, c, "a.txt", f, uploader.WithChunkSize(256), uploader.WithConcurrency(2))
	fmt.Println(n, err)
	// Output:
	// 1000 <nil>
}

// UploadReader stores a stream whose size is not known in advance, such as
// a pipe: small ones in one request, long ones spooled to a temporary file
// and sent in slices.
func ExampleUploadReader() {
	c, stop := exampleClient()
	defer stop()
	ctx := context.Background()
	obj, err := uploader.UploadReader(ctx, c, "log.txt", strings.NewReader("line 1\nline 2\n"), uploader.WithBizAttr("logs"))
	if err != nil {
		panic(err)
	}
	st, err := c.Stat(ctx, "log.txt")
	fmt.Println(obj.ResourcePath, st.Size, st.BizAttr, err)
	// Output:
	// /1250000000/photos/log.txt 14 logs <nil>
}
