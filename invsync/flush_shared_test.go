package invsync_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/invsync"
	pt "github.com/postpress/postpress-go/postpresstest"
)

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

// TestRunSharedCommitsOnlyFlushedOutput is TestEveryCommitSeesItsOutputFlushed
// through RunShared, two accounts a batch.
func TestRunSharedCommitsOnlyFlushedOutput(t *testing.T) {
	accounts := []string{"acc_a", "acc_b", "acc_c"}
	var opts []pt.Option
	for i, id := range accounts {
		opts = append(opts, pt.WithGeneratedAccount(id, 3+2*i))
	}
	srv := pt.NewServer(opts...)
	defer srv.Close()
	c, err := client.New(client.WithAPIKey(pt.DefaultAPIKey), client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	out := &flushOutput{delivered: map[string]bool{}}
	st := &flushCheckingClaimer{flushCheckingStore: &flushCheckingStore{t: t, out: out, removed: true, ids: map[string]map[string]bool{
		"acc_b": {"inv_gone": true},
	}}}
	s := &invsync.Syncer{Store: st, Removed: true, CommitEvery: 2, Batch: 2}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pages := func(accs []string) iter.Seq2[multi.AccountPage, error] {
		return (multi.Lister{Client: c}).Pages(ctx, accs, client.ListParams{Limit: 2})
	}
	res, err := s.RunShared(ctx, accounts, pages, out)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 + 5 + 7; res.New != want || res.Removed != 1 || st.commits < 4 {
		t.Errorf("%d new (want %d), %d removed (want 1), %d commits (want several)", res.New, want, res.Removed, st.commits)
	}
	for _, acc := range accounts {
		if got, want := len(st.ids[acc]), len(srv.Items(acc)); got != want {
			t.Errorf("%s: %d ids recorded, want %d", acc, got, want)
		}
	}
}

// renewFailingClaimer is a Claimer whose leases cannot be renewed (another
// worker took them over), with a short lease so that Renew comes soon.
type renewFailingClaimer struct{ *flushCheckingClaimer }

var errRenewRefused = errors.New("lease taken over")

func (renewFailingClaimer) Renew(context.Context, []string) error { return errRenewRefused }
func (renewFailingClaimer) LeaseTime() time.Duration              { return 30 * time.Millisecond }

// TestRunSharedStopsWhenARenewFails: a lease that cannot be renewed stops
// the batch, and RunShared's error says so.
func TestRunSharedStopsWhenARenewFails(t *testing.T) {
	srv := pt.NewServer(pt.WithGeneratedAccount("acc_a", 5))
	defer srv.Close()
	// Each page takes 200ms: the renewal, every 10ms, comes first.
	srv.Enqueue(pt.Latency(200 * time.Millisecond).Times(10))
	c, err := client.New(client.WithAPIKey(pt.DefaultAPIKey), client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	out := &flushOutput{delivered: map[string]bool{}}
	st := renewFailingClaimer{&flushCheckingClaimer{flushCheckingStore: &flushCheckingStore{t: t, out: out, ids: map[string]map[string]bool{}}}}
	s := &invsync.Syncer{Store: st}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pages := func(accs []string) iter.Seq2[multi.AccountPage, error] {
		return (multi.Lister{Client: c}).Pages(ctx, accs, client.ListParams{Limit: 2})
	}
	_, err = s.RunShared(ctx, []string{"acc_a"}, pages, out)
	if !errors.Is(err, errRenewRefused) {
		t.Fatalf("RunShared with leases that cannot be renewed: %v, want the renewal's error", err)
	}
}
