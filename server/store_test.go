package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

func fetch(srv interface{ Close() }, url string) (int, []byte) {
	resp, err := http.Get(url)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, b
}

var _ = Describe("storage", func() {
	DescribeTable("keeps objects, attributes and unfinished slice uploads across a restart", func(store func() string) {
		dir := store()
		srv := start(dir)
		mkdir(srv, "/keep/")
		Expect(upload(srv, "/keep/a.txt", "persisted", "biz_attr", "attr").Code).To(BeZero())
		init := formOp(srv, signer.Multi, "/keep/big", "op", "upload_slice_init", "filesize", "600000", "slice_size", "524288")
		Expect(init.Code).To(BeZero())
		session := init.Data["session"].(string)
		slice := strings.Repeat("s", 524288)
		Expect(formOp(srv, signer.Multi, "/keep/big", "op", "upload_slice_data", "session", session, "offset", "0", "filecontent", slice).Code).To(BeZero())
		srv.Close()

		srv = start(dir)
		defer srv.Close()
		st := get(srv, "/keep/a.txt", "op=stat")
		Expect(st.Code).To(BeZero())
		Expect(st.Data["biz_attr"]).To(Equal("attr"))
		code, body := fetch(srv, st.Data["source_url"].(string))
		Expect(code).To(Equal(200))
		Expect(string(body)).To(Equal("persisted"))
		Expect(formOp(srv, signer.Multi, "/keep/big", "op", "upload_slice_init", "filesize", "600000", "slice_size", "524288").Code).
			To(Equal(cosv2.ErrUnfinishedUpload.Code))
		list := formOp(srv, signer.Multi, "/keep/big", "op", "upload_slice_list")
		Expect(list.Data["session"]).To(Equal(session))
		Expect(list.Data["listparts"]).To(HaveLen(1))
		Expect(formOp(srv, signer.Multi, "/keep/big", "op", "upload_slice_data", "session", session, "offset", "524288", "filecontent", strings.Repeat("t", 600000-524288)).Code).To(BeZero())
		Expect(formOp(srv, signer.Multi, "/keep/big", "op", "upload_slice_finish", "session", session, "filesize", "600000").Code).To(BeZero())
		_, body = fetch(srv, get(srv, "/keep/big", "op=stat").Data["source_url"].(string))
		Expect(body).To(Equal([]byte(slice + strings.Repeat("t", 600000-524288))))
		// Nothing but the database and the blobs under the data dir.
		entries, err := os.ReadDir(dataDir(dir))
		Expect(err).NotTo(HaveOccurred())
		for _, e := range entries {
			Expect([]string{"meta.db", "meta.db-wal", "meta.db-shm", "blobs"}).To(ContainElement(e.Name()))
		}
	}, persistentEntries())

	It("refuses a data dir of the earlier format with a message that says so, and deletes nothing", func() {
		dir := GinkgoT().TempDir()
		Expect(os.MkdirAll(filepath.Join(dir, "meta", "ab"), 0o755)).To(Succeed())
		Expect(os.MkdirAll(filepath.Join(dir, "data", "ab"), 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "data", "ab", "bytes"), []byte("keep"), 0o644)).To(Succeed())
		_, err := server.New(server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey, DataDir: dir})
		Expect(err).To(MatchError(ContainSubstring("earlier cosv2 serve")))
		Expect(filepath.Join(dir, "data", "ab", "bytes")).To(BeAnExistingFile())
		Expect(filepath.Join(dir, "meta.db")).NotTo(BeAnExistingFile())
	})

	It("deletes nothing at startup that it cannot prove unreferenced", func() {
		dir := GinkgoT().TempDir()
		srv := start(dir)
		mkdir(srv, "/x/")
		srv.Close()
		stray := filepath.Join(dir, "blobs", "ab", "stray")
		Expect(os.MkdirAll(filepath.Dir(stray), 0o755)).To(Succeed())
		Expect(os.WriteFile(stray, []byte("not ours to judge"), 0o644)).To(Succeed())
		srv = start(dir)
		defer srv.Close()
		Expect(get(srv, "/x/", "op=stat").Code).To(BeZero())
		Consistently(stray).WithTimeout(200 * time.Millisecond).Should(BeAnExistingFile())
	})

	DescribeTable("concurrent uploads to one key leave exactly one of them, byte-exact",
		func(dir func() string) {
			srv := start(dir())
			defer srv.Close()
			var wg sync.WaitGroup
			bodies := map[string]bool{}
			for i := range 8 {
				body := strings.Repeat(fmt.Sprint(i), 1000+i)
				bodies[body] = true
				wg.Add(1)
				go func() {
					defer GinkgoRecover()
					defer wg.Done()
					a := upload(srv, "/same.bin", body, "insertOnly", "0")
					Expect(a.Code).To(BeZero(), a.Message)
				}()
			}
			wg.Wait()
			st := get(srv, "/same.bin", "op=stat")
			_, got := fetch(srv, st.Data["source_url"].(string))
			Expect(bodies).To(HaveKey(string(got)))
			Expect(st.Data["filesize"]).To(BeEquivalentTo(len(got)))
		},
		storeEntries(),
	)

	DescribeTable("finishes with the SHA-1 of the bytes stored last, whatever order the slices came in",
		func(dir func() string) {
			srv := start(dir())
			defer srv.Close()
			const slice = 512 << 10
			old := bytes.Repeat([]byte("0123456789abcdef"), 3*slice/16)
			init := formOp(srv, signer.Multi, "/h.bin", "op", "upload_slice_init", "filesize", fmt.Sprint(len(old)), "slice_size", fmt.Sprint(slice))
			Expect(init.Code).To(BeZero(), init.Message)
			session := init.Data["session"].(string)
			send := func(b []byte, off int) {
				a := formOp(srv, signer.Multi, "/h.bin", "op", "upload_slice_data", "session", session, "offset", fmt.Sprint(off),
					"filecontent", string(b[off:off+slice]))
				Expect(a.Code).To(BeZero(), a.Message)
			}
			finish := func(b []byte) answer {
				return formOp(srv, signer.Multi, "/h.bin", "op", "upload_slice_finish", "session", session, "filesize", fmt.Sprint(len(b)), "sha", sha(b))
			}
			for _, off := range []int{2 * slice, 0, slice} { // the hash can only start with the last of them
				send(old, off)
			}
			// The first slice again, with other bytes, after the hash has read it.
			now := bytes.Clone(old)
			copy(now, bytes.Repeat([]byte("X"), slice))
			send(now, 0)
			Expect(finish(old).Code).To(Equal(cosv2.ErrSHANotEqual.Code))
			fin := finish(now)
			Expect(fin.Code).To(BeZero(), fin.Message)
			_, got := fetch(srv, fin.Data["source_url"].(string))
			Expect(got).To(Equal(now))
		},
		storeEntries(),
	)

	It("pages a listing stably while entries are inserted between pages", func() {
		srv := start("")
		defer srv.Close()
		c, err := cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, cosv2.WithEndpoint(srv.URL))
		Expect(err).NotTo(HaveOccurred())
		ctx := context.Background()
		for _, n := range []string{"b", "d", "f", "h"} {
			_, err := c.Put(ctx, n, bytes.NewReader([]byte(n)), 1)
			Expect(err).NotTo(HaveOccurred())
		}
		var seen []string
		for e, err := range c.List(ctx, "/", cosv2.WithPageSize(2)) {
			Expect(err).NotTo(HaveOccurred())
			seen = append(seen, e.Name)
			if e.Name == "d" { // between pages: one before the cursor, one after
				_, _ = c.Put(ctx, "a", bytes.NewReader([]byte("a")), 1)
				_, _ = c.Put(ctx, "g", bytes.NewReader([]byte("g")), 1)
			}
		}
		Expect(seen).To(Equal([]string{"b", "d", "f", "g", "h"}))
	})

	It("serves byte ranges, ETag and custom headers on downloads, also by bucket host", func() {
		srv := start("")
		defer srv.Close()
		Expect(upload(srv, "/r.txt", "0123456789").Code).To(BeZero())
		Expect(jsonOp(srv, signer.Once, "/r.txt", map[string]any{"op": "update", "custom_headers": map[string]string{"Content-Type": "text/x-test"}}).Code).To(BeZero())
		url := get(srv, "/r.txt", "op=stat").Data["source_url"].(string)
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Range", "bytes=2-4")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(206))
		Expect(string(b)).To(Equal("234"))
		Expect(resp.Header.Get("ETag")).To(Equal(`"87acec17cd9dcd20a716cc2cf67417b71c8a7016"`))
		Expect(resp.Header.Get("Content-Type")).To(Equal("text/x-test"))
		req, _ = http.NewRequest("GET", srv.URL+"/r.txt?sign=abc+def", nil)
		req.Host = bucket + "-" + appID + ".cos.example"
		resp, err = http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200))
		Expect(string(b)).To(Equal("0123456789"))
	})
})

