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
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

var updateFixtures = flag.Bool("update-fixtures", false, "rewrite testdata/contract/drift from the drifting server")

// runPlain runs the command like run, without the contract transport
// (which would fail the test on the drift that these tests serve on
// purpose).
func runPlain(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runWith(t, nil, vars, args...)
}

// driftSecret is the shared secret the drifting servers send; it must show
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

// reply is one response of a pagedServer. A page is a JSON body built from
// items (the cursor to the next reply filled in, null on the last), then
// edited by edit; raw replaces the body.
type reply struct {
	status int
	ctype  string
	items  []map[string]any
	edit   func(page map[string]any)
	raw    string
}

// goodPage is a reply of n conforming items.
func goodPage(n int) reply {
	r := reply{}
	for i := range n {
		r.items = append(r.items, driftItem(i))
	}
	return r
}

// pagedServer answers the request with cursor "" with replies[0], cursor
// "p1" with replies[1], and so on; it counts the requests. postpresstest
// cannot serve these: it is built on the generated strict server and sends
// only what conforms to the spec.
func pagedServer(t *testing.T, replies ...reply) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		i := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			i, _ = strconv.Atoi(strings.TrimPrefix(c, "p"))
		}
		if r.Header.Get("X-API-KEY") != testKey || i >= len(replies) {
			http.Error(w, "unexpected request", http.StatusTeapot)
			return
		}
		rep := replies[i]
		body := []byte(rep.raw)
		if rep.raw == "" {
			page := map[string]any{"object": "InvitationList", "items": rep.items, "cursor": nil}
			if rep.items == nil {
				page["items"] = []any{}
			}
			if i+1 < len(replies) {
				page["cursor"] = "p" + strconv.Itoa(i+1)
			}
			if rep.edit != nil {
				rep.edit(page)
			}
			body, _ = json.Marshal(page)
		}
		w.Header().Set("Content-Type", cmpOr(rep.ctype, "application/json"))
		w.WriteHeader(cmpOr(rep.status, http.StatusOK))
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// checkJSON runs contract check --format json against srv.
func checkJSON(t *testing.T, srv *httptest.Server, args ...string) (int, contractReport, string) {
	t.Helper()
	env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}
	code, out, errOut := runPlain(t, env, append([]string{"contract", "check", "--operation", receivedID, "--account-id", "acc", "--format", "json"}, args...)...)
	var rep contractReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d, stdout is not the JSON report: %v\n%s\n%s", code, err, out, errOut)
	}
	for _, s := range []string{driftSecret, testKey} {
		if strings.Contains(out+errOut, s) {
			t.Errorf("the report shows %q", s)
		}
	}
	return code, rep, errOut
}

// groups is the summary as "rule where" → count.
func groups(rep contractReport) map[string]int {
	m := map[string]int{}
	for _, g := range rep.Summary {
		m[string(g.Rule)+" "+g.Where] = g.Count
	}
	return m
}

// sevenDrifts is a server whose page 1 breaks the spec in six ways and
// whose page 2 answers an undocumented 418.
func sevenDrifts(t *testing.T) (*httptest.Server, *atomic.Int64) {
	p1 := goodPage(3)
	p1.items[0]["id"] = nil                                             // a null id
	p1.items[1]["invited_user"] = 42                                    // a number where a string is declared
	p1.items[2]["specifics"].(map[string]any)["provider"] = "WHATSAPP"  // an enum value the spec lacks
	p1.items[0]["connection_degree"] = 2                                // an undocumented member
	delete(p1.items[1], "date")                                         // a missing required member
	p1.edit = func(p map[string]any) { p["object"] = "InvitationPage" } // a wrong `object`
	return pagedServer(t, p1, reply{status: http.StatusTeapot, raw: `{"title":"I'm a teapot","type":"errors/teapot","status":418}`})
}

var sevenWant = map[string]int{
	"nullable /items/*/id":                             1,
	"type /items/*/invited_user":                       1,
	"enum /items/*/specifics/provider":                 1,
	"undocumented property /items/*/connection_degree": 1,
	"required /items/*/date":                           1,
	"enum /object":                                     1,
	"undocumented status (response)":                   1,
}

