package uploader_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// racing is a client whose listing comes just after another run finished
// the unfinished upload its init met: the listing answers the file.
type racing struct {
	uploader.Client
	finish func()
}

func (r racing) SliceList(ctx context.Context, file string) (*cosv2.SliceSession, error) {
	r.finish()
	return r.Client.SliceList(ctx, file)
}

// begun stores every slice of b at path, as another run would, and returns
// that run's finish.
func begun(c *cosv2.Client, path string, b []byte) func() {
	ctx, size := context.Background(), int64(len(b))
	sess, err := c.SliceInit(ctx, path, size, slice, cosv2.SliceInitOptions{})
	Expect(err).NotTo(HaveOccurred())
	for off := int64(0); off < size; off += slice {
		Expect(c.SliceData(ctx, path, sess.Session, off, bytes.NewReader(b), min(slice, size-off))).To(Succeed())
	}
	sum := sha1.Sum(b)
	return func() {
		defer GinkgoRecover()
		_, err := c.SliceFinish(ctx, path, sess.Session, size, hex.EncodeToString(sum[:]))
		Expect(err).NotTo(HaveOccurred())
	}
}

var _ = Describe("an unfinished upload finished by another run meanwhile", func() {
	ctx := context.Background()
	size := int64(cosv2.MaxSimpleUpload + 3*slice + 5)

	// The path holds this upload's bytes now, as if its own finish had won:
	// it was ErrFileExist, telling the user to stat the file.
	DescribeTable("is this upload's when the file holds its bytes",
		func(opts ...uploader.Option) {
			c := newClient()
			b := data(size, 44)
			finish := begun(c, "race.bin", b)
			var last uploader.Progress
			opts = append(opts, uploader.WithSliceSize(slice), uploader.WithProgress(func(p uploader.Progress) { last = p }))
			obj, err := uploader.Upload(ctx, racing{c, finish}, "race.bin", bytes.NewReader(b), size, opts...)
			Expect(err).NotTo(HaveOccurred())
			st, err := c.Stat(ctx, "race.bin")
			Expect(err).NotTo(HaveOccurred())
			Expect(obj.ResourcePath).To(Equal("/1/b/race.bin"))
			Expect(obj.SourceURL).To(Equal(st.SourceURL))
			Expect(obj.AccessURL).To(Equal(st.AccessURL))
			Expect(obj.SourceURL).NotTo(BeEmpty())
			Expect(last.BytesDone).To(Equal(size))
			Expect(last.BytesResumed).To(Equal(size))
			Expect(download(c, "race.bin")).To(Equal(b))
		},
		// insertOnly: the init met the unfinished upload, so no file was
		// there when this run began; the one that came holds its bytes.
		Entry("insertOnly"),
		Entry("overwriting", uploader.WithOverwrite()),
		Entry("with uploadparts: the SHA-1 hashed before the init", uploader.WithUploadParts()),
	)

	DescribeTable("is ErrFileExist, not a mismatch, when the file holds other bytes",
		func(other []byte) {
			c := newClient()
			b := data(size, 44)
			finish := begun(c, "race.bin", other)
			_, err := uploader.Upload(ctx, racing{c, finish}, "race.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
			Expect(err).To(MatchError(cosv2.ErrFileExist))
			Expect(errors.Is(err, uploader.ErrMismatch)).To(BeFalse())
			Expect(download(c, "race.bin")).To(Equal(other))
		},
		Entry("of the same size", data(size, 45)),
		Entry("of another size", data(size+1, 44)),
	)

	// With WithOverwrite the user asked for these bytes at the path, over
	// whatever is there: it was ErrFileExist, whose advice is the overwrite
	// already given.
	It("replaces a file of other bytes when overwriting, in a session of its own", func() {
		c := newClient()
		b, other := data(size, 44), data(size, 45)
		finish := begun(c, "race.bin", other)
		obj, err := uploader.Upload(ctx, racing{c, finish}, "race.bin", bytes.NewReader(b), size,
			uploader.WithSliceSize(slice), uploader.WithOverwrite())
		Expect(err).NotTo(HaveOccurred())
		Expect(obj.ResourcePath).To(Equal("/1/b/race.bin"))
		Expect(download(c, "race.bin")).To(Equal(b))
	})

	// As the service answers a quick upload of the same bytes under
	// insertOnly: a file there before the init is not this run's to claim.
	It("leaves a file there before the init ErrFileExist under insertOnly, same bytes or not", func() {
		c := newClient()
		b := data(size, 44)
		begun(c, "there.bin", b)()
		_, err := uploader.Upload(ctx, c, "there.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
		Expect(err).To(MatchError(cosv2.ErrFileExist))
	})
})