var _ = Describe("copy", func() {
	It("keeps the source's attributes, authority and custom headers", func() {
		srv := start("")
		defer srv.Close()
		Expect(upload(srv, "/src.txt", "bytes", "biz_attr", "attr").Code).To(BeZero())
		Expect(jsonOp(srv, signer.Once, "/src.txt", map[string]any{"op": "update", "authority": "eWRPrivate",
			"custom_headers": map[string]string{"Content-Type": "text/x-test"}}).Code).To(BeZero())
		Expect(formOp(srv, signer.Once, "/src.txt", "op", "copy", "dest_fileid", "/dst.txt").Code).To(BeZero())
		st := get(srv, "/dst.txt", "op=stat")
		Expect(st.Data["biz_attr"]).To(Equal("attr"))
		Expect(st.Data["authority"]).To(Equal("eWRPrivate"))
		Expect(st.Data["custom_headers"]).To(HaveKeyWithValue("Content-Type", "text/x-test"))
	})
})

var _ = Describe("a move's relative destination", func() {
	// A relative dest_fileid is taken from the source's directory. Joined
	// to a directory named after the appid and bucket, it was then read as
	// a resource path /<appid>/<bucket>/<path>: the file went to the root.
	It("stays in the source's directory, even one named /<appid>/<bucket>/", func() {
		srv := start("")
		defer srv.Close()
		dir := "/" + appID + "/" + bucket + "/"
		mkdir(srv, "/"+appID+"/")
		mkdir(srv, dir)
		Expect(upload(srv, dir+"a.txt", "a").Code).To(BeZero())
		Expect(formOp(srv, signer.Once, dir+"a.txt", "op", "move", "dest_fileid", "b.txt").Code).To(BeZero())
		Expect(get(srv, dir+"b.txt", "op=stat").Code).To(BeZero())
		Expect(get(srv, "/b.txt", "op=stat").Code).To(Equal(cosv2.ErrFileNotExist.Code))
	})
})

