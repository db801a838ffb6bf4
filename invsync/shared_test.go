package invsync_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/invsync"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// memState is a state in memory that several memWorkers share, with the
// leases of invsync.Claimer (pgstore does the same in PostgreSQL; its
// tests run against a real server).
type memState struct {
	mu        sync.Mutex
	seen      map[string]map[string]bool
	owner     map[string]string
	until     map[string]time.Time
	completed map[string]time.Time
}

func newMemState() *memState {
	return &memState{seen: map[string]map[string]bool{}, owner: map[string]string{}, until: map[string]time.Time{}, completed: map[string]time.Time{}}
}

type memWorker struct {
	st         *memState
	name       string
	lease      time.Duration
	round      []string
	start      time.Time
	tried      map[string]bool
	renewFails bool
}

func (w *memWorker) Seen(_ context.Context, account string) ([]string, error) {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	var ids []string
	for id := range w.st.seen[account] {
		ids = append(ids, id)
	}
	return ids, nil
}

func (w *memWorker) Commit(_ context.Context, changes []invsync.Change) error {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	for _, ch := range changes {
		if w.st.owner[ch.AccountID] != w.name {
			return fmt.Errorf("account %s: %w", ch.AccountID, invsync.ErrLeaseLost)
		}
	}
	for _, ch := range changes {
		if w.st.seen[ch.AccountID] == nil {
			w.st.seen[ch.AccountID] = map[string]bool{}
		}
		for _, id := range ch.Added {
			w.st.seen[ch.AccountID][id] = true
		}
		for _, id := range ch.Removed {
			delete(w.st.seen[ch.AccountID], id)
		}
	}
	return nil
}

func (w *memWorker) BeginRound(_ context.Context, accounts []string) error {
	w.round, w.start, w.tried = accounts, time.Now(), map[string]bool{}
	return nil
}

func (w *memWorker) pending(a string) bool {
	return !w.tried[a] && !w.st.completed[a].After(w.start)
}

func (w *memWorker) Claim(_ context.Context, n int) ([]string, int, error) {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	now := time.Now()
	var claimed []string
	held := 0
	for _, a := range w.round {
		if !w.pending(a) {
			continue
		}
		if w.st.owner[a] != "" && w.st.until[a].After(now) {
			held++
			continue
		}
		if len(claimed) < n {
			w.st.owner[a], w.st.until[a] = w.name, now.Add(w.lease)
			claimed = append(claimed, a)
		}
	}
	if len(claimed) > 0 {
		held = 0
	}
	return claimed, held, nil
}

func (w *memWorker) Renew(_ context.Context, accounts []string) error {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	for _, a := range accounts {
		if w.renewFails {
			// Another worker took the account over.
			w.st.owner[a] = "thief"
		}
		if w.st.owner[a] != w.name {
			return fmt.Errorf("account %s: %w", a, invsync.ErrLeaseLost)
		}
		w.st.until[a] = time.Now().Add(w.lease)
	}
	return nil
}

func (w *memWorker) Release(_ context.Context, accounts, done []string) error {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	for _, a := range accounts {
		if w.st.owner[a] == w.name {
			delete(w.st.owner, a)
		}
		w.tried[a] = true
	}
	for _, a := range done {
		w.st.completed[a] = time.Now()
	}
	return nil
}

func (w *memWorker) LeaseTime() time.Duration { return w.lease }

// syncedRecorder is a recorder safe for several workers.
type syncedRecorder struct {
	mu sync.Mutex
	recorder
}

func (r *syncedRecorder) Write(ev *invsync.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recorder.Write(ev)
}

func (r *syncedRecorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recorder.Flush()
}

func pagesOf(t *testing.T, baseURL string) func([]string) iter.Seq2[multi.AccountPage, error] {
	c := newClient(t, baseURL)
	return func(accounts []string) iter.Seq2[multi.AccountPage, error] {
		return (multi.Lister{Client: c}).Pages(context.Background(), accounts, client.ListParams{Limit: 10})
	}
}

