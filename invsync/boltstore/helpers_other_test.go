//go:build !linux

package boltstore_test

import "testing"

// limitFileSize skips t: a file size limit is set only on Linux here.
func limitFileSize(t *testing.T, _ uint64) (restore func()) {
	t.Helper()
	t.Skip("limiting the file size is done on Linux only")
	return func() {}
}
