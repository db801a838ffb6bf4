package storetest_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/storetest"
)

// memState is a state in memory, the same for every memStore opened on it.
type memState struct {
	mu  sync.Mutex
	ids map[string]map[string]bool
}

// memStore keeps invsync's contract: each commit is all or none, and one
// holding the id "bad" fails.
type memStore struct{ st *memState }

func (s memStore) Seen(_ context.Context, account string) ([]string, error) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return slices.Collect(maps.Keys(s.st.ids[account])), nil
}

func (s memStore) Commit(_ context.Context, changes []invsync.Change) error {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	for _, ch := range changes {
		if slices.Contains(ch.Added, "bad") {
			return fmt.Errorf("account %s: the id %q is refused", ch.AccountID, "bad")
		}
	}
	for _, ch := range changes {
		if s.st.ids[ch.AccountID] == nil {
			s.st.ids[ch.AccountID] = map[string]bool{}
		}
		for _, id := range ch.Added {
			s.st.ids[ch.AccountID][id] = true
		}
		for _, id := range ch.Removed {
			delete(s.st.ids[ch.AccountID], id)
		}
	}
	return nil
}

func (memStore) Close() error { return nil }

// A store that keeps the contract passes Run.
func TestRunPassesAStoreThatKeepsTheContract(t *testing.T) {
	st := &memState{ids: map[string]map[string]bool{}}
	storetest.Run(t, func(*testing.T) storetest.Store { return memStore{st} }, "bad")
}
