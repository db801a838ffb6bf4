package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/internal/contract/check"
)

var updateFixtures = flag.Bool("update-fixtures", false, "rewrite testdata/contract/drift from the drifting server")

// runPlain runs the command like run, without the contract transport
// (whose kin-openapi validation would fail the test on the drift that
// these tests serve on purpose).
func runPlain(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runWith(t, nil, vars, args...)
}

// driftSecret is the shared secret the drifting server sends; it must show
// nowhere.
const driftSecret = "AQHs3cr3tDr1ft"

// driftItem is an invitation as the spec describes it.
func driftItem(i int) map[string]any {
	return map[string]any{
		"object":                   "InvitationReceived",
		"id":                       fmt.Sprintf("inv_drift_%d", i),
		"invited_user":             "Ada Lovelace",
		"invited_user_id":          "ACoAACr-1eYBl",
		"invited_user_public_id":   "ada-lovelace",
		"invited_user_description": "Founder at postpress",
		"date":                     "May 12, 2026",
		"parsed_datetime":          "2026-05-12T08:14:00.000Z",
		"invitation_text":          "Hi, would love to connect.",
		"inviter": map[string]any{
			"inviter_name": "Jordan Walke", "inviter_id": "ACoAABxyz",
			"inviter_public_identifier": "jordan-walke", "inviter_description": "Engineer at Acme",
		},
		"specifics": map[string]any{"provider": "LINKEDIN", "shared_secret": driftSecret},
	}
}

