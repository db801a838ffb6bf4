package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

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

// scriptedAPI serves pages keyed by the request's cursor ("" = first).
func scriptedAPI(t *testing.T, pages map[string]string) (*httptest.Server, *atomic.Int64) {
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
		serveJSON(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func collect(c *Client, ctx context.Context, p ListParams, opts ...Option) ([]string, error) {
	var ids []string
	for inv, err := range c.Invitations(ctx, p, opts...) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, inv.ID)
	}
	return ids, nil
}

func TestRepeatedCursorEndsTheListing(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		srv, n := scriptedAPI(t, map[string]string{
			"":   pageJSON(0, 2, "c1"),
			"c1": pageJSON(2, 2, "c2"),
			"c2": pageJSON(4, 2, "c1"), // back to a cursor already returned
		})
		c := testClient(t, srv.URL+"/api/v1", WithPrefetch(prefetch))
		ids, err := collect(c, context.Background(), ListParams{AccountID: "acc"})
		var pe *PagingError
		if !errors.Is(err, ErrCursorLoop) || !errors.As(err, &pe) {
			t.Fatalf("prefetch=%v: err = %v, want a PagingError wrapping ErrCursorLoop", prefetch, err)
		}
		if len(ids) != 4 || pe.Cursor != "c2" || pe.Items != 4 || pe.Pages != 2 {
			t.Errorf("prefetch=%v: got %v, cursor %q, %d items, %d pages", prefetch, ids, pe.Cursor, pe.Items, pe.Pages)
		}
		if got := n.Load(); got != 3 {
			t.Errorf("prefetch=%v: %d requests, want 3 (no request after the loop is seen)", prefetch, got)
		}
	}
}

func TestResumeCursorIsNotAcceptedAgain(t *testing.T) {
	srv, _ := scriptedAPI(t, map[string]string{"c1": pageJSON(2, 2, "c1")})
	c := testClient(t, srv.URL+"/api/v1")
	_, err := collect(c, context.Background(), ListParams{AccountID: "acc", Cursor: "c1"})
	if !errors.Is(err, ErrCursorLoop) {
		t.Fatalf("a page whose next cursor is its own cursor must end the listing: %v", err)
	}
}

func TestEmptyPageWithCursorEndsTheListing(t *testing.T) {
	srv, n := scriptedAPI(t, map[string]string{
		"":   pageJSON(0, 3, "c1"),
		"c1": pageJSON(0, 0, "c2"),
	})
	c := testClient(t, srv.URL+"/api/v1")
	ids, err := collect(c, context.Background(), ListParams{AccountID: "acc"})
	var pe *PagingError
	if !errors.Is(err, ErrEmptyPageWithCursor) || !errors.As(err, &pe) || pe.Cursor != "c1" || len(ids) != 3 {
		t.Fatalf("err = %v, ids %v", err, ids)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
}

func TestMissingCursorFieldIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(nonAPIHeader, "malformed-page") // breaks the spec on purpose
		serveJSON(w, `{"object":"InvitationList","items":[]}`)
	}))
	defer srv.Close()
	c := testClient(t, srv.URL+"/api/v1", WithMaxRetries(0))
	_, err := collect(c, context.Background(), ListParams{AccountID: "acc"})
	if !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("err = %v, want ErrMalformedResponse", err)
	}
}

func TestMaxItemsStopsEarly(t *testing.T) {
	srv, n := scriptedAPI(t, map[string]string{
		"":   pageJSON(0, 3, "c1"),
		"c1": pageJSON(3, 3, "c2"),
		"c2": pageJSON(6, 3, ""),
	})
	c := testClient(t, srv.URL+"/api/v1", WithPrefetch(false))
	ids, err := collect(c, context.Background(), ListParams{AccountID: "acc", MaxItems: 4})
	if err != nil || strings.Join(ids, ",") != "inv_0,inv_1,inv_2,inv_3" {
		t.Fatalf("ids %v, err %v", ids, err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
}

func TestCrossHostRedirectNeverCarriesTheKey(t *testing.T) {
	const key = "pp_test_redirect_secret"
	var otherSaw atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherSaw.Add(1)
		if r.Header.Get("X-API-KEY") != "" {
			t.Errorf("the other host received the API key")
		}
		serveJSON(w, pageJSON(0, 1, ""))
	}))
	defer other.Close()
	// "localhost" and 127.0.0.1 are different hosts to the client.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/users/invite/received" && r.URL.Query().Get("cursor") == "" {
			w.Header().Set(nonAPIHeader, "redirect")
			http.Redirect(w, r, otherURL+r.URL.RequestURI(), http.StatusFound)
			return
		}
	}))
	defer api.Close()
	c := testClient(t, api.URL+"/api/v1", WithAPIKey(key))
	_, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"})
	if !errors.Is(err, ErrRedirectRefused) {
		t.Fatalf("err = %v, want ErrRedirectRefused", err)
	}
	if strings.Contains(err.Error(), key) {
		t.Errorf("error leaks the key: %v", err)
	}
	if otherSaw.Load() != 0 {
		t.Errorf("the other host got %d requests", otherSaw.Load())
	}
}