func TestRunSharedSplitsTheAccounts(t *testing.T) {
	srv := sandbox(t, 30)
	var accts []string
	var want []string
	for i := range 20 {
		a := fmt.Sprintf("acct_%02d", i)
		accts = append(accts, a)
		want = append(want, keysOf(a, srv.Items(a))...)
	}
	slices.Sort(want)
	st := newMemState()
	round := func() (*syncedRecorder, []invsync.Result) {
		out := &syncedRecorder{}
		results := make([]invsync.Result, 3)
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Go(func() {
				w := &memWorker{st: st, name: fmt.Sprint("w", i), lease: time.Second}
				s := &invsync.Syncer{Store: w, Batch: 2}
				var err error
				if results[i], err = s.RunShared(context.Background(), accts, pagesOf(t, srv.URL), out); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		return out, results
	}
	out, results := round()
	if got := out.keys(invsync.New); !slices.Equal(got, want) {
		t.Fatalf("three workers reported %d invitations (%d distinct), want the %d listed once each", len(got), len(slices.Compact(slices.Clone(got))), len(want))
	}
	total := 0
	for _, r := range results {
		total += r.Accounts
	}
	// Each account is listed once, but for the few a worker that began
	// its round late lists again; not by each worker in turn.
	if total < len(accts) || total >= 2*len(accts) {
		t.Errorf("the workers completed %d accounts between them, want %d (and a few more at most)", total, len(accts))
	}
	if out, _ = round(); len(out.events) != 0 {
		t.Errorf("a second round reported %d", len(out.events))
	}
}

// Accounts a dead worker holds are taken over once its leases lapse.
func TestRunSharedWaitsForADeadWorkersLeases(t *testing.T) {
	srv := sandbox(t, 15)
	st := newMemState()
	st.owner["b"], st.until["b"] = "dead", time.Now().Add(300*time.Millisecond)
	w := &memWorker{st: st, name: "alive", lease: time.Second}
	out := &recorder{}
	start := time.Now()
	res, err := (&invsync.Syncer{Store: w}).RunShared(context.Background(), []string{"a", "b"}, pagesOf(t, srv.URL), out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accounts != 2 || len(out.events) != 30 {
		t.Fatalf("%d accounts, %d events; want both accounts, 30", res.Accounts, len(out.events))
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("account b was taken after %v, before its lease lapsed", waited)
	}
}

// A lost lease stops the run with ErrLeaseLost, and nothing of the lost
// account is recorded.
func TestRunSharedStopsOnALostLease(t *testing.T) {
	// Pages of 10 that take 5 ms each: the listing outlasts several
	// renewals (every 10 ms).
	f := pt.NewFake(pt.WithAnyAPIKey(), pt.WithAnyAccount(200), pt.WithLenientCursors())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	st := newMemState()
	w := &memWorker{st: st, name: "w", lease: 30 * time.Millisecond, renewFails: true}
	_, err := (&invsync.Syncer{Store: w}).RunShared(context.Background(), []string{"a"}, pagesOf(t, srv.URL+pt.BasePath), &recorder{})
	if !errors.Is(err, invsync.ErrLeaseLost) {
		t.Fatalf("RunShared: %v, want ErrLeaseLost", err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.seen["a"]) != 0 {
		t.Errorf("%d ids of the lost account were recorded", len(st.seen["a"]))
	}
}

func TestRunSharedNeedsAClaimer(t *testing.T) {
	st := openStore(t, t.TempDir()+"/state")
	defer func() { _ = st.Close() }()
	_, err := (&invsync.Syncer{Store: st}).RunShared(context.Background(), []string{"a"}, nil, &recorder{})
	if err == nil {
		t.Fatal("RunShared ran on a Store that is not a Claimer")
	}
}

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

// clockClaimer is the one worker of a round, for tests run in a synctest
// bubble (virtual time): it records, as offsets from its creation, when
// Claim and Renew are called; until heldUntil another worker holds the
// round's accounts; and a Renew that comes after this worker's lease
// lapsed fails with ErrLeaseLost.
type clockClaimer struct {
	lease     time.Duration
	start     time.Time
	heldUntil time.Time

	mu      sync.Mutex
	pending []string
	until   time.Time
	claims  []time.Duration
	renews  []time.Duration
}

func newClockClaimer(lease time.Duration) *clockClaimer {
	return &clockClaimer{lease: lease, start: time.Now()}
}

func (c *clockClaimer) Seen(context.Context, string) ([]string, error) { return nil, nil }
func (c *clockClaimer) Commit(context.Context, []invsync.Change) error { return nil }
func (c *clockClaimer) LeaseTime() time.Duration                       { return c.lease }

func (c *clockClaimer) BeginRound(_ context.Context, accounts []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = slices.Clone(accounts)
	return nil
}

func (c *clockClaimer) Claim(_ context.Context, n int) ([]string, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.claims = append(c.claims, now.Sub(c.start))
	if now.Before(c.heldUntil) {
		return nil, len(c.pending), nil
	}
	n = min(n, len(c.pending))
	claimed := slices.Clone(c.pending[:n])
	c.pending = c.pending[n:]
	c.until = now.Add(c.lease)
	return claimed, 0, nil
}

func (c *clockClaimer) Renew(context.Context, []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.renews = append(c.renews, now.Sub(c.start))
	if now.After(c.until) {
		return fmt.Errorf("renewed %v after the lease lapsed: %w", now.Sub(c.until), invsync.ErrLeaseLost)
	}
	c.until = now.Add(c.lease)
	return nil
}

func (c *clockClaimer) Release(context.Context, []string, []string) error { return nil }

// slowPages lists each account in n pages of one invitation, each page
// taking pageTime.
func slowPages(n int, pageTime time.Duration) func([]string) iter.Seq2[multi.AccountPage, error] {
	return func(accounts []string) iter.Seq2[multi.AccountPage, error] {
		return func(yield func(multi.AccountPage, error) bool) {
			for _, a := range accounts {
				for i := range n {
					time.Sleep(pageTime)
					page := &client.Page[client.Invitation]{Items: []client.Invitation{{InvitationReceived: gen.InvitationReceived{ID: fmt.Sprint("inv_", i)}}}}
					if i < n-1 {
						page.NextCursor = fmt.Sprint("c", i+1)
					}
					if !yield(multi.AccountPage{AccountID: a, Page: page}, nil) {
						return
					}
				}
			}
		}
	}
}

// multiples returns every, 2×every, … n×every.
func multiples(n int, every time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * every
	}
	return out
}

// TestRunSharedRenewsEveryThirdOfTheLease: while a batch is listed, its
// leases are renewed every third of the lease time, so none lapses, and
// never more often than every 10 ms, however short the lease.
func TestRunSharedRenewsEveryThirdOfTheLease(t *testing.T) {
	for _, tc := range []struct{ lease, every time.Duration }{
		{300 * time.Millisecond, 100 * time.Millisecond},
		{15 * time.Millisecond, 10 * time.Millisecond},
	} {
		t.Run(tc.lease.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cl := newClockClaimer(tc.lease)
				// Ten pages, 0.95 of a renewal interval each: nine
				// renewals, none at the same instant as a page.
				_, err := (&invsync.Syncer{Store: cl}).RunShared(context.Background(), []string{"a"}, slowPages(10, tc.every*95/100), &recorder{})
				if err != nil {
					t.Fatalf("RunShared: %v", err)
				}
				if want := multiples(9, tc.every); !slices.Equal(cl.renews, want) {
					t.Errorf("lease %v: renewed at %v, want every %v: %v", tc.lease, cl.renews, tc.every, want)
				}
			})
		})
	}
}

