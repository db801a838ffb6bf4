package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/postpresstest"
)

var update = flag.Bool("update", false, "rewrite testdata/messages/*.golden from what the command prints")

// The CLI's messages, stderr and exit code, against golden files in
// testdata/messages (go test ./internal/cli -run Golden -update rewrites
// them; read the diff). A server's URL shows as BASE, a state file as
// STATE, the spec's page-size bounds as MIN..MAX.
func TestMessagesGolden(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		noKey  bool
		faults func(*postpresstest.Server) // nil: none
		root   bool                        // the base URL without /api/v1
		under  string                      // with root: the path the base URL ends with instead
	}{
		{name: "unknown-command", args: []string{"invitations", "receivd"}},
		{name: "unknown-command-far", args: []string{"list"}},
		{name: "bad-duration", args: []string{"invitations", "received", "--timeout", "30"}},
		{name: "unknown-flag-limit", args: []string{"invitations", "received", "--limit", "10"}},
		{name: "unknown-flag-typo", args: []string{"invitations", "received", "--acount-id", "acc"}},
		{name: "unknown-flag-api-key", args: []string{"invitations", "received", "--api-key", "k"}},
		{name: "unknown-flag-sync-cursor", args: []string{"invitations", "sync", "--state", "S", "--cursor", "c"}},
		{name: "flag-needs-value", args: []string{"invitations", "received", "--cursor"}},
		{name: "bad-number", args: []string{"invitations", "received", "--page-size", "ten"}},
		{name: "page-size-range", args: []string{"invitations", "received", "--page-size", "500"}},
		{name: "account-with-space", args: []string{"invitations", "received", "--account-id", "acc 1"}},
		{name: "account-with-space-many", args: []string{"invitations", "received", "--account-id", "acc_a", "--account-id", "acc 1"}},
		{name: "cursor-with-space", args: []string{"invitations", "received", "--cursor", "a b"}},
		{name: "no-api-key", args: []string{"invitations", "received"}, noKey: true},
		{name: "base-url-no-scheme", args: []string{"invitations", "received", "--base-url", "127.0.0.1:8080/api/v1"}},
		{name: "base-url-plain-http", args: []string{"invitations", "received", "--base-url", "http://api.postpress.ai/api/v1"}},
		{name: "base-url-ftp", args: []string{"invitations", "received", "--base-url", "ftp://api.postpress.ai/api/v1"}},
		{name: "base-url-root-404", args: []string{"invitations", "received"}, root: true},
		{name: "base-url-v1-404", args: []string{"invitations", "received"}, root: true, under: "/v1"},
		{name: "cursor-refused", args: []string{"invitations", "received", "--cursor", "garbage"}},
		{name: "failure-resume", args: []string{"invitations", "received", "--format", "csv", "--page-size", "100"}, faults: func(s *postpresstest.Server) {
			s.Enqueue(postpresstest.Error(gen.UnauthorizedErrorTypeExpiredCredentials).OnCursor(postpresstest.EncodeCursor(100)))
		}},
		{name: "proxy-html", args: []string{"invitations", "received", "--retries", "0"}, faults: func(s *postpresstest.Server) {
			s.Enqueue(postpresstest.ProxyHTML(502))
		}},
		{name: "many-accounts-failure", args: []string{"invitations", "received", "--account-id", "acc", "--account-id", "acc_b", "--concurrency", "1", "--page-size", "100"}, faults: func(s *postpresstest.Server) {
			s.Enqueue(postpresstest.Error(gen.UnauthorizedErrorTypeExpiredCredentials).OnAccount("acc_b").OnCursor(postpresstest.EncodeCursor(100)))
		}},
		{name: "sync-account-failure", args: []string{"invitations", "sync", "--state", "STATE", "--account-id", "acc", "--account-id", "acc_b", "--concurrency", "1", "--page-size", "100"}, faults: func(s *postpresstest.Server) {
			s.Enqueue(postpresstest.Error(gen.UnauthorizedErrorTypeExpiredCredentials).OnAccount("acc_b").OnCursor(postpresstest.EncodeCursor(100)))
		}},
		{name: "contract-unknown-flag", args: []string{"contract", "check", "--account-id", "acc", "--max-items", "3"}},
		{name: "sandbox-bad-addr", args: []string{"sandbox", "--addr", "8080"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc", 250), postpresstest.WithGeneratedAccount("acc_b", 250), postpresstest.WithAPIKey(testKey))
			defer srv.Close()
			if tc.faults != nil {
				tc.faults(srv)
			}
			base, root := srv.URL, strings.TrimSuffix(srv.URL, postpresstest.BasePath)
			if tc.root {
				base = root + tc.under
			}
			env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": base, "POSTPRESS_ACCOUNT_ID": "acc"}
			if tc.noKey {
				delete(env, "POSTPRESS_API_KEY")
			}
			state := filepath.Join(t.TempDir(), "state")
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "STATE", state)
			}
			var code int
			var stderr string
			if tc.root { // a 404 outside the spec: not through the contract transport
				code, _, stderr = runWith(t, nil, env, args...)
			} else {
				code, _, stderr = run(t, env, args...)
			}
			stderr = strings.ReplaceAll(strings.ReplaceAll(stderr, state, "STATE"), base, "BASE")
			stderr = strings.ReplaceAll(stderr, root, "ROOT")
			// The spec's page-size bounds show as MIN..MAX, so that a bound
			// moved in openapi.yaml needs no golden file rewritten.
			stderr = strings.ReplaceAll(stderr, fmt.Sprintf("%d..%d", minPageSize(t), receivedOp(t).maxLimit), "MIN..MAX")
			got := "$ postpress " + strings.Join(tc.args, " ") + "\nexit " + string(rune('0'+code)) + "\n" + stderr
			path := filepath.Join("testdata", "messages", tc.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("%s:\n got:\n%s\nwant:\n%s", path, got, want)
			}
			// Every line of the messages starts with at most one prefix.
			for _, line := range strings.Split(stderr, "\n") {
				if strings.Count(line, prefix) > 1 {
					t.Errorf("two prefixes: %q", line)
				}
			}
		})
	}
}

