package uploader_test

import (
	"bytes"
	"context"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// cancelAtInit cancels the upload's context once its init has succeeded, as
// a user's Ctrl-C does, and counts the finishes the uploader asks for.
type cancelAtInit struct {
	uploader.Client
	cancel   context.CancelFunc
	finishes atomic.Int32
}

func (c *cancelAtInit) SliceInit(ctx context.Context, file string, size, sliceSize int64, in cosv2.SliceInitOptions) (*cosv2.SliceSession, error) {
	s, err := c.Client.SliceInit(ctx, file, size, sliceSize, in)
	c.cancel()
	return s, err
}

func (c *cancelAtInit) SliceFinish(ctx context.Context, file, session string, size int64, sha string) (*cosv2.Object, error) {
	c.finishes.Add(1)
	return c.Client.SliceFinish(ctx, file, session, size, sha)
}

var _ = Describe("an upload cancelled before its slices went out", func() {
	DescribeTable("ends with the context's error, neither a finish nor a read error",
		func(opts ...uploader.Option) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := &cancelAtInit{Client: newClient(), cancel: cancel}
			size := int64(cosv2.MaxSimpleUpload + 3*slice)
			_, err := uploader.Upload(ctx, c, "c.bin", bytes.NewReader(data(size, 5)), size,
				append(opts, uploader.WithSliceSize(slice))...)
			Expect(err).To(MatchError(context.Canceled))
			Expect(err.Error()).NotTo(ContainSubstring("reading"))
			Expect(c.finishes.Load()).To(BeZero())
		},
		Entry("hashing alongside the slices"),
		Entry("with uploadparts, hashed before the init", uploader.WithUploadParts()),
	)
})