// driftServer is a server that drifts from the spec the way a live API
// does, across three pages: null where the spec forbids it, an empty id, an
// undocumented member, an enum value the spec lacks, a missing required
// member, an undocumented status (502 with an HTML page), an error type
// not listed for its status and a wrong type (a 503 whose `status` is a
// string). postpresstest cannot serve it: it is built on the generated
// strict server and produces only data that conforms to the spec.
//
// The errors come on the second page's first two attempts, so the client
// retries them (at its default of 2 retries) and the listing completes.
func driftServer(t *testing.T) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	attempts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-KEY") != testKey {
			http.Error(w, "no key", http.StatusTeapot)
			return
		}
		cursor := r.URL.Query().Get("cursor")
		mu.Lock()
		attempts[cursor]++
		n := attempts[cursor]
		mu.Unlock()
		page := map[string]any{"object": "InvitationList"}
		switch {
		case cursor == "":
			items := []any{driftItem(0), driftItem(1), driftItem(2)}
			for _, it := range items {
				it.(map[string]any)["object"] = nil
				it.(map[string]any)["connection_degree"] = 2
			}
			items[1].(map[string]any)["id"] = ""
			page["items"], page["cursor"] = items, "p2"
		case cursor == "p2" && n == 1:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
			return
		case cursor == "p2" && n == 2:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"title":"Service Unavailable","type":"errors/quota_exceeded","status":"503"}`))
			return
		case cursor == "p2":
			items := []any{driftItem(3), driftItem(4)}
			items[0].(map[string]any)["specifics"].(map[string]any)["provider"] = "WHATSAPP"
			delete(items[1].(map[string]any), "date")
			page["items"], page["cursor"] = items, "p3"
		case cursor == "p3":
			page["items"], page["cursor"] = []any{driftItem(5)}, nil
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"title":"Bad Request","type":"errors/invalid_parameters","status":400}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// driftWant is every disagreement the drifting server sends, by rule and
// place, once each.
var driftWant = []check.Count{
	{Rule: check.RuleUndocumentedProperty, Where: "/items/*/connection_degree", Count: 3},
	{Rule: check.RuleNullable, Where: "/items/*/object", Count: 3},
	{Rule: check.RuleMinLength, Where: "/items/*/id", Count: 1},
	{Rule: check.RuleUndocumentedStatus, Where: "(response)", Count: 1},
	{Rule: check.RuleUndocumentedErrorType, Where: "/type", Count: 1},
	{Rule: check.RuleType, Where: "/status", Count: 1},
	{Rule: check.RuleRequired, Where: "/items/*/date", Count: 1},
	{Rule: check.RuleEnum, Where: "/items/*/specifics/provider", Count: 1},
}

func sortCounts(cs []check.Count) []check.Count {
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b check.Count) int { return strings.Compare(string(a.Rule)+a.Where, string(b.Rule)+b.Where) })
	return cs
}

func TestContractCheckNamesEveryDriftOnce(t *testing.T) {
	srv := driftServer(t)
	env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}
	dir := t.TempDir()
	code, out, errOut := runPlain(t, env, "contract", "check", "--account-id", "acc", "--format", "json", "--record", dir)
	var rep contractReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d, stdout is not the JSON report: %v\n%s\n%s", code, err, out, errOut)
	}
	if code != ExitFailure || rep.Conforms || rep.ListingError != "" || rep.Pages != 3 || rep.Items != 6 || len(rep.Exchanges) != 5 {
		t.Fatalf("exit %d, conforms %v, listing error %q, %d pages, %d items, %d exchanges; want 1, false, none, 3, 6, 5\n%s",
			code, rep.Conforms, rep.ListingError, rep.Pages, rep.Items, len(rep.Exchanges), errOut)
	}
	if got, want := sortCounts(rep.Summary), sortCounts(driftWant); !reflect.DeepEqual(got, want) {
		t.Errorf("summary:\n got %+v\nwant %+v", got, want)
	}
	if ex := rep.Exchanges[2]; ex.Status != 503 || ex.ErrorType != "errors/quota_exceeded" || !ex.Documented {
		t.Errorf("the 503 is reported as %+v", ex)
	}
	for _, s := range []string{driftSecret, testKey} {
		if strings.Contains(out+errOut, s) {
			t.Errorf("the report shows %q", s)
		}
	}
	if !strings.Contains(errOut, "disagree in 12 places") {
		t.Errorf("stderr does not say how many disagreements: %q", errOut)
	}

	// The text report: one line per disagreement, one summary line per
	// rule and place.
	env["POSTPRESS_BASE_URL"] = driftServer(t).URL
	code, text, _ := runPlain(t, env, "contract", "check", "--account-id", "acc")
	for _, want := range []string{
		"/items/1/id minLength: spec: length at least 1; got: length 0: \"\"",
		"/items/0/object nullable: spec: not nullable (string, one of InvitationReceived); got: null",
		"/items/2/connection_degree undocumented property:",
		"(response) undocumented status: spec: one of 200, 400, 401, 403, 429, 500, 501, 503, 504; got: 502",
		"/type undocumented error type: spec: one of errors/no_client_session, errors/no_channel, errors/no_handler, … (5 values); got: \"errors/quota_exceeded\"",
		"/status type: spec: integer; got: string \"503\"",
		"/items/1/date required: spec: required; got: absent",
		"/items/0/specifics/provider enum: spec: one of LINKEDIN; got: \"WHATSAPP\"",
		"    3  nullable                 /items/*/object\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	if code != ExitFailure {
		t.Errorf("text: exit %d", code)
	}

	// What --record wrote replays through the checker with the same
	// result, and keeps no secret.
	_, fixtures, wants, err := check.LoadFixtures(dir)
	if err != nil || len(fixtures) != 5 {
		t.Fatalf("recorded %d fixtures: %v", len(fixtures), err)
	}
	chk, err := check.New()
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fixtures {
		if got := check.WantText(chk.Check(f.Exchange()).Disagreements); got != wants[i] {
			t.Errorf("fixture %d replays as\n%s\nwant\n%s", i+1, got, wants[i])
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, name := range files {
		b, _ := os.ReadFile(name)
		if bytes.Contains(b, []byte(driftSecret)) || bytes.Contains(b, []byte(testKey)) {
			t.Errorf("%s holds the secret or the key", name)
		}
	}
	driftDir := filepath.Join("..", "..", "testdata", "contract", "drift")
	if *updateFixtures {
		_ = os.RemoveAll(driftDir)
		if err := os.CopyFS(driftDir, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	// The committed drift fixtures are what this server records.
	for _, name := range files {
		got, _ := os.ReadFile(name)
		want, err := os.ReadFile(filepath.Join(driftDir, filepath.Base(name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from testdata/contract/drift (err %v); run go test ./internal/cli -run TestContractCheckNamesEveryDriftOnce -update-fixtures", filepath.Base(name), err)
		}
	}
}

func TestContractCheckOnTheSandboxConforms(t *testing.T) {
	page := client.DefaultPageSize // the CLI's page size
	srv, env := fakeAPI(t, 3*page+page/2)
	code, out, errOut := run(t, env, "contract", "check")
	if code != ExitOK || errOut != "" || !strings.Contains(out, fmt.Sprintf("summary: 3 exchanges, 3 pages, %d items checked; everything conforms to the spec", 3*page)) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if n := srv.RequestCount(); n != 3 {
		t.Errorf("--pages 3 (the default) sent %d requests", n)
	}
	code, out, _ = run(t, env, "contract", "check", "--pages", "0", "--format", "json")
	var rep contractReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK || !rep.Conforms || rep.Pages != 4 || rep.Items != 3*page+page/2 || len(rep.Summary) != 0 {
		t.Fatalf("--pages 0: exit %d, err %v, %+v", code, err, rep)
	}
}

func TestContractCheckUsageErrorsSendNothing(t *testing.T) {
	srv, env := fakeAPI(t, 10)
	noKey := map[string]string{"POSTPRESS_BASE_URL": srv.URL, "POSTPRESS_ACCOUNT_ID": "acc"}
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "001.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"no key":            {noKey, nil, "POSTPRESS_API_KEY"},
		"negative pages":    {env, []string{"--pages", "-1"}, "--pages must be 0 (all) or more"},
		"no account":        {map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}, nil, "--account-id is required"},
		"bad format":        {env, []string{"--format", "csv"}, "--format must be text or json"},
		"record non-empty":  {env, []string{"--record", full}, "already holds fixtures"},
		"empty record":      {env, []string{"--record="}, "--record must name a directory"},
		"plain http":        {env, []string{"--base-url", "http://api.postpress.ai/api/v1"}, "refusing plain http"},
		"unexpected arg":    {env, []string{"now"}, "unexpected argument"},
		"negative retries":  {env, []string{"--retries", "-1"}, "--retries"},
		"zero timeout":      {env, []string{"--timeout", "0s"}, "--timeout"},
		"unknown flag here": {env, []string{"--sandbox"}, "flag provided but not defined"},
	} {
		code, out, errOut := run(t, tc.env, append([]string{"contract", "check"}, tc.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", name, code, out, errOut, tc.want)
		}
	}
	if n := srv.RequestCount(); n != 0 {
		t.Fatalf("%d requests sent for bad input", n)
	}
}

func TestContractCheckReportsADocumentedErrorAsWhatItIs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"title":"Unauthorized","type":"errors/expired_credentials","status":401,"instance":"req_7"}`))
	}))
	defer srv.Close()
	code, out, errOut := runPlain(t, map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}, "contract", "check", "--account-id", "acc")
	if code != ExitFailure ||
		!strings.Contains(out, "→ 401 errors/expired_credentials (Credentials have expired. Reconnect the account.): conforms") ||
		!strings.Contains(out, "everything conforms to the spec") ||
		!strings.Contains(errOut, "listing failed") || !strings.Contains(errOut, "request id:  req_7") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestContractCheckGoesOnPastAPageTheClientRefuses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		it := driftItem(0)
		it["invited_user"] = 42
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "InvitationList", "items": []any{it}, "cursor": nil})
	}))
	defer srv.Close()
	code, out, errOut := runPlain(t, map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}, "contract", "check", "--account-id", "acc", "--retries", "0")
	if code != ExitFailure || !strings.Contains(out, "/items/0/invited_user type: spec: string; got: integer 42") ||
		!strings.Contains(errOut, "listing failed") || strings.Contains(out, "client decoding") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestValidateReportsOnStderrAndLeavesTheListingAlone(t *testing.T) {
	// A fresh drifting server for each run: its errors come on the
	// first attempts at the second page.
	env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": driftServer(t).URL, "POSTPRESS_ACCOUNT_ID": "acc"}
	_, checked, _ := runPlain(t, env, "contract", "check")
	env["POSTPRESS_BASE_URL"] = driftServer(t).URL
	code, plain, _ := runPlain(t, env, "invitations", "received", "--format", "ndjson")
	env["POSTPRESS_BASE_URL"] = driftServer(t).URL
	codeV, validated, errOut := runPlain(t, env, "invitations", "received", "--format", "ndjson", "--validate")
	if code != ExitOK || codeV != ExitOK || plain != validated || strings.Count(plain, "\n") != 6 {
		t.Fatalf("exit %d/%d; output with --validate differs:\n%s\n---\n%s", code, codeV, plain, validated)
	}
	// The same lines as contract check, for the exchanges that disagree.
	for _, line := range strings.Split(checked, "\n") {
		if strings.HasPrefix(line, "  ") && !strings.Contains(errOut, line) {
			t.Errorf("--validate's stderr lacks %q:\n%s", line, errOut)
		}
	}
	if strings.Contains(errOut, ": conforms") {
		t.Errorf("--validate reports conforming exchanges:\n%s", errOut)
	}

	_, senv := fakeAPI(t, 30)
	code, _, errOut = run(t, senv, "invitations", "received", "--validate", "--page-size", "10")
	if code != ExitOK || errOut != "" {
		t.Fatalf("sandbox with --validate: exit %d, stderr %q", code, errOut)
	}
}
