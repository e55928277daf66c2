package cosv2_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
)

// localServer starts an in-memory local COS server for the examples.
func localServer() (*httptest.Server, func()) {
	srv := httptest.NewUnstartedServer(nil)
	s, err := server.New(server.Config{AppID: "1250000000", Buckets: []string{"photos"}, SecretID: "AKIDexample",
		SecretKey: "secret", Memory: true, BaseURL: "http://" + srv.Listener.Addr().String()})
	if err != nil {
		panic(err)
	}
	srv.Config.Handler = s
	srv.Start()
	return srv, srv.Close
}

func Example() {
	srv, stop := localServer()
	defer stop()
	ctx := context.Background()

	c, err := cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKIDexample", SecretKey: "secret"},
		cosv2.WithEndpoint(srv.URL)) // or cosv2.WithRegion("gz") for the real service
	if err != nil {
		panic(err)
	}
	if err := c.MakeDir(ctx, "2016/", cosv2.WithBizAttr("holiday")); err != nil {
		panic(err)
	}
	body := "hello, COS"
	if _, err := c.Put(ctx, "2016/hello.txt", strings.NewReader(body), int64(len(body))); err != nil {
		panic(err)
	}
	for e, err := range c.List(ctx, "2016/") {
		if err != nil {
			panic(err)
		}
		fmt.Println(e.Name, e.Size)
	}
	var got bytes.Buffer
	if _, err := c.Download(ctx, "2016/hello.txt", &got); err != nil {
		panic(err)
	}
	fmt.Println(got.String())
	// Output:
	// hello.txt 10
	// hello, COS
}

func ExampleClient_Put_exists() {
	srv, stop := localServer()
	defer stop()
	ctx := context.Background()
	c, _ := cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKIDexample", SecretKey: "secret"}, cosv2.WithEndpoint(srv.URL))

	_, _ = c.Put(ctx, "a.txt", strings.NewReader("one"), 3)
	_, err := c.Put(ctx, "a.txt", strings.NewReader("two"), 3)
	var api *cosv2.APIError
	if errors.Is(err, cosv2.ErrFileExist) && errors.As(err, &api) {
		fmt.Println(api.Code, api.Op, api.Path)
	}
	_, err = c.Put(ctx, "a.txt", strings.NewReader("two"), 3, cosv2.WithOverwrite())
	fmt.Println(err)
	// Output:
	// -177 upload /a.txt
	// <nil>
}

func ExampleClient_List() {
	srv, stop := localServer()
	defer stop()
	ctx := context.Background()
	c, _ := cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKIDexample", SecretKey: "secret"}, cosv2.WithEndpoint(srv.URL))
	for _, name := range []string{"img1.jpg", "img2.jpg", "notes.txt"} {
		_, _ = c.Put(ctx, name, strings.NewReader(name), int64(len(name)))
	}
	for e, err := range c.List(ctx, "/", cosv2.WithPrefix("img"), cosv2.WithPageSize(1)) {
		if err != nil {
			panic(err)
		}
		fmt.Println(e.Name)
	}
	// Output:
	// img1.jpg
	// img2.jpg
}

func ExampleClient_NewReader() {
	srv, stop := localServer()
	defer stop()
	ctx := context.Background()
	c, _ := cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKIDexample", SecretKey: "secret"}, cosv2.WithEndpoint(srv.URL))
	_, _ = c.Put(ctx, "log.txt", strings.NewReader("0123456789"), 10)

	// Bytes 2..5 of the file: one stat, then signed GETs pinned to this version.
	r, err := c.NewReader(ctx, "log.txt", cosv2.WithRange(2, 4))
	if err != nil {
		panic(err)
	}
	defer r.Close()
	var got bytes.Buffer
	if _, err := got.ReadFrom(r); err != nil {
		panic(err)
	}
	fmt.Println(got.String(), r.Info().Size)
	// Output:
	// 2345 10
}

func ExampleClient_Move() {
	srv, stop := localServer()
	defer stop()
	ctx := context.Background()
	c, _ := cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKIDexample", SecretKey: "secret"}, cosv2.WithEndpoint(srv.URL))
	_, _ = c.Put(ctx, "draft.txt", strings.NewReader("text"), 4)

	if err := c.Move(ctx, "draft.txt", "final.txt"); err != nil {
		panic(err)
	}
	st, err := c.Stat(ctx, "final.txt")
	if err != nil {
		panic(err)
	}
	_, err = c.Stat(ctx, "draft.txt")
	fmt.Println(st.Size, st.SHA1, errors.Is(err, cosv2.ErrFileNotExist))
	// Output:
	// 4 372ea08cab33e71c02c651dbc83a474d32c676ea true
}
