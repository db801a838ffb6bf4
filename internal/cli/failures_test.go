package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/postpresstest"
)

// cancelOnWrite cancels a context on its first write: a ctrl-C that comes
// once the first page is on stdout.
type cancelOnWrite struct {
	bytes.Buffer
	once   sync.Once
	cancel context.CancelFunc
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	c.once.Do(c.cancel)
	return c.Buffer.Write(p)
}

func TestInterruptReportsWhereToResume(t *testing.T) {
	page := receivedOp(t).maxLimit // the CLI's page size
	srv, env := fakeAPI(t, page*5/2)
	// The second page hangs until the client gives up on it, so the
	// interrupt always lands while it is awaited. The fault is disarmed
	// after the run: the prefetch may be cancelled before it reaches the
	// server, leaving the fault queued.
	var armed atomic.Bool
	armed.Store(true)
	srv.Enqueue(postpresstest.Latency(time.Hour).When(func(r *http.Request) bool {
		return armed.Load() && r.URL.Query().Get("cursor") == postpresstest.EncodeCursor(page)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOnWrite{cancel: cancel}
	var errOut bytes.Buffer
	code := Run(ctx, Env{Args: []string{"invitations", "received", "--format", "ndjson"}, Getenv: func(k string) string { return env[k] },
		Stdout: out, Stderr: &errOut, HTTPClient: contracttest.NewClient(t, nil)})
	if code != ExitFailure || strings.Count(out.String(), "\n") != page {
		t.Fatalf("exit %d, %d lines written; want 1 and %d", code, strings.Count(out.String(), "\n"), page)
	}
	for _, want := range []string{"postpress: interrupted", fmt.Sprintf("written:     %d items", page), "resume with: --cursor " + postpresstest.EncodeCursor(page)} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	armed.Store(false)
	// Resuming from the printed cursor completes the set, nothing twice.
	code, rest, _ := run(t, env, "invitations", "received", "--format", "ndjson", "--cursor", postpresstest.EncodeCursor(page))
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()+rest), "\n") {
		var inv gen.InvitationReceived
		if err := json.Unmarshal([]byte(line), &inv); err != nil || seen[inv.ID] {
			t.Fatalf("line %q: err %v, twice %v", line, err, seen[inv.ID])
		}
		seen[inv.ID] = true
	}
	if code != 0 || len(seen) != page*5/2 {
		t.Errorf("resume: exit %d, %d distinct items, want %d", code, len(seen), page*5/2)
	}
}

func TestRetriesAndTimeoutFollowTheFlags(t *testing.T) {
	srv, env := fakeAPI(t, 10)
	srv.Enqueue(postpresstest.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable).WithRetryAfter("0").Times(10))
	code, _, errOut := run(t, env, "invitations", "received", "--retries", "1")
	if n := srv.RequestCount(); code != ExitFailure || n != 2 {
		t.Fatalf("--retries 1: exit %d after %d requests, want 1 after 2", code, n)
	}
	if !strings.Contains(errOut, "HTTP status: 503") || !strings.Contains(errOut, "errors/service_unavailable") || !strings.Contains(errOut, "gave up after 2 attempts") {
		t.Errorf("stderr:\n%s", errOut)
	}

	srv, env = fakeAPI(t, 10)
	// Without --timeout the page would arrive after 2s and the run succeed.
	srv.Enqueue(postpresstest.Latency(2 * time.Second))
	code, _, errOut = run(t, env, "invitations", "received", "--timeout", "50ms", "--retries", "0")
	if n := srv.RequestCount(); code != ExitFailure || n != 1 || !strings.Contains(errOut, "deadline exceeded") || !strings.Contains(errOut, "at most 50ms (--timeout)") {
		t.Errorf("--timeout: exit %d after %d requests, stderr:\n%s", code, n, errOut)
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

func TestUsageErrorsOfTheKeyAndTheSandboxSendNothing(t *testing.T) {
	srv, env := fakeAPI(t, 10)
	withKey := func(k string) map[string]string {
		m := map[string]string{}
		for n, v := range env {
			m[n] = v
		}
		m["POSTPRESS_API_KEY"] = k
		return m
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"key with a newline":     {withKey(testKey + "\n"), nil, "cannot be sent in a header"},
		"key with non-ASCII":     {withKey(testKey + "é"), nil, "cannot be sent in a header"},
		"sandbox with base-url":  {env, []string{"--sandbox", "--base-url", srv.URL}, "exclude each other"},
		"sandbox, empty account": {nil, []string{"--sandbox", "--account-id="}, "--account-id must not be empty"},
	} {
		code, out, errOut := run(t, tc.env, append([]string{"invitations", "received"}, tc.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", name, code, out, errOut, tc.want)
		}
	}
	if n := srv.RequestCount(); n != 0 {
		t.Fatalf("%d requests sent for bad input", n)
	}
	// No arguments at all: the usage, on stderr, exit 2.
	if code, out, errOut := run(t, nil); code != ExitUsage || out != "" || !strings.Contains(errOut, "invitations received") {
		t.Errorf("no arguments: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

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

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

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
