package cli

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/postpresstest"
)

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

// A sync with --removed writes the same CSV header with rows and without:
// runs appended to one file share one shape.
func TestSyncCSVHeaderIsTheSameWithAndWithoutRows(t *testing.T) {
	state := filepath.Join(t.TempDir(), "S")
	for _, args := range [][]string{
		{"--removed"},
		{"--removed", "--account-id", "a", "--account-id", "b"},
		{"--account-id", "a", "--account-id", "b"},
		{},
	} {
		state := state + strings.Join(args, "")
		args = append([]string{"invitations", "sync", "--sandbox", "--state", state, "--format", "csv"}, args...)
		_, first, _ := run(t, nil, args...)
		code, second, errOut := run(t, nil, args...)
		if code != ExitOK {
			t.Fatalf("%q: exit %d %s", args, code, errOut)
		}
		h1, _, _ := strings.Cut(first, "\n")
		if second != h1+"\n" {
			t.Errorf("%q: the run with no rows wrote %q, the first run's header is %q", args, second, h1)
		}
		if rows, err := csv.NewReader(strings.NewReader(first)).ReadAll(); err != nil || len(rows) < 2 {
			t.Errorf("%q: the first run's rows do not fit its header (or there are none): %v", args, err)
		}
	}
}

// The table shows control and bidi characters escaped, and the exports
// keep them as they came.
func TestTableEscapesControls(t *testing.T) {
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
