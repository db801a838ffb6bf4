package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contract"
	"github.com/postpress/postpress-go/internal/contracttest"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// testKey is the API key of every test client and of the fake it talks to:
// distinctive enough that finding it in a log line or an error string can
// only mean a leak.
const testKey = "pp_live_CANARY_7f3a9c1e5b_do_not_print"

// nonAPIHeader marks a response that is not an API response (a redirect, a
// proxy page), so contract validation leaves it alone.
const nonAPIHeader = contract.FaultHeader

// setup starts the fake API (postpresstest) with the fake options, accepting
// testKey, and returns a testClient for it with opts, the fake, and the
// fake's request log. The fake is closed when t ends.
func setup(t *testing.T, fake []pt.Option, opts ...Option) (*Client, *pt.Server, func() []pt.Request) {
	t.Helper()
	srv := pt.NewServer(append([]pt.Option{pt.WithAPIKey(testKey)}, fake...)...)
	t.Cleanup(srv.Close)
	return testClient(t, srv.URL, opts...), srv, srv.Requests
}

// testClient is how every test builds a client: for baseURL, with testKey,
// fast retries (1ms backoff, waits capped at 20ms) and its HTTP going
// through the contract-validating transport (internal/contracttest), which
// fails t on any request or response that breaks openapi.yaml. opts go
// last and win.
func testClient(t testing.TB, baseURL string, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithAPIKey(testKey),
		WithBaseURL(baseURL),
		WithBackoff(time.Millisecond),
		WithMaxRetryDelay(20 * time.Millisecond),
		WithHTTPClient(contracttest.NewClient(t, nil)),
	}
	c, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listIDs runs c.Invitations to its end or first error and returns the ids
// delivered.
func listIDs(c *Client, p ListParams, opts ...Option) ([]string, error) {
	var ids []string
	for inv, err := range c.Invitations(context.Background(), p, opts...) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, inv.ID)
	}
	return ids, nil
}

// firstPage fetches the first page of the listing p starts (at p.Cursor)
// with one NextPage of an InvitationPager, prefetch off so that it sends
// nothing after that page: one request, and its retries.
func firstPage(ctx context.Context, c *Client, p ListParams, opts ...Option) (*Page[Invitation], error) {
	pager := c.InvitationPager(p, append([]Option{WithPrefetch(false)}, opts...)...)
	defer pager.Close()
	return pager.NextPage(ctx)
}

// guardDeadline bounds a listing that only a guard of the client ends (the
// repeated-cursor check, the cap on a Retry-After): with the guard broken,
// the listing would run until go test's own timeout, so the test ends it
// and says which guard failed.
const guardDeadline = 10 * time.Second

// listIDsWithin is listIDs under a deadline (guardDeadline, or longer for
// a long listing): if the listing is still going when it passes, t fails
// with a message naming guard.
func listIDsWithin(t *testing.T, c *Client, p ListParams, deadline time.Duration, guard string, opts ...Option) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var ids []string
	for inv, err := range c.Invitations(ctx, p, opts...) {
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
				t.Fatalf("the listing did not end within %v (%d items): %s", deadline, len(ids), guard)
			}
			return ids, err
		}
		ids = append(ids, inv.ID)
	}
	return ids, nil
}

// idsOf returns the ids of items, in order.
func idsOf[T Invitation | gen.InvitationReceived](items []T) []string {
	ids := make([]string, len(items))
	for i := range items {
		switch v := any(items[i]).(type) {
		case Invitation:
			ids[i] = v.ID
		case gen.InvitationReceived:
			ids[i] = v.ID
		}
	}
	return ids
}

// checkSameIDs fails t unless got is exactly want: same ids, same order,
// none twice.
func checkSameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	seen := make(map[string]int, len(got))
	for i, id := range got {
		if j, dup := seen[id]; dup {
			t.Errorf("%s: id %s delivered twice (positions %d and %d)", what, id, j, i)
			return
		}
		seen[id] = i
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d ids, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("%s: position %d is %s, want %s (order differs from the server's)", what, i, got[i], want[i])
			return
		}
	}
}

// pageJSON renders a spec-valid page of n invitations starting at id index
// from, with the given next cursor ("" for null).
func pageJSON(from, n int, next string) string {
	var items []string
	for i := from; i < from+n; i++ {
		items = append(items, fmt.Sprintf(`{"object":"InvitationReceived","id":"inv_%d","invited_user":"U","invited_user_id":"I","invited_user_public_id":"p","invited_user_description":"d","date":"May 12, 2026","parsed_datetime":"2026-05-12T08:14:00.000Z","invitation_text":"hi"}`, i))
	}
	cursor := "null"
	if next != "" {
		cursor = `"` + next + `"`
	}
	return `{"object":"InvitationList","items":[` + strings.Join(items, ",") + `],"cursor":` + cursor + `}`
}

// scriptedAPI serves the pages given, keyed by the request's cursor (""
// for the first), and returns a testClient for it with opts and a count of
// its requests. It is for cursor sequences the fake never hands out: a
// cursor it already returned, an empty page that still carries a cursor.
// Each page is valid on its own, so the contract-validating transport
// still checks every response.
func scriptedAPI(t *testing.T, pages map[string]string, opts ...Option) (*Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		body, ok := pages[r.URL.Query().Get("cursor")]
		if !ok {
			t.Errorf("unexpected cursor %q", r.URL.Query().Get("cursor"))
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return testClient(t, srv.URL+pt.BasePath, opts...), &n
}

// roundTripFunc serves requests in memory.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// jsonResponse is an application/json response with body.
func jsonResponse(status int, body string) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

// stubClient is a testClient with no retries whose requests fn answers in
// memory, bypassing the contract-validating transport. It is for what
// neither the fake nor a validated response can be: bodies that break the
// spec on purpose (a page without `cursor`, an empty id), any cursors and
// parameters a fuzzer makes up, and fuzz iterations that must not open a
// socket each.
func stubClient(t testing.TB, fn func(*http.Request) (*http.Response, error)) *Client {
	t.Helper()
	return testClient(t, "https://api.postpress.test/api/v1",
		WithMaxRetries(0), WithHTTPClient(&http.Client{Transport: roundTripFunc(fn)}))
}
