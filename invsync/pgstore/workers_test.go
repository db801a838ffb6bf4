package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/pgstore"
)

// Environment of a worker child (see TestMain): the test binary runs one
// RunShared over childAccounts and prints "account/id" a line.
const (
	childSchemaEnv = "PGSTORE_TEST_CHILD_SCHEMA"
	childURLEnv    = "PGSTORE_TEST_CHILD_API"
	childAccounts  = 64
	childItems     = 40
)

func TestMain(m *testing.M) {
	if schema := os.Getenv(childSchemaEnv); schema != "" {
		if err := childWorker(schema, os.Getenv(childURLEnv)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// lineOutput prints each event's key on stdout at once.
type lineOutput struct{}

func (lineOutput) Write(ev *invsync.Event) error {
	_, err := fmt.Println(ev.AccountID + "/" + ev.Invitation.ID)
	return err
}
func (lineOutput) Flush() error { return nil }

func childWorker(schema, apiURL string) error {
	ctx := context.Background()
	st, err := pgstore.Open(ctx, os.Getenv(urlEnv), pgstore.Options{Schema: schema, LeaseTime: time.Second})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	pages, err := newPages(apiURL, 10)
	if err != nil {
		return err
	}
	s := &invsync.Syncer{Store: st, Batch: 4}
	_, err = s.RunShared(ctx, accounts(childAccounts), pages, lineOutput{})
	return err
}

// runWorkers runs n workers, each with a Store of its own, over accounts
// at once, and returns what they reported together.
func runWorkers(t *testing.T, schema, apiURL string, n int, accts []string) (*recorder, []invsync.Result) {
	t.Helper()
	out := &recorder{}
	results := make([]invsync.Result, n)
	errs := make([]error, n)
	stores := make([]*pgstore.Store, n)
	for i := range stores {
		stores[i] = open(t, schema, pgstore.Options{LeaseTime: 2 * time.Second})
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s := &invsync.Syncer{Store: stores[i], Batch: 4}
			results[i], errs[i] = s.RunShared(context.Background(), accts, pagesFrom(t, apiURL, 10), out)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", i, err)
		}
	}
	return out, results
}

func TestWorkersShareTheAccounts(t *testing.T) {
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprintf("%d workers", n), func(t *testing.T) {
			schema := newSchema(t)
			f, url := sandbox(t, 120, 2*time.Millisecond)
			accts := accounts(64)
			out, results := runWorkers(t, schema, url, n, accts)
			got, want := out.sorted(), allKeys(f, accts)
			if d := dupes(got); len(d) > 0 {
				t.Fatalf("%d invitations reported by two workers, e.g. %s", len(d), d[0])
			}
			if !slices.Equal(got, want) {
				t.Fatalf("the workers reported %d invitations, want the %d listed", len(got), len(want))
			}
			listed := 0
			for i, r := range results {
				if r.Accounts == 0 {
					t.Errorf("worker %d listed no account: the accounts were not shared", i)
				}
				listed += r.Accounts
			}
			t.Logf("accounts listed by each worker: %v", listed)
			out, _ = runWorkers(t, schema, url, n, accts)
			if len(out.keys) != 0 {
				t.Fatalf("the second round reported %d invitations, want none", len(out.keys))
			}
		})
	}
}

