package uploader

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/internal/rules"
)

// RunningSHA1States hashes size bytes of r once and returns the whole file's
// SHA-1 in hex and, for every slice of sliceSize, the SHA-1 state after it as
// the official SDKs write uploadparts' datasha: the five 32-bit state words,
// each little-endian, in hex; the last entry is the file's SHA-1 itself, as
// those SDKs send it. A source that ends before size bytes is
// io.ErrUnexpectedEOF.
func RunningSHA1States(r io.ReaderAt, size, sliceSize int64) (string, []cosv2.SlicePart, error) {
	return runningStates(context.Background(), r, size, sliceSize)
}

// runningStates is RunningSHA1States, stopping between slices once ctx is done.
func runningStates(ctx context.Context, r io.ReaderAt, size, sliceSize int64) (string, []cosv2.SlicePart, error) {
	h := sha1.New()
	var parts []cosv2.SlicePart
	for off := int64(0); off < size; off += sliceSize {
		if err := ctx.Err(); err != nil {
			return "", nil, err
		}
		n := min(sliceSize, size-off)
		// CopyN, not Copy: a source that ends early (a file truncated
		// meanwhile) is an error, not the SHA-1 of fewer bytes.
		if _, err := io.CopyN(h, io.NewSectionReader(r, off, n), n); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return "", nil, err
		}
		parts = append(parts, cosv2.SlicePart{Offset: off, Length: n, DataSHA: rules.DataSHA(h, off+n == size)})
	}
	return hex.EncodeToString(h.Sum(nil)), parts, nil
}
