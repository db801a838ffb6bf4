package invsync_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// childEnv, when set, makes the test binary a sync run on that state file
// (see TestKilledRunLosesNothing) instead of running the tests.
const childEnv = "INVSYNC_TEST_CHILD_STATE"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		if err := childRun(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// recorder is an Output that keeps the events, and counts flushes.
type recorder struct {
	events  []invsync.Event
	flushes int
	// flushed is how many events were written at the last flush.
	flushed int
}

func (r *recorder) Write(ev *invsync.Event) error { r.events = append(r.events, *ev); return nil }
func (r *recorder) Flush() error                  { r.flushes++; r.flushed = len(r.events); return nil }

func (r *recorder) keys(kind invsync.Kind) []string {
	var out []string
	for _, ev := range r.events {
		if ev.Kind == kind {
			out = append(out, ev.AccountID+"/"+ev.Invitation.ID)
		}
	}
	slices.Sort(out)
	return out
}

func keysOf(account string, items []gen.InvitationReceived) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = account + "/" + items[i].ID
	}
	return out
}

func sorted(parts ...[]string) []string {
	out := slices.Concat(parts...)
	slices.Sort(out)
	return out
}

func newClient(t testing.TB, baseURL string) *client.Client {
	t.Helper()
	c, err := client.New(client.WithAPIKey(pt.DefaultAPIKey), client.WithBaseURL(baseURL), client.WithBackoff(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openStore(t testing.TB, path string) *boltstore.Store {
	t.Helper()
	st, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// syncOnce opens the state, runs one sync of accounts against baseURL and
// closes the state.
func syncOnce(t testing.TB, path, baseURL string, removed bool, accounts ...string) (*recorder, invsync.Result) {
	t.Helper()
	st := openStore(t, path)
	defer func() { _ = st.Close() }()
	return syncWith(t, st, baseURL, removed, accounts...)
}

func syncWith(t testing.TB, st invsync.Store, baseURL string, removed bool, accounts ...string) (*recorder, invsync.Result) {
	t.Helper()
	ctx := context.Background()
	out := &recorder{}
	s := &invsync.Syncer{Store: st, Removed: removed}
	res, err := s.Run(ctx, (multi.Lister{Client: newClient(t, baseURL)}).Pages(ctx, accounts, client.ListParams{Limit: pageSize}), out)
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

func sandbox(t testing.TB, n int) *pt.Server {
	t.Helper()
	srv := pt.NewServer(pt.WithAnyAPIKey(), pt.WithAnyAccount(n), pt.WithLenientCursors())
	t.Cleanup(srv.Close)
	return srv
}

func TestSyncTwiceOnTheSandbox(t *testing.T) {
	srv := sandbox(t, 120)
	path := filepath.Join(t.TempDir(), "state")
	out, res := syncOnce(t, path, srv.URL, false, "a", "b")
	if want := sorted(keysOf("a", srv.Items("a")), keysOf("b", srv.Items("b"))); !slices.Equal(out.keys(invsync.New), want) || len(want) != 240 {
		t.Fatalf("first run: %d new, want the 240 of a and b", len(out.events))
	}
	if res.New != 240 || res.Accounts != 2 || res.Commits != 1 || out.flushed != 240 {
		t.Errorf("first run: %+v, %d flushed", res, out.flushed)
	}
	out, res = syncOnce(t, path, srv.URL, true, "a", "b")
	if len(out.events) != 0 || res.Commits != 0 || res.Accounts != 2 {
		t.Errorf("second run: %d events, %+v; want none and no commit", len(out.events), res)
	}
}

// Between runs an account loses some invitations and gains others: the
// second run reports exactly those, and the third nothing.
func TestSyncReportsAddedAndRemoved(t *testing.T) {
	items := pt.GenerateInvitations(7, 260)
	other := pt.GenerateInvitations(8, 150)
	path := filepath.Join(t.TempDir(), "state")

	srv := pt.NewServer(pt.WithAccount("x", items[:200]), pt.WithAccount("y", other))
	out, _ := syncOnce(t, path, srv.URL, true, "x", "y")
	srv.Close()
	if len(out.events) != 350 {
		t.Fatalf("first run: %d events, want 350", len(out.events))
	}

	// x: the first 10 and 150..159 are gone (accepted, declined), 220..259
	// arrive on top; y unchanged.
	now := slices.Concat(items[220:], items[10:150], items[160:200])
	srv = pt.NewServer(pt.WithAccount("x", now), pt.WithAccount("y", other))
	defer srv.Close()
	out, res := syncOnce(t, path, srv.URL, true, "x", "y")
	if want := sorted(keysOf("x", items[220:])); !slices.Equal(out.keys(invsync.New), want) {
		t.Errorf("second run, new: %v\nwant %v", out.keys(invsync.New), want)
	}
	if want := sorted(keysOf("x", items[:10]), keysOf("x", items[150:160])); !slices.Equal(out.keys(invsync.Removed), want) {
		t.Errorf("second run, removed: %v\nwant %v", out.keys(invsync.Removed), want)
	}
	if res.New != 40 || res.Removed != 20 {
		t.Errorf("second run: %+v", res)
	}
	for _, ev := range out.events {
		if ev.Kind == invsync.New && ev.Invitation.InvitationText == "" {
			t.Errorf("a new event lacks the invitation: %+v", ev)
		}
	}
	out, _ = syncOnce(t, path, srv.URL, true, "x", "y")
	if len(out.events) != 0 {
		t.Errorf("third run: %d events, want none", len(out.events))
	}
}

// Without Removed the gone ones are not reported, but forgotten: the
// state holds what the accounts list.
func TestSyncForgetsRemovedWithoutReportingThem(t *testing.T) {
	items := pt.GenerateInvitations(3, 50)
	path := filepath.Join(t.TempDir(), "state")
	srv := pt.NewServer(pt.WithAccount("x", items))
	syncOnce(t, path, srv.URL, false, "x")
	srv.Close()
	srv = pt.NewServer(pt.WithAccount("x", items[5:]))
	defer srv.Close()
	out, res := syncOnce(t, path, srv.URL, false, "x")
	if len(out.events) != 0 || res.Removed != 0 {
		t.Errorf("events without Removed: %v", out.events)
	}
	st := openStore(t, path)
	defer st.Close()
	if ids, _ := st.Seen(context.Background(), "x"); len(ids) != 45 {
		t.Errorf("state holds %d ids, want the 45 still listed", len(ids))
	}
}

// failingStore fails its commits from the n-th on, as a run killed after
// its output was flushed and before (or while) the state was committed
// would leave it.
type failingStore struct {
	invsync.Store
	n, calls int
}

func (f *failingStore) Commit(ctx context.Context, ch []invsync.Change) error {
	if f.calls++; f.calls >= f.n {
		return errors.New("killed")
	}
	return f.Store.Commit(ctx, ch)
}

// A run whose commit never happens leaves the state as it was: the next run
// reports again everything not committed, and nothing is skipped.
func TestRunStoppedBeforeCommitRepeatsWhatWasNotCommitted(t *testing.T) {
	srv := sandbox(t, 230)
	ctx := context.Background()
	for _, failAt := range []int{1, 2, 3} {
		path := filepath.Join(t.TempDir(), "state")
		st := openStore(t, path)
		fs := &failingStore{Store: st, n: failAt}
		out := &recorder{}
		s := &invsync.Syncer{Store: fs, CommitEvery: 100}
		_, err := s.Run(ctx, (multi.Lister{Client: newClient(t, srv.URL), Concurrency: 1}).Pages(ctx, []string{"a", "b"}, client.ListParams{Limit: pageSize}), out)
		if err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("fail at commit %d: run error %v", failAt, err)
		}
		_ = st.Close()
		// Commits before the failing one hold what was flushed before them:
		// each commit follows a flush, in order.
		committed := (failAt - 1) * 100
		first := out.keys(invsync.New)
		all := sorted(keysOf("a", srv.Items("a")), keysOf("b", srv.Items("b")))

		out2, _ := syncOnce(t, path, srv.URL, false, "a", "b")
		second := out2.keys(invsync.New)
		if len(second) != len(all)-committed {
			t.Errorf("fail at commit %d: second run reported %d, want the %d not committed", failAt, len(second), len(all)-committed)
		}
		if got := sorted(first, second); !slices.Equal(slices.Compact(got), all) {
			t.Errorf("fail at commit %d: the two runs together miss some invitations", failAt)
		}
		if out3, _ := syncOnce(t, path, srv.URL, false, "a", "b"); len(out3.events) != 0 {
			t.Errorf("fail at commit %d: third run reported %d", failAt, len(out3.events))
		}
	}
}

// A failed account: what it delivered before failing is recorded, no
// removal is looked for, and the other accounts complete.
func TestFailedAccountKeepsWhatItDelivered(t *testing.T) {
	srv := sandbox(t, 250)
	path := filepath.Join(t.TempDir(), "state")
	syncOnce(t, path, srv.URL, true, "a", "b")
	srv.Enqueue(pt.Error(gen.ForbiddenErrorTypeResourceAccessRestricted).OnCursor(pt.EncodeCursor(pageSize)).OnAccount("b"))
	// b now fails on its second page: nothing there may count as removed.
	out, res := syncOnce(t, path, srv.URL, true, "a", "b")
	if len(out.events) != 0 || len(res.Failed) != 1 || res.Failed[0].AccountID != "b" || res.Failed[0].Cursor != pt.EncodeCursor(pageSize) {
		t.Errorf("events %v, failed %v", out.events, res.Failed)
	}
}

// cancelAfter is a recorder that cancels the run's context after n events.
type cancelAfter struct {
	recorder
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(ev *invsync.Event) error {
	if len(c.events)+1 == c.n {
		c.cancel()
	}
	return c.recorder.Write(ev)
}

// ctxStore refuses to commit under an ended context, as a database
// client would.
type ctxStore struct{ invsync.Store }

func (c ctxStore) Commit(ctx context.Context, ch []invsync.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.Store.Commit(ctx, ch)
}

// An interrupted run (its context cancelled) commits what it wrote: the
// next run reports only the rest.
func TestInterruptedRunKeepsWhatItWrote(t *testing.T) {
	srv := sandbox(t, 300)
	path := filepath.Join(t.TempDir(), "state")
	st := openStore(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelAfter{n: 150, cancel: cancel}
	res, err := (&invsync.Syncer{Store: ctxStore{st}}).Run(ctx, (multi.Lister{Client: newClient(t, srv.URL), Concurrency: 1}).Pages(ctx, []string{"a", "b"}, client.ListParams{}), out)
	_ = st.Close()
	if err != nil || len(res.Failed) == 0 || res.Commits != 1 || len(out.events) < 150 {
		t.Fatalf("interrupted run: %v, %+v, %d events", err, res, len(out.events))
	}
	out2, _ := syncOnce(t, path, srv.URL, false, "a", "b")
	if len(out.events)+len(out2.events) != 600 {
		t.Errorf("interrupted run wrote %d, the next %d; want 600 in all", len(out.events), len(out2.events))
	}
}

// TestKilledRunLosesNothing kills a real sync process (this test binary,
// see TestMain) with SIGKILL, then syncs again: the two runs together
// report every invitation, the second reports each at most once, and a
// third reports nothing. The child is killed where it pauses on the
// parent's word (after writing k events; just before, or just after, its
// n-th commit), and also at unplanned instants (after the parent has read
// k lines, while the child runs on: writing, between commits or inside
// one). It is a process kill, not a power cut: the page cache survives.
func TestKilledRunLosesNothing(t *testing.T) {
	srv := sandbox(t, childItems)
	all := sorted(keysOf("a", srv.Items("a")), keysOf("b", srv.Items("b")), keysOf("c", srv.Items("c")))
	for _, at := range []string{
		"write:1", "write:40", "write:41", "write:599",
		"commit-before:1", "commit-after:1", "commit-before:7", "commit-after:7", "commit-after:22",
		"read:1", "read:40", "read:199", "read:333", "read:899",
	} {
		path := filepath.Join(t.TempDir(), "state")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+path, childPauseEnv+"="+at)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var first []string
		paused := false
		k, _ := strconv.Atoi(strings.TrimPrefix(at, "read:"))
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == pausedLine {
				paused = true
				_ = cmd.Process.Kill()
				continue
			}
			first = append(first, sc.Text())
			if len(first) == k && strings.HasPrefix(at, "read:") {
				_ = cmd.Process.Kill()
			}
		}
		err = cmd.Wait()
		if !strings.HasPrefix(at, "read:") && !paused || err == nil {
			t.Fatalf("%s: the child was not killed there (paused %v, exit %v)", at, paused, err)
		}
		out, _ := syncOnce(t, path, srv.URL, false, "a", "b", "c")
		second := out.keys(invsync.New)
		if len(slices.Compact(slices.Clone(second))) != len(second) {
			t.Errorf("%s: the second run reported an invitation twice", at)
		}
		if got := slices.Compact(sorted(first, second)); !slices.Equal(got, all) {
			t.Errorf("%s: the runs together reported %d of %d invitations", at, len(got), len(all))
		}
		if out3, _ := syncOnce(t, path, srv.URL, false, "a", "b", "c"); len(out3.events) != 0 {
			t.Errorf("%s: third run reported %d", at, len(out3.events))
		}
		t.Logf("%s: killed after %d lines written; the next run repeated %d", at, len(first), len(first)+len(second)-len(all))
	}
}

const (
	childItems = 300
	// childPauseEnv tells the child where to pause: write:K (after
	// writing K events), commit-before:N or commit-after:N (around its
	// N-th commit); read:K does not pause, and waits to be killed when it
	// finishes first.
	childPauseEnv = "INVSYNC_TEST_CHILD_PAUSE"
	// pausedLine is what the child writes when it pauses.
	pausedLine = "PAUSED"
)

// pause writes pausedLine and waits to be killed.
func pause() {
	_, _ = os.Stdout.WriteString(pausedLine + "\n")
	select {}
}

// lineOutput writes "account/id" lines straight to stdout (no buffer:
// Flush has nothing to do, every line is out once Write returns).
type lineOutput struct {
	n, pauseAt int
}

func (l *lineOutput) Write(ev *invsync.Event) error {
	_, err := os.Stdout.WriteString(ev.AccountID + "/" + ev.Invitation.ID + "\n")
	if l.n++; l.n == l.pauseAt {
		pause()
	}
	return err
}
func (l *lineOutput) Flush() error { return nil }

// pausingStore pauses around its n-th commit.
type pausingStore struct {
	invsync.Store
	calls, before, after int
}

func (p *pausingStore) Commit(ctx context.Context, ch []invsync.Change) error {
	p.calls++
	if p.calls == p.before {
		pause()
	}
	err := p.Store.Commit(ctx, ch)
	if p.calls == p.after {
		pause()
	}
	return err
}

// childRun is the killed process of TestKilledRunLosesNothing: a sync of
// three accounts of its own sandbox (the same generated data as the
// parent's) in pages of 20, committing every 40 events.
func childRun(path string) error {
	where, arg, _ := strings.Cut(os.Getenv(childPauseEnv), ":")
	n, _ := strconv.Atoi(arg)
	out := &lineOutput{}
	srv := pt.NewServer(pt.WithAnyAPIKey(), pt.WithAnyAccount(childItems), pt.WithLenientCursors())
	defer srv.Close()
	bs, err := boltstore.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = bs.Close() }()
	st := &pausingStore{Store: bs}
	switch where {
	case "write":
		out.pauseAt = n
	case "commit-before":
		st.before = n
	case "commit-after":
		st.after = n
	}
	c, err := client.New(client.WithAPIKey("k"), client.WithBaseURL(srv.URL))
	if err != nil {
		return err
	}
	ctx := context.Background()
	s := &invsync.Syncer{Store: st, CommitEvery: 40}
	_, err = s.Run(ctx, (multi.Lister{Client: c}).Pages(ctx, []string{"a", "b", "c"}, client.ListParams{Limit: 20}), out)
	if where == "read" && err == nil {
		// The parent kills after reading its K-th line; a run that
		// finished first waits for that kill, so that it is always killed
		// (the parent checks it was).
		select {}
	}
	return err
}

func TestSyncerNeedsAStore(t *testing.T) {
	_, err := (&invsync.Syncer{}).Run(context.Background(), nil, &recorder{})
	if err == nil {
		t.Fatal("a Syncer without a Store ran")
	}
}

// TestKindString: New and Removed have names; any other Kind, the zero
// one too (an Event whose Kind was never set), is shown by number.
func TestKindString(t *testing.T) {
	if invsync.New.String() != "new" || invsync.Removed.String() != "removed" || invsync.Kind(9).String() != "Kind(9)" || invsync.Kind(0).String() != "Kind(0)" {
		t.Errorf("Kind strings: %v, %v, %v, %v", invsync.New, invsync.Removed, invsync.Kind(9), invsync.Kind(0))
	}
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

// TestInvitationWithoutIDIsNewEveryRun: an invitation without an id cannot
// be recorded, so every run reports it, and no Change carries it.
func TestInvitationWithoutIDIsNewEveryRun(t *testing.T) {
	items := pt.GenerateInvitations(2, 3)
	items[1].ID = ""
	srv := pt.NewServer(pt.WithAccount("acc", items))
	defer srv.Close()
	c, err := client.New(client.WithAPIKey(pt.DefaultAPIKey), client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	out := &flushOutput{delivered: map[string]bool{}}
	st := &flushCheckingStore{t: t, out: out, ids: map[string]map[string]bool{}}
	s := &invsync.Syncer{Store: st}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for run, want := range []int{3, 1} {
		res, err := s.Run(ctx, (multi.Lister{Client: c}).Pages(ctx, []string{"acc"}, client.ListParams{}), out)
		if err != nil {
			t.Fatal(err)
		}
		if res.New != want || !out.delivered[eventKey(invsync.New, "acc", "")] {
			t.Fatalf("run %d: %d new (want %d; the one without an id each time), delivered %v", run+1, res.New, want, out.delivered)
		}
		if _, ok := st.ids["acc"][""]; ok || len(st.ids["acc"]) != 2 {
			t.Fatalf("run %d: the state holds %v, want the two ids and not the empty one", run+1, st.ids["acc"])
		}
	}
}
