package client_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// The fault matrix: full listings of 10,000 invitations through the fake
// API while it fails in every way the client is meant to survive.

const (
	matrixAccount  = "acc_matrix"
	matrixItems    = 10000
	matrixPageSize = 100
	matrixPages    = matrixItems / matrixPageSize
	// attemptTimeout bounds one attempt; slowFault is longer, so a slow
	// response is abandoned and retried. The timeout leaves room for a
	// healthy page on a loaded machine: one cut off mid-body would be a
	// contract violation to the validating transport.
	attemptTimeout = 200 * time.Millisecond
	slowFault      = 600 * time.Millisecond
)

// faultKind is one way for a response to fail.
type faultKind struct {
	name string
	make func() *pt.Fault
}

// faultKinds returns every transient failure the client must ride out: 429
// with and without Retry-After (seconds, zero, a date an hour away: each
// capped by WithMaxRetryDelay), the retryable 500s, every documented 503
// type, 504, a proxy's HTML 502, connection resets (at once and after a
// delay), truncated bodies and responses slower than the attempt timeout.
func faultKinds() []faultKind {
	kinds := []faultKind{
		{"429", func() *pt.Fault { return pt.Error("errors/too_many_requests") }},
		{"429 Retry-After: 0", func() *pt.Fault { return pt.Error("errors/too_many_requests").WithRetryAfter("0") }},
		{"429 Retry-After: 1", func() *pt.Fault { return pt.Error("errors/too_many_requests").WithRetryAfter("1") }},
		{"429 Retry-After: date", func() *pt.Fault {
			return pt.Error("errors/too_many_requests").WithRetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		}},
		{"500 provider_error", func() *pt.Fault { return pt.Error("errors/provider_error") }},
		{"500 unexpected_error", func() *pt.Fault { return pt.Error("errors/unexpected_error") }},
	}
	for _, et := range client.ErrorTypes() {
		if et.HTTPStatus() == http.StatusServiceUnavailable {
			typ := string(et)
			kinds = append(kinds, faultKind{"503 " + typ, func() *pt.Fault { return pt.Error(typ).WithRetryAfter("1") }})
		}
	}
	return append(kinds,
		faultKind{"504 request_timeout", func() *pt.Fault { return pt.Error("errors/request_timeout") }},
		faultKind{"502 proxy HTML", func() *pt.Fault { return pt.ProxyHTML(http.StatusBadGateway) }},
		faultKind{"connection reset", pt.Reset},
		faultKind{"connection reset after 20ms", func() *pt.Fault { return pt.Reset().After(20 * time.Millisecond) }},
		faultKind{"truncated body", pt.TruncatedBody},
		faultKind{"slower than the attempt timeout", func() *pt.Fault { return pt.Latency(slowFault) }},
	)
}

// pageCursor returns the cursor of matrix page n ("" for the first).
func pageCursor(n int) string {
	if n == 0 {
		return ""
	}
	return pt.EncodeCursor(n * matrixPageSize)
}

