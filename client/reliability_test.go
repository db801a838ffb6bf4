package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/errtable"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// The long suites: the fault matrix (full listings of 10,000 invitations
// through the fake API while it fails in every way the client is meant to
// survive), resuming after a spent retry budget, one client shared by 50
// goroutines, and every error type served. `make reliability` runs them
// once, with -v for their figures; `make test` skips them.

const (
	matrixAccount  = "acc_matrix"
	matrixPages    = 100
	matrixPageSize = 100 // the listing's page size, set on every listing of the matrix
	matrixItems    = matrixPages * matrixPageSize
	// matrixAttemptTimeout bounds one attempt; slowFault is longer, so a slow
	// response is abandoned and retried. The timeout leaves room for a
	// healthy page on a loaded machine: one cut off mid-body would be a
	// contract violation to the validating transport.
	matrixAttemptTimeout = 200 * time.Millisecond
	slowFault            = 600 * time.Millisecond
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
		{"429", func() *pt.Fault { return pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests) }},
		{"429 Retry-After: 0", func() *pt.Fault { return pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0") }},
		{"429 Retry-After: 1", func() *pt.Fault { return pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("1") }},
		{"429 Retry-After: date", func() *pt.Fault {
			return pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		}},
		{"500 provider_error", func() *pt.Fault { return pt.Error(gen.InternalServerErrorTypeProviderError) }},
		{"500 unexpected_error", func() *pt.Fault { return pt.Error(gen.InternalServerErrorTypeUnexpectedError) }},
	}
	for _, et := range ErrorTypes() {
		if et.HTTPStatus() == http.StatusServiceUnavailable {
			typ := string(et)
			kinds = append(kinds, faultKind{"503 " + typ, func() *pt.Fault { return pt.ErrorStatus(http.StatusServiceUnavailable, typ).WithRetryAfter("1") }})
		}
	}
	return append(kinds,
		faultKind{"504 request_timeout", func() *pt.Fault { return pt.Error(gen.GatewayTimeoutErrorTypeRequestTimeout) }},
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
	w := watchLeaks(t, testKey)
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount(matrixAccount, matrixItems)},
		WithLogger(w.logger()), WithMaxRetries(3), WithAttemptTimeout(matrixAttemptTimeout))

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
	// About 5 s under -race on a loaded 2-core machine; a wait not capped
	// by WithMaxRetryDelay (the matrix has Retry-After an hour away) would
	// otherwise hang until go test's timeout.
	ids, err := listIDsWithin(t, c, ListParams{AccountID: matrixAccount, Limit: matrixPageSize}, 30*time.Second,
		"a wait was not capped by WithMaxRetryDelay (20ms here; the matrix has Retry-After an hour away)")
	wall := time.Since(start)
	w.err(err)
	if err != nil {
		t.Fatalf("listing failed after %d items: %v", len(ids), err)
	}
	checkSameIDs(t, "fault matrix", ids, idsOf(srv.Items(matrixAccount)))

	clean, met := requestFigures(requests())
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
	w := watchLeaks(t, testKey)
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount(matrixAccount, matrixItems)},
		WithLogger(w.logger()), WithMaxRetries(1), WithAttemptTimeout(matrixAttemptTimeout))

	apiErr := func(want ErrorType) func(*testing.T, error) {
		return func(t *testing.T, cause error) {
			t.Helper()
			var e *APIError
			if !errors.As(cause, &e) || e.Type != want || e.Attempts != 2 || e.Instance == "" {
				t.Errorf("cause = %#v, want an *APIError %s after 2 attempts with an instance", cause, want)
			}
		}
	}
	reqErr := func(op string, is error) func(*testing.T, error) {
		return func(t *testing.T, cause error) {
			t.Helper()
			var e *RequestError
			if !errors.As(cause, &e) || e.Op != op || e.Attempts != 2 || (is != nil && !errors.Is(cause, is)) {
				t.Errorf("cause = %v, want a *RequestError (%s, %v) after 2 attempts", cause, op, is)
			}
		}
	}
	stops := []stopAt{
		{17, func() *pt.Fault { return pt.Error(gen.ServiceUnavailableErrorTypeNoChannel) }, apiErr(ErrorTypeNoChannel), false},
		{33, func() *pt.Fault { return pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("1") }, apiErr(ErrorTypeTooManyRequests), false},
		{50, pt.Reset, reqErr("send", nil), true},
		{71, func() *pt.Fault { return pt.Latency(slowFault) }, reqErr("send", context.DeadlineExceeded), false},
		{88, pt.TruncatedBody, reqErr("read body", nil), false},
		{matrixPages - 1, func() *pt.Fault { return pt.Error(gen.GatewayTimeoutErrorTypeRequestTimeout) }, apiErr(ErrorTypeRequestTimeout), false},
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
		pt.Error(gen.InternalServerErrorTypeProviderError).OnCursor(pageCursor(0)),
		pt.Error(gen.ServiceUnavailableErrorTypeNetworkDown).OnCursor(pageCursor(25)),
		pt.Reset().OnCursor(pageCursor(40)),
		pt.TruncatedBody().OnCursor(pageCursor(60)),
		pt.Latency(slowFault).OnCursor(pageCursor(80)),
		pt.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable).OnCursor(pageCursor(95)),
	}
	srv.Enqueue(absorbed...)

	start := time.Now()
	var all []string
	cursor := ""
	for run := 0; ; run++ {
		if run > len(stops) {
			t.Fatalf("%d resumes, want %d", run, len(stops))
		}
		ids, err := listIDs(c, ListParams{AccountID: matrixAccount, Limit: matrixPageSize, Cursor: cursor})
		all = append(all, ids...)
		w.err(err)
		if err == nil {
			if run != len(stops) {
				t.Errorf("listing completed after %d stops, want %d", run, len(stops))
			}
			break
		}
		var pe *PagingError
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
	checkSameIDs(t, "resumed listing", all, idsOf(srv.Items(matrixAccount)))

	reqs := requests()
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

// TestSharedClientConcurrentAccounts: one client shared by 50 goroutines,
// each listing its own account (3 to 10 pages) while faults are
// sprinkled over their pages (two per account: 429, 503, proxy HTML,
// resets, truncated bodies, 504, 500); each gets exactly its account's ids, in
// order, once.
func TestSharedClientConcurrentAccounts(t *testing.T) {
	const accounts = 50
	var opts []pt.Option
	sizes := make([]int, accounts)
	for i := range accounts {
		sizes[i] = 3*invitationOp.maxLimit + (i*137)%(7*invitationOp.maxLimit+1) // 3 to 10 pages
		opts = append(opts, pt.WithGeneratedAccount(accountName(i), sizes[i]))
	}
	w := watchLeaks(t, testKey)
	// No slow-response faults here (TestFaultMatrix has them), and the
	// default attempt timeout: 50 listings share the machine under the race
	// detector, and a healthy response cut off mid-body by a short timeout
	// is (rightly) a contract violation to the validating transport.
	c, srv, requests := setup(t, opts, WithLogger(w.logger()), WithMaxRetries(3))

	faults := []func() *pt.Fault{
		func() *pt.Fault { return pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0") },
		func() *pt.Fault { return pt.Error(gen.ServiceUnavailableErrorTypeNetworkDown) },
		pt.Reset,
		pt.TruncatedBody,
		func() *pt.Fault { return pt.Error(gen.GatewayTimeoutErrorTypeRequestTimeout) },
		func() *pt.Fault { return pt.ProxyHTML(503) },
		func() *pt.Fault { return pt.Error(gen.InternalServerErrorTypeProviderError) },
	}
	scheduled := 0
	for i := range accounts {
		acc := accountName(i)
		for j, page := range []int{i % 3, 1 + i%2} { // the first, second or third page, then the second or third
			cursor := ""
			if page > 0 {
				cursor = pt.EncodeCursor(page * invitationOp.maxLimit)
			}
			f := faults[(i+j)%len(faults)]()
			srv.Enqueue(f.When(func(r *http.Request) bool {
				q := r.URL.Query()
				return q.Get("account_id") == acc && q.Get("cursor") == cursor
			}))
			scheduled++
		}
	}

	start := time.Now()
	var wg sync.WaitGroup
	got := make([][]string, accounts)
	errs := make([]error, accounts)
	for i := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = listIDs(c, ListParams{AccountID: accountName(i)})
		}()
	}
	wg.Wait()
	wall := time.Since(start)

	pages, items := 0, 0
	for i := range accounts {
		w.err(errs[i])
		if errs[i] != nil {
			t.Errorf("%s: %v", accountName(i), errs[i])
		}
		checkSameIDs(t, accountName(i), got[i], idsOf(srv.Items(accountName(i))))
		pages += (sizes[i] + invitationOp.maxLimit - 1) / invitationOp.maxLimit
		items += len(got[i])
	}
	clean, met := requestFigures(requests())
	if srv.PendingFaults() != 0 || sum(met) != scheduled {
		t.Errorf("%d faults met, %d pending; want all %d met", sum(met), srv.PendingFaults(), scheduled)
	}
	if clean < pages {
		t.Errorf("%d clean responses for %d pages", clean, pages)
	}
	t.Logf("figures: concurrency: %d goroutines, %d items in %d pages; %d requests = %d clean + %d faulted (%d unscheduled retries); wall %v",
		accounts, items, pages, clean+sum(met), clean, sum(met), clean-pages, wall.Round(time.Millisecond))
	t.Logf("figures: concurrency: faults met by kind: %s", formatCounts(met))
}

