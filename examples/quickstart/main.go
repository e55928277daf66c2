// Command quickstart runs the client against a local COS v2 server in this
// process: it makes a directory, uploads a file, lists the directory and
// downloads the file back. Point cosv2.WithRegion (or WithEndpoint) at the
// real service instead of the local server and the calls stay the same.
package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
)

const (
	appID  = "1250000000"
	bucket = "photos"
)

func main() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	creds := cosv2.Credentials{SecretID: "AKIDexample", SecretKey: "example-key"}

	// A local server in memory on a free port of loopback.
	addr := make(chan string, 1)
	go func() {
		err := server.ListenAndServe(ctx, server.Config{AppID: appID, Buckets: []string{bucket},
			SecretID: creds.SecretID, SecretKey: creds.SecretKey, Memory: true},
			"127.0.0.1:0", func(a string) { addr <- a })
		if err != nil {
			log.Fatal(err)
		}
	}()

	c, err := cosv2.New(appID, bucket, creds, cosv2.WithEndpoint("http://"+<-addr))
	if err != nil {
		log.Fatal(err)
	}
	if err := c.MakeDir(ctx, "2016 年/", cosv2.WithBizAttr("holiday")); err != nil {
		log.Fatal(err)
	}
	body := "hello, COS"
	obj, err := c.Put(ctx, "2016 年/hello.txt", strings.NewReader(body), int64(len(body)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored at", obj.ResourcePath)
	for e, err := range c.List(ctx, "2016 年/") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("  %s (%d bytes)\n", e.Name, e.Size)
	}
	var got bytes.Buffer
	if _, err := c.Download(ctx, "2016 年/hello.txt", &got); err != nil {
		log.Fatal(err)
	}
	fmt.Println("downloaded:", got.String())
}
