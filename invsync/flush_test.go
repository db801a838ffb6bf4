package invsync_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/invsync"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// flushOutput is an Output whose Flush matters: Write only buffers an
// event; Flush delivers the buffer.
type flushOutput struct {
	mu        sync.Mutex
	buffered  []string        // written, not yet flushed: "kind account/id"
	delivered map[string]bool // flushed
	flushes   int
}

func eventKey(kind invsync.Kind, account, id string) string {
	return fmt.Sprintf("%s %s/%s", kind, account, id)
}

func (o *flushOutput) Write(ev *invsync.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buffered = append(o.buffered, eventKey(ev.Kind, ev.AccountID, ev.Invitation.ID))
	return nil
}

func (o *flushOutput) Flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, k := range o.buffered {
		o.delivered[k] = true
	}
	o.buffered = nil
	o.flushes++
	return nil
}

// flushCheckingStore is an in-memory Store whose Commit fails the test
// when an event it records was not flushed by out, or when out holds
// written events not yet flushed (a crash then would lose them while the
// state says they were reported).
type flushCheckingStore struct {
	t       *testing.T
	out     *flushOutput
	removed bool // the Syncer reports removals: they must be flushed too
	mu      sync.Mutex
	ids     map[string]map[string]bool
	commits int
}

func (s *flushCheckingStore) Seen(_ context.Context, account string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(maps.Keys(s.ids[account])), nil
}

func (s *flushCheckingStore) Commit(_ context.Context, changes []invsync.Change) error {
	s.out.mu.Lock()
	if len(s.out.buffered) > 0 {
		s.t.Errorf("commit %d: %d events written but not flushed (first %q): a crash now loses them, yet the state records them",
			s.commits+1, len(s.out.buffered), s.out.buffered[0])
	}
	for _, ch := range changes {
		if len(ch.Added) == 0 && len(ch.Removed) == 0 {
			s.t.Errorf("commit %d: a Change for account %s that changes nothing", s.commits+1, ch.AccountID)
		}
		for _, id := range ch.Added {
			if !s.out.delivered[eventKey(invsync.New, ch.AccountID, id)] {
				s.t.Errorf("commit %d records %s/%s as seen before its event was flushed", s.commits+1, ch.AccountID, id)
			}
		}
		for _, id := range ch.Removed {
			if s.removed && !s.out.delivered[eventKey(invsync.Removed, ch.AccountID, id)] {
				s.t.Errorf("commit %d forgets %s/%s before its removal was flushed", s.commits+1, ch.AccountID, id)
			}
		}
	}
	s.out.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range changes {
		if s.ids[ch.AccountID] == nil {
			s.ids[ch.AccountID] = map[string]bool{}
		}
		for _, id := range ch.Added {
			s.ids[ch.AccountID][id] = true
		}
		for _, id := range ch.Removed {
			delete(s.ids[ch.AccountID], id)
		}
	}
	s.commits++
	return nil
}

// TestEveryCommitSeesItsOutputFlushed syncs three accounts in pages of 2
// with a commit every 2 pending ids, so that most commits happen in the
// middle of the run, and checks at each commit that everything written
// was flushed before, new invitations and removals alike, and that no
// Change is empty (acc_b has nothing new); then that the state is what
// the accounts list.
func TestEveryCommitSeesItsOutputFlushed(t *testing.T) {
	sizes := map[string]int{"acc_a": 5, "acc_b": 3, "acc_c": 7}
	var opts []pt.Option
	for id, n := range sizes {
		opts = append(opts, pt.WithGeneratedAccount(id, n))
	}
	srv := pt.NewServer(opts...)
	defer srv.Close()
	c, err := client.New(client.WithAPIKey(pt.DefaultAPIKey), client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	accounts := slices.Sorted(maps.Keys(sizes))

	for _, removed := range []bool{false, true} {
		t.Run(fmt.Sprintf("removed=%v", removed), func(t *testing.T) {
			out := &flushOutput{delivered: map[string]bool{}}
			st := &flushCheckingStore{t: t, out: out, removed: removed, ids: map[string]map[string]bool{
				// Recorded by an earlier run, no longer listed.
				"acc_a": {"inv_gone_1": true, "inv_gone_2": true},
				"acc_b": {},
				"acc_c": {"inv_gone_3": true},
			}}
			// acc_b was recorded whole by an earlier run: nothing to
			// commit for it.
			for _, inv := range srv.Items("acc_b") {
				st.ids["acc_b"][inv.ID] = true
			}
			s := &invsync.Syncer{Store: st, Removed: removed, CommitEvery: 2}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// One account at a time, in order: acc_b ends between
			// commits of acc_a and acc_c.
			pages := (multi.Lister{Client: c, Concurrency: 1}).Pages(ctx, accounts, client.ListParams{Limit: 2})
			res, err := s.Run(ctx, pages, out)
			if err != nil {
				t.Fatal(err)
			}
			if res.Commits != st.commits || st.commits < 4 {
				t.Errorf("%d commits (Result.Commits %d), want several in the middle of the run", st.commits, res.Commits)
			}
			if want := 5 + 7; res.New != want {
				t.Errorf("%d new, want %d", res.New, want)
			}
			if want := map[bool]int{true: 3}[removed]; res.Removed != want {
				t.Errorf("%d removed reported, want %d", res.Removed, want)
			}
			for _, acc := range accounts {
				var want []string
				for _, inv := range srv.Items(acc) {
					want = append(want, inv.ID)
				}
				slices.Sort(want)
				if got := slices.Sorted(maps.Keys(st.ids[acc])); !slices.Equal(got, want) {
					t.Errorf("%s: the state holds %v, want what the account lists, %v", acc, got, want)
				}
			}
		})
	}
}
