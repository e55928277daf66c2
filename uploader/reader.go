package uploader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cosv2/cosv2"
)

// UploadReader stores everything r yields at remote when its size is not
// known in advance. Up to 20 MB is read into memory and sent in one request;
// a longer stream is spooled to a temporary file (slice uploads need the size
// at init and a way to resend a slice), which is removed afterwards, so memory
// stays bounded whatever the stream's length.
func UploadReader(ctx context.Context, c Client, remote string, r io.Reader, opts ...Option) (*cosv2.Object, error) {
	head := make([]byte, cosv2.MaxSimpleUpload+1)
	n, err := io.ReadFull(r, head)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return Upload(ctx, c, remote, bytes.NewReader(head[:n]), int64(n), opts...)
	case err != nil:
		return nil, fmt.Errorf("uploader: reading %s: %w", remote, err)
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
	head = nil
	rest, err := io.Copy(spool, r)
	if err != nil {
		return nil, fmt.Errorf("uploader: reading %s: %w", remote, err)
	}
	return Upload(ctx, c, remote, spool, int64(cosv2.MaxSimpleUpload+1)+rest, opts...)
}