// TestRunSharedLooksAgainEveryQuarterLease: a worker that finds the
// round's accounts held by another asks again every quarter of the lease
// time, at least 20 ms and at most 1 s apart, and claims them once they
// are free.
func TestRunSharedLooksAgainEveryQuarterLease(t *testing.T) {
	for _, tc := range []struct{ lease, every time.Duration }{
		{400 * time.Millisecond, 100 * time.Millisecond},
		{40 * time.Millisecond, 20 * time.Millisecond},
		{8 * time.Second, time.Second},
	} {
		t.Run(tc.lease.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cl := newClockClaimer(tc.lease)
				cl.heldUntil = cl.start.Add(tc.every * 55 / 10)
				out := &recorder{}
				res, err := (&invsync.Syncer{Store: cl}).RunShared(context.Background(), []string{"a"}, slowPages(1, 0), out)
				if err != nil {
					t.Fatalf("RunShared: %v", err)
				}
				if res.Accounts != 1 || len(out.events) != 1 {
					t.Fatalf("%d accounts, %d events; want the account once it was free", res.Accounts, len(out.events))
				}
				// Held at 0 and each interval up to 5, free at 6; then
				// the claim that finds the round done.
				want := append([]time.Duration{0}, multiples(6, tc.every)...)
				want = append(want, 6*tc.every)
				if !slices.Equal(cl.claims, want) {
					t.Errorf("lease %v: claimed at %v, want every %v: %v", tc.lease, cl.claims, tc.every, want)
				}
			})
		})
	}
}
