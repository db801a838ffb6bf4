package invsync_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/postpress/postpress-go/invsync"
)

// pageSize is the page size the tests list in, set on every listing so
// that cursors and commit points do not follow the spec's maximum.
const pageSize = 100

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

// flushCheckingClaimer is flushCheckingStore as the one worker of a
// shared round: it hands out the round's accounts in order.
type flushCheckingClaimer struct {
	*flushCheckingStore
	cmu     sync.Mutex
	pending []string
}

func (c *flushCheckingClaimer) BeginRound(_ context.Context, accounts []string) error {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	c.pending = slices.Clone(accounts)
	return nil
}

func (c *flushCheckingClaimer) Claim(_ context.Context, n int) ([]string, int, error) {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	n = min(n, len(c.pending))
	claimed := slices.Clone(c.pending[:n])
	c.pending = c.pending[n:]
	return claimed, 0, nil
}

func (c *flushCheckingClaimer) Renew(context.Context, []string) error             { return nil }
func (c *flushCheckingClaimer) Release(context.Context, []string, []string) error { return nil }
func (c *flushCheckingClaimer) LeaseTime() time.Duration                          { return time.Minute }
