package boltstore_test

import (
	"syscall"
	"testing"
)

// limitFileSize caps the size of any file this process writes at n bytes
// (RLIMIT_FSIZE), as a full disk would, and returns the function that lifts
// the cap. It skips t where the limit cannot be set.
func limitFileSize(t *testing.T, n uint64) (restore func()) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	limited := lim
	limited.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limited); err != nil {
		t.Skipf("cannot limit the file size: %v", err)
	}
	return func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			t.Fatal(err)
		}
	}
}
