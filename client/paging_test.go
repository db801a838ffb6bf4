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

// TestListsEverythingInCeilNOverPageSizeRequests: 2.5 pages of the spec's
// maximum page size take 3 requests, each asking for that page size.
func TestListsEverythingInCeilNOverPageSizeRequests(t *testing.T) {
	size := invitationOp.maxLimit
	if max := invitationOp.rules["limit"].Max; size < 1 || max == nil || float64(size) != *max {
		t.Fatalf("the listing's page size is %d, want the spec's maximum of limit %v", size, max)
	}
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", size*5/2)})
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
		if r.Query.Get("limit") != fmt.Sprint(size) || r.Header.Get("User-Agent") != "postpress-go/"+Version ||
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

// TestStartCursorCountsAsSeen: a listing started at a cursor (a resume)
// stops at once, after one request, when the server hands that cursor back.
func TestStartCursorCountsAsSeen(t *testing.T) {
	c, n := scriptedAPI(t, map[string]string{"c1": pageJSON(2, 2, "c1")})
	_, err := listIDsWithin(t, c, ListParams{AccountID: "acc", Cursor: "c1"}, guardDeadline, "a page pointing back to its own cursor was followed again (ErrCursorLoop not raised)")
	if !errors.Is(err, ErrCursorLoop) || n.Load() != 1 {
		t.Fatalf("err %v after %d requests; want ErrCursorLoop after 1", err, n.Load())
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

			p := c.InvitationPager(ListParams{AccountID: "acc", Limit: 5}, WithMaxItems(7))
			defer p.Close()
			var ids []string
			var last *Page[Invitation]
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
	p := c.InvitationPager(ListParams{AccountID: "acc", Limit: 2})
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
	p := c.InvitationPager(ListParams{AccountID: "acc", Limit: 2})
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
	for _, leave := range []string{"break", "Close"} {
		t.Run(leave, func(t *testing.T) {
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
			params := ListParams{AccountID: "acc", Limit: 2}
			if leave == "break" {
				for _, err := range c.Invitations(context.Background(), params) {
					if err != nil {
						t.Fatal(err)
					}
					<-entered // the prefetch of the second page is on its way
					break
				}
			} else {
				p := c.InvitationPager(params)
				if _, err := p.NextPage(context.Background()); err != nil {
					t.Fatal(err)
				}
				<-entered
				p.Close()
				if p.HasMorePages() {
					t.Error("HasMorePages after Close")
				}
			}
			if n := inFlight.Load(); n != 0 {
				t.Fatalf("%d requests still in flight after the listing returned; want 0", n)
			}
		})
	}
}

// TestFirstPageAsksForTheSpecsMaximum: a Pager given no page size asks
// for the spec's maximum; its first page has Cursor "" and the next
// cursor. A Pager started at a cursor asks for the page size given, and its
// page's Cursor is that cursor.
func TestFirstPageAsksForTheSpecsMaximum(t *testing.T) {
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", invitationOp.maxLimit+15)})
	page, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"})
	if err != nil || len(page.Items) != invitationOp.maxLimit || !page.HasMore() || page.Cursor != "" || page.RawJSON() == nil {
		t.Fatalf("page %+v, err %v", page, err)
	}
	if q := requests()[0].Query; q.Get("limit") != fmt.Sprint(invitationOp.maxLimit) || q.Has("cursor") {
		t.Errorf("query %v: want limit=%d and no cursor", q, invitationOp.maxLimit)
	}
	p := c.InvitationPager(ListParams{AccountID: "acc", Cursor: page.NextCursor, Limit: 20}, WithPrefetch(false))
	defer p.Close()
	if p.Cursor() != page.NextCursor {
		t.Errorf("Cursor() before the first page = %q, want the one given", p.Cursor())
	}
	next, err := p.NextPage(context.Background())
	if err != nil || len(next.Items) != 15 || next.HasMore() || next.Cursor != page.NextCursor || p.HasMorePages() || p.Cursor() != "" {
		t.Fatalf("next %+v, err %v, HasMorePages %v, Cursor %q", next, err, p.HasMorePages(), p.Cursor())
	}
	checkSameIDs(t, "two pages", append(idsOf(page.Items), idsOf(next.Items)...), idsOf(srv.Items("acc")))
	if q := requests()[1].Query; q.Get("limit") != "20" || q.Get("cursor") != page.NextCursor {
		t.Errorf("query %v: want limit=20 and the cursor", q)
	}
}

// TestPagerErrReportsABadParameterBeforeSending: a parameter outside the
// spec's rules, or an invalid option, is the Pager's Err as soon as it is
// made, and the error of its first NextPage; nothing is sent.
func TestPagerErrReportsABadParameterBeforeSending(t *testing.T) {
	c, _, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 3)})
	for name, p := range map[string]*Pager[Invitation]{
		"no account":   c.InvitationPager(ListParams{}),
		"limit 101":    c.InvitationPager(ListParams{AccountID: "acc", Limit: invitationOp.maxLimit + 1}),
		"bad cursor":   c.InvitationPager(ListParams{AccountID: "acc", Cursor: "pasted\n"}),
		"a bad option": c.InvitationPager(ListParams{AccountID: "acc"}, WithMaxItems(-1)),
	} {
		err := p.Err()
		if err == nil {
			t.Errorf("%s: Err() = nil", name)
			continue
		}
		var pe *ParamError
		if name != "a bad option" && !errors.As(err, &pe) {
			t.Errorf("%s: Err() = %v, want a *ParamError", name, err)
		}
		if !p.HasMorePages() {
			t.Errorf("%s: HasMorePages false before NextPage reported the error", name)
		}
		if _, got := p.NextPage(context.Background()); got != err || p.HasMorePages() || p.Err() != err {
			t.Errorf("%s: NextPage err %v, HasMorePages %v, Err %v; want Err's error, then no more pages", name, got, p.HasMorePages(), p.Err())
		}
		p.Close()
	}
	if n := len(requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestPagerErrIsWhatEndedTheListing: Err is nil while a listing goes well
// and after its last page; after a failure it is the *PagingError NextPage
// returned. A NextPage after the end sends nothing and is an error too.
func TestPagerErrIsWhatEndedTheListing(t *testing.T) {
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 3)}, WithPrefetch(false), WithMaxRetries(0))
	p := c.InvitationPager(ListParams{AccountID: "acc"})
	if _, err := p.NextPage(context.Background()); err != nil || p.Err() != nil || p.HasMorePages() {
		t.Fatalf("err %v, Err %v, HasMorePages %v; want one whole page", err, p.Err(), p.HasMorePages())
	}
	_, err := p.NextPage(context.Background())
	var pe *PagingError
	if !errors.As(err, &pe) || !errors.Is(err, errPagerDone) || pe.Pages != 1 || pe.Items != 3 || len(requests()) != 1 {
		t.Errorf("NextPage after the end: %v after %d requests; want a *PagingError, nothing sent", err, len(requests()))
	}

	srv.Enqueue(pt.Error(gen.UnauthorizedErrorTypeExpiredCredentials))
	p = c.InvitationPager(ListParams{AccountID: "acc"})
	_, err = p.NextPage(context.Background())
	if !errors.As(err, &pe) || !errors.Is(err, ErrorTypeExpiredCredentials) || p.Err() != err || p.HasMorePages() || pe.Cursor != "" {
		t.Errorf("err %v, Err %v; want the same *PagingError of the 401, resuming from the start", err, p.Err())
	}
}

