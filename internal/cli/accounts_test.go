package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/invsync/boltstore"
	"github.com/postpress/postpress-go/postpresstest"
)

// accountRow is a row of a listing of several accounts: account_id (and
// change) beside the invitation's own members.
type accountRow struct {
	AccountID string `json:"account_id"`
	Change    string `json:"change"`
	gen.InvitationReceived
}

func accountRows(t *testing.T, out string) []accountRow {
	t.Helper()
	var rows []accountRow
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var r accountRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("ndjson line %q: %v", line, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// byAccount returns the invitations of rows by account, in order.
func byAccount(rows []accountRow) map[string][]gen.InvitationReceived {
	m := map[string][]gen.InvitationReceived{}
	for _, r := range rows {
		m[r.AccountID] = append(m[r.AccountID], r.InvitationReceived)
	}
	return m
}

func multiAPI(t *testing.T, accounts map[string]int) (*postpresstest.Server, map[string]string) {
	t.Helper()
	var opts []postpresstest.Option
	for id, n := range accounts {
		opts = append(opts, postpresstest.WithGeneratedAccount(id, n))
	}
	srv := postpresstest.NewServer(append(opts, postpresstest.WithAPIKey(testKey))...)
	t.Cleanup(srv.Close)
	return srv, map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}
}

// Two sandbox accounts: the first sync prints all their rows (twice
// sandboxItems) each with its account, the second none; exit 0 both.
func TestSyncOnTheSandboxPrintsAllThenNothing(t *testing.T) {
	state := filepath.Join(t.TempDir(), "S")
	args := []string{"invitations", "sync", "--sandbox", "--account-id", "a", "--account-id", "b", "--state", state}
	code, out, errOut := run(t, nil, args...)
	rows := accountRows(t, out)
	if code != ExitOK || len(rows) != 2*sandboxItems {
		t.Fatalf("first run: exit %d, %d rows; stderr %s", code, len(rows), errOut)
	}
	fake := postpresstest.NewFake(postpresstest.WithAnyAccount(sandboxItems))
	for _, acc := range []string{"a", "b"} {
		if got := byAccount(rows)[acc]; !slices.EqualFunc(got, fake.Items(acc), func(x, y gen.InvitationReceived) bool { return x.ID == y.ID && x.InvitedUser == y.InvitedUser }) {
			t.Errorf("account %s: %d rows, want the sandbox's %d", acc, len(got), sandboxItems)
		}
	}
	if !strings.Contains(errOut, fmt.Sprintf("%d new from 2 of 2 accounts", 2*sandboxItems)) {
		t.Errorf("first run's stderr: %q", errOut)
	}
	code, out, errOut = run(t, nil, args...)
	if code != ExitOK || out != "" || !strings.Contains(errOut, "0 new") {
		t.Errorf("second run: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// One account fails for good on its second page, one is rate-limited, the
// others complete; the failure is on stderr with the command that resumes
// it, and the exit is 1 after the others finished.
func TestReceivedManyAccountsAgainstFaults(t *testing.T) {
	page := receivedOp(t).maxLimit // the CLI's page size
	srv, env := multiAPI(t, map[string]int{"acc_a": page * 3 / 2, "acc_b": page * 5 / 2, "acc_c": page * 6 / 5})
	srv.Enqueue(
		postpresstest.Error(gen.UnauthorizedErrorTypeExpiredCredentials).OnCursor(postpresstest.EncodeCursor(page)).OnAccount("acc_b"),
		postpresstest.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0").OnAccount("acc_c"),
	)
	code, out, errOut := run(t, env, "invitations", "received", "--account-id", "acc_a", "--account-id", "acc_b", "--account-id", "acc_c", "--concurrency", "2", "--format", "ndjson")
	got := byAccount(accountRows(t, out))
	for _, acc := range []string{"acc_a", "acc_c"} {
		if !reflect.DeepEqual(got[acc], srv.Items(acc)) {
			t.Errorf("%s: %d rows, want its %d", acc, len(got[acc]), len(srv.Items(acc)))
		}
	}
	if len(got["acc_b"]) != page {
		t.Errorf("acc_b: %d rows, want the %d of its first page", len(got["acc_b"]), page)
	}
	for _, want := range []string{
		"postpress: account acc_b: listing failed",
		"errors/expired_credentials",
		"resume with: --account-id acc_b --cursor " + postpresstest.EncodeCursor(page),
		"1 of 3 accounts failed",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != ExitFailure || strings.Contains(errOut, "acc_c:") {
		t.Errorf("exit %d (want 1); stderr:\n%s", code, errOut)
	}
}

func TestManyAccountsInEveryFormat(t *testing.T) {
	srv, env := multiAPI(t, map[string]int{"x": 30, "y": 20})
	args := []string{"invitations", "received", "--account-id", "x", "--account-id", "y", "--page-size", "7"}

	code, out, _ := run(t, env, append(args, "--format", "json")...)
	var arr []accountRow
	if err := json.Unmarshal([]byte(out), &arr); err != nil || code != 0 {
		t.Fatalf("json: exit %d, %v", code, err)
	}
	if got := byAccount(arr); !reflect.DeepEqual(got["x"], srv.Items("x")) || !reflect.DeepEqual(got["y"], srv.Items("y")) {
		t.Error("json: rows differ from the server's")
	}
	var raw []map[string]any
	_ = json.Unmarshal([]byte(out), &raw)
	if _, nested := raw[0]["invitation"]; nested || raw[0]["invited_user"] == nil || raw[0]["account_id"] == nil {
		t.Errorf("json rows must be flat: %v", raw[0])
	}

	code, out, _ = run(t, env, append(args, "--format", "csv")...)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || code != 0 || len(recs) != 51 || !slices.Equal(recs[0], append([]string{"account_id"}, columnNames(receivedOp(t).columns())...)) {
		t.Fatalf("csv: exit %d, %v, %d records, header %v", code, err, len(recs), recs[0])
	}
	for _, r := range recs[1:] {
		if r[0] != "x" && r[0] != "y" {
			t.Fatalf("csv row without its account: %v", r)
		}
	}

	code, out, _ = run(t, env, append(args, "--format", "table")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 51 || !strings.HasPrefix(lines[0], "ACCOUNT_ID") || !strings.Contains(lines[0], "DATE") {
		t.Fatalf("table: exit %d, %d lines, header %q", code, len(lines), lines[0])
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "x ") && !strings.HasPrefix(l, "y ") {
			t.Fatalf("table row without its account: %q", l)
		}
	}

	// One account: rows without account_id.
	_, out, _ = run(t, env, "invitations", "received", "--account-id", "x")
	if strings.Contains(out, "account_id") {
		t.Error("one account's rows carry account_id")
	}
}

func TestAccountsFile(t *testing.T) {
	srv, env := multiAPI(t, map[string]int{"x": 3, "y": 4, "z": 5})
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("good", "# accounts\nx\n\n   y  \n\t# z is paused\n")
	code, out, errOut := run(t, env, "invitations", "received", "--accounts-file", good, "--account-id", "z")
	got := byAccount(accountRows(t, out))
	if code != 0 || len(got["x"]) != 3 || len(got["y"]) != 4 || len(got["z"]) != 5 {
		t.Fatalf("exit %d, rows %d/%d/%d; stderr %s", code, len(got["x"]), len(got["y"]), len(got["z"]), errOut)
	}
	srv.ResetLog()
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"missing":     {[]string{"--accounts-file", filepath.Join(dir, "nope")}, "no such file"},
		"two on line": {[]string{"--accounts-file", file("two", "x y\n")}, "two:1"},
		"repeated":    {[]string{"--accounts-file", good, "--account-id", "x"}, `"x" is given more than once`},
		"empty file":  {[]string{"--accounts-file", file("empty", "# none\n")}, "lists no account"},
		"cursor":      {[]string{"--account-id", "x", "--account-id", "y", "--cursor", "c"}, "--cursor resumes one account"},
		"concurrency": {[]string{"--account-id", "x", "--concurrency", "0"}, "--concurrency"},
		"rate":        {[]string{"--account-id", "x", "--rate", "-1"}, "--rate"},
	} {
		code, out, errOut := run(t, env, append([]string{"invitations", "received"}, tc.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", name, code, out, errOut, tc.want)
		}
	}
	if n := srv.RequestCount(); n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
}

// --removed marks each row; a removed one carries its account, the
// change and its id, nothing else.
func TestSyncRemovedRows(t *testing.T) {
	items := postpresstest.GenerateInvitations(5, 40)
	state := filepath.Join(t.TempDir(), "S")
	first := postpresstest.NewServer(postpresstest.WithAccount("x", items[:30]), postpresstest.WithAccount("y", items[30:]), postpresstest.WithAPIKey(testKey))
	env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": first.URL}
	args := []string{"invitations", "sync", "--account-id", "x", "--account-id", "y", "--state", state, "--removed"}
	code, out, _ := run(t, env, args...)
	first.Close()
	if rows := accountRows(t, out); code != 0 || len(rows) != 40 || rows[0].Change != "new" {
		t.Fatalf("first run: exit %d, %d rows", code, len(rows))
	}
	second := postpresstest.NewServer(postpresstest.WithAccount("x", items[2:30]), postpresstest.WithAccount("y", items[30:]), postpresstest.WithAPIKey(testKey))
	defer second.Close()
	env["POSTPRESS_BASE_URL"] = second.URL
	code, out, errOut := run(t, env, args...)
	want := []string{
		`{"account_id":"x","change":"removed","id":"` + items[0].ID + `"}`,
		`{"account_id":"x","change":"removed","id":"` + items[1].ID + `"}`,
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	slices.Sort(want)
	slices.Sort(lines)
	if code != 0 || !slices.Equal(lines, want) || !strings.Contains(errOut, "0 new, 2 removed") {
		t.Errorf("second run: exit %d\n%s\nwant\n%s\nstderr %s", code, out, strings.Join(want, "\n"), errOut)
	}
}

func TestSyncRefusesASecondRunAndABadState(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "S")
	held, err := boltstore.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, nil, "invitations", "sync", "--sandbox", "--state", state)
	_ = held.Close()
	if code != ExitFailure || out != "" || !strings.Contains(errOut, state) || !strings.Contains(errOut, "in use by another run") {
		t.Errorf("second run: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	bad := filepath.Join(dir, "notes.txt")
	body := bytes.Repeat([]byte("my notes, not a state\n"), 1000)
	if err := os.WriteFile(bad, body, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, nil, "invitations", "sync", "--sandbox", "--state", bad)
	after, _ := os.ReadFile(bad)
	if code != ExitFailure || out != "" || !strings.Contains(errOut, bad) || !strings.Contains(errOut, "not a valid invitation sync state") || !bytes.Equal(after, body) {
		t.Errorf("bad state: exit %d, stdout %q, stderr %q, file kept: %v", code, out, errOut, bytes.Equal(after, body))
	}

	code, _, errOut = run(t, nil, "invitations", "sync", "--sandbox")
	if code != ExitUsage || !strings.Contains(errOut, "--state is required") {
		t.Errorf("no --state: exit %d, %q", code, errOut)
	}
	code, _, errOut = run(t, nil, "invitations", "sync", "--sandbox", "--state", state, "--cursor", "x")
	if code != ExitUsage || !strings.Contains(errOut, "-cursor") {
		t.Errorf("--cursor on sync: exit %d, %q", code, errOut)
	}
}
