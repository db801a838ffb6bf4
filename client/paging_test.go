package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contracttest"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestListsEverythingInCeilNOverPageSizeRequests: 2.5 pages of
// DefaultPageSize take 3 requests, each asking for DefaultPageSize.
func TestListsEverythingInCeilNOverPageSizeRequests(t *testing.T) {
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", DefaultPageSize*5/2)})
	ids, err := listIDs(c, ListParams{AccountID: "acc"})
	if err != nil {
		t.Fatal(err)
	}
	checkSameIDs(t, "auto-paging", ids, idsOf(srv.Items("acc")))
	reqs := requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for _, r := range reqs {
		if r.Query.Get("limit") != fmt.Sprint(DefaultPageSize) || r.Header.Get("User-Agent") != "postpress-go/"+Version ||
			r.Header.Get("X-API-KEY") != testKey || r.Path != "/api/v1/users/invite/received" {
			t.Errorf("request %+v", r)
		}
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("requests should advertise gzip, got %q", r.Header.Get("Accept-Encoding"))
		}
	}
}

func TestRepeatedCursorEndsTheListing(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		c, n := scriptedAPI(t, map[string]string{
			"":   pageJSON(0, 2, "c1"),
			"c1": pageJSON(2, 2, "c2"),
			"c2": pageJSON(4, 2, "c1"), // back to a cursor already returned
		}, WithPrefetch(prefetch))
		ids, err := listIDsWithin(t, c, ListParams{AccountID: "acc"}, guardDeadline, "a cursor returned twice was followed again (ErrCursorLoop not raised)")
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
	c, _ := scriptedAPI(t, map[string]string{"c1": pageJSON(2, 2, "c1")})
	_, err := listIDsWithin(t, c, ListParams{AccountID: "acc", Cursor: "c1"}, guardDeadline, "a page pointing back to its own cursor was followed again (ErrCursorLoop not raised)")
	if !errors.Is(err, ErrCursorLoop) {
		t.Fatalf("a page whose next cursor is its own cursor must end the listing: %v", err)
	}
}

func TestEmptyPageWithCursorEndsTheListing(t *testing.T) {
	c, n := scriptedAPI(t, map[string]string{
		"":   pageJSON(0, 3, "c1"),
		"c1": pageJSON(0, 0, "c2"),
	})
	ids, err := listIDs(c, ListParams{AccountID: "acc"})
	var pe *PagingError
	if !errors.Is(err, ErrEmptyPageWithCursor) || !errors.As(err, &pe) || pe.Cursor != "c1" || len(ids) != 3 {
		t.Fatalf("err = %v, ids %v", err, ids)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
}

func TestMaxItemsStopsEarly(t *testing.T) {
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 9)}, WithPrefetch(false), WithMaxItems(4))
	ids, err := listIDs(c, ListParams{AccountID: "acc", Limit: 3})
	if want := idsOf(srv.Items("acc"))[:4]; err != nil || !slices.Equal(ids, want) {
		t.Fatalf("ids %v, err %v; want %v", ids, err, want)
	}
	if n := len(requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// TestMaxItemsAsksOnlyForWhatItNeeds: the page that reaches MaxItems is
// requested with the limit still needed, so its NextCursor (and the
// Pager's Cursor) continue the listing with nothing skipped or repeated.
func TestMaxItemsAsksOnlyForWhatItNeeds(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%v", prefetch), func(t *testing.T) {
			c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 23)}, WithPrefetch(prefetch))
			ctx := context.Background()

			p := c.NewPager(ListParams{AccountID: "acc", Limit: 5}, WithMaxItems(7))
			defer p.Close()
			var ids []string
			var last *Page
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, idsOf(page.Items)...)
				last = page
			}
			if len(ids) != 7 {
				t.Fatalf("%d items, want 7", len(ids))
			}
			var limits []string
			for _, r := range requests() {
				limits = append(limits, r.Query.Get("limit"))
			}
			if fmt.Sprint(limits) != "[5 2]" {
				t.Errorf("limits sent %v, want [5 2] (nothing fetched beyond WithMaxItems)", limits)
			}
			if last.NextCursor == "" || p.Cursor() != last.NextCursor {
				t.Fatalf("last NextCursor %q, Pager.Cursor %q: want the same non-empty cursor", last.NextCursor, p.Cursor())
			}

			rest, err := listIDs(c, ListParams{AccountID: "acc", Cursor: p.Cursor()})
			if err != nil {
				t.Fatal(err)
			}
			checkSameIDs(t, "stopped at WithMaxItems, then resumed", append(ids, rest...), idsOf(srv.Items("acc")))
		})
	}
}

// prefetchSetup serves 4 invitations in pages of 2 and fails the second
// page (cursor second) with the fault, scripted on every request for it.
func prefetchSetup(t *testing.T, fault *pt.Fault, opts ...Option) (c *Client, second string, requests func() []pt.Request) {
	t.Helper()
	second = pt.EncodeCursor(2)
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 4)}, opts...)
	srv.Enqueue(fault.Times(100).OnCursor(second))
	return c, second, requests
}

// requestsFor counts the requests of log for the page at cursor.
func requestsFor(log []pt.Request, cursor string) int {
	n := 0
	for _, r := range log {
		if r.Query.Get("cursor") == cursor {
			n++
		}
	}
	return n
}