// TestInvitationsYieldsTheErrorOnceAndStops: an iterator whose listing
// fails yields the items before, then one zero item with the error, and
// nothing more; one that the loop leaves sends nothing more.
func TestInvitationsYieldsTheErrorOnceAndStops(t *testing.T) {
	c, _ := scriptedAPI(t, map[string]string{
		"":   pageJSON(0, 2, "c1"),
		"c1": pageJSON(2, 2, "c1"),
	}, WithPrefetch(false))
	ctx, cancel := context.WithTimeout(context.Background(), guardDeadline)
	defer cancel()
	var ids []string
	errs := 0
	for inv, err := range c.Invitations(ctx, ListParams{AccountID: "acc"}) {
		if ctx.Err() != nil {
			t.Fatal("the listing did not end at the repeated cursor")
		}
		if err != nil {
			errs++
			if inv.ID != "" || inv.RawJSON() != nil || !errors.Is(err, ErrCursorLoop) {
				t.Errorf("error step: item %+v, err %v", inv, err)
			}
			continue // the iterator must end by itself
		}
		ids = append(ids, inv.ID)
	}
	if errs != 1 || len(ids) != 2 {
		t.Errorf("%d errors, ids %v; want 1 error after 2 ids", errs, ids)
	}

	c, n := scriptedAPI(t, map[string]string{"": pageJSON(0, 2, "c1")}, WithPrefetch(false))
	for range c.Invitations(context.Background(), ListParams{AccountID: "acc"}) {
		break
	}
	if n.Load() != 1 {
		t.Errorf("%d requests after leaving at the first item, want 1", n.Load())
	}
}
