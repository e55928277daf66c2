package cosv2_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

func collect(c *cosv2.Client, dir string, opts ...cosv2.ListOption) ([]string, error) {
	var names []string
	for e, err := range c.List(context.Background(), dir, opts...) {
		if err != nil {
			return names, err
		}
		names = append(names, e.Name)
	}
	return names, nil
}

var _ = Describe("Client against the local server", func() {
	var (
		c   *cosv2.Client
		ctx = context.Background()
	)
	BeforeEach(func() { c = newClient(newServer().URL) })

	put := func(path, body string, opts ...cosv2.PutOption) (*cosv2.Object, error) {
		return c.Put(ctx, path, strings.NewReader(body), int64(len(body)), opts...)
	}

	It("makes, stats, updates and removes directories", func() {
		Expect(c.MakeDir(ctx, "docs/", cosv2.WithBizAttr("attr1"))).To(Succeed())
		d, err := c.StatDir(ctx, "/docs/")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.BizAttr).To(Equal("attr1"))
		Expect(d.Created.IsZero()).To(BeFalse())
		Expect(c.UpdateDir(ctx, "docs/", "attr2")).To(Succeed())
		d, err = c.StatDir(ctx, "docs/")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.BizAttr).To(Equal("attr2"))
		Expect(c.MakeDir(ctx, "docs/")).To(MatchError(cosv2.ErrPathConflict))
		Expect(c.MakeDir(ctx, "missing/sub/")).To(MatchError(cosv2.ErrFileNotExist))
		_, err = put("docs/a.txt", "x")
		Expect(err).NotTo(HaveOccurred())
		Expect(c.RemoveDir(ctx, "docs/")).To(MatchError(cosv2.ErrDirNotEmpty))
		Expect(c.Remove(ctx, "docs/a.txt")).To(Succeed())
		Expect(c.RemoveDir(ctx, "docs/")).To(Succeed())
		_, err = c.StatDir(ctx, "docs/")
		Expect(cosv2.IsNotExist(err)).To(BeTrue())
	})

	It("puts, stats, downloads, updates, copies, moves and removes files", func() {
		body := "hello, COS"
		obj, err := put("a b/照片.txt", body, cosv2.WithBizAttr("b1"))
		Expect(err).To(MatchError(cosv2.ErrFileNotExist)) // no such directory yet
		Expect(obj).To(BeNil())
		Expect(c.MakeDir(ctx, "a b/")).To(Succeed())
		obj, err = put("a b/照片.txt", body, cosv2.WithBizAttr("b1"))
		Expect(err).NotTo(HaveOccurred())
		Expect(obj.ResourcePath).To(Equal("/" + appID + "/" + bucket + "/a b/照片.txt"))

		st, err := c.Stat(ctx, "a b/照片.txt")
		Expect(err).NotTo(HaveOccurred())
		sum := sha1.Sum([]byte(body))
		Expect(st.SHA1).To(Equal(hex.EncodeToString(sum[:])))
		Expect(st.Size).To(BeEquivalentTo(len(body)))
		Expect(st.BizAttr).To(Equal("b1"))

		_, err = put("a b/照片.txt", "other")
		Expect(err).To(MatchError(cosv2.ErrFileExist))
		var api *cosv2.APIError
		Expect(errors.As(err, &api)).To(BeTrue())
		Expect(api.Op).To(Equal("upload"))
		Expect(api.Path).To(Equal("/a b/照片.txt"))

		var got bytes.Buffer
		n, err := c.Download(ctx, "a b/照片.txt", &got)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeEquivalentTo(len(body)))
		Expect(got.String()).To(Equal(body))
		got.Reset()
		_, err = c.Download(ctx, "a b/照片.txt", &got, cosv2.WithRange(7, 3))
		Expect(err).NotTo(HaveOccurred())
		Expect(got.String()).To(Equal("COS"))

		pub := cosv2.AuthorityPublicRead
		attr := "b2"
		Expect(c.Update(ctx, "a b/照片.txt", cosv2.Update{BizAttr: &attr, Authority: &pub,
			Headers: map[string]string{"Content-Type": "text/plain", "x-cos-meta-k": "v"}})).To(Succeed())
		st, err = c.Stat(ctx, "a b/照片.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Authority).To(Equal(cosv2.AuthorityPublicRead))
		Expect(st.BizAttr).To(Equal("b2"))
		Expect(st.Headers).To(HaveKeyWithValue("Content-Type", "text/plain"))
		Expect(st.Headers).To(HaveKeyWithValue("x-cos-meta-k", "v"))

		Expect(c.Copy(ctx, "a b/照片.txt", "/copy.txt")).To(Succeed())
		Expect(c.Copy(ctx, "a b/照片.txt", "/copy.txt")).To(MatchError(cosv2.ErrFileExist))
		Expect(c.Copy(ctx, "a b/照片.txt", "/copy.txt", cosv2.WithOverwrite())).To(Succeed())
		Expect(c.Move(ctx, "/copy.txt", "/moved.txt")).To(Succeed())
		_, err = c.Stat(ctx, "copy.txt")
		Expect(err).To(MatchError(cosv2.ErrFileNotExist))
		st, err = c.Stat(ctx, "moved.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.SHA1).To(Equal(hex.EncodeToString(sum[:])))

		Expect(c.Remove(ctx, "moved.txt")).To(Succeed())
		Expect(c.Remove(ctx, "moved.txt")).To(MatchError(cosv2.ErrFileNotExist))
	})

	It("overwrites only when asked", func() {
		_, err := put("f.txt", "one")
		Expect(err).NotTo(HaveOccurred())
		_, err = put("f.txt", "two", cosv2.WithOverwrite())
		Expect(err).NotTo(HaveOccurred())
		var got bytes.Buffer
		_, err = c.Download(ctx, "f.txt", &got)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.String()).To(Equal("two"))
	})

	It("lists pages, prefixes and limits, telling directories from files", func() {
		Expect(c.MakeDir(ctx, "l/")).To(Succeed())
		Expect(c.MakeDir(ctx, "l/sub/")).To(Succeed())
		for _, n := range []string{"a1", "a2", "b1", "b2", "b3"} {
			_, err := put("l/"+n, n)
			Expect(err).NotTo(HaveOccurred())
		}
		names, err := collect(c, "l/", cosv2.WithPageSize(2))
		Expect(err).NotTo(HaveOccurred())
		Expect(names).To(Equal([]string{"a1", "a2", "b1", "b2", "b3", "sub/"}))
		names, err = collect(c, "l/", cosv2.WithPrefix("b"), cosv2.WithPageSize(1))
		Expect(err).NotTo(HaveOccurred())
		Expect(names).To(Equal([]string{"b1", "b2", "b3"}))
		names, err = collect(c, "l/", cosv2.WithLimit(3), cosv2.WithPageSize(2))
		Expect(err).NotTo(HaveOccurred())
		Expect(names).To(HaveLen(3))
		for e, err := range c.List(ctx, "l/") {
			Expect(err).NotTo(HaveOccurred())
			Expect(e.IsDir).To(Equal(e.Name == "sub/"))
		}
		_, err = collect(c, "nope/")
		Expect(err).To(MatchError(cosv2.ErrFileNotExist))
		_, err = collect(c, "l/", cosv2.WithPageSize(5000))
		Expect(err).To(MatchError(cosv2.ErrInvalidListNum))
	})

	It("refuses bad paths before any request", func() {
		Expect(c.MakeDir(ctx, "no-slash")).To(MatchError(cosv2.ErrBadPath))
		_, err := c.Stat(ctx, "dir/")
		Expect(err).To(MatchError(cosv2.ErrBadPath))
		Expect(c.Remove(ctx, "a/../b")).To(MatchError(cosv2.ErrBadPath))
	})

	It("runs a slice upload through the low-level calls and resumes it", func() {
		const slice = cosv2.SliceSize512K
		data := bytes.Repeat([]byte("0123456789abcdef"), int(slice*2+100)/16+1)[:slice*2+100]
		r := bytes.NewReader(data)
		sess, err := c.SliceInit(ctx, "big.bin", int64(len(data)), slice, cosv2.SliceInitOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(sess.Session).NotTo(BeEmpty())
		Expect(c.SliceData(ctx, "big.bin", sess.Session, 0, r, slice)).To(Succeed())
		_, err = c.SliceInit(ctx, "big.bin", int64(len(data)), slice, cosv2.SliceInitOptions{})
		Expect(err).To(MatchError(cosv2.ErrUnfinishedUpload))
		listed, err := c.SliceList(ctx, "big.bin")
		Expect(err).NotTo(HaveOccurred())
		Expect(listed.Session).To(Equal(sess.Session))
		Expect(listed.Parts).To(Equal([]cosv2.SlicePart{{Offset: 0, Length: slice}}))
		Expect(c.SliceData(ctx, "big.bin", sess.Session, 2*slice, r, 100)).To(Succeed())
		_, err = c.SliceFinish(ctx, "big.bin", sess.Session, int64(len(data)), "")
		Expect(err).To(MatchError(cosv2.ErrFileSizeNotEqual)) // the middle slice is missing
		Expect(c.SliceData(ctx, "big.bin", sess.Session, slice, r, slice)).To(Succeed())
		sum := sha1.Sum(data)
		_, err = c.SliceFinish(ctx, "big.bin", sess.Session, int64(len(data)), strings.Repeat("0", 40))
		Expect(err).To(MatchError(cosv2.ErrSHANotEqual))
		obj, err := c.SliceFinish(ctx, "big.bin", sess.Session, int64(len(data)), hex.EncodeToString(sum[:]))
		Expect(err).NotTo(HaveOccurred())
		Expect(obj.AccessURL).NotTo(BeEmpty())
		var got bytes.Buffer
		_, err = c.Download(ctx, "big.bin", &got)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Bytes()).To(Equal(data))
	})
})
