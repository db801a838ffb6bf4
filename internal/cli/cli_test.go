package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/postpresstest"
)

const testKey = "pp_live_CLI_TEST_s3cret"

// run runs the command with env vars, through the contract transport, and
// returns exit code, stdout and stderr.
func run(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runWith(t, contracttest.NewClient(t, nil), vars, args...)
}

// runWith runs the command with env vars and hc as its HTTP client (nil:
// the command's own), fails the test if the API key shows in the output,
// and returns exit code, stdout and stderr.
func runWith(t *testing.T, hc *http.Client, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), Env{
		Args:       args,
		Getenv:     func(k string) string { return vars[k] },
		Stdout:     &out,
		Stderr:     &errOut,
		HTTPClient: hc,
	})
	if strings.Contains(out.String()+errOut.String(), testKey) {
		t.Errorf("the API key was printed:\n%s\n%s", out.String(), errOut.String())
	}
	return code, out.String(), errOut.String()
}

func fakeAPI(t *testing.T, n int) (*postpresstest.Server, map[string]string) {
	t.Helper()
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc", n), postpresstest.WithAPIKey(testKey))
	t.Cleanup(srv.Close)
	return srv, map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL, "POSTPRESS_ACCOUNT_ID": "acc"}
}

func TestFormatsCarryWhatTheServerServed(t *testing.T) {
	srv, env := fakeAPI(t, 130)
	want := srv.Items("acc")

	code, out, _ := run(t, env, "invitations", "received", "--format", "ndjson")
	var got []gen.InvitationReceived
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var inv gen.InvitationReceived
		if err := json.Unmarshal([]byte(line), &inv); err != nil {
			t.Fatalf("ndjson line %q: %v", line, err)
		}
		got = append(got, inv)
	}
	if code != 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("ndjson: exit %d, %d items, want %d equal to the server's", code, len(got), len(want))
	}
	if !strings.Contains(out, `"invited_user_public_id":`) || !strings.Contains(out, `"inviter_public_identifier":`) {
		t.Error("ndjson must use the API's field names")
	}

	code, out, _ = run(t, env, "invitations", "received", "--format", "json", "--page-size", "50")
	var arr []gen.InvitationReceived
	if err := json.Unmarshal([]byte(out), &arr); err != nil || code != 0 || !reflect.DeepEqual(arr, want) {
		t.Fatalf("json: exit %d, err %v, %d items", code, err, len(arr))
	}

	code, out, _ = run(t, env, "invitations", "received", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || code != 0 || len(rows) != len(want)+1 {
		t.Fatalf("csv: exit %d, err %v, %d rows", code, err, len(rows))
	}
	// The header names every member of the items as encoding/json writes
	// them (nested objects by their members), not the code's own list.
	if head, names := slices.Sorted(slices.Values(rows[0])), jsonLeafNames(t, want); !slices.Equal(head, names) {
		t.Fatalf("csv header %v,\nwant the items' JSON members %v", rows[0], names)
	}
	colOf := map[string]int{}
	for i, name := range rows[0] {
		colOf[name] = i
	}
	for i, inv := range want {
		r := rows[i+1]
		if r[colOf["id"]] != inv.ID || r[colOf["invitation_text"]] != inv.InvitationText || r[colOf["inviter_name"]] != inv.Inviter.InviterName ||
			r[colOf["provider"]] != string(inv.Specifics.Provider) || r[colOf["shared_secret"]] != inv.Specifics.SharedSecret {
			t.Fatalf("csv row %d = %v", i, r)
		}
	}

	code, out, _ = run(t, env, "invitations", "received", "--format", "table", "--max-items", "3")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "DATE") || !strings.HasSuffix(lines[3], want[2].ID) {
		t.Fatalf("table: exit %d:\n%s", code, out)
	}
	if strings.Contains(out, want[0].Specifics.SharedSecret) {
		t.Error("the table should not show the shared secret")
	}
	col := strings.Index(lines[0], "ID")
	for i, l := range lines[1:] {
		if utf8.RuneCountInString(l[:strings.Index(l, want[i].ID)]) != col {
			t.Errorf("table columns do not line up:\n%s", out)
		}
	}
}

