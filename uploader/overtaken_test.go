package uploader_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// overtaken is a client whose session another run ends while this one is
// sending: just before this run's first slice goes out (or its finish, with
// atFinish), then runs with the session, and every slice and the finish
// after it meet -5983. It counts stats, and slices still in flight.
type overtaken struct {
	uploader.Client
	atFinish bool
	then     func(session string)
	once     sync.Once
	stats    atomic.Int32
	inflight atomic.Int32
}

func (o *overtaken) SliceData(ctx context.Context, file, session string, off int64, r io.ReaderAt, n int64) error {
	o.inflight.Add(1)
	defer o.inflight.Add(-1)
	if !o.atFinish {
		o.once.Do(func() { o.then(session) })
	}
	return o.Client.SliceData(ctx, file, session, off, r, n)
}

func (o *overtaken) SliceFinish(ctx context.Context, file, session string, size int64, sha string) (*cosv2.Object, error) {
	o.once.Do(func() { o.then(session) })
	return o.Client.SliceFinish(ctx, file, session, size, sha)
}

func (o *overtaken) Stat(ctx context.Context, file string) (*cosv2.FileInfo, error) {
	o.stats.Add(1)
	return o.Client.Stat(ctx, file)
}

// finishing is another run of the same upload that resumed the session:
// it stores every slice of b and finishes it.
func finishing(c *cosv2.Client, path string, b []byte) func(string) {
	return func(session string) {
		defer GinkgoRecover()
		ctx, size := context.Background(), int64(len(b))
		for off := int64(0); off < size; off += slice {
			Expect(c.SliceData(ctx, path, session, off, bytes.NewReader(b), min(slice, size-off))).To(Succeed())
		}
		sum := sha1.Sum(b)
		_, err := c.SliceFinish(ctx, path, session, size, hex.EncodeToString(sum[:]))
		Expect(err).NotTo(HaveOccurred())
	}
}

// discarding is a run that discards the session (cosv2 rm --incomplete); an
// expired session leaves the path as bare. With other set, it then uploads
// those bytes there.
func discarding(c *cosv2.Client, path string, other []byte) func(string) {
	return func(string) {
		defer GinkgoRecover()
		Expect(c.Remove(context.Background(), path)).To(Succeed())
		if other != nil {
			begun(c, path, other)()
		}
	}
}

var _ = Describe("a session another run ends while this one sends", func() {
	ctx := context.Background()
	size := int64(cosv2.MaxSimpleUpload + 5*slice + 3)

	// That run resumed the session this one began or resumed, and finished
	// it first: this run's next slice or finish met -5983 and the upload
	// failed, though the file held exactly its bytes.
	DescribeTable("is this upload's when that run finished it with these bytes",
		func(resumed, atFinish bool, opts ...uploader.Option) {
			c := newClient()
			b := data(size, 51)
			if resumed {
				s, err := c.SliceInit(ctx, "o.bin", size, slice, cosv2.SliceInitOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(c.SliceData(ctx, "o.bin", s.Session, 0, bytes.NewReader(b), slice)).To(Succeed())
			}
			o := &overtaken{Client: c, atFinish: atFinish, then: finishing(c, "o.bin", b)}
			var last uploader.Progress
			opts = append(opts, uploader.WithSliceSize(slice), uploader.WithProgress(func(p uploader.Progress) { last = p }))
			obj, err := uploader.Upload(ctx, o, "o.bin", bytes.NewReader(b), size, opts...)
			Expect(err).NotTo(HaveOccurred())
			Expect(o.stats.Load()).To(BeEquivalentTo(1), "decided once, not once per slice")
			Expect(o.inflight.Load()).To(BeZero())
			st, err := c.Stat(ctx, "o.bin")
			Expect(err).NotTo(HaveOccurred())
			Expect(obj.ResourcePath).To(Equal("/1/b/o.bin"))
			Expect(obj.SourceURL).To(Equal(st.SourceURL))
			Expect(obj.SourceURL).NotTo(BeEmpty())
			Expect(last.BytesDone).To(Equal(size))
			Expect(last.SlicesDone).To(Equal(last.SlicesTotal))
			Expect(download(c, "o.bin")).To(Equal(b))
		},
		Entry("began here, ended before its slices", false, false),
		Entry("began here, ended before its finish", false, true),
		Entry("resumed here, ended before its slices", true, false),
		Entry("resumed here, ended before its finish", true, true),
		Entry("overwriting", false, false, uploader.WithOverwrite()),
		Entry("with uploadparts: the SHA-1 hashed before the init", false, false, uploader.WithUploadParts()),
		Entry("one slice at a time", true, false, uploader.WithConcurrency(1)),
	)

	DescribeTable("fails as before, with the *UploadError of -5983, when the path holds no such file",
		func(atFinish bool, other []byte) {
			c := newClient()
			b := data(size, 51)
			o := &overtaken{Client: c, atFinish: atFinish, then: discarding(c, "o.bin", other)}
			_, err := uploader.Upload(ctx, o, "o.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
			var ue *uploader.UploadError
			Expect(errors.As(err, &ue)).To(BeTrue())
			Expect(ue.Session).NotTo(BeEmpty())
			Expect(err).To(MatchError(cosv2.ErrWrongSession))
			Expect(cosv2.IsNotExist(err)).To(BeFalse())
			Expect(o.inflight.Load()).To(BeZero())
			if other == nil {
				_, err = c.Stat(ctx, "o.bin")
				Expect(cosv2.IsNotExist(err)).To(BeTrue())
				return
			}
			Expect(err).To(MatchError(cosv2.ErrFileExist), "the file there is another's")
			Expect(download(c, "o.bin")).To(Equal(other))
		},
		Entry("discarded (or expired), before its slices", false, nil),
		Entry("discarded (or expired), before its finish", true, nil),
		Entry("discarded, then a file of other bytes, before its slices", false, data(size, 52)),
		Entry("discarded, then a file of other bytes, before its finish", true, data(size, 52)),
		Entry("discarded, then a file of another size", false, data(size+1, 51)),
	)

	// The user asked for these bytes over whatever is there: ErrFileExist
	// (whose advice is the overwrite already given) would mislead; the
	// session gone is the reason, and a run again replaces the file.
	It("fails with the -5983 alone, not ErrFileExist, when overwriting and the path holds other bytes", func() {
		c := newClient()
		b := data(size, 51)
		o := &overtaken{Client: c, then: discarding(c, "o.bin", data(size, 52))}
		_, err := uploader.Upload(ctx, o, "o.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice), uploader.WithOverwrite())
		var ue *uploader.UploadError
		Expect(errors.As(err, &ue)).To(BeTrue())
		Expect(err).To(MatchError(cosv2.ErrWrongSession))
		Expect(errors.Is(err, cosv2.ErrFileExist)).To(BeFalse())
		_, err = uploader.Upload(ctx, c, "o.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice), uploader.WithOverwrite())
		Expect(err).NotTo(HaveOccurred())
		Expect(download(c, "o.bin")).To(Equal(b))
	})
})
