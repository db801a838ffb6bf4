package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/postpresstest"
)

func TestSandboxAddressErrors(t *testing.T) {
	if code, _, errOut := run(t, nil, "sandbox", "--addr", "no-port"); code != ExitUsage || !strings.Contains(errOut, "HOST:PORT") {
		t.Errorf("bad --addr: exit %d, stderr %q", code, errOut)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	if code, _, errOut := run(t, nil, "sandbox", "--addr", ln.Addr().String()); code != ExitFailure || !strings.Contains(errOut, "postpress sandbox: listen tcp") {
		t.Errorf("address in use: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := run(t, nil, "sandbox", "--items", "-1", "--addr", "127.0.0.1:0"); code != ExitUsage {
		t.Errorf("--items -1: exit %d", code)
	}
}

// TestSandboxPagesAreShapedLikeTheDocs reads the sandbox's raw JSON: the
// docs' example fields, strings where the docs say string, several pages at
// the API's default limit, and "cursor": null on the last one.
func TestSandboxPagesAreShapedLikeTheDocs(t *testing.T) {
	base := startSandbox(t, "--items", "35")
	var pages []map[string]json.RawMessage
	cursor := ""
	for range 10 {
		url := base + "/users/invite/received?account_id=any"
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("X-API-KEY", "anything")
		resp, err := contracttest.NewClient(t, nil).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, %v: %s", resp.StatusCode, err, body)
		}
		var page map[string]json.RawMessage
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
		if string(page["cursor"]) == "null" {
			break
		}
		if err := json.Unmarshal(page["cursor"], &cursor); err != nil || cursor == "" {
			t.Fatalf("cursor %s: %v", page["cursor"], err)
		}
	}
	if len(pages) != 4 || string(pages[3]["cursor"]) != "null" {
		t.Fatalf("%d pages at the default limit, last cursor %s; want 4 and null", len(pages), pages[len(pages)-1]["cursor"])
	}
	strs := []string{"object", "id", "invited_user", "invited_user_id", "invited_user_public_id", "invited_user_description", "date", "parsed_datetime", "invitation_text"}
	n := 0
	for _, page := range pages {
		var items []map[string]any
		if err := json.Unmarshal(page["items"], &items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			n++
			for _, k := range strs {
				if s, ok := it[k].(string); !ok || s == "" {
					t.Errorf("%s = %#v, want a non-empty string", k, it[k])
				}
			}
			inviter, _ := it["inviter"].(map[string]any)
			for _, k := range []string{"inviter_name", "inviter_id", "inviter_public_identifier", "inviter_description"} {
				if s, ok := inviter[k].(string); !ok || s == "" {
					t.Errorf("inviter.%s = %#v", k, inviter[k])
				}
			}
			specifics, _ := it["specifics"].(map[string]any)
			if p, _ := specifics["provider"].(string); !gen.Provider(p).Valid() {
				t.Errorf("specifics.provider = %#v, not one of the spec's", specifics["provider"])
			}
			if s, ok := specifics["shared_secret"].(string); !ok || s == "" {
				t.Errorf("specifics.shared_secret = %#v", specifics["shared_secret"])
			}
		}
	}
	if n != 35 {
		t.Errorf("%d items, want 35", n)
	}
}

// startSandbox runs `postpress sandbox --addr 127.0.0.1:0 args...` until the
// test ends, and returns the base URL it printed on stdout.
func startSandbox(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Env{Args: append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...), Stdout: out, Stderr: errOut})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("sandbox exit %d: %s", code, errOut.String())
		}
	})
	// The address is read from the export line the sandbox prints, as a
	// script would.
	for {
		if _, rest, ok := strings.Cut(out.String(), "\nexport POSTPRESS_BASE_URL="); ok {
			if base, _, ok := strings.Cut(rest, "\n"); ok {
				return base
			}
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("sandbox exited %d: %s", code, errOut.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// --scenarios prints every scenario of the list, with its status, and
// exits without serving.
func TestSandboxPrintsTheScenarios(t *testing.T) {
	code, out, errOut := run(t, nil, "sandbox", "--scenarios")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	list := postpresstest.Scenarios()
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != len(list)+1 {
		t.Fatalf("%d lines for %d scenarios:\n%s", len(lines), len(list), out)
	}
	for _, sc := range list {
		if !strings.Contains(out, sc.Account) || (sc.Type != "" && !strings.Contains(out, sc.Type)) {
			t.Errorf("%s (%s) missing:\n%s", sc.Account, sc.Type, out)
		}
	}
}

// A live-shaped sandbox: an ndjson export keeps the members the docs do
// not list, and contract check names each of them.
func TestLiveShapedSandboxExportAndContractCheck(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Env{Args: []string{"sandbox", "--addr", "127.0.0.1:0", "--items", "12", "--live-shaped"},
			Stdout: &out, Stderr: &errOut, Ready: func(u string) { ready <- u }})
	}()
	var base string
	select {
	case base = <-ready:
	case code := <-done:
		t.Fatalf("sandbox exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), postpresstest.ScenariosPath) || !strings.Contains(out.String(), "--scenarios") {
		t.Errorf("the sandbox does not say where its scenarios are:\n%s", out.String())
	}
	vars := map[string]string{"POSTPRESS_BASE_URL": base, "POSTPRESS_API_KEY": sandboxKey, "POSTPRESS_ACCOUNT_ID": sandboxAccount}
	code, rows, stderr := runWith(t, nil, vars, "invitations", "received", "--format", "ndjson")
	if code != ExitOK || strings.Count(rows, "\n") != 12 {
		t.Fatalf("export: exit %d, %d rows, %s", code, strings.Count(rows, "\n"), stderr)
	}
	members := postpresstest.LiveExtraMembers()
	for _, m := range members {
		if strings.Count(rows, `"`+m+`":`) != 12 {
			t.Errorf("export: %d rows carry %s, want 12", strings.Count(rows, `"`+m+`":`), m)
		}
	}
	code, report, stderr := runWith(t, nil, vars, "contract", "check", "--account-id", sandboxAccount, "--pages", "1")
	if code == ExitUsage {
		t.Fatalf("contract check: exit %d: %s", code, stderr)
	}
	for _, m := range members {
		if !strings.Contains(report+stderr, m) {
			t.Errorf("contract check does not name %s:\n%s\n%s", m, report, stderr)
		}
	}
	cancel()
	<-done
}
