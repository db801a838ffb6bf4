package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/postpresstest"
)

func TestTableShowsNoTerminalControls(t *testing.T) {
	inv := postpresstest.GenerateInvitations(1, 1)[0]
	inv.InvitationText = "hi\x1b]0;pwned\x07 there\x1b[2J\u202egnp.exe"
	inv.Inviter.InviterName = "Eve\r\nMallory"
	srv := postpresstest.NewServer(postpresstest.WithAccount("acc", []gen.InvitationReceived{inv}), postpresstest.WithAPIKey(testKey))
	t.Cleanup(srv.Close)
	env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL, "POSTPRESS_ACCOUNT_ID": "acc"}

	code, out, _ := run(t, env, "invitations", "received", "--format", "table")
	if code != 0 || strings.ContainsAny(out, "\x1b\x07\r\u202e") || !strings.Contains(out, "Eve Mallory") || !strings.Contains(out, `hi\x1b]0;pwned\x07 there\x1b[2J\u202egnp.exe`) {
		t.Errorf("table: exit %d, %q", code, out)
	}
	if strings.Count(out, "\n") != 2 {
		t.Errorf("one item should be one row under the header:\n%q", out)
	}
	// The exports keep the API's data as it came.
	_, out, _ = run(t, env, "invitations", "received", "--format", "ndjson")
	var got gen.InvitationReceived
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.InvitationText != inv.InvitationText || got.Inviter.InviterName != inv.Inviter.InviterName {
		t.Errorf("ndjson changed the data: %v %q", err, out)
	}
	_, out, _ = run(t, env, "invitations", "received", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][slices.Index(rows[0], "invitation_text")] != inv.InvitationText {
		t.Errorf("csv changed the data: %v %q", err, out)
	}
}

var errDiskFull = errors.New("disk full")

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		w := f.n
		f.n = 0
		return w, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestOutputFailureExitsOne(t *testing.T) {
	_, env := fakeAPI(t, 250)
	for _, format := range []string{"ndjson", "json", "csv", "table"} {
		var errOut bytes.Buffer
		code := Run(context.Background(), Env{Args: []string{"invitations", "received", "--format", format}, Getenv: func(k string) string { return env[k] },
			Stdout: &failingWriter{n: 1000}, Stderr: &errOut, HTTPClient: contracttest.NewClient(t, nil)})
		if code != ExitFailure || !strings.Contains(errOut.String(), "writing output") || !strings.Contains(errOut.String(), "disk full") {
			t.Errorf("%s: exit %d, stderr %q", format, code, errOut.String())
		}
	}
}

// hostileTexts are invitation texts a spreadsheet would run as formulas,
// one for each starting character OWASP lists, and one it would not.
var hostileTexts = map[string]string{
	"=":  `=HYPERLINK("http://evil","x")`,
	"+":  "+1+2",
	"-":  "-2+3",
	"@":  "@SUM(1+1)",
	"\t": "\t=1+1",
	"\r": "\r=1+1",
}

// hostileAPI serves one account whose invitations carry hostileTexts in
// their text and inviter name.
func hostileAPI(t *testing.T) (map[string]string, []gen.InvitationReceived) {
	t.Helper()
	items := postpresstest.GenerateInvitations(7, len(hostileTexts)+1)
	i := 0
	for _, start := range slices.Sorted(func(yield func(string) bool) {
		for k := range hostileTexts {
			if !yield(k) {
				return
			}
		}
	}) {
		items[i].InvitationText = hostileTexts[start]
		items[i].Inviter.InviterName = hostileTexts[start]
		i++
	}
	items[i].InvitationText = "a plain note, 1+1=2"
	srv := postpresstest.NewServer(postpresstest.WithAccount("acc", items), postpresstest.WithAPIKey(testKey))
	t.Cleanup(srv.Close)
	return map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL, "POSTPRESS_ACCOUNT_ID": "acc"}, items
}

