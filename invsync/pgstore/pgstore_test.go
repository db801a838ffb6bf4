package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/pgstore"
	"github.com/postpress/postpress-go/invsync/storetest"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestCommitAndSeen holds the store to invsync's contract (storetest); a
// NUL byte is not valid text in PostgreSQL, so an id holding one fails a
// commit.
func TestCommitAndSeen(t *testing.T) {
	schema := newSchema(t)
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t, schema, pgstore.Options{}) }, "bad\x00")
}

// A password in the URL shows in no error, whether the URL parses or not;
// an empty one leaves the driver's message as it is.
func TestErrorsHideThePassword(t *testing.T) {
	for dbURL, want := range map[string]string{
		"postgres://u:s3cret-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2": "127.0.0.1:1",
		"postgres://u:s3cret-pw@[::1/db":                                          "[::1/db",
		"postgres://u:@127.0.0.1:5432/db?sslmode=bogus":                           "sslmode is invalid",
	} {
		_, err := pgstore.Open(context.Background(), dbURL, pgstore.Options{})
		if err == nil {
			t.Fatalf("Open(%q) succeeded", dbURL)
		}
		if strings.Contains(err.Error(), "s3cret-pw") || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q): %v; want %q in it, not the password", dbURL, err, want)
		}
	}
}