func TestRequestsFollowTheFlags(t *testing.T) {
	srv, env := fakeAPI(t, 130)
	code, out, errOut := run(t, env, "invitations", "received", "--page-size", "30", "--max-items", "70")
	reqs := srv.Requests()
	if code != 0 || len(reqs) != 3 {
		t.Fatalf("exit %d, %d requests, want 3", code, len(reqs))
	}
	// The last page asks only for the 10 items --max-items still needs.
	for i, r := range reqs {
		want := []string{"30", "30", "10"}[i]
		if r.Query.Get("limit") != want || r.Query.Get("account_id") != "acc" || r.Path != "/api/v1/users/invite/received" {
			t.Errorf("request %d: %v %v, want limit %s", i, r.Path, r.Query, want)
		}
	}
	// stderr says how to continue; continuing lists the other 60 items.
	_, cursor, ok := strings.Cut(strings.TrimSpace(errOut), "continue with: --cursor ")
	if !ok {
		t.Fatalf("stderr %q: want a continue hint", errOut)
	}
	code, rest, errOut := run(t, env, "invitations", "received", "--cursor", cursor)
	if code != 0 || errOut != "" {
		t.Fatalf("continuing: exit %d, stderr %q", code, errOut)
	}
	ids := append(ndjsonIDs(t, out), ndjsonIDs(t, rest)...)
	var want []string
	for _, inv := range srv.Items("acc") {
		want = append(want, inv.ID)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("the two runs listed %d ids %v,\nwant the server's %d in order", len(ids), ids, len(want))
	}
}

func TestUsageErrorsSendNothing(t *testing.T) {
	srv, env := fakeAPI(t, 10)
	noAccount := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}
	noKey := map[string]string{"POSTPRESS_BASE_URL": srv.URL}
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"no account":         {noAccount, nil, "--account-id is required"},
		"empty account":      {env, []string{"--account-id", ""}, "--account-id must not be empty"},
		"empty cursor":       {env, []string{"--cursor="}, "postpress: --cursor: must be at least 1 characters; nothing was sent"},
		"cursor with space":  {env, []string{"--cursor", "a b"}, "postpress: --cursor: must not contain white space"},
		"page size 0":        {env, []string{"--page-size", "0"}, fmt.Sprintf("postpress: --page-size: 0 is out of range: must be %d..%d; nothing was sent", minPageSize(t), receivedOp(t).maxLimit)},
		"page size over max": {env, []string{"--page-size", fmt.Sprint(receivedOp(t).maxLimit + 1)}, fmt.Sprintf("postpress: --page-size: %d is out of range", receivedOp(t).maxLimit+1)},
		"page size not int":  {env, []string{"--page-size", "ten"}, "-page-size"},
		"max items negative": {env, []string{"--max-items", "-1"}, "--max-items"},
		"bad format":         {env, []string{"--format", "xml"}, "--format"},
		"bad timeout":        {env, []string{"--timeout", "0s"}, "--timeout"},
		"negative retries":   {env, []string{"--retries", "-1"}, "--retries"},
		"unknown flag":       {env, []string{"--api-key", "x"}, "unknown flag --api-key: the API key comes from the environment variable POSTPRESS_API_KEY"},
		"extra argument":     {env, []string{"extra"}, "unexpected argument"},
		"no key":             {noKey, []string{"--account-id", "acc"}, "POSTPRESS_API_KEY"},
		"plain http":         {map[string]string{"POSTPRESS_API_KEY": testKey}, []string{"--account-id", "acc", "--base-url", "http://api.postpress.ai/api/v1"}, "plain http:// goes only to this machine"},
	} {
		code, out, errOut := run(t, tc.env, append([]string{"invitations", "received"}, tc.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", name, code, out, errOut, tc.want)
		}
	}
	if code, _, _ := run(t, env, "frobnicate"); code != ExitUsage {
		t.Errorf("unknown command: exit %d", code)
	}
	if n := srv.RequestCount(); n != 0 {
		t.Fatalf("%d requests sent for bad input", n)
	}
}