func readCSV(t *testing.T, out string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(out))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	return rows
}

// No CSV cell starts with a formula character unless --csv-raw is given;
// with it every cell is the text as it came.
func TestCSVNeutralisesFormulas(t *testing.T) {
	env, items := hostileAPI(t)
	code, out, errOut := run(t, env, "invitations", "received", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := readCSV(t, out)
	text := slices.Index(rows[0], "invitation_text")
	name := slices.Index(rows[0], "inviter_name")
	if len(rows) != len(items)+1 || text < 0 || name < 0 {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	for _, row := range rows[1:] {
		for j, c := range row {
			if c != "" && strings.IndexByte(formulaStarts, c[0]) >= 0 {
				t.Errorf("column %s starts with %q: %q", rows[0][j], c[0], c)
			}
		}
	}
	for i, inv := range items {
		want := inv.InvitationText
		if strings.IndexByte(formulaStarts, want[0]) >= 0 {
			want = "'" + want
		}
		if got := rows[i+1][text]; got != want {
			t.Errorf("item %d: invitation_text %q, want %q", i, got, want)
		}
		if got := rows[i+1][name]; inv.Inviter.InviterName[0] == '=' && got != "'"+inv.Inviter.InviterName {
			t.Errorf("item %d: inviter_name %q", i, got)
		}
	}

	code, out, _ = run(t, env, "invitations", "received", "--format", "csv", "--csv-raw")
	rows = readCSV(t, out)
	for i, inv := range items {
		if code != ExitOK || rows[i+1][text] != inv.InvitationText || rows[i+1][name] != inv.Inviter.InviterName {
			t.Errorf("--csv-raw item %d: %q, want %q", i, rows[i+1][text], inv.InvitationText)
		}
	}

	// JSON and ndjson stay exact.
	_, out, _ = run(t, env, "invitations", "received", "--format", "ndjson")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, inv := range items {
		var got gen.InvitationReceived
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil || got.InvitationText != inv.InvitationText || got.Inviter.InviterName != inv.Inviter.InviterName {
			t.Errorf("ndjson item %d changed: %v %q", i, err, lines[i])
		}
	}
	_, out, _ = run(t, env, "invitations", "received", "--format", "json")
	var all []gen.InvitationReceived
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) != len(items) || all[0].InvitationText != items[0].InvitationText {
		t.Errorf("json changed the data: %v", err)
	}
}

// defuse, by each starting character.
func TestDefuse(t *testing.T) {
	for _, start := range []string{"=", "+", "-", "@", "\t", "\r"} {
		if got := defuse(start + "x"); got != "'"+start+"x" {
			t.Errorf("defuse(%q) = %q", start+"x", got)
		}
	}
	for _, s := range []string{"", "x=1", " =1", "'=1", "\n=1", "1-2"} {
		if got := defuse(s); got != s {
			t.Errorf("defuse(%q) = %q, want it unchanged", s, got)
		}
	}
}

// The table shows control and bidi characters escaped, and the exports
// keep them as they came.
func TestPrintableEscapesControls(t *testing.T) {
	for in, want := range map[string]string{
		"hi\x1b]0;pwned\x07":   `hi\x1b]0;pwned\x07`,
		"\u202egnp.exe":        `\u202egnp.exe`,
		"a\u2066b\u2069c":      `a\u2066b\u2069c`,
		"Eve\r\nMallory\t x":   "Eve Mallory x",
		"del\x7f c1\u0085 end": `del\x7f c1 end`,
		"plain – text é":       "plain – text é",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// liveShaped serves a listing of n invitations for any account, in pages
// of the limit asked, shaped like recorded live responses: each invitation
// carries members the spec does not list, invited_user_profile_picture_url
// on the invitation and inviter_profile_picture_url on the inviter (every
// third invitation has no inviter), and the body is indented as some
// servers send it. It returns the server and the invitations it serves, by
// account, as decoded JSON.
func liveShaped(t *testing.T, n int, accounts ...string) (*httptest.Server, map[string][]map[string]any) {
	t.Helper()
	items := map[string][]map[string]any{}
	for a, acc := range accounts {
		for i, inv := range postpresstest.GenerateInvitations(int64(a+1), n) {
			b, err := json.Marshal(inv)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			m["invited_user_profile_picture_url"] = fmt.Sprintf("https://media.example/%s/u%d.jpg", acc, i)
			if inviter, ok := m["inviter"].(map[string]any); ok && i%3 != 0 {
				inviter["inviter_profile_picture_url"] = fmt.Sprintf("https://media.example/%s/i%d.jpg", acc, i)
			} else {
				delete(m, "inviter")
			}
			items[acc] = append(items[acc], m)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		off, _ := strconv.Atoi(q.Get("cursor"))
		limit, err := strconv.Atoi(q.Get("limit"))
		if err != nil {
			limit = 10
		}
		all := items[q.Get("account_id")]
		end := min(off+limit, len(all))
		page := map[string]any{"object": "InvitationList", "items": all[off:end], "cursor": nil}
		if end < len(all) {
			page["cursor"] = strconv.Itoa(end)
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(page)
	}))
	t.Cleanup(srv.Close)
	return srv, items
}

// TestExportsKeepWhatTheServerSent: ndjson and json write each invitation
// as the server sent it, the members the spec does not list included
// (inviter_profile_picture_url on every item that has it), one line each
// in ndjson; with several accounts, account_id comes first beside them.
func TestExportsKeepWhatTheServerSent(t *testing.T) {
	srv, items := liveShaped(t, 25, "acc", "acc_2")
	env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL}
	lines := func(format, out string) []map[string]any {
		t.Helper()
		var rows []map[string]any
		if format == "json" {
			if err := json.Unmarshal([]byte(out), &rows); err != nil {
				t.Fatalf("json: %v", err)
			}
			return rows
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("ndjson line %q: %v", l, err)
			}
			rows = append(rows, m)
		}
		return rows
	}
	for _, format := range []string{"ndjson", "json"} {
		code, out, errOut := runWith(t, http.DefaultClient, env, "invitations", "received", "--account-id", "acc", "--page-size", "10", "--format", format)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		rows := lines(format, out)
		if !reflect.DeepEqual(rows, items["acc"]) {
			t.Errorf("%s: %d rows differ from the %d invitations served", format, len(rows), len(items["acc"]))
		}
		pictures := 0
		for i, r := range rows {
			inviter, _ := r["inviter"].(map[string]any)
			if _, ok := inviter["inviter_profile_picture_url"]; ok {
				pictures++
			} else if i%3 != 0 {
				t.Errorf("%s: row %d lost inviter_profile_picture_url: %v", format, i, r)
			}
		}
		if pictures != 16 || !strings.Contains(out, "invited_user_profile_picture_url") {
			t.Errorf("%s: %d rows with inviter_profile_picture_url, want 16", format, pictures)
		}

		code, out, errOut = runWith(t, http.DefaultClient, env, "invitations", "received", "--account-id", "acc", "--account-id", "acc_2", "--format", format)
		if code != 0 {
			t.Fatalf("%s, two accounts: exit %d: %s", format, code, errOut)
		}
		got := map[string][]map[string]any{}
		for _, r := range lines(format, out) {
			acc, _ := r["account_id"].(string)
			delete(r, "account_id")
			got[acc] = append(got[acc], r)
		}
		if !reflect.DeepEqual(got, items) {
			t.Errorf("%s, two accounts: rows (account_id aside) differ from what was served", format)
		}
		if format == "ndjson" && !strings.HasPrefix(out, `{"account_id":"acc`) {
			t.Errorf("ndjson, two accounts: rows must start with account_id: %.80s", out)
		}
	}
}
