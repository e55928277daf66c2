// Command quickstart sends a directory listing through the generated client to a
// stand-in server on loopback and prints what the request looked like and what
// came back: the smallest end-to-end run of the spec-generated code.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cosv2/cosv2/gen"
)

func main() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("server saw: %s %s\n", r.Method, r.RequestURI)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"code":0,"message":"SUCCESS","data":{"context":"","listover":true,"infos":[{"name":"a.txt","filesize":5,"ctime":1472639071,"mtime":"1472639071"}]}}`)
	}))
	defer srv.Close()

	c, err := gen.NewClientWithResponses(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.ListDirectoryWithResponse(context.Background(), "1250000000", "photos", "/2016 年/",
		&gen.ListDirectoryParams{Op: "list", Num: 20}, gen.KeepSlashes)
	if err != nil {
		log.Fatal(err)
	}
	data := resp.JSON200.Data
	fmt.Printf("code %d, listover %v\n", resp.JSON200.Code, *data.Listover)
	for _, e := range *data.Infos {
		fmt.Printf("  %s (%d bytes)\n", e.Name, *e.Filesize)
	}
}