var _ = Describe("a JSON body's numbers", func() {
	// The document's fields are Int; a JSON body may send them as numbers.
	// A server that does not validate took a number for an absent field:
	// {"to_over_write":1} refused to overwrite (-177) instead of replacing.
	It("count as the numbers they are on a server that does not validate", func() {
		srv := startWith(nil) // cosv2 serve's default: no spec validation
		Expect(upload(srv, "/src.txt", "new").Code).To(BeZero())
		Expect(upload(srv, "/dst.txt", "old").Code).To(BeZero())
		a := jsonOp(srv, signer.Once, "/src.txt", map[string]any{"op": "move", "dest_fileid": "/dst.txt", "to_over_write": 1})
		Expect(a.Code).To(BeZero(), a.Message)
		_, b := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/dst.txt")
		Expect(string(b)).To(Equal("new"))
	})
})

var _ = Describe("text the metadata keeps", func() {
	// SQLite kept a biz_attr with a NUL or bytes that are not UTF-8, and
	// compared such a list context; PostgreSQL's text refuses them, so the
	// same request answered -181 ("the server's storage failed", logged as
	// an error) there. Every store now refuses them alike.
	DescribeTable("a biz_attr or list context that is not UTF-8 or holds a NUL is refused on every store alike",
		func(store func() string) {
			srv := start(store())
			defer srv.Close()
			for _, c := range []struct {
				text string
				code int
			}{{"a\xffb", cosv2.ErrNotUTF8.Code}, {"a\x00b", cosv2.ErrCGIParam.Code}} {
				Expect(upload(srv, "/f", "bytes", "biz_attr", c.text).Code).To(Equal(c.code), "upload %q", c.text)
				Expect(formOp(srv, signer.Multi, "/big", "op", "upload_slice_init", "filesize", "600000", "slice_size", "524288",
					"biz_attr", c.text).Code).To(Equal(c.code), "slice init %q", c.text)
				Expect(get(srv, "/", "op=list&num=10&context="+url.QueryEscape(c.text)).Code).To(Equal(c.code), "list %q", c.text)
			}
			a := jsonOp(srv, signer.Multi, "/d/", map[string]string{"op": "create", "biz_attr": "a\x00b"})
			Expect(a.Code).To(Equal(cosv2.ErrCGIParam.Code), a.Message)
			Expect(upload(srv, "/f", "bytes", "biz_attr", "属性 ok").Code).To(BeZero())
			Expect(get(srv, "/f", "op=stat").Data["biz_attr"]).To(Equal("属性 ok"))
		},
		storeEntries()[:3],
	)
})

