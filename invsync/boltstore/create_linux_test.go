package boltstore_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/postpress/postpress-go/invsync/boltstore"
)

// A state that cannot be built in full (its file may not grow: here a
// file size limit of bbolt's four first pages, as a full disk would) is
// not created: Open fails, saying that nothing was written, and leaves no
// file at the path.
func TestStateThatCannotBeWrittenIsNotCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	limited := lim
	limited.Cur = uint64(4 * os.Getpagesize())
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limited); err != nil {
		t.Skipf("cannot limit the file size: %v", err)
	}
	_, err := boltstore.Open(path)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("Open with the file size limited to 4 pages: %v, want a failure saying nothing was written", err)
	}
	if _, serr := os.Lstat(path); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("the failed Open left a file at the path (%v)", serr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
		t.Errorf("the failed Open left %d files in the directory", len(entries))
	}
}
