package uploader

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/cosv2/cosv2"
)

// UploadReader stores everything r yields at remote when its size is not
// known in advance. Up to 20 MB is read into memory (a buffer that grows with
// the stream) and sent in one request;
// a longer stream is spooled to a temporary file (slice uploads need the size
// at init and a way to resend a slice), which is removed afterwards, so memory
// stays bounded whatever the stream's length.
func UploadReader(ctx context.Context, c Client, remote string, r io.Reader, opts ...Option) (*cosv2.Object, error) {
	// io.ReadAll grows its buffer as the stream turns out to need it: a
	// 4-byte stream costs a few hundred bytes, not 20 MB.
	head, err := io.ReadAll(io.LimitReader(r, cosv2.MaxSimpleUpload+1))
	if err != nil {
		return nil, fmt.Errorf("uploader: reading %s: %w", remote, err)
	}
	if len(head) <= cosv2.MaxSimpleUpload {
		return Upload(ctx, c, remote, bytes.NewReader(head), int64(len(head)), opts...)
	}
	spool, err := os.CreateTemp("", "cosv2-upload-*")
	if err != nil {
		return nil, fmt.Errorf("uploader: spooling %s: %w", remote, err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	if _, err := spool.Write(head); err != nil {
		return nil, fmt.Errorf("uploader: spooling %s: %w", remote, err)
	}
	rest, err := io.Copy(spool, r)
	if err != nil {
		return nil, fmt.Errorf("uploader: reading %s: %w", remote, err)
	}
	return Upload(ctx, c, remote, spool, int64(cosv2.MaxSimpleUpload+1)+rest, opts...)
}
