package uploader_test

import (
	"bytes"
	"context"
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// finishedMeanwhile is a client whose init meets an unfinished upload that
// another run finishes before the listing: the listing answers the file.
type finishedMeanwhile struct{ uploader.Client }

func (finishedMeanwhile) SliceInit(context.Context, string, int64, int64, cosv2.SliceInitOptions) (*cosv2.SliceSession, error) {
	return nil, cosv2.ErrUnfinishedUpload
}

func (finishedMeanwhile) SliceList(context.Context, string) (*cosv2.SliceSession, error) {
	return &cosv2.SliceSession{Object: &cosv2.Object{ResourcePath: "/1/b/race.bin"}}, nil
}

var _ = Describe("an unfinished upload finished by another run meanwhile", func() {
	// The path holds a file now, whose bytes this run cannot know: it was
	// called a mismatch ("0 bytes in slices of 0") whose advice, to discard
	// the unfinished upload, had nothing to act on.
	It("is ErrFileExist, not a mismatch", func() {
		b := data(cosv2.MaxSimpleUpload+1, 44)
		_, err := uploader.Upload(context.Background(), finishedMeanwhile{newClient()}, "race.bin", bytes.NewReader(b), int64(len(b)))
		Expect(err).To(MatchError(cosv2.ErrFileExist))
		Expect(errors.Is(err, uploader.ErrMismatch)).To(BeFalse())
	})
})
