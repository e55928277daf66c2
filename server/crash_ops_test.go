package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/onsi/gomega/gexec"

	"github.com/cosv2/cosv2"
)

// body is the content of file name in round r: each file has its own, so a
// stored object tells which write it came from.
func body(r int, name string, n int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("%d:%s|", r, name)), n/8+1)[:n]
}

var _ = Describe("a crash during moves, copies, deletes, overwrites and finishes", func() {
	It("keeps every acknowledged operation, holds nothing twice, and neither loses nor leaks a blob (10 rounds)", func() {
		data := GinkgoT().TempDir()
		ctx := context.Background()
		for round := range 10 {
			c := serveChild(data, bucket)
			cl := singleShotClient(c.url)
			dir := fmt.Sprintf("/r%d/", round)
			Expect(cl.MakeDir(ctx, dir)).To(Succeed())
			const n = 4
			name := func(op string, i int) string { return fmt.Sprintf("%s%s%d", dir, op, i) }
			put := func(path string, b []byte, opts ...cosv2.PutOption) error {
				_, err := cl.Put(ctx, path, bytes.NewReader(b), int64(len(b)), opts...)
				return err
			}
			// Before the crash: files to move, copy, delete and overwrite, and
			// slice uploads with every slice stored, waiting for their finish.
			sessions := map[int]string{}
			for i := range n {
				for _, op := range []string{"mv", "cp", "rm", "ow"} {
					Expect(put(name(op, i), body(round, name(op, i), 3000+i))).To(Succeed())
				}
				f := name("fin", i)
				b := body(round, f, 700000)
				s, err := cl.SliceInit(ctx, f, int64(len(b)), 524288, cosv2.SliceInitOptions{})
				Expect(err).NotTo(HaveOccurred())
				for off := int64(0); off < int64(len(b)); off += 524288 {
					Expect(cl.SliceData(ctx, f, s.Session, off, bytes.NewReader(b), min(524288, int64(len(b))-off))).To(Succeed())
				}
				sessions[i] = s.Session
			}
			// The operations race a kill -9.
			var mu sync.Mutex
			acked := map[string]bool{}
			var wg sync.WaitGroup
			run := func(key string, f func() error) {
				wg.Go(func() {
					if f() == nil {
						mu.Lock()
						acked[key] = true
						mu.Unlock()
					}
				})
			}
			for i := range n {
				run(name("mv", i), func() error { return cl.Move(ctx, name("mv", i), name("mv", i)+".moved") })
				run(name("cp", i), func() error { return cl.Copy(ctx, name("cp", i), name("cp", i)+".copy") })
				run(name("rm", i), func() error { return cl.Remove(ctx, name("rm", i)) })
				run(name("ow", i), func() error {
					return put(name("ow", i), body(round+100, name("ow", i), 5000), cosv2.WithOverwrite())
				})
				run(name("fin", i), func() error {
					b := body(round, name("fin", i), 700000)
					_, err := cl.SliceFinish(ctx, name("fin", i), sessions[i], int64(len(b)), "")
					return err
				})
			}
			time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
			c.s.Kill()
			Eventually(c.s).Should(gexec.Exit())
			wg.Wait()

			c = serveChild(data, bucket)
			var err error
			cl, err = cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, cosv2.WithEndpoint(c.url))
			Expect(err).NotTo(HaveOccurred())
			read := func(path string) ([]byte, bool) {
				var b bytes.Buffer
				_, err := cl.Download(ctx, path, &b)
				if errors.Is(err, cosv2.ErrFileNotExist) {
					return nil, false
				}
				Expect(err).NotTo(HaveOccurred(), path)
				return b.Bytes(), true
			}
			for i := range n {
				mv, mvOK := read(name("mv", i))
				moved, movedOK := read(name("mv", i) + ".moved")
				Expect(mvOK).NotTo(Equal(movedOK), "%s: exactly one of source and destination (round %d)", name("mv", i), round)
				Expect(append(mv, moved...)).To(Equal(body(round, name("mv", i), 3000+i)))
				if acked[name("mv", i)] {
					Expect(movedOK).To(BeTrue(), "an acknowledged move")
				}
				cp, cpOK := read(name("cp", i))
				Expect(cpOK).To(BeTrue())
				Expect(cp).To(Equal(body(round, name("cp", i), 3000+i)))
				if c2, ok := read(name("cp", i) + ".copy"); ok || acked[name("cp", i)] {
					Expect(c2).To(Equal(cp), "the copy of %s", name("cp", i))
				}
				rm, rmOK := read(name("rm", i))
				if acked[name("rm", i)] {
					Expect(rmOK).To(BeFalse(), "an acknowledged delete")
				} else if rmOK {
					Expect(rm).To(Equal(body(round, name("rm", i), 3000+i)))
				}
				ow, owOK := read(name("ow", i))
				Expect(owOK).To(BeTrue())
				if acked[name("ow", i)] {
					Expect(ow).To(Equal(body(round+100, name("ow", i), 5000)))
				} else {
					Expect(ow).To(Or(Equal(body(round+100, name("ow", i), 5000)), Equal(body(round, name("ow", i), 3000+i))))
				}
				fin, finOK := read(name("fin", i))
				if acked[name("fin", i)] {
					Expect(finOK).To(BeTrue(), "an acknowledged finish")
				}
				if finOK {
					Expect(fin).To(Equal(body(round, name("fin", i), 700000)))
				}
			}
			c.stop()
			checkBlobs(data)
		}
	})
})

// checkBlobs: every blob the database knows is on disk (none lost), and every
// file under blobs/ is a blob, a session's or listed for collection (none
// leaked for good).
func checkBlobs(data string) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "meta.db")+"?mode=ro")
	Expect(err).NotTo(HaveOccurred())
	defer db.Close()
	known := map[string]string{}
	for _, q := range []string{`SELECT key, 'blob' FROM blobs`, `SELECT 's' || id, 'session' FROM sessions`, `SELECT key, 'garbage' FROM garbage`} {
		rows, err := db.Query(q)
		Expect(err).NotTo(HaveOccurred())
		for rows.Next() {
			var k, what string
			Expect(rows.Scan(&k, &what)).To(Succeed())
			if known[k] != "blob" {
				known[k] = what
			}
		}
		Expect(rows.Err()).NotTo(HaveOccurred())
		rows.Close()
	}
	onDisk := map[string]bool{}
	Expect(filepath.WalkDir(filepath.Join(data, "blobs"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		key, _, _ := strings.Cut(d.Name(), ".") // a temp file counts as its key's
		onDisk[key] = true
		Expect(known).To(HaveKey(key), "a blob nothing refers to or lists: %s", p)
		return nil
	})).To(Succeed())
	inline := map[string]bool{}
	rows, err := db.Query(`SELECT key FROM inline_blobs`)
	Expect(err).NotTo(HaveOccurred())
	for rows.Next() {
		var k string
		Expect(rows.Scan(&k)).To(Succeed())
		inline[k] = true
		Expect(known).To(HaveKey(k), "inline bytes nothing refers to or lists: %s", k)
	}
	Expect(rows.Err()).NotTo(HaveOccurred())
	rows.Close()
	for k, what := range known {
		if what == "blob" || what == "session" {
			if strings.HasPrefix(k, "i") {
				Expect(inline).To(HaveKey(k), "the inline %s %s is lost", what, k)
				continue
			}
			Expect(onDisk).To(HaveKey(k), "the %s %s is lost", what, k)
		}
	}
}
