package boltstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
)

// A file holding only the start of bbolt's first pages (what a run
// stopped while bbolt created the file in place, a full disk say, leaves)
// is recognised, replaced by a new state, and the run goes on. One byte
// off, and it is refused and kept.
func TestUnfinishedStateStartsAfresh(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	db, err := bolt.Open(ref, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	fresh, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	page := os.Getpagesize()
	if len(fresh) != 4*page {
		t.Fatalf("bbolt wrote %d bytes to create a database, want 4 pages of %d", len(fresh), page)
	}
	for _, n := range []int{0, 1, 100, page, page + 1000, 2 * page, 3*page + 7, 4*page - 1} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			sub := t.TempDir()
			path := filepath.Join(sub, "state")
			if err := os.WriteFile(path, fresh[:n], 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := boltstore.Open(path)
			if err != nil {
				t.Fatalf("Open of a state cut at %d bytes: %v", n, err)
			}
			ctx := context.Background()
			if err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{"1"}}}); err != nil {
				t.Fatal(err)
			}
			if ids, err := s.Seen(ctx, "a"); err != nil || !slices.Equal(ids, []string{"1"}) {
				t.Fatalf("Seen: %v, %v", ids, err)
			}
			_ = s.Close()
			if entries, _ := os.ReadDir(sub); len(entries) != 1 {
				t.Errorf("the directory holds %d files, want the state alone", len(entries))
			}
		})
	}
	for _, n := range []int{100, page + 1000, 3*page + 7} {
		damaged := bytes.Clone(fresh[:n])
		damaged[n/2] ^= 0x40
		path := filepath.Join(dir, "damaged-"+strconv.Itoa(n))
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := boltstore.Open(path)
		if !errors.Is(err, invsync.ErrInvalidState) {
			t.Errorf("a damaged start of %d bytes: %v, want ErrInvalidState", n, err)
		} else if strings.Contains(err.Error(), "runtime error") || strings.Contains(err.Error(), "nil pointer") || strings.Contains(err.Error(), "assertion failed") {
			t.Errorf("a damaged start of %d bytes: the message shows the Go runtime's text: %v", n, err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, damaged) {
			t.Errorf("a damaged start of %d bytes was changed", n)
		}
	}
}

// A state is made whole under another name: creating one leaves the state
// and nothing else, and a second Open finds it.
func TestCreateLeavesOnlyTheState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != "state" {
		t.Fatalf("after creating: %v", entries)
	}
	if _, err := boltstore.Open(path); !errors.Is(err, invsync.ErrLocked) {
		t.Fatalf("second Open while the first holds the new state: %v", err)
	}
	_ = s.Close()
}

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

// An empty bbolt database (all four pages bbolt writes to create one, of
// the system's page size or the largest) is no unfinished state: Open
// takes it as it is, in place, and makes it a state.
func TestEmptyBoltDatabaseIsOpenedInPlace(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{os.Getpagesize(), 65536} {
		path := filepath.Join(dir, fmt.Sprintf("empty-%d", size))
		db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: size})
		if err != nil {
			t.Fatal(err)
		}
		_ = db.Close()
		before, err := os.Stat(path)
		if err != nil || before.Size() != int64(4*size) {
			t.Fatalf("page size %d: bbolt created %v, %v; want 4 pages", size, before, err)
		}
		s, err := boltstore.Open(path)
		if err != nil {
			t.Errorf("page size %d: %v", size, err)
			continue
		}
		if err := s.Commit(context.Background(), []invsync.Change{{AccountID: "a", Added: []string{"x"}}}); err != nil {
			t.Errorf("page size %d: commit: %v", size, err)
		}
		_ = s.Close()
		if after, err := os.Stat(path); err != nil || !os.SameFile(before, after) {
			t.Errorf("page size %d: the empty database was replaced by another file (%v), not opened in place", size, err)
		}
	}
}

// A state that cannot be built in full (its file may not grow: here a
// file size limit of bbolt's four first pages, as a full disk would) is
// not created: Open fails, saying that nothing was written, and leaves no
// file at the path.
func TestStateThatCannotBeWrittenIsNotCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	restore := limitFileSize(t, uint64(4*os.Getpagesize()))
	_, err := boltstore.Open(path)
	restore()
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