// TestFaultMatrix lists 10,000 invitations while every page fails once or
// twice in a row (within the retry budget), each kind of failure many
// times, and checks that exactly the server's items arrive, in its order,
// none twice, and that every scheduled fault was met and cost exactly one
// extra request (a client retry, or net/http's own resend after a reset of
// a reused connection).
func TestFaultMatrix(t *testing.T) {
	kinds := faultKinds()
	if len(kinds) < 15 {
		t.Fatalf("only %d fault kinds: the 503 types did not come through", len(kinds))
	}
	srv := pt.NewServer(pt.WithGeneratedAccount(matrixAccount, matrixItems), pt.WithAPIKey(canaryKey))
	defer srv.Close()
	w := watchLeaks(t, canaryKey)
	c := suiteClient(t, srv, w, client.WithMaxRetries(3), client.WithAttemptTimeout(attemptTimeout))

	scheduled := map[string]int{}
	for p := range matrixPages {
		on := []faultKind{kinds[p%len(kinds)]}
		if p%3 == 0 { // two failures in a row, of different kinds
			on = append(on, kinds[(p*7+1)%len(kinds)])
		}
		for _, k := range on {
			srv.Enqueue(k.make().OnCursor(pageCursor(p)))
			scheduled[k.name]++
		}
	}
	for _, k := range kinds {
		if scheduled[k.name] < 5 {
			t.Errorf("fault %q scheduled only %d times", k.name, scheduled[k.name])
		}
	}

	start := time.Now()
	ids, err := listIDs(context.Background(), c, client.ListParams{AccountID: matrixAccount})
	wall := time.Since(start)
	w.err(err)
	if err != nil {
		t.Fatalf("listing failed after %d items: %v", len(ids), err)
	}
	checkSameIDs(t, "fault matrix", ids, serverIDs(srv, matrixAccount))

	clean, met := requestFigures(srv.Requests())
	if n := srv.PendingFaults(); n != 0 {
		t.Errorf("%d scheduled faults never met", n)
	}
	if sum(met) != sum(scheduled) {
		t.Errorf("%d faulted responses, want the %d scheduled", sum(met), sum(scheduled))
	}
	// Every page needs one clean response. More than that would mean a
	// response that arrived in full was thrown away, or that a healthy
	// response overran the attempt timeout on a loaded machine (printed as
	// "unscheduled retries").
	if clean < matrixPages {
		t.Errorf("%d clean responses for %d pages", clean, matrixPages)
	}
	t.Logf("figures: fault matrix: %d items in %d pages; %d requests = %d clean + %d faulted; %d retries (%d unscheduled); wall %v",
		len(ids), matrixPages, clean+sum(met), clean, sum(met), clean+sum(met)-matrixPages, clean-matrixPages, wall.Round(time.Millisecond))
	t.Logf("figures: faults met by kind (server's names): %s", formatCounts(met))
	t.Logf("figures: faults scheduled by kind: %s", formatCounts(scheduled))
}

// stopAt is a failure that outlasts a retry budget of 1: every request
// for the page fails until the listing has stopped there.
type stopAt struct {
	page  int
	fault func() *pt.Fault
	// check inspects the listing's cause.
	check func(t *testing.T, cause error)
	// transparent is whether net/http may resend a request on its own
	// after this failure: it does so, once, for an idempotent GET whose
	// reused keep-alive connection is reset before any response byte, so
	// the server sees 2 to 4 requests for the client's 2 attempts.
	transparent bool
}

// gateTimes is how many requests a stop fault may fail: more than any
// listing makes; the gate, not the count, ends it.
const gateTimes = 1000

