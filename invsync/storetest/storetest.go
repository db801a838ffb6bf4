// Package storetest checks an invsync.Store against what every store
// promises invsync: a test of a store's own package runs Run on it, so that
// each store is held to the same contract by one piece of code.
package storetest

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/postpress/postpress-go/invsync"
)

// Store is an invsync.Store that can be closed, as every store of this
// module can.
type Store interface {
	invsync.Store
	io.Closer
}

// Run checks that a new state has seen nothing; that commits record the
// added and removed ids of each account; that what was committed is there
// after the store is closed and opened again; and that a commit that fails
// (one holding badID, an id the store refuses) changes nothing, not even
// the accounts of the same commit that were fine. open opens the same
// state each time it is called; Run closes what it opens.
func Run(t *testing.T, open func(t *testing.T) Store, badID string) {
	t.Helper()
	ctx := context.Background()
	s := open(t)
	if ids, err := s.Seen(ctx, "a"); err != nil || len(ids) != 0 {
		t.Fatalf("new state: %v, %v", ids, err)
	}
	if err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{"3", "1", "2"}}, {AccountID: "b", Added: []string{"x"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{"4"}, Removed: []string{"1"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t)
	defer func() { _ = s.Close() }()
	a, _ := s.Seen(ctx, "a")
	b, _ := s.Seen(ctx, "b")
	slices.Sort(a)
	if !slices.Equal(a, []string{"2", "3", "4"}) || !slices.Equal(b, []string{"x"}) {
		t.Errorf("after reopening: a %v, b %v", a, b)
	}
	if err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{"5"}}, {AccountID: "b", Added: []string{badID}}}); err == nil {
		t.Fatalf("a commit with the id %q succeeded", badID)
	}
	if a, _ := s.Seen(ctx, "a"); len(a) != 3 {
		t.Errorf("a failed commit changed account a: %v", a)
	}
}