func accountName(i int) string { return fmt.Sprintf("acc_conc_%02d", i) }

// TestEveryErrorTypeServed serves every documented error type at its
// documented status, repeating it past the retry budget, and checks the
// *APIError (type, status, retryability, instance, attempts) and how many
// requests were sent: 1 + max retries for a retryable type, exactly 1 for
// the others. Then unknown types and undocumented statuses. The server
// echoes the API key in each detail: the client must redact it.
func TestEveryErrorTypeServed(t *testing.T) {
	const maxRetries = 2
	w := watchLeaks(t, testKey)
	type tc struct {
		name      string
		fault     func() *pt.Fault
		typ       ErrorType
		status    int
		retryable bool
	}
	var cases []tc
	for _, et := range ErrorTypes() {
		if got := pt.StatusOf(string(et)); got != et.HTTPStatus() {
			t.Errorf("%s: the fake serves status %d, the client documents %d", et, got, et.HTTPStatus())
		}
		cases = append(cases, tc{string(et), func() *pt.Fault { return pt.ErrorStatus(et.HTTPStatus(), string(et)) }, et, et.HTTPStatus(), et.Retryable()})
	}
	if len(cases) == 0 {
		t.Fatal("the error table is empty")
	}
	// Types the spec does not know, at statuses it retries and statuses it
	// does not: the status decides (errtable.RetryableStatus).
	for _, u := range []struct {
		status int
		typ    ErrorType
	}{{418, "errors/teapot"}, {503, "errors/unknown_thing"}, {429, "errors/slow_down_new"}, {502, "errors/bad_gateway_new"}, {401, "errors/new_auth_problem"}, {404, "errors/not_found"}} {
		cases = append(cases, tc{fmt.Sprintf("unknown type at %d", u.status), func() *pt.Fault { return pt.ErrorStatus(u.status, string(u.typ)) }, u.typ, u.status, errtable.RetryableStatus(u.status)})
	}
	cases = append(cases,
		tc{"unknown type at default 500", func() *pt.Fault { return pt.ErrorStatus(500, "errors/brand_new") }, "errors/brand_new", 500, errtable.RetryableStatus(500)},
		// A known type at a status the docs do not give it: the type decides.
		tc{"expired_credentials at 503", func() *pt.Fault { return pt.ErrorStatus(503, "errors/expired_credentials") }, ErrorTypeExpiredCredentials, 503, ErrorTypeExpiredCredentials.Retryable()},
		tc{"provider_error at 400", func() *pt.Fault { return pt.ErrorStatus(400, "errors/provider_error") }, ErrorTypeProviderError, 400, ErrorTypeProviderError.Retryable()},
	)
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.name, "errors/"), func(t *testing.T) {
			cl, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc_types", 30)}, WithLogger(w.logger()), WithMaxRetries(maxRetries))
			srv.Enqueue(c.fault().WithDetail("Scripted; the request carried X-API-KEY: " + testKey + ".").Times(maxRetries + 1))

			page, err := firstPage(context.Background(), cl, ListParams{AccountID: "acc_types", Limit: 10})
			w.err(err)
			var e *APIError
			if !errors.As(err, &e) {
				t.Fatalf("page %v, err %v (%T): want an *APIError", page, err, err)
			}
			want := 1
			if c.retryable {
				want = 1 + maxRetries
			}
			if e.Type != c.typ || e.StatusCode != c.status || e.Retryable() != c.retryable {
				t.Errorf("got type %q status %d retryable %v, want %q %d %v", e.Type, e.StatusCode, e.Retryable(), c.typ, c.status, c.retryable)
			}
			if e.Type.Known() != (c.typ.HTTPStatus() != 0) || !errors.Is(err, c.typ) {
				t.Errorf("Known() = %v, errors.Is(err, %s) = %v", e.Type.Known(), c.typ, errors.Is(err, c.typ))
			}
			if !strings.HasPrefix(e.Instance, "req_pp") {
				t.Errorf("Instance = %q, want the server's request id", e.Instance)
			}
			if e.Attempts != want || srv.RequestCount() != want {
				t.Errorf("%d attempts, %d requests; want %d", e.Attempts, srv.RequestCount(), want)
			}
			if srv.PendingFaults() != maxRetries+1-want {
				t.Errorf("%d faults left, want %d", srv.PendingFaults(), maxRetries+1-want)
			}
			if !strings.Contains(e.Detail, "X-API-KEY: [REDACTED]") || strings.Contains(string(e.Body), testKey) {
				t.Errorf("the key echoed by the server was not redacted: detail %q", e.Detail)
			}
			if !strings.Contains(err.Error(), string(c.typ)) || !strings.Contains(err.Error(), e.Instance) {
				t.Errorf("Error() = %q lacks the type or the instance", err)
			}
			if !c.retryable {
				return
			}
			// Within the budget, the same failure is ridden out.
			srv.Enqueue(c.fault().Times(maxRetries))
			page, err = firstPage(context.Background(), cl, ListParams{AccountID: "acc_types", Limit: 10})
			w.err(err)
			if err != nil || len(page.Items) != 10 || srv.RequestCount() != want+maxRetries+1 {
				t.Errorf("after %d failures: page %v, err %v, %d requests in all", maxRetries, page, err, srv.RequestCount())
			}
		})
	}
}