// TestFaultMatrixResume lists with a retry budget too small for some
// failures: the listing stops with a *PagingError at the failing page, and
// resuming from its Cursor, again and again, completes the set with nothing
// lost and nothing twice.
func TestFaultMatrixResume(t *testing.T) {
	srv := pt.NewServer(pt.WithGeneratedAccount(matrixAccount, matrixItems), pt.WithAPIKey(canaryKey))
	defer srv.Close()
	w := watchLeaks(t, canaryKey)
	c := suiteClient(t, srv, w, client.WithMaxRetries(1), client.WithAttemptTimeout(attemptTimeout))

	apiErr := func(want client.ErrorType) func(*testing.T, error) {
		return func(t *testing.T, cause error) {
			t.Helper()
			var e *client.APIError
			if !errors.As(cause, &e) || e.Type != want || e.Attempts != 2 || e.Instance == "" {
				t.Errorf("cause = %#v, want an *APIError %s after 2 attempts with an instance", cause, want)
			}
		}
	}
	reqErr := func(op string, is error) func(*testing.T, error) {
		return func(t *testing.T, cause error) {
			t.Helper()
			var e *client.RequestError
			if !errors.As(cause, &e) || e.Op != op || e.Attempts != 2 || (is != nil && !errors.Is(cause, is)) {
				t.Errorf("cause = %v, want a *RequestError (%s, %v) after 2 attempts", cause, op, is)
			}
		}
	}
	stops := []stopAt{
		{17, func() *pt.Fault { return pt.Error("errors/no_channel") }, apiErr(client.ErrorTypeNoChannel), false},
		{33, func() *pt.Fault { return pt.Error("errors/too_many_requests").WithRetryAfter("1") }, apiErr(client.ErrorTypeTooManyRequests), false},
		{50, pt.Reset, reqErr("send", nil), true},
		{71, func() *pt.Fault { return pt.Latency(slowFault) }, reqErr("send", context.DeadlineExceeded), false},
		{88, pt.TruncatedBody, reqErr("read body", nil), false},
		{matrixPages - 1, func() *pt.Fault { return pt.Error("errors/request_timeout") }, apiErr(client.ErrorTypeRequestTimeout), false},
	}
	var passed [matrixPages]atomic.Bool // passed[p]: the listing has stopped at page p
	for _, s := range stops {
		cursor := pageCursor(s.page)
		srv.Enqueue(s.fault().Times(gateTimes).When(func(r *http.Request) bool {
			return r.URL.Query().Get("cursor") == cursor && !passed[s.page].Load()
		}))
	}
	// Failures the one retry absorbs: the listing goes on through them.
	absorbed := []*pt.Fault{
		pt.Error("errors/provider_error").OnCursor(pageCursor(0)),
		pt.Error("errors/network_down").OnCursor(pageCursor(25)),
		pt.Reset().OnCursor(pageCursor(40)),
		pt.TruncatedBody().OnCursor(pageCursor(60)),
		pt.Latency(slowFault).OnCursor(pageCursor(80)),
		pt.Error("errors/service_unavailable").OnCursor(pageCursor(95)),
	}
	srv.Enqueue(absorbed...)

	start := time.Now()
	var all []string
	cursor := ""
	for run := 0; ; run++ {
		if run > len(stops) {
			t.Fatalf("%d resumes, want %d", run, len(stops))
		}
		ids, err := listIDs(context.Background(), c, client.ListParams{AccountID: matrixAccount, Cursor: cursor})
		all = append(all, ids...)
		w.err(err)
		if err == nil {
			if run != len(stops) {
				t.Errorf("listing completed after %d stops, want %d", run, len(stops))
			}
			break
		}
		var pe *client.PagingError
		if !errors.As(err, &pe) {
			t.Fatalf("run %d: err = %v (%T), want a *PagingError", run, err, err)
		}
		if run >= len(stops) {
			t.Fatalf("run %d: unexpected stop: %v", run, err)
		}
		s := stops[run]
		passed[s.page].Store(true)
		if want := pageCursor(s.page); pe.Cursor != want {
			t.Errorf("run %d: resume cursor %q, want %q (page %d)", run, pe.Cursor, want, s.page)
		}
		if pe.Items != len(ids) || len(all) != s.page*matrixPageSize {
			t.Errorf("run %d: PagingError.Items = %d, delivered %d in this run and %d in all, want %d in all",
				run, pe.Items, len(ids), len(all), s.page*matrixPageSize)
		}
		s.check(t, pe.Err)
		t.Logf("figures: resume: run %d stopped at page %d after %d items: %v", run, s.page, pe.Items, err)
		cursor = pe.Cursor
	}
	wall := time.Since(start)
	checkSameIDs(t, "resumed listing", all, serverIDs(srv, matrixAccount))

	reqs := srv.Requests()
	clean, met := requestFigures(reqs)
	atStop := map[string]int{}
	for _, r := range reqs {
		if r.Fault != "" {
			atStop[r.Query.Get("cursor")]++
		}
	}
	gated := 0
	for _, s := range stops {
		n := atStop[pageCursor(s.page)]
		gated += n
		if lo, hi := 2, map[bool]int{false: 2, true: 4}[s.transparent]; n < lo || n > hi {
			t.Errorf("page %d: %d failed requests, want %d..%d (the client's 2 attempts)", s.page, n, lo, hi)
		}
	}
	if want := len(stops)*gateTimes - gated; srv.PendingFaults() != want {
		t.Errorf("%d faults pending, want %d (the gates' rest): an absorbed fault was never met", srv.PendingFaults(), want)
	}
	if want := gated + len(absorbed); sum(met) != want {
		t.Errorf("%d faulted responses, want %d", sum(met), want)
	}
	if clean < matrixPages {
		t.Errorf("%d clean responses for %d pages", clean, matrixPages)
	}
	t.Logf("figures: resume: %d items after %d stops; %d requests = %d clean + %d faulted (%d unscheduled retries); wall %v",
		len(all), len(stops), clean+sum(met), clean, sum(met), clean-matrixPages, wall.Round(time.Millisecond))
	t.Logf("figures: resume: faults met by kind: %s", formatCounts(met))
}
