package client_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/postpresstest"
)

// newClient returns a client for srv through the contract transport, with
// fast retries.
func newClient(t *testing.T, srv *postpresstest.Server, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{
		client.WithBaseURL(srv.URL),
		client.WithAPIKey(postpresstest.DefaultAPIKey),
		client.WithHTTPClient(contracttest.NewClient(t, nil)),
		client.WithBackoff(time.Millisecond),
		client.WithMaxRetryDelay(50 * time.Millisecond),
	}
	c, err := client.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestListsEverythingInCeilNOver100Requests(t *testing.T) {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc", 250))
	defer srv.Close()
	c := newClient(t, srv)
	var ids []string
	for inv, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "acc"}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inv.ID)
	}
	checkSameIDs(t, "auto-paging", ids, serverIDs(srv, "acc"))
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for _, r := range reqs {
		if r.Query.Get("limit") != "100" || r.Header.Get("User-Agent") != "postpress-go/"+client.Version ||
			r.Header.Get("X-API-KEY") != postpresstest.DefaultAPIKey || r.Path != "/api/v1/users/invite/received" {
			t.Errorf("request %+v", r)
		}
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("requests should advertise gzip, got %q", r.Header.Get("Accept-Encoding"))
		}
	}
}

func TestOnePageUsesTheAPIDefaultLimit(t *testing.T) {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc", 25))
	defer srv.Close()
	c := newClient(t, srv)
	page, err := c.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc"})
	if err != nil || len(page.Items) != 10 || !page.HasMore() || page.Cursor != "" {
		t.Fatalf("page %+v, err %v", page, err)
	}
	if q := srv.Requests()[0].Query; q.Has("limit") {
		t.Errorf("limit sent without being asked: %v", q)
	}
	next, err := c.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc", Cursor: page.NextCursor, Limit: 20})
	if err != nil || len(next.Items) != 15 || next.HasMore() || next.Cursor != page.NextCursor {
		t.Fatalf("next %+v, err %v", next, err)
	}
}

func TestRetriesAndTheirLimits(t *testing.T) {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc", 5))
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	p := client.ListParams{AccountID: "acc"}

	// Retryable, then fine: one call, three requests.
	srv.Enqueue(postpresstest.Error("errors/too_many_requests").WithRetryAfter("0"), postpresstest.Reset())
	if _, err := c.ListReceivedInvitations(ctx, p); err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestCount(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}

	// Retryable for longer than the budget: 1 + 2 attempts, then the error says so.
	srv.Enqueue(postpresstest.Error("errors/network_down").Times(3))
	_, err := c.ListReceivedInvitations(ctx, p)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Attempts != 3 || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := srv.RequestCount(); n != 6 {
		t.Fatalf("%d requests, want 6", n)
	}

	// Not retryable: exactly one request.
	srv.Enqueue(postpresstest.Error("errors/expired_credentials"))
	_, err = c.ListReceivedInvitations(ctx, p)
	if !errors.Is(err, client.ErrorTypeExpiredCredentials) || srv.RequestCount() != 7 {
		t.Fatalf("err = %v after %d requests", err, srv.RequestCount())
	}

	// Per-call options override the client's.
	before := srv.RequestCount()
	srv.Enqueue(postpresstest.Error("errors/service_unavailable").Times(3))
	if _, err := c.ListReceivedInvitations(ctx, p, client.WithMaxRetries(0)); err == nil || srv.RequestCount()-before != 1 {
		t.Fatalf("WithMaxRetries(0) per call: err %v, %d requests", err, srv.RequestCount()-before)
	}
}

func TestProxyHTMLBecomesAnAPIError(t *testing.T) {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc", 5))
	defer srv.Close()
	srv.Enqueue(postpresstest.ProxyHTML(502))
	c := newClient(t, srv, client.WithMaxRetries(0))
	_, err := c.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc"})
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || apiErr.Type != "" || !strings.Contains(apiErr.Detail, "502 Bad Gateway") || !apiErr.Retryable() {
		t.Fatalf("err = %#v", err)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "<>\n") {
		t.Errorf("Error() should be one clean line: %q", msg)
	}
	// With retries, the proxy page is retried and the page comes through.
	srv.Enqueue(postpresstest.ProxyHTML(503), postpresstest.TruncatedBody())
	c2 := newClient(t, srv)
	if page, err := c2.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc"}); err != nil || len(page.Items) != 5 {
		t.Fatalf("retry through proxy page and truncated body: %v", err)
	}
}

func TestDebugLogHasTheFactsAndNotTheKey(t *testing.T) {
	const key = "pp_live_LOGTEST_5ecret"
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc", 5), postpresstest.WithAPIKey(key))
	defer srv.Close()
	srv.Enqueue(postpresstest.Error("errors/provider_error"))
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv, client.WithAPIKey(key), client.WithLogger(logger))
	if _, err := c.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc"}); err != nil {
		t.Fatal(err)
	}
	logs := buf.String()
	for _, want := range []string{"method=GET", "status=500", "status=200", "attempt=1", "attempt=2", "duration=", `url="http://127.0.0.1`, "postpress: retrying"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, key) {
		t.Errorf("the key is in the log:\n%s", logs)
	}
}