func TestResumeHintWhenAResumedListingFailsAtOnce(t *testing.T) {
	page := receivedOp(t).maxLimit // the CLI's page size
	srv, env := fakeAPI(t, page*5/2)
	cursor := postpresstest.EncodeCursor(page)
	if code, _, _ := run(t, env, "invitations", "received", "--max-items", fmt.Sprint(page*3/2)); code != 0 { // issues the cursor
		t.Fatal(code)
	}
	srv.Enqueue(postpresstest.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0").Times(3))
	code, out, errOut := run(t, env, "invitations", "received", "--cursor", cursor)
	if code != ExitFailure || out != "" || !strings.Contains(errOut, "written:     0 items") || !strings.Contains(errOut, "resume with: --cursor "+cursor) {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}

// TestAPIBaseURLReplacesAServerBasePath: the suggested base URL ends with
// the API's base path, in place of another server's base path, never after
// one.
func TestAPIBaseURLReplacesAServerBasePath(t *testing.T) {
	for base, want := range map[string]string{
		"http://host":            "http://host/api/v1",
		"http://host/":           "http://host/api/v1",
		"http://host/v1":         "http://host/api/v1",
		"http://host/v1/":        "http://host/api/v1",
		"https://host/proxy/v1":  "https://host/proxy/api/v1",
		"https://host/v2":        "https://host/v2/api/v1",
		"https://host/api/v1":    "",
		"https://host/x/api/v1/": "",
	} {
		got, ok := apiBaseURL(base)
		if ok != (want != "") || got != want {
			t.Errorf("apiBaseURL(%q) = %q, %v; want %q", base, got, ok, want)
		}
	}
}