func TestFailureNamesTheErrorAndTheResumeCursor(t *testing.T) {
	page := receivedOp(t).maxLimit // the CLI's page size
	srv, env := fakeAPI(t, page*5/2)
	srv.Enqueue(postpresstest.Error(gen.UnauthorizedErrorTypeExpiredCredentials).OnCursor(postpresstest.EncodeCursor(2 * page)))
	code, out, errOut := run(t, env, "invitations", "received", "--format", "ndjson")
	written := strings.Count(out, "\n")
	if code != ExitFailure || written != 2*page {
		t.Fatalf("exit %d, %d items written, want 1 and %d", code, written, 2*page)
	}
	for _, want := range []string{"HTTP status: 401", "errors/expired_credentials", "request id:  req_", fmt.Sprintf("written:     %d items", 2*page), "resume with: --cursor " + postpresstest.EncodeCursor(2*page)} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// Resuming completes the set: nothing lost, nothing twice.
	code, rest, _ := run(t, env, "invitations", "received", "--format", "ndjson", "--cursor", postpresstest.EncodeCursor(2*page))
	all := strings.Split(strings.TrimSpace(out+rest), "\n")
	seen := map[string]bool{}
	for _, line := range all {
		var inv gen.InvitationReceived
		if err := json.Unmarshal([]byte(line), &inv); err != nil || inv.ID == "" {
			t.Fatalf("ndjson line %q: not an invitation (%v)", line, err)
		}
		if seen[inv.ID] {
			t.Fatalf("%s twice", inv.ID)
		}
		seen[inv.ID] = true
	}
	if code != 0 || len(seen) != page*5/2 {
		t.Fatalf("resume: exit %d, %d distinct items", code, len(seen))
	}

	// A failure on the first page: no resume hint, the error still named.
	srv.Enqueue(postpresstest.Error(gen.ForbiddenErrorTypeInsufficientPermissions))
	code, _, errOut = run(t, env, "invitations", "received")
	if code != ExitFailure || !strings.Contains(errOut, "HTTP status: 403") || strings.Contains(errOut, "resume with") {
		t.Errorf("first-page failure: exit %d, stderr %s", code, errOut)
	}

	// JSON output stays valid JSON when the listing fails.
	srv.Enqueue(postpresstest.Error(gen.NotImplementedErrorTypeFeatureNotImplemented).OnCursor(postpresstest.EncodeCursor(page)))
	code, out, _ = run(t, env, "invitations", "received", "--format", "json")
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(out), &arr); err != nil || code != ExitFailure || len(arr) != page {
		t.Errorf("json after failure: exit %d, err %v, %d items", code, err, len(arr))
	}
}

func TestVerboseLogsWithoutTheKey(t *testing.T) {
	srv, env := fakeAPI(t, 5)
	code, _, errOut := run(t, env, "invitations", "received", "--verbose")
	if code != 0 || !strings.Contains(errOut, "method=GET") || !strings.Contains(errOut, "status=200") || !strings.Contains(errOut, "api_key=[REDACTED]") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	// A retried failure logs every attempt, still without the key (run
	// scans stdout and stderr for it).
	srv.Enqueue(postpresstest.Error(gen.UnauthorizedErrorTypeInvalidCredentials), postpresstest.Error(gen.InternalServerErrorTypeProviderError).WithRetryAfter("0").Times(3))
	for range 2 {
		code, _, errOut = run(t, env, "invitations", "received", "--verbose")
		if code != ExitFailure || !strings.Contains(errOut, "api_key=[REDACTED]") {
			t.Fatalf("exit %d, stderr %s", code, errOut)
		}
	}
}

