package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/postpresstest"
)

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

// TestHelpSaysExportsAreAsSent: -h tells that ndjson and json keep what the
// server sent and csv and table the spec's columns.
func TestHelpSaysExportsAreAsSent(t *testing.T) {
	code, _, errOut := run(t, nil, "invitations", "received", "-h")
	if code != 0 || !strings.Contains(errOut, "ndjson and json write each item as the server sent it") ||
		!strings.Contains(errOut, "csv and table have the spec's columns") {
		t.Errorf("-h (exit %d) does not say what the formats keep:\n%s", code, errOut)
	}
}
