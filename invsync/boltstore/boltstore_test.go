package boltstore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
	"github.com/postpress/postpress-go/invsync/storetest"
)

// TestCommitAndSeen holds the store to invsync's contract (storetest); an
// empty id fails a commit.
func TestCommitAndSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, "")
}

// A second Open of a state another holds is refused after a short wait
// for the lock, not held until the first closes.
func TestSecondOpenIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	second := make(chan error, 1)
	go func() {
		_, err := boltstore.Open(path)
		second <- err
	}()
	select {
	case err = <-second:
	case <-time.After(10 * time.Second):
		t.Fatal("the second Open has not returned after 10s: it waits for the lock instead of refusing")
	}
	if !errors.Is(err, invsync.ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second open: %v, want ErrLocked naming %s", err, path)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatalf("open after the first closed: %v", err)
	}
	_ = s.Close()
}

// A file that is not a state is refused, named, and left byte for byte.
func TestInvalidFilesAreRefusedAndKept(t *testing.T) {
	dir := t.TempDir()
	garbage := bytes.Repeat([]byte("not a database\n"), 5000)
	files := map[string][]byte{
		"short":   []byte("hello\n"),
		"garbage": garbage,
		"json":    []byte(strings.Repeat(`{"id":"inv_1"}`+"\n", 200)),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A bbolt database of another program, and a state of another format.
	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err })
	_ = db.Close()
	future := filepath.Join(dir, "future")
	s, err := boltstore.Open(future)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	db, err = bolt.Open(future, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("postpress-invsync")).Put([]byte("format"), []byte("postpress-go invitation sync state v9"))
	})
	_ = db.Close()
	// A state whose pages past the meta pages are overwritten.
	smashed := filepath.Join(dir, "smashed")
	s, err = boltstore.Open(smashed)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3000 {
		ids = append(ids, "inv_"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('0'+i%10))+strings.Repeat("y", i%5)+"_"+string(rune('A'+i/26%26))+string(rune('A'+i/676)))
	}
	if err := s.Commit(context.Background(), []invsync.Change{{AccountID: "a", Added: ids}}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	data, _ := os.ReadFile(smashed)
	for i := 4 * 4096; i < len(data); i++ {
		data[i] = 0xA5
	}
	_ = os.WriteFile(smashed, data, 0o600)

	for _, name := range []string{"short", "garbage", "json", "other.db", "future", "smashed"} {
		path := filepath.Join(dir, name)
		before, _ := os.ReadFile(path)
		s, err := boltstore.Open(path)
		if err == nil {
			// Corruption below the root shows when the pages are read.
			_, err = s.Seen(context.Background(), "a")
			_ = s.Close()
		}
		if !errors.Is(err, invsync.ErrInvalidState) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want ErrInvalidState naming the path", name, err)
		} else if strings.Contains(err.Error(), "runtime error") || strings.Contains(err.Error(), "nil pointer") || strings.Contains(err.Error(), "assertion failed") {
			t.Errorf("%s: the message shows the Go runtime's text: %v", name, err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("%s: the file was changed", name)
		}
	}
}
