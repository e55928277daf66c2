//go:build !linux

package server

// dropBehind is Linux's posix_fadvise(DONTNEED) only (dropbehind_linux.go).
func (s *diskBlobs) dropBehind(string, int64, int64) {}