var _ = Describe("move and copy with to_over_write", func() {
	// The destination's bytes lost their last reference before the
	// destination's row stopped holding them: the database refused the
	// transaction (a foreign key), and every such move or copy answered -181.
	DescribeTable("replace a file that holds its bytes alone, and drop those bytes",
		func(op string, store func() string) {
			dir := store()
			srv := start(dir)
			defer srv.Close()
			Expect(upload(srv, "/src.txt", "new bytes").Code).To(BeZero())
			Expect(upload(srv, "/dst.txt", "old bytes").Code).To(BeZero())
			a := formOp(srv, signer.Once, "/src.txt", "op", op, "dest_fileid", "/dst.txt", "to_over_write", "1")
			Expect(a.Code).To(BeZero(), a.Message)
			_, b := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/dst.txt")
			Expect(string(b)).To(Equal("new bytes"))
			if op == "move" {
				Expect(get(srv, "/src.txt", "op=stat").Code).To(Equal(cosv2.ErrFileNotExist.Code))
			} else {
				_, b = fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/src.txt")
				Expect(string(b)).To(Equal("new bytes"))
			}
			if dir != "" && dir == dataDir(dir) { // SQLite and files: count what is stored
				Eventually(func() int { return blobFiles(dir) }).Should(Equal(1), "the replaced bytes are collected, the others shared")
			}
		},
		Entry("move, in memory", "move", func() string { return "" }),
		Entry("copy, in memory", "copy", func() string { return "" }),
		Entry("move, on disk with SQLite", "move", func() string { return GinkgoT().TempDir() }),
		Entry("copy, on disk with SQLite", "copy", func() string { return GinkgoT().TempDir() }),
		Entry("move, on disk with PostgreSQL", "move", func() string { return pgPrefix + GinkgoT().TempDir() }),
		Entry("copy, on S3 with PostgreSQL", "copy", func() string { return s3Prefix + pgPrefix + GinkgoT().TempDir() }),
	)
})

