package pgstore_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// End to end through the CLI: one `postpress sandbox`, 64 accounts in a
// file, two `postpress invitations sync --state postgres://…` processes
// started together print 64 × 120 rows between them, no (account, id)
// twice; run again together, they print none; exit 0 each time. With
// --into-table, the table holds each invitation once.
func TestTwoCLIWorkersPrintEachInvitationOnce(t *testing.T) {
	base := pgURL(t)
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "postpress")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/postpress")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	// A database of this test's own: the CLI uses the default schema.
	db := newSchema(t)
	c := conn(t)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.Exec(context.Background(), "DROP DATABASE "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	state := u.String()

	sb := exec.Command(bin, "sandbox", "--addr", "127.0.0.1:0")
	sbOut, err := sb.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sb.Stderr = sb.Stdout
	dieWithTest(sb)
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Process.Kill(); _ = sb.Wait() })
	var api string
	sc := bufio.NewScanner(sbOut)
	for api == "" && sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "serving the fake API at "); ok {
			api = strings.TrimSuffix(strings.Fields(rest)[0], "/users/invite/received")
		}
	}
	if api == "" {
		t.Fatal("postpress sandbox printed no address")
	}
	go func() {
		for sc.Scan() { // keep the pipe drained
		}
	}()
	var accts []string
	for i := range 64 {
		accts = append(accts, fmt.Sprintf("acct_%02d", i))
	}
	accountsFile := filepath.Join(dir, "accounts")
	if err := os.WriteFile(accountsFile, []byte(strings.Join(accts, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	round := func() (rows []string, perWorker [2]int) {
		var wg sync.WaitGroup
		outs := [2]bytes.Buffer{}
		errs := [2]bytes.Buffer{}
		codes := [2]error{}
		for i := range 2 {
			cmd := exec.Command(bin, "invitations", "sync", "--accounts-file", accountsFile, "--state", state, "--format", "ndjson", "--lease", "5s", "--into-table", "invitations")
			cmd.Env = append(os.Environ(), "POSTPRESS_BASE_URL="+api, "POSTPRESS_API_KEY=pp_test")
			cmd.Stdout, cmd.Stderr = &outs[i], &errs[i]
			dieWithTest(cmd)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			wg.Go(func() { codes[i] = cmd.Wait() })
		}
		wg.Wait()
		for i := range 2 {
			if codes[i] != nil {
				t.Fatalf("worker %d: %v\n%s", i, codes[i], errs[i].String())
			}
			t.Logf("worker %d: %s", i, strings.TrimSpace(errs[i].String()))
			for _, line := range strings.Split(strings.TrimSpace(outs[i].String()), "\n") {
				if line == "" {
					continue
				}
				var row struct {
					AccountID string `json:"account_id"`
					ID        string `json:"id"`
				}
				if err := json.Unmarshal([]byte(line), &row); err != nil || row.AccountID == "" || row.ID == "" {
					t.Fatalf("worker %d printed %q: %v", i, line, err)
				}
				rows = append(rows, row.AccountID+"/"+row.ID)
				perWorker[i]++
			}
		}
		slices.Sort(rows)
		return rows, perWorker
	}
	start := time.Now()
	rows, per := round()
	if d := dupes(rows); len(d) > 0 {
		t.Fatalf("%d (account, id) printed twice, e.g. %s", len(d), d[0])
	}
	if len(rows) != 64*120 {
		t.Fatalf("the two workers printed %d rows, want 64 × 120 = %d", len(rows), 64*120)
	}
	t.Logf("first round: %d rows (%d and %d) in %v", len(rows), per[0], per[1], time.Since(start).Round(time.Millisecond))
	if rows, _ = round(); len(rows) != 0 {
		t.Fatalf("the second round printed %d rows, want none", len(rows))
	}
	// --into-table: every printed invitation is in the table, once.
	dbc, err := pgx.Connect(ctx, state)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = dbc.Close(ctx) }()
	var n, distinct, withBody int
	if err := dbc.QueryRow(ctx, `SELECT count(*), count(DISTINCT (account_id, invitation_id)), count(*) FILTER (WHERE invitation->>'id' = invitation_id) FROM invitations`).Scan(&n, &distinct, &withBody); err != nil {
		t.Fatal(err)
	}
	if n != 64*120 || distinct != n || withBody != n {
		t.Errorf("table invitations: %d rows, %d distinct, %d with their invitation; want %d each", n, distinct, withBody, 64*120)
	}
}