// A worker killed mid-run loses its accounts to the other after their
// leases expire: every invitation is reported, by one or the other.
func TestKilledWorkersAccountsGoToTheOthers(t *testing.T) {
	schema := newSchema(t)
	f, url := sandbox(t, childItems, 20*time.Millisecond)
	_ = open(t, schema, pgstore.Options{}) // the schema, before the child races for it
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childSchemaEnv+"="+schema, childURLEnv+"="+url)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var child []string
	got := lines(stdout)
	// Past the child's first batch (Batch accounts), which it committed.
	for len(child) < 5*childItems {
		select {
		case l, ok := <-got:
			if !ok {
				t.Fatalf("the child ended after %d lines", len(child))
			}
			child = append(child, l)
		case <-time.After(30 * time.Second):
			t.Fatal("the child printed nothing for 30s")
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	for l := range got {
		child = append(child, l)
	}
	_ = cmd.Wait()
	if len(child) >= childAccounts*childItems {
		t.Fatalf("the child printed all %d before it was killed: nothing to take over", len(child))
	}
	start := time.Now()
	out, _ := runWorkers(t, schema, url, 1, accounts(childAccounts))
	t.Logf("the child printed %d before SIGKILL; the other worker %d, in %v", len(child), len(out.keys), time.Since(start).Round(time.Millisecond))
	all := slices.Concat(child, out.sorted())
	slices.Sort(all)
	want := allKeys(f, accounts(childAccounts))
	if missing := len(want) - len(slices.Compact(slices.Clone(all))); missing != 0 {
		t.Fatalf("%d invitations reported by neither worker", missing)
	}
	// What the child committed is not reported again.
	if len(out.keys) > len(want)-4*childItems {
		t.Errorf("the other worker reported %d, though the child had committed its first 4 accounts", len(out.keys))
	}
	out, _ = runWorkers(t, schema, url, 2, accounts(childAccounts))
	if len(out.keys) != 0 {
		t.Fatalf("a round after the takeover reported %d invitations, want none", len(out.keys))
	}
}

// The database restarted mid-run: the worker stops with an error saying
// the database cannot be reached, and the next run catches up.
func TestDatabaseRestartedMidRun(t *testing.T) {
	pgCtl, data := os.Getenv("POSTPRESS_PG_CTL"), os.Getenv("POSTPRESS_PG_DATA")
	pgURL(t)
	if pgCtl == "" || data == "" {
		t.Fatal("POSTPRESS_PG_CTL and POSTPRESS_PG_DATA are not set: run `make pg-test`, which starts a server this test may restart")
	}
	schema := newSchema(t)
	f, url := sandbox(t, 60, 10*time.Millisecond)
	accts := accounts(32)
	st := open(t, schema, pgstore.Options{LeaseTime: time.Second})
	out := &recorder{}
	done := make(chan error, 1)
	go func() {
		s := &invsync.Syncer{Store: st, Batch: 4}
		_, err := s.RunShared(context.Background(), accts, pagesFrom(t, url, 10), out)
		done <- err
	}()
	for len(out.sorted()) < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	// The server's output goes to a log file: a restarted server keeps
	// the descriptors it is given open.
	args := []string{pgCtl, "-D", data, "-m", "fast", "-w", "-l", filepath.Join(filepath.Dir(data), "server.log"), "restart"}
	if u := os.Getenv("POSTPRESS_PG_RUNAS"); u != "" {
		args = append([]string{"runuser", "-u", u, "--"}, args...)
	}
	restart := exec.Command(args[0], args[1:]...)
	restart.Env = append(os.Environ(), "PGCTLTIMEOUT=60")
	// pg_ctl keeps the server's options (port, socket) from
	// postmaster.opts.
	if err := restart.Run(); err != nil {
		t.Fatalf("pg_ctl restart: %v", err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the worker went on for 60s with its database restarted")
	}
	if err == nil {
		t.Fatal("the run succeeded though its database restarted mid-run")
	}
	msg := err.Error()
	if !strings.Contains(msg, "state database") || !strings.Contains(msg, "what was committed is kept") || strings.Contains(msg, "runtime error") || strings.Contains(msg, "goroutine") {
		t.Fatalf("error: %v", err)
	}
	t.Logf("the worker stopped with: %v", err)
	first := out.sorted()
	// The next run (a new worker) waits for the first worker's leases to
	// lapse, and reports what was not committed.
	out2, _ := runWorkers(t, schema, url, 1, accts)
	all := slices.Concat(first, out2.sorted())
	slices.Sort(all)
	if got, want := slices.Compact(all), allKeys(f, accts); !slices.Equal(got, want) {
		t.Fatalf("the two runs reported %d distinct invitations, want %d", len(got), len(want))
	}
	out3, _ := runWorkers(t, schema, url, 1, accts)
	if len(out3.keys) != 0 {
		t.Fatalf("a third run reported %d", len(out3.keys))
	}
}