// leakWatch captures everything a client logs (debug level and up) and every
// error string a test produced, and checks at the end of the test that the
// API key appears in none of them.
type leakWatch struct {
	key  string
	mu   sync.Mutex
	logs bytes.Buffer
	errs []string
}

// watchLeaks returns a leakWatch for key whose check runs when t ends.
func watchLeaks(t *testing.T, key string) *leakWatch {
	t.Helper()
	w := &leakWatch{key: key}
	t.Cleanup(func() { w.check(t) })
	return w
}

func (w *leakWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.logs.Write(p)
}

// logger logs every record, debug included, into w, as text and as JSON.
func (w *leakWatch) logger() *slog.Logger {
	return slog.New(teeHandler{
		slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}),
	})
}

// err records err in every form a caller might print it.
func (w *leakWatch) err(err error) {
	if err == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errs = append(w.errs, err.Error(), fmt.Sprintf("%v|%+v|%s|%q|%#v", err, err, err, err, err))
}

func (w *leakWatch) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	logs := w.logs.String()
	if !strings.Contains(logs, `"level":"DEBUG"`) || !strings.Contains(logs, "level=DEBUG") {
		t.Errorf("leak check: no debug records captured (%d bytes of logs): the check would be vacuous", len(logs))
	}
	if strings.Contains(logs, w.key) {
		i := strings.Index(logs, w.key)
		t.Errorf("leak check: the API key appears in the logs: …%s…", logs[max(0, i-200):i])
	}
	for _, s := range w.errs {
		if strings.Contains(s, w.key) {
			t.Errorf("leak check: the API key appears in an error string: %s", strings.ReplaceAll(s, w.key, "<KEY>"))
		}
	}
	t.Logf("leak check: %d bytes of logs (%d records) and %d error strings, API key absent from all",
		len(logs), strings.Count(logs, "\n"), len(w.errs))
}

// teeHandler sends each record to all its handlers.
type teeHandler []slog.Handler

func (h teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, x := range h {
		if x.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (h teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, x := range h {
		if x.Enabled(ctx, r.Level) {
			if err := x.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(teeHandler, len(h))
	for i, x := range h {
		out[i] = x.WithAttrs(as)
	}
	return out
}

func (h teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(h))
	for i, x := range h {
		out[i] = x.WithGroup(name)
	}
	return out
}

// requestFigures counts the fake's requests: with no fault applied, and
// with a fault, by the fault's name.
func requestFigures(reqs []pt.Request) (clean int, faults map[string]int) {
	faults = map[string]int{}
	for _, r := range reqs {
		if r.Fault == "" {
			clean++
		} else {
			faults[r.Fault]++
		}
	}
	return clean, faults
}

// formatCounts prints a count map in key order.
func formatCounts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// sum adds up the counts of m.
func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