func TestSandboxListsInProcess(t *testing.T) {
	code, out, _ := run(t, nil, "invitations", "received", "--sandbox", "--format", "ndjson", "--page-size", "10")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != sandboxItems {
		t.Fatalf("exit %d, %d items, want %d", code, len(lines), sandboxItems)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"object", "id", "invited_user", "invited_user_id", "invited_user_public_id", "invited_user_description", "date", "parsed_datetime", "invitation_text", "inviter", "specifics"} {
		if first[k] == nil || first[k] == "" {
			t.Errorf("sandbox item lacks %s: %s", k, lines[0])
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSandboxServesARealHTTPClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Env{Args: []string{"sandbox", "--addr", "127.0.0.1:0", "--items", "42", "--seed", "3"},
			Stdout: &out, Stderr: &errOut, Ready: func(u string) { ready <- u }})
	}()
	var base string
	select {
	case base = <-ready:
	case code := <-done:
		t.Fatalf("sandbox exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), base+"/users/invite/received") || !strings.Contains(out.String(), "\nexport POSTPRESS_BASE_URL="+base+"\n") {
		t.Errorf("the sandbox should print its address, got %q", out.String())
	}
	c, err := client.New(client.WithBaseURL(base), client.WithAPIKey("anything"), client.WithHTTPClient(contracttest.NewClient(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "any_account", Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 42 {
		t.Errorf("listed %d from the sandbox, want 42", n)
	}
	// The lines it prints to paste list from it; a base URL without
	// /api/v1 gets a 404 that says so.
	vars := map[string]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
	}
	if vars["POSTPRESS_BASE_URL"] != base || len(vars) != 3 {
		t.Errorf("export lines: %q", vars)
	}
	code, rows, stderr := runWith(t, nil, vars, "invitations", "received", "--format", "ndjson")
	if code != ExitOK || strings.Count(rows, "\n") != 42 {
		t.Errorf("with the pasted lines: exit %d, %d rows, %s", code, strings.Count(rows, "\n"), stderr)
	}
	vars["POSTPRESS_BASE_URL"] = strings.TrimSuffix(base, postpresstest.BasePath)
	code, _, stderr = runWith(t, nil, vars, "invitations", "received")
	if code != ExitFailure || !strings.Contains(stderr, "HTTP status: 404") || !strings.Contains(stderr, "the base URL is likely wrong: it should end with /api/v1") {
		t.Errorf("the root as base URL: exit %d, %s", code, stderr)
	}
	// The sandbox refuses an empty key, like the API.
	req, _ := http.NewRequest(http.MethodGet, base+"/users/invite/received?account_id=a", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 401 {
		t.Errorf("no key: %v %v", resp, err)
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("sandbox exit %d: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not stop on cancel")
	}
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := run(t, nil, "version")
	if code != 0 || strings.TrimSpace(out) != "postpress-go "+client.Version {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out, _ := run(t, nil, "-h"); code != 0 || !strings.Contains(out, "invitations received") {
		t.Errorf("help: %d %q", code, out)
	}
	if code, _, errOut := run(t, nil, "invitations", "received", "-h"); code != 0 || !strings.Contains(errOut, "page-size") {
		t.Errorf("list help: %d %q", code, errOut)
	}
	var ue *usageError
	if !errors.As(usagef("x"), &ue) {
		t.Error("usagef should make a usageError")
	}
}

func TestProgressOnATerminal(t *testing.T) {
	page := receivedOp(t).maxLimit // the CLI's page size
	_, env := fakeAPI(t, page+30)
	runTTY := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), Env{Args: append([]string{"invitations", "received"}, args...), Getenv: func(k string) string { return env[k] },
			Stdout: &out, Stderr: &errOut, StderrTTY: true, HTTPClient: contracttest.NewClient(t, nil)})
		return code, out.String(), errOut.String()
	}
	code, out, errOut := runTTY()
	if code != 0 || errOut != fmt.Sprintf("%s%d items, 1 pages so far…%s%s%d items, 2 pages\n", eraseLine, page, eraseLine, eraseLine, page+30) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(out, "pages") || strings.Count(out, "\n") != page+30 {
		t.Error("progress must not go to stdout")
	}
	// One page: nothing to wait for, no progress; only the continue hint.
	if code, _, errOut := runTTY("--max-items", "50"); code != 0 || errOut != "postpress: stopped at --max-items 50; continue with: --cursor "+postpresstest.EncodeCursor(50)+"\n" {
		t.Errorf("one page: exit %d, stderr %q", code, errOut)
	}
	// --verbose logs each request instead.
	if code, _, errOut := runTTY("--verbose"); code != 0 || strings.Contains(errOut, "pages") || strings.Count(errOut, "status=200") != 2 {
		t.Errorf("verbose: exit %d, stderr %q", code, errOut)
	}
}

// ndjsonIDs returns the ids of the invitations in ndjson output, in order.
func ndjsonIDs(t *testing.T, out string) []string {
	t.Helper()
	var ids []string
	for line := range strings.Lines(out) {
		var inv gen.InvitationReceived
		if err := json.Unmarshal([]byte(line), &inv); err != nil {
			t.Fatalf("ndjson line %q: %v", line, err)
		}
		ids = append(ids, inv.ID)
	}
	return ids
}

// jsonLeafNames returns, sorted, the members of items as encoding/json
// writes them, an object's members standing for the object, each named by
// its JSON name, or by its dotted path when two members share a name.
func jsonLeafNames(t *testing.T, items []gen.InvitationReceived) []string {
	t.Helper()
	paths := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		obj, ok := v.(map[string]any)
		if !ok {
			paths[prefix] = true
			return
		}
		for k, m := range obj {
			if prefix != "" {
				k = prefix + "." + k
			}
			walk(k, m)
		}
	}
	for _, inv := range items {
		b, err := json.Marshal(inv)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		walk("", v)
	}
	base := func(p string) string { return p[strings.LastIndex(p, ".")+1:] }
	count := map[string]int{}
	for p := range paths {
		count[base(p)]++
	}
	var names []string
	for p := range paths {
		if count[base(p)] == 1 {
			p = base(p)
		}
		names = append(names, p)
	}
	slices.Sort(names)
	return names
}