func TestContractCheckNamesAllSevenAndSendsTwoRequests(t *testing.T) {
	srv, n := sevenDrifts(t)
	code, rep, errOut := checkJSON(t, srv, "--pages", "0")
	if got := groups(rep); code != ExitFailure || !mapsEqual(got, sevenWant) {
		t.Errorf("exit %d, summary %v\nwant %v\n%s", code, got, sevenWant, errOut)
	}
	if n.Load() != 2 || rep.Pages != 1 || rep.Items != 3 || len(rep.Exchanges) != 2 {
		t.Errorf("%d requests, %d pages, %d items, %d exchanges; want 2, 1, 3, 2", n.Load(), rep.Pages, rep.Items, len(rep.Exchanges))
	}
	if last := rep.Exchanges[len(rep.Exchanges)-1]; last.Status != 418 || last.Disagreements[0].Got != "418" {
		t.Errorf("the last exchange is %+v", last)
	}

	// The default text report names all seven, with the 418 by its code.
	srv, n = sevenDrifts(t)
	code, text, _ := runPlain(t, map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}, "contract", "check", "--operation", receivedID, "--account-id", "acc", "--pages", "0")
	for _, want := range []string{"nullable", "/items/*/id", "/items/*/invited_user", "/items/*/specifics/provider",
		"/items/*/connection_degree", "/items/*/date", "/object", "undocumented status", "first: 418", "→ 418",
		"summary: 2 exchanges, 1 page, 3 items checked; 7 disagreements in 2 exchanges"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text report lacks %q:\n%s", want, text)
		}
	}
	if code != ExitFailure || n.Load() != 2 {
		t.Errorf("text: exit %d, %d requests", code, n.Load())
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestContractCheckFitsAScreen: 237 items shaped like the vendor's live
// data, two undocumented members on most of them, pages of 100.
func TestContractCheckFitsAScreen(t *testing.T) {
	var replies []reply
	for p := 0; p*100 < 237; p++ {
		r := reply{}
		for i := p * 100; i < min(237, (p+1)*100); i++ {
			it := driftItem(i)
			if i%10 != 0 {
				it["connection_degree"] = 2
			}
			if i%4 != 0 {
				it["mutual_connections"] = []any{"Grace Hopper"}
			}
			r.items = append(r.items, it)
		}
		replies = append(replies, r)
	}
	srv, n := pagedServer(t, replies...)
	env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}
	code, text, errOut := runPlain(t, env, "contract", "check", "--operation", receivedID, "--account-id", "acc", "--pages", "0")
	lines := strings.Count(text, "\n")
	if code != ExitFailure || lines > 40 || n.Load() != 3 {
		t.Fatalf("exit %d, %d lines, %d requests\n%s\n%s", code, lines, n.Load(), text, errOut)
	}
	for _, want := range []string{
		"summary: 3 exchanges, 3 pages, 237 items checked; 390 disagreements in 3 exchanges",
		"  213  undocumented property    /items/*/connection_degree\n",
		"  177  undocumented property    /items/*/mutual_connections\n",
		"e.g. /items/1/connection_degree /items/2/connection_degree /items/3/connection_degree",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	// --verbose: every occurrence; --format json: everything.
	_, verbose, _ := runPlain(t, env, "contract", "check", "--operation", receivedID, "--account-id", "acc", "--pages", "0", "--verbose")
	if got := strings.Count(verbose, "undocumented property: spec:"); got != 390 {
		t.Errorf("--verbose shows %d occurrences, want 390", got)
	}
	_, rep, _ := checkJSON(t, srv, "--pages", "0")
	total := 0
	for _, ex := range rep.Exchanges {
		total += len(ex.Disagreements)
	}
	if total != 390 || rep.Items != 237 {
		t.Errorf("JSON report: %d disagreements, %d items", total, rep.Items)
	}
}

// TestContractCheckEachDriftOnAnyPage serves each drift the rules name on
// the first page and on the second of three: it is named, each request is
// sent once, and the walk goes on past a page that disagrees (every page
// checked) and ends at an error status.
func TestContractCheckEachDriftOnAnyPage(t *testing.T) {
	teapot := reply{status: http.StatusTeapot, raw: `{"title":"x","type":"errors/teapot","status":418}`}
	for _, tc := range []struct {
		drift reply
		want  string // rule and where
		stops bool   // an error status: the walk ends there
	}{
		{drift: reply{items: []map[string]any{{"id": nil}}}, want: "nullable /items/*/id"},
		{drift: reply{items: []map[string]any{{"invited_user": 7}}}, want: "type /items/*/invited_user"},
		{drift: reply{items: []map[string]any{{"id": ""}}}, want: "minLength /items/*/id"},
		{drift: reply{items: []map[string]any{{"object": "InvitationSent"}}}, want: "enum /items/*/object"},
		{drift: reply{items: []map[string]any{{"date": "-"}}}, want: "required /items/*/date"},
		{drift: reply{items: []map[string]any{{"score": 0.5}}}, want: "undocumented property /items/*/score"},
		{drift: reply{items: []map[string]any{{"inviter": []any{}}}}, want: "type /items/*/inviter"},
		{drift: reply{edit: func(p map[string]any) { p["object"] = "InvitationPage" }}, want: "enum /object"},
		{drift: reply{ctype: "text/plain"}, want: "content type (response)"},
		{drift: reply{raw: `{"object":"InvitationList","items":[],"cursor":"p2"`}, want: "invalid JSON (response)", stops: true},
		{drift: teapot, want: "undocumented status (response)", stops: true},
		{drift: reply{status: 401, raw: `{"title":"x","type":"errors/too_many_requests","status":401}`}, want: "undocumented error type /type", stops: true},
		{drift: reply{status: 503, raw: `{"title":"x","type":"errors/quota_exceeded","status":"503"}`}, want: "type /status", stops: true},
	} {
		for _, at := range []int{0, 1} {
			replies := []reply{goodPage(2), goodPage(2), goodPage(2)}
			d := tc.drift
			if d.items != nil { // edits of one conforming item
				edit := d.items[0]
				d.items = []map[string]any{driftItem(0), driftItem(1)}
				for k, v := range edit {
					if k == "date" && v == "-" {
						delete(d.items[1], k)
					} else {
						d.items[1][k] = v
					}
				}
			}
			replies[at] = d
			srv, n := pagedServer(t, replies...)
			code, rep, errOut := checkJSON(t, srv, "--pages", "0")
			wantPages, wantRequests := 3, int64(3)
			if tc.stops {
				wantPages, wantRequests = at, int64(at+1)
			}
			if got := groups(rep); code != ExitFailure || got[tc.want] == 0 || rep.Pages != wantPages || n.Load() != wantRequests {
				t.Errorf("%s on page %d: exit %d, %d pages, %d requests (want %d, %d), summary %v\n%s",
					tc.want, at+1, code, rep.Pages, n.Load(), wantPages, wantRequests, got, errOut)
			}
		}
	}
}

// TestContractCheckGoesOnPastAPageTheClientRefuses: a page the client
// cannot decode is reported once and the walk goes on from its cursor.
func TestContractCheckGoesOnPastAPageTheClientRefuses(t *testing.T) {
	bad := goodPage(2)
	bad.items[0]["invited_user"] = 42
	srv, n := pagedServer(t, goodPage(1), bad, goodPage(3), goodPage(1))
	code, rep, errOut := checkJSON(t, srv, "--pages", "0", "--retries", "2")
	if code != ExitFailure || rep.Pages != 4 || rep.Items != 7 || n.Load() != 4 || rep.ListingError != "" {
		t.Fatalf("exit %d, %d pages, %d items, %d requests, listing error %q; want 1, 4, 7, 4, none\n%s", code, rep.Pages, rep.Items, n.Load(), rep.ListingError, errOut)
	}
	if got := groups(rep); !mapsEqual(got, map[string]int{"type /items/*/invited_user": 1}) {
		t.Errorf("summary %v", got)
	}
	if d := rep.Exchanges[1].Disagreements; len(d) != 1 || d[0].Pointer != "/items/0/invited_user" || d[0].Got != "42" {
		t.Errorf("page 2 is reported as %+v", d)
	}
}

func TestContractCheckUndocumentedStatusAfterGoodPages(t *testing.T) {
	srv, n := pagedServer(t, goodPage(2), goodPage(2), reply{status: 418, raw: `<html>teapot</html>`, ctype: "text/html"})
	code, rep, errOut := checkJSON(t, srv, "--pages", "0")
	if got := groups(rep); code != ExitFailure || !mapsEqual(got, map[string]int{"undocumented status (response)": 1}) ||
		rep.Pages != 2 || rep.Items != 4 || n.Load() != 3 || !strings.Contains(rep.ListingError, "HTTP 418 on page 3") {
		t.Fatalf("exit %d, %d pages, %d items, %d requests, listing error %q, summary %v\n%s", code, rep.Pages, rep.Items, n.Load(), rep.ListingError, got, errOut)
	}
}

// TestContractCheckRecordsReplayableFixtures: what --record writes keeps no
// secret and is what testdata/contract/drift holds (regenerate with
// -update-fixtures), which internal/contract's TestFixturesReplay replays.
func TestContractCheckRecordsReplayableFixtures(t *testing.T) {
	srv, _ := sevenDrifts(t)
	dir := t.TempDir()
	if code, _, _ := checkJSON(t, srv, "--pages", "0", "--record", dir); code != ExitFailure {
		t.Fatalf("exit %d", code)
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
	committed, _ := filepath.Glob(filepath.Join(driftDir, "*"))
	if len(committed) != len(files) {
		t.Errorf("testdata/contract/drift holds %d files, the server records %d", len(committed), len(files))
	}
	// The .want files must match, but for the lists of the spec's own
	// values; the bodies hold data generated from the spec, which a spec
	// edit changes (internal/contract's TestFixturesReplay replays them).
	specLists := regexp.MustCompile(`allowed values \[[^\]]*\]|spec: one of [^;]*;`)
	for _, name := range files {
		if filepath.Ext(name) != ".want" {
			continue
		}
		got, _ := os.ReadFile(name)
		want, err := os.ReadFile(filepath.Join(driftDir, filepath.Base(name)))
		if err != nil || !bytes.Equal(specLists.ReplaceAll(got, nil), specLists.ReplaceAll(want, nil)) {
			t.Errorf("%s differs from testdata/contract/drift (err %v); run go test ./internal/cli -run TestContractCheckRecordsReplayableFixtures -update-fixtures", filepath.Base(name), err)
		}
	}
}

func TestContractCheckOnTheSandboxConforms(t *testing.T) {
	page := receivedOp(t).maxLimit // the CLI's page size
	srv, env := fakeAPI(t, 3*page+page/2)
	code, out, errOut := run(t, env, "contract", "check", "--operation", receivedID)
	if code != ExitOK || errOut != "" || !strings.Contains(out, fmt.Sprintf("summary: 3 exchanges, 3 pages, %d items checked; everything conforms to the spec", 3*page)) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if n := srv.RequestCount(); n != 3 {
		t.Errorf("--pages 3 (the default) sent %d requests", n)
	}
	code, out, _ = run(t, env, "contract", "check", "--operation", receivedID, "--pages", "0", "--format", "json")
	var rep contractReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK || !rep.Conforms || rep.Pages != 4 || rep.Items != 3*page+page/2 || len(rep.Summary) != 0 {
		t.Fatalf("--pages 0: exit %d, err %v, %+v", code, err, rep)
	}
}

// receivedID is the operationId of the listing the contract tests check
// (--operation), so that an operation added to the spec, which their
// servers do not serve, leaves them as they are.
const receivedID = "listInvitationsReceived"

// TestContractCheckOnTheBuiltInSandbox: --sandbox checks the in-process
// sandbox (no key, no account), which serves every list operation;
// --operation picks one by its operationId or its command's words.
func TestContractCheckOnTheBuiltInSandbox(t *testing.T) {
	pagesOf := func(op *listOp) int { return (sandboxItems + op.maxLimit - 1) / op.maxLimit }
	summary := func(pages, items int) string {
		return fmt.Sprintf("summary: %s, %s, %d items checked; everything conforms to the spec", plural(pages, "exchange"), plural(pages, "page"), items)
	}
	one := summary(pagesOf(receivedOp(t)), sandboxItems)
	all := 0
	for _, op := range listOps {
		all += pagesOf(op)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sandbox", "--operation", receivedID}, one},
		{[]string{"--sandbox", "--operation", receivedOp(t).name()}, one},
		{[]string{"--sandbox"}, summary(all, len(listOps)*sandboxItems)},
	} {
		code, out, errOut := run(t, nil, append([]string{"contract", "check", "--pages", "0"}, tc.args...)...)
		if code != ExitOK || errOut != "" || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, want %q\n%s\n%s", tc.args, code, tc.want, out, errOut)
		}
	}
}

// TestContractCheckWalksEveryOperation: without --operation every list
// operation is walked, each to --pages; with it, only the one named.
func TestContractCheckWalksEveryOperation(t *testing.T) {
	saved := listOps
	t.Cleanup(func() { listOps = saved })
	twin := *receivedOp(t) // the same listing under a second name
	twin.operationID, twin.command = "listTwin", []string{"twin"}
	listOps = []*listOp{receivedOp(t), &twin}

	srv, env := fakeAPI(t, 3*twin.maxLimit)
	code, out, errOut := run(t, env, "contract", "check", "--pages", "2")
	if code != ExitOK || !strings.Contains(out, fmt.Sprintf("summary: 4 exchanges, 4 pages, %d items checked", 4*twin.maxLimit)) || srv.RequestCount() != 4 {
		t.Fatalf("every operation: exit %d, %d requests\n%s\n%s", code, srv.RequestCount(), out, errOut)
	}
	srv.ResetLog()
	code, out, errOut = run(t, env, "contract", "check", "--pages", "2", "--operation", "twin")
	if code != ExitOK || !strings.Contains(out, "summary: 2 exchanges, 2 pages") || srv.RequestCount() != 2 {
		t.Fatalf("--operation twin: exit %d, %d requests\n%s\n%s", code, srv.RequestCount(), out, errOut)
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
		"plain http":        {env, []string{"--base-url", "http://api.postpress.ai/api/v1"}, "plain http:// goes only to this machine"},
		"unexpected arg":    {env, []string{"now"}, "unexpected argument"},
		"negative retries":  {env, []string{"--retries", "-1"}, "--retries"},
		"zero timeout":      {env, []string{"--timeout", "0s"}, "--timeout"},
		"unknown flag here": {env, []string{"--max-items", "3"}, "unknown flag --max-items\n"},
		"unknown operation": {env, []string{"--operation", "listNothing"}, "--operation \"listNothing\" names no list operation"},
		"sandbox and base":  {env, []string{"--sandbox", "--base-url", srv.URL}, "--sandbox and --base-url exclude each other"},
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
	srv, n := pagedServer(t, reply{status: http.StatusServiceUnavailable, raw: `{"title":"Service Unavailable","type":"errors/service_unavailable","status":503,"instance":"req_7"}`})
	code, out, errOut := runPlain(t, map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}, "contract", "check", "--operation", receivedID, "--account-id", "acc")
	if code != ExitFailure || n.Load() != 1 ||
		!strings.Contains(out, "→ 503 errors/service_unavailable (") || !strings.Contains(out, "): conforms") ||
		!strings.Contains(out, "everything conforms to the spec") ||
		!strings.Contains(errOut, "listing failed") || !strings.Contains(errOut, "request id:  req_7") {
		t.Fatalf("exit %d, %d requests (a retryable status is not retried: each request is sent once)\n%s\n%s", code, n.Load(), out, errOut)
	}
}

func TestValidateReportsOnStderrAndLeavesTheListingAlone(t *testing.T) {
	// Drift the client decodes: the listing is the same with --validate.
	p1 := goodPage(3)
	p1.items[0]["connection_degree"] = 2
	p1.items[1]["specifics"].(map[string]any)["provider"] = "WHATSAPP"
	p2 := goodPage(2)
	delete(p2.items[1]["inviter"].(map[string]any), "inviter_id")
	for _, validate := range []bool{false, true} {
		srv, _ := pagedServer(t, p1, p2)
		env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL, "POSTPRESS_ACCOUNT_ID": "acc"}
		args := []string{"invitations", "received", "--format", "ndjson"}
		if validate {
			args = append(args, "--validate")
		}
		code, out, errOut := runPlain(t, env, args...)
		if code != ExitOK || strings.Count(out, "\n") != 5 {
			t.Fatalf("--validate %v: exit %d\n%s\n%s", validate, code, out, errOut)
		}
		if !validate {
			continue
		}
		for _, want := range []string{"summary: 2 exchanges, 2 pages, 5 items checked; 3 disagreements in 2 exchanges",
			"undocumented property    /items/*/connection_degree", "enum                     /items/*/specifics/provider"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("--validate's stderr lacks %q:\n%s", want, errOut)
			}
		}
		if strings.Contains(errOut, driftSecret) {
			t.Errorf("--validate shows the shared secret")
		}
	}
	_, senv := fakeAPI(t, 30)
	code, _, errOut := run(t, senv, "invitations", "received", "--validate", "--page-size", "10")
	if code != ExitOK || errOut != "" {
		t.Fatalf("sandbox with --validate: exit %d, stderr %q", code, errOut)
	}
}