// TestPrefetchKeepsTheRetryBudget: a page fetched ahead that fails after
// its retries is reported as failed, not fetched again with a fresh budget.
func TestPrefetchKeepsTheRetryBudget(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		c, second, requests := prefetchSetup(t, pt.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable), WithMaxRetries(1), WithPrefetch(prefetch))
		ids, err := listIDs(c, ListParams{AccountID: "acc", Limit: 2})
		var apiErr *APIError
		if len(ids) != 2 || !errors.As(err, &apiErr) || apiErr.Attempts != 2 {
			t.Errorf("prefetch=%v: ids %v, err %v; want 2 ids and a 503 after 2 attempts", prefetch, ids, err)
		}
		if n := requestsFor(requests(), second); n != 2 {
			t.Errorf("prefetch=%v: the failing page was requested %d times, want 2 (1 + 1 retry)", prefetch, n)
		}
	}
}

// A prefetched page that failed is reported once, by the Pager, with the
// cursor to resume from, and is not fetched again.
func TestPrefetchedFailureIsNotFetchedAgain(t *testing.T) {
	c, second, requests := prefetchSetup(t, pt.Error(gen.InternalServerErrorTypeProviderError), WithMaxRetries(1), WithPrefetch(true))
	p := c.NewPager(ListParams{AccountID: "acc", Limit: 2})
	defer p.Close()
	ctx := context.Background()
	first, err := p.NextPage(ctx)
	if err != nil || len(first.Items) != 2 {
		t.Fatalf("first page %+v, err %v", first, err)
	}
	_, err = p.NextPage(ctx)
	var pe *PagingError
	if !errors.As(err, &pe) || pe.Cursor != second || p.Cursor() != second || p.HasMorePages() {
		t.Fatalf("err %v, Pager.Cursor %q; want a *PagingError resuming at %q", err, p.Cursor(), second)
	}
	if n := len(requests()); n != 3 {
		t.Errorf("%d requests, want 3 (first page, then the second twice: one try and one retry)", n)
	}
}

// A prefetch started under a context that then ended is fetched again
// under the next call's live context.
func TestPrefetchCancelledWithItsContextIsFetchedAgain(t *testing.T) {
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 4)}, WithPrefetch(true))
	p := c.NewPager(ListParams{AccountID: "acc", Limit: 2})
	defer p.Close()
	ctx1, cancel := context.WithCancel(context.Background())
	if _, err := p.NextPage(ctx1); err != nil {
		t.Fatal(err)
	}
	cancel() // may cut the prefetch of the second page short
	page, err := p.NextPage(context.Background())
	if err != nil || !slices.Equal(idsOf(page.Items), idsOf(srv.Items("acc")[2:])) || p.HasMorePages() {
		t.Fatalf("page %+v err %v", page, err)
	}
	if got := len(requests()); got < 2 || got > 3 {
		t.Errorf("%d requests, want 2 or 3", got)
	}
}

// TestCloseWaitsForThePrefetch: leaving a listing early (break, or
// Pager.Close) ends the page being fetched ahead before it returns, so no
// request of the listing outlives it.
func TestCloseWaitsForThePrefetch(t *testing.T) {
	entered := make(chan struct{})
	var inFlight atomic.Int64
	counting := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		if r.URL.Query().Get("cursor") != "" {
			close(entered)
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 4)}, WithPrefetch(true), WithMaxRetries(0),
		WithHTTPClient(contracttest.NewClient(t, counting)))
	// The second page never comes; only a cancel ends its request.
	srv.Enqueue(pt.Latency(time.Hour).OnCursor(pt.EncodeCursor(2)))
	pages := 0
	for _, err := range c.Pages(context.Background(), ListParams{AccountID: "acc", Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		<-entered // the prefetch of the second page is on its way
		break
	}
	if n := inFlight.Load(); pages != 1 || n != 0 {
		t.Fatalf("%d pages, %d requests still in flight after the listing returned; want 1, 0", pages, n)
	}
}

// FuzzCursorSequence: whatever cursors a server hands out, a listing ends
// (at a null cursor or with an error) within as many requests as there are
// scripted pages plus one, and never delivers an item twice.
func FuzzCursorSequence(f *testing.F) {
	f.Add([]byte("a\x00b\x00c"), []byte{2, 1, 0})
	f.Add([]byte("a\x00a"), []byte{1, 1})
	f.Add([]byte("a\x00\x00b"), []byte{1, 0, 1})
	f.Add([]byte(""), []byte{})
	f.Fuzz(func(t *testing.T, cursorBytes []byte, sizes []byte) {
		cursors := strings.Split(string(cursorBytes), "\x00") // "" ends the listing
		if len(cursors) > 50 {
			cursors = cursors[:50]
		}
		requests := 0
		next := 0
		c := stubClient(t, func(r *http.Request) (*http.Response, error) {
			i := requests
			requests++
			if i >= len(cursors) {
				return jsonResponse(200, pageJSON(next, 1, "")), nil
			}
			n := 1
			if i < len(sizes) {
				n = int(sizes[i] % 4)
			}
			body := pageJSON(next, n, cursors[i])
			next += n
			return jsonResponse(200, body), nil
		})
		seen := map[string]bool{}
		for inv, err := range c.Invitations(context.Background(), ListParams{AccountID: "acc"}, WithPrefetch(false)) {
			if err != nil {
				var pe *PagingError
				if !errors.As(err, &pe) {
					t.Fatalf("listing error %T is not a *PagingError", err)
				}
				break
			}
			if seen[inv.ID] {
				t.Fatalf("%s delivered twice", inv.ID)
			}
			seen[inv.ID] = true
		}
		if requests > len(cursors)+1 {
			t.Fatalf("%d requests for %d scripted pages", requests, len(cursors))
		}
	})
}
