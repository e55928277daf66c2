// Package rules holds the rules of the COS v2 API that both ends must apply
// alike: the limits, the path rules and the running SHA-1 state of slice
// uploads. The client facade, the uploader and the local server import it,
// so the client refuses before any request exactly what the server would.
//
// Each limit says where the document states it (see rules_test.go, which
// pins them to the document's text).
package rules

import "slices"

// The limits of the API.
const (
	// MaxSimpleUpload is the largest file one upload request may carry:
	// 20 MB ("使用 API 上传 ≤ 20MB 的文件"); larger files go in slices.
	MaxSimpleUpload = 20 << 20

	// The slice sizes upload_slice_init accepts ("有效值：524288 (512 KB),
	// 1048576 (1 MB), 2097152 (2 MB), 3145728 (3 MB)").
	SliceSize512K int64 = 512 << 10
	SliceSize1M   int64 = 1 << 20
	SliceSize2M   int64 = 2 << 20
	SliceSize3M   int64 = 3 << 20

	// MaxURL is the longest request URL ("总长度不得超过 1024 字节").
	MaxURL = 1024
	// MaxPath is the longest path (after /files/v2/<appid>/<bucket>), in
	// bytes, leaving room in MaxURL for the rest of the URL.
	MaxPath = 1000
	// MaxName is the longest name of one file or directory, in bytes (the
	// common file-system limit; the document states none).
	MaxName = 255

	// MinListNum and MaxListNum bound list's num ("最大支持1000").
	MinListNum = 1
	MaxListNum = 1000
)

// sliceSizes is what SliceSizes returns a copy of.
var sliceSizes = [...]int64{SliceSize512K, SliceSize1M, SliceSize2M, SliceSize3M}

// SliceSizes returns the allowed slice sizes, smallest first (a new slice on
// every call: nobody can change the rule).
func SliceSizes() []int64 { return slices.Clone(sliceSizes[:]) }

// ValidSliceSize reports whether n is an allowed slice size.
func ValidSliceSize(n int64) bool { return slices.Contains(sliceSizes[:], n) }

// ValidListNum reports whether n is an allowed list num.
func ValidListNum(n int) bool { return n >= MinListNum && n <= MaxListNum }
