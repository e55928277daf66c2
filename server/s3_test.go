package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/minio/minio-go/v7"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("bytes on S3", func() {
	DescribeTable("one object per whole file and per stored slice, shared by copies and quick uploads, deleted once the last file lets go",
		func(store string) {
			d := GinkgoT().TempDir()
			if store == "postgres" {
				d = pgPrefix + d
			}
			srv := start(s3Prefix + d)
			defer srv.Close()
			objects := func() []string { return s3Objects(d) }
			download := func(path, rng string) (int, []byte) {
				req, err := http.NewRequest(http.MethodGet, srv.URL+"/"+appID+"/"+bucket+path, nil)
				Expect(err).NotTo(HaveOccurred())
				if rng != "" {
					req.Header.Set("Range", rng)
				}
				resp, err := http.DefaultClient.Do(req)
				Expect(err).NotTo(HaveOccurred())
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				Expect(err).NotTo(HaveOccurred())
				return resp.StatusCode, b
			}
			del := func(path string) {
				a := jsonOp(srv, signer.Once, path, map[string]string{"op": "delete"})
				Expect(a.Code).To(BeZero(), a.Message)
			}

			// A simple upload: one object under the prefix.
			Expect(upload(srv, "/a.txt", "first bytes").Code).To(BeZero())
			Expect(objects()).To(ConsistOf(MatchRegexp(`^blobs/[0-9a-f]{48}$`)))
			first := objects()[0]

			// A slice upload, its slices sent out of order: one object per slice, nothing composed.
			const slice = 512 << 10
			big := bytes.Repeat([]byte("0123456789abcdef"), (2*slice+151424)/16)
			init := formOp(srv, signer.Multi, "/big.bin", "op", "upload_slice_init", "filesize", fmt.Sprint(len(big)), "slice_size", fmt.Sprint(slice), "sha", sha(big))
			Expect(init.Code).To(BeZero(), init.Message)
			session := init.Data["session"].(string)
			for _, off := range []int{2 * slice, 0, slice} {
				a := formOp(srv, signer.Multi, "/big.bin", "op", "upload_slice_data", "session", session, "offset", fmt.Sprint(off),
					"filecontent", string(big[off:min(off+slice, len(big))]))
				Expect(a.Code).To(BeZero(), a.Message)
			}
			fin := formOp(srv, signer.Multi, "/big.bin", "op", "upload_slice_finish", "session", session, "filesize", fmt.Sprint(len(big)))
			Expect(fin.Code).To(BeZero(), fin.Message)
			sliced := regexp.MustCompile(`^blobs/s` + session + `/(0000000000000|0000000524288|0000001048576)$`)
			Expect(objects()).To(HaveLen(4))
			Expect(objects()).To(ContainElement(first))
			Expect(slices.DeleteFunc(objects(), sliced.MatchString)).To(Equal([]string{first}))

			// Downloads: whole, and ranges within and across slice objects.
			code, got := download("/big.bin", "")
			Expect(code).To(Equal(200))
			Expect(got).To(Equal(big))
			for _, r := range [][2]int{{0, 9}, {slice - 5, slice + 5}, {slice - 1, 2*slice + 1}, {2*slice + 100, len(big) - 1}} {
				code, got := download("/big.bin", fmt.Sprintf("bytes=%d-%d", r[0], r[1]))
				Expect(code).To(Equal(206))
				Expect(got).To(Equal(big[r[0] : r[1]+1]))
			}

			// Copies and a quick upload share the objects: none is added.
			Expect(formOp(srv, signer.Once, "/a.txt", "op", "copy", "dest_fileid", "/a2.txt").Code).To(BeZero())
			Expect(formOp(srv, signer.Once, "/big.bin", "op", "copy", "dest_fileid", "/big2.bin").Code).To(BeZero())
			quick := formOp(srv, signer.Multi, "/big3.bin", "op", "upload_slice_init", "filesize", fmt.Sprint(len(big)), "slice_size", fmt.Sprint(slice), "sha", sha(big))
			Expect(quick.Code).To(BeZero(), quick.Message)
			Expect(quick.Data).NotTo(HaveKey("session"))
			Expect(objects()).To(HaveLen(4))
			_, got = download("/big3.bin", "")
			Expect(got).To(Equal(big))

			// Overwriting a.txt adds an object; its old bytes live on in a2.txt.
			Expect(upload(srv, "/a.txt", "second bytes", "insertOnly", "0").Code).To(BeZero())
			Expect(objects()).To(HaveLen(5))
			// Deleting a2.txt lets the old bytes go, and only them.
			del("/a2.txt")
			Eventually(objects).WithTimeout(10 * time.Second).Should(HaveLen(4))
			Expect(objects()).NotTo(ContainElement(first))
			_, got = download("/a.txt", "")
			Expect(string(got)).To(Equal("second bytes"))

			// Two of the three names of the big file go: its slices stay for the third.
			del("/big.bin")
			del("/big2.bin")
			Consistently(objects).WithTimeout(500 * time.Millisecond).Should(HaveLen(4))
			_, got = download("/big3.bin", "")
			Expect(got).To(Equal(big))
			del("/big3.bin")
			Eventually(objects).WithTimeout(10 * time.Second).Should(HaveLen(1))

			// An upload given up: a discarded session's slices go too.
			init = formOp(srv, signer.Multi, "/gone.bin", "op", "upload_slice_init", "filesize", fmt.Sprint(len(big)), "slice_size", fmt.Sprint(slice))
			Expect(init.Code).To(BeZero(), init.Message)
			session = init.Data["session"].(string)
			Expect(formOp(srv, signer.Multi, "/gone.bin", "op", "upload_slice_data", "session", session, "offset", "0",
				"filecontent", string(big[:slice])).Code).To(BeZero())
			Expect(objects()).To(HaveLen(2))
			Expect(upload(srv, "/gone.bin", "a simple upload wins", "insertOnly", "1").Code).To(BeZero())
			fin = formOp(srv, signer.Multi, "/gone.bin", "op", "upload_slice_data", "session", session, "offset", fmt.Sprint(slice),
				"filecontent", string(big[slice:2*slice]))
			Expect(fin.Code).To(BeZero(), fin.Message)
			Expect(formOp(srv, signer.Multi, "/gone.bin", "op", "upload_slice_data", "session", session, "offset", fmt.Sprint(2*slice),
				"filecontent", string(big[2*slice:])).Code).To(BeZero())
			fin = formOp(srv, signer.Multi, "/gone.bin", "op", "upload_slice_finish", "session", session, "filesize", fmt.Sprint(len(big)))
			Expect(fin.Code).NotTo(BeZero(), "insertOnly: the simple upload got there first")
			Eventually(objects).WithTimeout(10 * time.Second).Should(HaveLen(2)) // a.txt and gone.bin
			Expect(strings.Join(objects(), " ")).NotTo(ContainSubstring(session))

			del("/a.txt")
			del("/gone.bin")
			Eventually(objects).WithTimeout(10 * time.Second).Should(BeEmpty())
		},
		Entry("with SQLite", "sqlite"),
		Entry("with PostgreSQL", "postgres"),
	)

	It("deletes nothing in the bucket at startup that it cannot prove unreferenced", func() {
		d := GinkgoT().TempDir()
		srv := start(s3Prefix + d)
		mkdir(srv, "/x/")
		srv.Close()
		st := s3For(d)
		for _, k := range []string{"blobs/stray", "blobs/sstray/0000000000000", "elsewhere/keep"} {
			_, err := s3Client.PutObject(context.Background(), st.Bucket, k, strings.NewReader("not ours to judge"), 17, minio.PutObjectOptions{})
			Expect(err).NotTo(HaveOccurred())
		}
		srv = start(s3Prefix + d)
		defer srv.Close()
		Expect(get(srv, "/x/", "op=stat").Code).To(BeZero())
		Consistently(func() []string { return s3Objects(d) }).WithTimeout(300 * time.Millisecond).
			Should(ConsistOf("blobs/stray", "blobs/sstray/0000000000000", "elsewhere/keep"))
	})

	It("answers 404, not a torn 200, for a file whose object was lost behind its back", func() {
		d := GinkgoT().TempDir()
		srv := start(s3Prefix + d)
		defer srv.Close()
		Expect(upload(srv, "/lost.txt", "bytes to lose").Code).To(BeZero())
		objs := s3Objects(d)
		Expect(objs).To(HaveLen(1))
		Expect(s3Client.RemoveObject(context.Background(), s3For(d).Bucket, objs[0], minio.RemoveObjectOptions{})).To(Succeed())
		code, _ := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/lost.txt")
		Expect(code).To(Equal(404))
	})

	It("refuses Blobs with Memory, and a bucket that is not there", func() {
		st := s3For(GinkgoT().TempDir())
		cfg := server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey, Memory: true,
			Blobs: st.Blobs(), S3Endpoint: st.Endpoint, S3AccessKey: st.AccessKey, S3SecretKey: st.SecretKey, S3Region: st.Region}
		_, err := server.New(cfg)
		Expect(err).To(MatchError(ContainSubstring("exclude each other")))
		cfg.Memory, cfg.DataDir, cfg.Blobs = false, GinkgoT().TempDir(), "s3://no-such-bucket/x"
		_, err = server.New(cfg)
		Expect(err).To(MatchError(ContainSubstring("does not exist")))
		cfg.Blobs = "s3:/nobucket"
		_, err = server.New(cfg)
		Expect(err).To(MatchError(ContainSubstring("want s3://bucket")))
	})

	It("lets two servers sharing PostgreSQL and S3 serve one bucket: slices alternating between them finish byte-exact", func() {
		d := pgPrefix + GinkgoT().TempDir()
		one, two := start(s3Prefix+d), start(s3Prefix+d)
		defer one.Close()
		defer two.Close()
		const slice = 512 << 10
		data := bytes.Repeat([]byte("shared-bytes-"), 5*slice/13+1)[:5*slice-1000]
		init := formOp(one, signer.Multi, "/both.bin", "op", "upload_slice_init", "filesize", fmt.Sprint(len(data)), "slice_size", fmt.Sprint(slice), "sha", sha(data))
		Expect(init.Code).To(BeZero(), init.Message)
		session := init.Data["session"].(string)
		for i, off := range []int{3 * slice, 0, 4 * slice, 2 * slice, slice} {
			srv := []*httptest.Server{one, two}[i%2]
			a := formOp(srv, signer.Multi, "/both.bin", "op", "upload_slice_data", "session", session, "offset", fmt.Sprint(off),
				"filecontent", string(data[off:min(off+slice, len(data))]))
			Expect(a.Code).To(BeZero(), a.Message)
		}
		list := formOp(two, signer.Multi, "/both.bin", "op", "upload_slice_list")
		Expect(list.Data["listparts"]).To(HaveLen(5))
		fin := formOp(two, signer.Multi, "/both.bin", "op", "upload_slice_finish", "session", session, "filesize", fmt.Sprint(len(data)))
		Expect(fin.Code).To(BeZero(), fin.Message)
		for _, srv := range []*httptest.Server{one, two} {
			Expect(get(srv, "/both.bin", "op=stat").Data["sha"]).To(Equal(sha(data)))
			code, got := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/both.bin")
			Expect(code).To(Equal(200))
			Expect(got).To(Equal(data))
		}
		// A delete at one server: the other's collector or its own deletes the objects, once.
		Expect(jsonOp(one, signer.Once, "/both.bin", map[string]string{"op": "delete"}).Code).To(BeZero())
		Expect(get(two, "/both.bin", "op=stat").Code).NotTo(BeZero())
		Eventually(func() []string { return s3Objects(d) }).WithTimeout(10 * time.Second).Should(BeEmpty())
	})

	It("collects the slice objects of an upload left to expire, and nothing live", func() {
		d := GinkgoT().TempDir()
		st := s3For(d)
		var clock atomic.Int64
		clock.Store(time.Now().Unix())
		now := func() time.Time { return time.Unix(clock.Load(), 0) }
		srv := httptest.NewUnstartedServer(nil)
		s, err := server.New(server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey, DataDir: d,
			Blobs: st.Blobs(), S3Endpoint: st.Endpoint, S3AccessKey: st.AccessKey, S3SecretKey: st.SecretKey, S3Region: st.Region,
			InlineMax: -1, SessionTTL: time.Hour, DropGrace: -1, Now: now, Validate: true, BaseURL: "http://" + srv.Listener.Addr().String()})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		srv.Config.Handler = s
		srv.Start()
		defer srv.Close()
		op := func(path string, fields ...string) answer { // signed by the server's clock
			sig, err := signer.Sign(creds, signer.Params{Bucket: bucket, Kind: signer.Multi, Now: now(), Expires: now().Add(time.Minute), Rand: rnd.Add(1)})
			Expect(err).NotTo(HaveOccurred())
			ct, body := form(fields...)
			return call(srv, http.MethodPost, path, "", ct, body, sig)
		}
		const slice = 512 << 10
		init := op("/left.bin", "op", "upload_slice_init", "filesize", fmt.Sprint(3*slice), "slice_size", fmt.Sprint(slice))
		Expect(init.Code).To(BeZero(), init.Message)
		session := init.Data["session"].(string)
		for _, off := range []int{0, 2 * slice} {
			a := op("/left.bin", "op", "upload_slice_data", "session", session, "offset", fmt.Sprint(off), "filecontent", strings.Repeat("l", slice))
			Expect(a.Code).To(BeZero(), a.Message)
		}
		Expect(op("/live.txt", "op", "upload", "filecontent", "live").Code).To(BeZero())
		Expect(s3Objects(d)).To(HaveLen(3))

		// Within the TTL and its grace nothing goes; past them the session's slices do.
		// An overwrite drops a reference, which wakes the collector; the
		// sessions are looked at once a second at most.
		kick := func() {
			Expect(op("/kick.txt", "op", "upload", "filecontent", "k", "insertOnly", "0").Code).To(BeZero())
		}
		clock.Add(int64(time.Hour.Seconds()) + 60)
		Eventually(func() int { kick(); return op("/left.bin", "op", "upload_slice_list").Code }).WithTimeout(5 * time.Second).ShouldNot(BeZero())
		ofSession := func() int { return strings.Count(strings.Join(s3Objects(d), " "), session) }
		Consistently(func() int { kick(); return ofSession() }).WithTimeout(1500*time.Millisecond).Should(Equal(2), "kept through the grace")
		clock.Add(3600 + 60)
		Eventually(func() int { kick(); return ofSession() }).WithTimeout(10 * time.Second).Should(BeZero())
		Eventually(s3Objects).WithArguments(d).WithTimeout(10*time.Second).Should(HaveLen(2), "live.txt and kick.txt")
		Expect(strings.Join(s3Objects(d), " ")).NotTo(ContainSubstring(session))
		Expect(op("/left.bin", "op", "upload_slice_list").Code).NotTo(BeZero())
		_, got := fetch(srv, srv.URL+"/"+appID+"/"+bucket+"/live.txt")
		Expect(string(got)).To(Equal("live"))
	})

	It("lets another cosv2 serve on the same PostgreSQL and S3 resume an upload after the first is killed -9", func() {
		bin := cosv2Binary()
		d := GinkgoT().TempDir()
		pg, st := postgresFor(d), s3For(d)
		serve := func() (*gexec.Session, *cosv2.Client) {
			// No --data: with --meta and --blobs nothing is kept on this machine.
			cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--meta", pg, "--blobs", st.Blobs(), "--appid", appID, "--bucket", bucket,
				"--secret-id", secretID, "--secret-key", secretKey)
			cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+st.Endpoint, "AWS_ACCESS_KEY_ID="+st.AccessKey,
				"AWS_SECRET_ACCESS_KEY="+st.SecretKey, "AWS_REGION="+st.Region) // the usual names, no flags
			s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			Eventually(s.Out).WithTimeout(30 * time.Second).Should(gbytes.Say(`listening on `))
			url := strings.TrimSpace(strings.TrimPrefix(string(s.Out.Contents()), "listening on "))
			c, err := cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, cosv2.WithEndpoint(url),
				cosv2.WithHTTPClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}))
			Expect(err).NotTo(HaveOccurred())
			return s, c
		}
		a, ca := serve()
		b, cb := serve()
		defer func() { b.Terminate(); Eventually(b).WithTimeout(20 * time.Second).Should(gexec.Exit(0)) }()

		const slice = 1 << 20
		data := make([]byte, 6*slice+777)
		for i := range data {
			data[i] = byte(i*13 + i>>12)
		}
		ctx := context.Background()
		sess, err := ca.SliceInit(ctx, "/resumed.bin", int64(len(data)), slice, cosv2.SliceInitOptions{SHA1: sha(data)})
		Expect(err).NotTo(HaveOccurred())
		for i, off := range []int64{0, 3 * slice, slice} { // alternating servers, out of order
			Expect([]*cosv2.Client{ca, cb}[i%2].SliceData(ctx, "/resumed.bin", sess.Session, off, bytes.NewReader(data), slice)).To(Succeed())
		}
		Expect(a.Command.Process.Signal(syscall.SIGKILL)).To(Succeed())
		Eventually(a).Should(gexec.Exit())

		// The other server resumes: it lists what is stored and sends the rest.
		list, err := cb.SliceList(ctx, "/resumed.bin")
		Expect(err).NotTo(HaveOccurred())
		Expect(list.Session).To(Equal(sess.Session))
		stored := map[int64]bool{}
		for _, p := range list.Parts {
			stored[p.Offset] = true
		}
		Expect(stored).To(HaveLen(3))
		for off := int64(0); off < int64(len(data)); off += slice {
			if !stored[off] {
				Expect(cb.SliceData(ctx, "/resumed.bin", sess.Session, off, bytes.NewReader(data), min(slice, int64(len(data))-off))).To(Succeed())
			}
		}
		_, err = cb.SliceFinish(ctx, "/resumed.bin", sess.Session, int64(len(data)), sha(data))
		Expect(err).NotTo(HaveOccurred())
		info, err := cb.Stat(ctx, "resumed.bin")
		Expect(err).NotTo(HaveOccurred())
		Expect(info.SHA1).To(Equal(sha(data)))
		var got bytes.Buffer
		_, err = cb.Download(ctx, "resumed.bin", &got)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Bytes()).To(Equal(data))
		// One object per slice, nothing else.
		Expect(s3Objects(d)).To(HaveLen(7))
	})
})
