package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/internal/hostile"
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

// TestHostileBodiesEndAfterOneRequest: through the CLI, with its own HTTP
// client, a gzip bomb (about 1 MB inflating to 1 GiB) and a type-mismatched
// 200 each end with exit 1 after one request, and stderr says why (the
// bound, or the JSON pointer of the misfit) and that it was one attempt.
func TestHostileBodiesEndAfterOneRequest(t *testing.T) {
	bomb, bombs, _ := hostile.GzipBomb(1024)
	var mismatches atomic.Int64
	mismatch := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mismatches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"object":"InvitationList","items":[{"object":"InvitationReceived","id":42}],"cursor":null}`)
	})
	for _, c := range []struct {
		name     string
		h        http.Handler
		requests func() int
		says     string
	}{
		{"gzip bomb", bomb, bombs.Requests, "response body too large"},
		{"type mismatch", mismatch, func() int { return int(mismatches.Load()) }, "at JSON pointer /items/0/id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.h)
			t.Cleanup(srv.Close)
			env := map[string]string{"POSTPRESS_API_KEY": testKey, "POSTPRESS_BASE_URL": srv.URL, "POSTPRESS_ACCOUNT_ID": "acc"}
			before := c.requests()
			code, _, errOut := runPlain(t, env, "invitations", "received", "--format", "ndjson")
			if code != ExitFailure || c.requests()-before != 1 {
				t.Fatalf("exit %d after %d requests; want %d after 1\n%s", code, c.requests()-before, ExitFailure, errOut)
			}
			if !strings.Contains(errOut, c.says) || !strings.Contains(errOut, "1 attempt") {
				t.Errorf("stderr does not say %q and \"1 attempt\":\n%s", c.says, errOut)
			}
		})
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
