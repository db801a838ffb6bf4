package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
)

// TestUnfinishedStateOfAnyPageSizeIsReplaced: a file that is a strict
// prefix of what bbolt writes when it creates a database (a first run that
// stopped while creating the state) is replaced by a new state, for each
// page size bbolt allows at the edges (1 KiB, 64 KiB) and between, and
// for prefixes that end at the page size's field (bytes 24..28) and after.
func TestUnfinishedStateOfAnyPageSizeIsReplaced(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{1024, 16384, 65536} {
		created := filepath.Join(dir, fmt.Sprintf("created-%d", size))
		db, err := bolt.Open(created, 0o600, &bolt.Options{PageSize: size})
		if err != nil {
			t.Fatal(err)
		}
		_ = db.Close()
		data, err := os.ReadFile(created)
		if err != nil || len(data) < 4*size {
			t.Fatalf("page size %d: %d bytes, %v", size, len(data), err)
		}
		for _, n := range []int{28, 100, size + 5, 4*size - 1} {
			path := filepath.Join(dir, fmt.Sprintf("prefix-%d-%d", size, n))
			if err := os.WriteFile(path, data[:n], 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := boltstore.Open(path)
			if err != nil {
				t.Errorf("page size %d, the first %d bytes: %v, want it replaced by a new state", size, n, err)
				continue
			}
			if err := s.Commit(context.Background(), []invsync.Change{{AccountID: "a", Added: []string{"x"}}}); err != nil {
				t.Errorf("page size %d, %d bytes: commit to the new state: %v", size, n, err)
			}
			_ = s.Close()
		}
	}
}