func TestSameHostRedirectWorks(t *testing.T) {
	var sawKey atomic.Bool
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old/users/invite/received":
			w.Header().Set(nonAPIHeader, "redirect")
			http.Redirect(w, r, "/api/v1/users/invite/received?"+r.URL.RawQuery, http.StatusMovedPermanently)
		case "/api/v1/users/invite/received":
			sawKey.Store(r.Header.Get("X-API-KEY") == "k")
			serveJSON(w, pageJSON(0, 1, ""))
		}
	}))
	defer api.Close()
	c := testClient(t, api.URL+"/old", WithAPIKey("k"))
	page, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"})
	if err != nil || len(page.Items) != 1 || !sawKey.Load() {
		t.Fatalf("same-host redirect: %v %v key=%v", page, err, sawKey.Load())
	}
}

func TestContextCancelStopsARetryWait(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = fmt.Fprint(w, `{"title":"Too Many Requests","type":"errors/too_many_requests","status":429}`)
	}))
	defer api.Close()
	c := testClient(t, api.URL+"/api/v1", WithMaxRetryDelay(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	err := <-done // a wait that ignored ctx would block here for an hour
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	var n atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		serveJSON(w, pageJSON(0, 1, ""))
	}))
	defer api.Close()
	c := testClient(t, api.URL+"/api/v1", WithAttemptTimeout(100*time.Millisecond), WithBackoff(time.Millisecond))
	page, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"})
	if err != nil || len(page.Items) != 1 || n.Load() != 2 {
		t.Fatalf("page %v err %v requests %d", page, err, n.Load())
	}
}

// serveJSON writes body as an application/json 200 response.
func serveJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprint(w, body)
}

// A prefetched page that failed is reported once, not fetched again.
func TestPrefetchedFailureIsNotFetchedAgain(t *testing.T) {
	var n atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Query().Get("cursor") == "c1" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = fmt.Fprint(w, `{"title":"Internal Server Error","type":"errors/provider_error","status":500}`)
			return
		}
		serveJSON(w, pageJSON(0, 2, "c1"))
	}))
	defer api.Close()
	c := testClient(t, api.URL+"/api/v1", WithMaxRetries(1), WithPrefetch(true))
	ids, err := collect(c, context.Background(), ListParams{AccountID: "acc"})
	var pe *PagingError
	if !errors.As(err, &pe) || pe.Cursor != "c1" || len(ids) != 2 {
		t.Fatalf("ids %v err %v", ids, err)
	}
	if n.Load() != 3 {
		t.Errorf("%d requests, want 3 (first page, then c1 twice: one try and one retry)", n.Load())
	}
}

// A prefetch started under a context that then ended is fetched again
// under the next call's live context.
func TestPrefetchCancelledWithItsContextIsFetchedAgain(t *testing.T) {
	srv, n := scriptedAPI(t, map[string]string{
		"":   pageJSON(0, 2, "c1"),
		"c1": pageJSON(2, 2, ""),
	})
	c := testClient(t, srv.URL+"/api/v1", WithPrefetch(true))
	p := c.NewPager(ListParams{AccountID: "acc"})
	defer p.Close()
	ctx1, cancel := context.WithCancel(context.Background())
	if _, err := p.NextPage(ctx1); err != nil {
		t.Fatal(err)
	}
	cancel() // may cut the prefetch of c1 short
	page, err := p.NextPage(context.Background())
	if err != nil || len(page.Items) != 2 || page.Items[0].ID != "inv_2" || p.HasMorePages() {
		t.Fatalf("page %+v err %v", page, err)
	}
	if got := n.Load(); got < 2 || got > 3 {
		t.Errorf("%d requests, want 2 or 3", got)
	}
}

// TestAttemptTimeoutIsNamed: when the per-attempt timeout, not the caller's
// context, ends the last attempt, the error says so and still matches
// context.DeadlineExceeded; a caller's own deadline is not blamed on it.
func TestAttemptTimeoutIsNamed(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer api.Close()
	c := testClient(t, api.URL+"/api/v1", WithAttemptTimeout(50*time.Millisecond), WithMaxRetries(1))
	_, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !errors.Is(err, context.DeadlineExceeded) || reqErr.Attempts != 2 ||
		!strings.Contains(err.Error(), "attempt timed out after 50ms: ") {
		t.Fatalf("err = %v; want a *RequestError after 2 attempts naming the 50ms attempt timeout", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c = testClient(t, api.URL+"/api/v1", WithAttemptTimeout(time.Minute))
	_, err = c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"})
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "attempt timed out") {
		t.Fatalf("err = %v; want the caller's deadline, not the attempt timeout", err)
	}
}