var _ = Describe("restarts that the old store lost data on", func() {
	serveOn := func(dir string, buckets ...string) *httptest.Server {
		srv := httptest.NewUnstartedServer(nil)
		s, err := server.New(server.Config{AppID: appID, Buckets: buckets, SecretID: secretID, SecretKey: secretKey, DataDir: dir,
			BaseURL: "http://" + srv.Listener.Addr().String()})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		srv.Config.Handler = s
		srv.Start()
		DeferCleanup(srv.Close)
		return srv
	}
	It("a bucket left out of --bucket is not served and not touched: back in the list, its files are whole", func() {
		dir := GinkgoT().TempDir()
		srv := serveOn(dir, bucket, "other")
		Expect(formOp2(srv, "other", "/kept.txt", "op", "upload", "filecontent", strings.Repeat("k", 100<<10)).Code).To(BeZero())
		srv.Close()
		srv = serveOn(dir, bucket)
		Expect(upload(srv, "/x", "x").Code).To(BeZero())
		a := call2(srv, "other", "GET", "/kept.txt?op=stat", "", nil, sign(signer.Multi, "other", "/kept.txt"))
		Expect(a.Code).To(Equal(cosv2.ErrBucketNotMatch.Code), "not served")
		srv.Close()
		srv = serveOn(dir, bucket, "other")
		code, b := fetch(srv, srv.URL+"/"+appID+"/other/kept.txt")
		Expect(code).To(Equal(200))
		Expect(b).To(Equal([]byte(strings.Repeat("k", 100<<10))))
	})

	// A session row whose slice size or uploadparts could not come from an
	// init divided by zero: a panic, recovered in the request (500, -1) or,
	// in the hash a slice write leaves running, the end of the process.
	DescribeTable("a corrupt session row is a clear error for its upload",
		func(corrupt string) {
			dir := GinkgoT().TempDir()
			srv := serveOn(dir, bucket)
			const size = 2 * 524288
			parts := fmt.Sprintf(`[{"offset":0,"datalen":524288,"datasha":"%s"},{"offset":524288,"datalen":524288,"datasha":"%s"}]`,
				strings.Repeat("a", 40), strings.Repeat("b", 40))
			init := formOp(srv, signer.Multi, "/big", "op", "upload_slice_init", "filesize", fmt.Sprint(size), "slice_size", "524288",
				"sha", strings.Repeat("b", 40), "uploadparts", parts)
			Expect(init.Code).To(BeZero(), init.Message)
			session := init.Data["session"].(string)
			srv.Close()
			db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "meta.db")+"?_pragma=busy_timeout(10000)") // the first server still holds it open
			Expect(err).NotTo(HaveOccurred())
			_, err = db.Exec(`UPDATE sessions SET ` + corrupt)
			Expect(err).NotTo(HaveOccurred())
			Expect(db.Close()).To(Succeed())
			srv = serveOn(dir, bucket)
			for _, a := range []answer{
				formOp(srv, signer.Multi, "/big", "op", "upload_slice_data", "session", session, "offset", "0", "filecontent", strings.Repeat("x", 524288)),
				formOp(srv, signer.Multi, "/big", "op", "upload_slice_list"),
			} {
				Expect(a.Code).To(Equal(cosv2.ErrCmdError.Code), a.Message)
				Expect(a.Message).To(ContainSubstring("storage"))
			}
			Expect(upload(srv, "/other", "fine").Code).To(BeZero())
			// The way out (cosv2 rm --incomplete) discards it, and the path
			// takes an upload again before the session expires.
			del := deleteDir(srv, "/big", sign(signer.Once, bucket, "/big"))
			Expect(del.Code).To(BeZero(), del.Message)
			Expect(upload(srv, "/big", "fine").Code).To(BeZero())
		},
		Entry("uploadparts of empty slices", `parts = '[{"offset":0,"datalen":0,"datasha":"`+strings.Repeat("a", 40)+`"}]'`),
		Entry("a slice size of 0", `slice_size = 0`),
	)

	It("a corrupt row is a clear error for the file it holds, and deletes nothing", func() {
		dir := GinkgoT().TempDir()
		srv := serveOn(dir, bucket)
		Expect(upload(srv, "/bad.txt", "bad").Code).To(BeZero())
		Expect(upload(srv, "/good.txt", "good").Code).To(BeZero())
		srv.Close()
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "meta.db")+"?_pragma=busy_timeout(10000)") // the first server still holds it open
		Expect(err).NotTo(HaveOccurred())
		_, err = db.Exec(`UPDATE nodes SET headers = '{not json' WHERE name = 'bad.txt'`)
		Expect(err).NotTo(HaveOccurred())
		Expect(db.Close()).To(Succeed())
		srv = serveOn(dir, bucket)
		a := get(srv, "/bad.txt", "op=stat")
		Expect(a.Code).To(Equal(cosv2.ErrCmdError.Code))
		Expect(a.Message).To(ContainSubstring("storage"))
		Expect(get(srv, "/good.txt", "op=stat").Code).To(BeZero())
		_, b := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/good.txt")
		Expect(string(b)).To(Equal("good"))
	})
})