func TestTableIsCheckedAndFilledExactlyOnce(t *testing.T) {
	ctx := context.Background()
	c := conn(t)
	schema := newSchema(t)
	table := schema + "_inv"
	if _, err := c.Exec(ctx, `CREATE TABLE `+table+` (id int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Open(ctx, pgURL(t), pgstore.Options{Schema: schema, Table: table}); err == nil || !strings.Contains(err.Error(), "not an invitations table") {
		t.Fatalf("Open with a foreign table: %v", err)
	}
	table += "2"
	s := open(t, schema, pgstore.Options{Table: table})
	if err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{"1"}}}); err == nil {
		t.Fatal("a commit without the invitations succeeded with a table")
	}
	f, url := sandbox(t, 30, 0)
	accts := accounts(5)
	out := &recorder{}
	sy := &invsync.Syncer{Store: s, Invitations: true}
	if _, err := sy.RunShared(ctx, accts, pagesFrom(t, url, 10), out); err != nil {
		t.Fatal(err)
	}
	var n, distinct int
	var id string
	if err := c.QueryRow(ctx, `SELECT count(*), count(DISTINCT (account_id, invitation_id)), min(invitation->>'id') FROM `+table).Scan(&n, &distinct, &id); err != nil {
		t.Fatal(err)
	}
	if want := len(allKeys(f, accts)); n != want || distinct != want || id == "" {
		t.Fatalf("table: %d rows (%d distinct, min id %q), want %d", n, distinct, id, want)
	}
}

// An invitation gone from the listing keeps its row in the table, with
// removed_at set; one listed again clears it.
func TestTableMarksRemoved(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	table := schema + "_inv"
	items := pt.GenerateInvitations(3, 30)
	sync := func(from, to int) {
		t.Helper()
		srv := pt.NewServer(pt.WithAPIKey("k"), pt.WithAccount("x", items[from:to]))
		defer srv.Close()
		s := open(t, schema, pgstore.Options{Table: table})
		defer func() {
			if !closeStore(t, s) {
				t.FailNow()
			}
		}()
		sy := &invsync.Syncer{Store: s, Invitations: true, Removed: true}
		if _, err := sy.RunShared(ctx, []string{"x"}, pagesFrom(t, srv.URL, 10), &recorder{}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (rows, removed int) {
		t.Helper()
		if err := conn(t).QueryRow(ctx, `SELECT count(*), count(removed_at) FROM `+table).Scan(&rows, &removed); err != nil {
			t.Fatal(err)
		}
		return rows, removed
	}
	sync(0, 20)
	if rows, removed := count(); rows != 20 || removed != 0 {
		t.Fatalf("after the first run: %d rows, %d removed; want 20, 0", rows, removed)
	}
	sync(5, 25)
	if rows, removed := count(); rows != 25 || removed != 5 {
		t.Fatalf("after the second run: %d rows, %d removed; want 25, 5", rows, removed)
	}
	sync(0, 25)
	if rows, removed := count(); rows != 25 || removed != 0 {
		t.Fatalf("after the third run: %d rows, %d removed; want 25, 0", rows, removed)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@db:5432/x?sslmode=require&password=pw2": "postgres://u@db:5432/x",
		"postgresql://db/x":                   "postgresql://db/x",
		"host=db user=u password=pw dbname=x": "(a connection string)",
	} {
		if got := pgstore.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// A worker whose lease lapsed and was taken over cannot commit the
// account: the commit fails whole, and the new holder's work stands.
func TestCommitAfterTheLeaseWasTakenFails(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	a := open(t, schema, pgstore.Options{LeaseTime: 200 * time.Millisecond})
	b := open(t, schema, pgstore.Options{LeaseTime: 200 * time.Millisecond})
	for _, w := range []*pgstore.Store{a, b} {
		if err := w.BeginRound(ctx, []string{"x", "y"}); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := a.Claim(ctx, 2)
	if err != nil || !slices.Equal(got, []string{"x", "y"}) {
		t.Fatalf("a claimed %v, %v", got, err)
	}
	if got, held, err := b.Claim(ctx, 2); err != nil || len(got) != 0 || held != 2 {
		t.Fatalf("b claimed %v (held %d, %v) while a holds both", got, held, err)
	}
	time.Sleep(300 * time.Millisecond)
	if got, _, err := b.Claim(ctx, 1); err != nil || !slices.Equal(got, []string{"x"}) {
		t.Fatalf("b claimed %v, %v after a's leases lapsed; want x", got, err)
	}
	err = a.Commit(ctx, []invsync.Change{{AccountID: "y", Added: []string{"1"}}, {AccountID: "x", Added: []string{"2"}}})
	if !errors.Is(err, invsync.ErrLeaseLost) || !strings.Contains(err.Error(), "account x") {
		t.Fatalf("a's commit after b took x: %v, want ErrLeaseLost naming x", err)
	}
	if err := a.Renew(ctx, []string{"x"}); !errors.Is(err, invsync.ErrLeaseLost) {
		t.Errorf("a renewed x after b took it: %v", err)
	}
	for _, acc := range []string{"x", "y"} {
		if ids, _ := b.Seen(ctx, acc); len(ids) != 0 {
			t.Errorf("the failed commit recorded %v for %s", ids, acc)
		}
	}
	// y was not taken: a still holds it (lapsed, nobody claimed it).
	if err := a.Commit(ctx, []invsync.Change{{AccountID: "y", Added: []string{"1"}}}); err != nil {
		t.Errorf("a's commit of y, lapsed but not taken: %v", err)
	}
	if err := b.Commit(ctx, []invsync.Change{{AccountID: "x", Added: []string{"2"}}}); err != nil {
		t.Errorf("b's commit of x: %v", err)
	}
}

// TestLeaseTimeAtLeast100ms: a lease of 100ms is accepted (Open goes on to
// the server, here one that is not there), 99ms is refused before any
// connection. It needs no PostgreSQL.
func TestLeaseTimeAtLeast100ms(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const nowhere = "postgres://postpress@127.0.0.1:1/none?connect_timeout=2"
	for lease, refused := range map[time.Duration]bool{99 * time.Millisecond: true, 100 * time.Millisecond: false} {
		st, err := pgstore.Open(ctx, nowhere, pgstore.Options{LeaseTime: lease})
		if st != nil {
			_ = st.Close()
		}
		if err == nil {
			t.Fatalf("lease %v: Open of a server that is not there succeeded", lease)
		}
		if got := strings.Contains(err.Error(), "too short"); got != refused {
			t.Errorf("lease %v: %v; want it refused as too short: %v", lease, err, refused)
		}
	}
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
	cmd.Env = append(os.Environ(), childDBEnv+"="+pgURL(t), childSchemaEnv+"="+schema, childURLEnv+"="+url)
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
	srv := restartable(t)
	pgCtl, data := srv.ctl, srv.data
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
	if srv.runAs != "" {
		args = append([]string{"runuser", "-u", srv.runAs, "--"}, args...)
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

// A Commit outside a shared round (this worker claimed nothing) records
// the ids and upserts the invitations into the table; a failed one reports
// the database's reason.
func TestCommitOutsideARoundFillsTheTable(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	table := schema + "_inv"
	s := open(t, schema, pgstore.Options{Table: table})
	inv := client.Invitation{InvitationReceived: pt.GenerateInvitations(1, 1)[0]}
	if err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{inv.ID}, Invitations: []client.Invitation{inv}}}); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.Seen(ctx, "a"); err != nil || !slices.Equal(ids, []string{inv.ID}) {
		t.Errorf("Seen: %v, %v; want %s", ids, err, inv.ID)
	}
	var n int
	var id string
	if err := conn(t).QueryRow(ctx, `SELECT count(*), coalesce(min(invitation->>'id'), '') FROM `+table).Scan(&n, &id); err != nil {
		t.Fatal(err)
	}
	if n != 1 || id != inv.ID {
		t.Errorf("the table holds %d rows (id %q), want the one invitation %s", n, id, inv.ID)
	}
	// A NUL byte is not valid text in PostgreSQL.
	err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{"bad\x00"}, Invitations: []client.Invitation{inv}}})
	if err == nil || !strings.Contains(err.Error(), "SQLSTATE 22021") {
		t.Errorf("a commit of an id holding a NUL byte: %v, want the database's error (SQLSTATE 22021)", err)
	}
}

// A statement on the table that fails (here a check of the user's own)
// fails the Commit with the database's error, and the ids stay as they
// were.
func TestCommitFailsWithTheTablesError(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	table := schema + "_inv"
	if _, err := conn(t).Exec(ctx, `CREATE TABLE `+table+` (
	account_id    text        NOT NULL,
	invitation_id text        NOT NULL,
	invitation    jsonb       NOT NULL,
	seen_at       timestamptz NOT NULL DEFAULT now(),
	removed_at    timestamptz CONSTRAINT never_removed CHECK (removed_at IS NULL),
	PRIMARY KEY (account_id, invitation_id))`); err != nil {
		t.Fatal(err)
	}
	s := open(t, schema, pgstore.Options{Table: table})
	inv := client.Invitation{InvitationReceived: pt.GenerateInvitations(1, 1)[0]}
	if err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{inv.ID}, Invitations: []client.Invitation{inv}}}); err != nil {
		t.Fatal(err)
	}
	err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Removed: []string{inv.ID}}})
	if err == nil || !strings.Contains(err.Error(), "never_removed") {
		t.Errorf("a removal the table refuses: %v, want the check's error", err)
	}
	if ids, err := s.Seen(ctx, "a"); err != nil || !slices.Equal(ids, []string{inv.ID}) {
		t.Errorf("Seen after the failed commit: %v, %v; want %s still", ids, err, inv.ID)
	}
}

// beginRounds starts the round over accounts for each worker.
func beginRounds(t *testing.T, accounts []string, workers ...*pgstore.Store) {
	t.Helper()
	for _, w := range workers {
		if err := w.BeginRound(context.Background(), accounts); err != nil {
			t.Fatal(err)
		}
	}
}

// Close hands the worker's leases back: another worker claims the
// accounts at once, not when the leases lapse.
func TestCloseReleasesTheLeases(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	a := open(t, schema, pgstore.Options{LeaseTime: time.Hour})
	b := open(t, schema, pgstore.Options{LeaseTime: time.Hour})
	beginRounds(t, []string{"x"}, a, b)
	if got, _, err := a.Claim(ctx, 1); err != nil || !slices.Equal(got, []string{"x"}) {
		t.Fatalf("a claimed %v, %v", got, err)
	}
	closeStore(t, a)
	if got, held, err := b.Claim(ctx, 1); err != nil || !slices.Equal(got, []string{"x"}) {
		t.Errorf("b claimed %v (%d held, %v) after a closed; want x", got, held, err)
	}
}

// Renew of accounts this worker holds succeeds, and their leases end
// later than before.
func TestRenewExtendsTheLeases(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	a := open(t, schema, pgstore.Options{LeaseTime: time.Hour})
	beginRounds(t, []string{"x", "y"}, a)
	if got, _, err := a.Claim(ctx, 2); err != nil || len(got) != 2 {
		t.Fatalf("claimed %v, %v", got, err)
	}
	c := conn(t)
	ends := func() []time.Time {
		t.Helper()
		rows, _ := c.Query(ctx, `SELECT lease_until FROM `+pgx.Identifier{schema, "accounts"}.Sanitize()+` ORDER BY account`)
		until, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
		if err != nil {
			t.Fatal(err)
		}
		return until
	}
	before := ends()
	if err := a.Renew(ctx, []string{"x", "y"}); err != nil {
		t.Fatalf("Renew of the accounts this worker holds: %v", err)
	}
	after := ends()
	for i := range after {
		if !after[i].After(before[i]) {
			t.Errorf("lease %d ends at %v after Renew, %v before", i, after[i], before[i])
		}
	}
}

// An account released as done is complete for the round: another worker,
// whose round began before, does not claim it; one released not done (it
// failed) is claimed again.
func TestAccountsReleasedDoneAreCompleteForTheRound(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	a := open(t, schema, pgstore.Options{})
	b := open(t, schema, pgstore.Options{})
	beginRounds(t, []string{"x", "y"}, a, b)
	if got, _, err := a.Claim(ctx, 2); err != nil || len(got) != 2 {
		t.Fatalf("a claimed %v, %v", got, err)
	}
	if err := a.Release(ctx, []string{"x", "y"}, []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if got, held, err := b.Claim(ctx, 2); err != nil || !slices.Equal(got, []string{"y"}) {
		t.Errorf("b claimed %v (%d held, %v); want y alone (x is done)", got, held, err)
	}
}
