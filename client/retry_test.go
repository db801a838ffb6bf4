package client

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/errtable"
	pt "github.com/postpress/postpress-go/postpresstest"
)

func TestParseRetryAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"2":                             2 * time.Second,
		" 2 ":                           2 * time.Second,
		"0":                             0,
		"-4":                            0,
		"soon":                          0,
		"Sat, 28 Nov 2026 12:00:05 GMT": 5 * time.Second,
		"Sat, 28 Nov 2026 11:59:00 GMT": 0,
		"999999999999":                  24 * time.Hour,
	} {
		if got := parseRetryAfter(http.Header{"Retry-After": {v}}, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}

// retryerFor returns a standard retryer with its knobs and a budget of
// its own of the given capacity.
func retryerFor(maxAttempts int, backoff, maxDelay time.Duration, capacity uint) *standardRetryer {
	return &standardRetryer{maxAttempts, backoff, maxDelay, newRetryBudget(capacity)}
}

// tokensLeft returns what is left of b.
func (b *retryBudget) tokensLeft() uint {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens
}

// TestStandardRetryerFollowsItsDocumentedRules checks each rule
// NewStandardRetryer's doc comment lists against the code, one row a rule;
// the rows are matched to the doc's bullets, so that a rule documented
// without a row (or a row whose rule left the doc) fails.
func TestStandardRetryerFollowsItsDocumentedRules(t *testing.T) {
	reqErr := func(err error) error { return &RequestError{Op: "read body", URL: "u", Err: err} }
	// retries checks the decision for err at a first attempt, with a
	// budget that can pay: a retry is a nil error; no retry ends the
	// request with err itself.
	retries := func(err error, want bool) error {
		_, final := retryerFor(4, time.Millisecond, time.Second, budgetCapacity).Retry(1, err)
		if got := final == nil; got != want {
			return fmt.Errorf("Retry(1, %w) retries: %v, want %v", err, got, want)
		}
		if final != nil && final != err { //nolint:errorlint // the very error must come back
			return fmt.Errorf("Retry(1, %w) ended with %w, want the error itself", err, final)
		}
		return nil
	}
	rules := []struct {
		bullet string // the start of the doc's bullet
		check  func() error
	}{
		{"An *APIError is retried when APIError.Retryable says so", func() error {
			for _, et := range ErrorTypes() {
				if err := retries(&APIError{StatusCode: et.HTTPStatus(), Type: et}, et.Retryable()); err != nil {
					return err
				}
			}
			for _, status := range []int{400, 401, 404, 429, 500, 501, 502, 503, 504} {
				for _, typ := range []ErrorType{"errors/not_in_the_spec", ""} {
					if err := retries(&APIError{StatusCode: status, Type: typ}, errtable.RetryableStatus(status)); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{"A refused redirect", func() error { return retries(reqErr(ErrRedirectRefused), false) }},
		{"A response that breaks the contract", func() error { return retries(fmt.Errorf("%w: x", ErrContractViolation), false) }},
		{"A body larger than its bound", func() error { return retries(reqErr(fmt.Errorf("%w: x", ErrBodyTooLarge)), false) }},
		{"A 200 body read whole that is not a page", func() error {
			return retries(&RequestError{Op: "decode", Err: fmt.Errorf("%w: x", ErrMalformedResponse)}, false)
		}},
		{"A TLS handshake with a server that does not speak TLS", func() error {
			return retries(&RequestError{Op: "send", Err: http.ErrSchemeMismatch}, false)
		}},
		{"Any other *RequestError is retried", func() error {
			for _, err := range []error{io.ErrUnexpectedEOF, syscall.ECONNRESET, context.DeadlineExceeded} {
				if err := retries(reqErr(err), true); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Anything else", func() error {
			return errors.Join(retries(errors.New("request editor: no"), false), retries(context.Canceled, false))
		}},
		{"The wait is the server's Retry-After", func() error {
			r := retryerFor(100, 100*time.Millisecond, time.Second, 1<<20)
			for n := 1; n <= 40; n++ {
				ceiling := min(100*time.Millisecond<<(min(n, 20)-1), time.Second)
				for range 50 {
					if d, err := r.Retry(n, reqErr(io.ErrUnexpectedEOF)); err != nil || d <= 0 || d > ceiling {
						return fmt.Errorf("Retry(%d) = %v, %w; want a wait in (0, %v]", n, d, err, ceiling)
					}
				}
			}
			for ra, want := range map[time.Duration]time.Duration{300 * time.Millisecond: 300 * time.Millisecond, 5 * time.Second: time.Second} {
				if d, err := r.Retry(1, &APIError{StatusCode: 429, RetryAfter: ra}); err != nil || d != want {
					return fmt.Errorf("Retry-After %v: wait %v (%w), want %v", ra, d, err, want)
				}
			}
			return nil
		}},
		{"A request makes at most 1 + max retries attempts", func() error {
			r := retryerFor(3, time.Millisecond, time.Millisecond, budgetCapacity)
			cause := reqErr(io.ErrUnexpectedEOF)
			for attempt := 1; attempt <= 3; attempt++ {
				_, err := r.Retry(attempt, cause)
				if got, want := err == nil, attempt < 3; got != want {
					return fmt.Errorf("max 3 attempts: Retry(%d) retries: %v, want %v", attempt, got, want)
				}
			}
			if left := r.budget.tokensLeft(); left != budgetCapacity-2*retryCost {
				return fmt.Errorf("the attempt past the last took from the budget: %d tokens left", left)
			}
			return nil
		}},
		{"A retry costs 5 tokens of a budget of 500", func() error {
			if budgetCapacity != 500 || retryCost != 5 || retryTimeoutCost != 10 || noRetryIncrement != 1 {
				return fmt.Errorf("the doc's figures: capacity %d, cost %d, after a timeout %d, increment %d", budgetCapacity, retryCost, retryTimeoutCost, noRetryIncrement)
			}
			r := retryerFor(10, time.Millisecond, time.Millisecond, 2*retryCost+retryTimeoutCost)
			b := r.budget
			eof, timeout := reqErr(io.ErrUnexpectedEOF), reqErr(context.DeadlineExceeded)
			if _, err := r.Retry(1, eof); err != nil || b.tokensLeft() != retryCost+retryTimeoutCost {
				return fmt.Errorf("a retry: %w, %d tokens left", err, b.tokensLeft())
			}
			r.Succeeded(2, eof) // the retry succeeded: its cost comes back
			if b.tokensLeft() != 2*retryCost+retryTimeoutCost {
				return fmt.Errorf("after a successful retry %d tokens", b.tokensLeft())
			}
			if _, err := r.Retry(1, timeout); err != nil || b.tokensLeft() != 2*retryCost {
				return fmt.Errorf("a retry after a timeout: %w, %d tokens left", err, b.tokensLeft())
			}
			r.Succeeded(2, timeout) // the cost of a timeout comes back
			if b.tokensLeft() != 2*retryCost+retryTimeoutCost {
				return fmt.Errorf("after a successful retry after a timeout %d tokens", b.tokensLeft())
			}
			if _, err := r.Retry(1, &APIError{StatusCode: 401, Type: ErrorTypeExpiredCredentials}); err == nil || b.tokensLeft() != 2*retryCost+retryTimeoutCost {
				return fmt.Errorf("a failure not retried took from the budget: %d tokens left", b.tokensLeft())
			}
			_, _ = r.Retry(1, timeout)
			_, _ = r.Retry(2, eof) // failed again: nothing back
			if b.tokensLeft() != retryCost {
				return fmt.Errorf("after two retries %d tokens, want %d", b.tokensLeft(), retryCost)
			}
			if _, err := r.Retry(3, eof); err != nil {
				return fmt.Errorf("a retry the budget can pay was refused: %w", err)
			}
			_, err := r.Retry(4, eof)
			if !errors.Is(err, ErrRetryBudgetExhausted) || !errors.Is(err, io.ErrUnexpectedEOF) || b.tokensLeft() != 0 {
				return fmt.Errorf("an empty budget: %w, %d tokens", err, b.tokensLeft())
			}
			r.Succeeded(1, nil) // a first attempt succeeded
			if b.tokensLeft() != noRetryIncrement {
				return fmt.Errorf("after a first-attempt success %d tokens, want %d", b.tokensLeft(), noRetryIncrement)
			}
			full := newRetryBudget(3)
			full.give(noRetryIncrement)
			if full.tokensLeft() != 3 {
				return fmt.Errorf("a full budget grew to %d", full.tokensLeft())
			}
			return nil
		}},
	}
	bullets := docBullets(t, "retry.go", "NewStandardRetryer")
	if len(bullets) != len(rules) {
		t.Errorf("NewStandardRetryer's doc lists %d rules, the test checks %d:\n%s", len(bullets), len(rules), strings.Join(bullets, "\n"))
	}
	for _, rule := range rules {
		n := 0
		for _, b := range bullets {
			if strings.HasPrefix(b, rule.bullet) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("rule %q matches %d bullets of the doc, want 1", rule.bullet, n)
		}
		if err := rule.check(); err != nil {
			t.Errorf("%s: %v", rule.bullet, err)
		}
	}
}

// docBullets returns the bullets ("  - ...", joined onto one line) of the
// doc comment of function name in file.
func docBullets(t *testing.T, file, name string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var bullets []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != name || fn.Doc == nil {
			continue
		}
		for _, line := range strings.Split(fn.Doc.Text(), "\n") {
			switch l := strings.TrimSpace(line); {
			case strings.HasPrefix(l, "- "):
				bullets = append(bullets, strings.TrimPrefix(l, "- "))
			case l != "" && len(bullets) > 0 && strings.HasPrefix(line, "  "):
				bullets[len(bullets)-1] += " " + l
			}
		}
	}
	if len(bullets) == 0 {
		t.Fatalf("%s: no bullets in %s's doc", file, name)
	}
	return bullets
}

// TestBackoffCeilingDoublesUntilMaxDelay checks the full-jitter wait: in
// (0, ceiling], the ceiling backoff·2ⁿ⁻¹ while that does not overflow and
// stays under the max delay, else the max delay.
func TestBackoffCeilingDoublesUntilMaxDelay(t *testing.T) {
	cause := &RequestError{Op: "send", Err: errors.New("reset")}
	delays := func(backoff, maxDelay time.Duration, attempt int) []time.Duration {
		r := retryerFor(100, backoff, maxDelay, 1<<20)
		var ds []time.Duration
		for range 40 {
			d, err := r.Retry(attempt, cause)
			if err != nil {
				t.Fatalf("Retry(%d): %v", attempt, err)
			}
			ds = append(ds, d)
		}
		return ds
	}
	// A ceiling of one nanosecond leaves one possible wait.
	for _, d := range delays(time.Nanosecond, time.Hour, 1) {
		if d != time.Nanosecond {
			t.Fatalf("attempt 1, backoff 1ns: wait %v, want 1ns", d)
		}
	}
	// The last shift that is made: attempt 32, 1ns·2³¹.
	for _, d := range delays(time.Nanosecond, time.Hour, 32) {
		if d < 1 || d > 1<<31 {
			t.Fatalf("attempt 32: wait %v outside (0, 2³¹ns]", d)
		}
	}
	// Beyond it the ceiling is the max delay: over 40 draws in (0, 1h] one
	// is above 2³²ns (4.3s) but for a chance of about 10⁻¹¹⁶.
	above := false
	for _, d := range delays(time.Nanosecond, time.Hour, 33) {
		if d < 1 || d > time.Hour {
			t.Fatalf("attempt 33: wait %v outside (0, 1h]", d)
		}
		above = above || d > 1<<32
	}
	if !above {
		t.Errorf("attempt 33: no wait above 2³²ns; the ceiling should be the max delay")
	}
	// A backoff of zero: the ceiling is the max delay, not zero.
	for _, d := range delays(0, time.Millisecond, 1) {
		if d < 1 || d > time.Millisecond {
			t.Fatalf("zero backoff: wait %v outside (0, 1ms]", d)
		}
	}
}

// TestNewStandardRetryerTakesTheRetryOptions: NewStandardRetryer honours
// WithMaxRetries, WithBackoff and WithMaxRetryDelay, keeps the defaults
// without them, and ignores the options that are not about retries.
func TestNewStandardRetryerTakesTheRetryOptions(t *testing.T) {
	cause := &RequestError{Op: "send", Err: io.ErrUnexpectedEOF}
	attempts := func(r Retryer) int {
		n := 1
		for ; n < 100; n++ {
			if _, err := r.Retry(n, cause); err != nil {
				break
			}
		}
		return n
	}
	if n := attempts(NewStandardRetryer(WithMaxRetries(4))); n != 5 {
		t.Errorf("WithMaxRetries(4): %d attempts, want 5", n)
	}
	if n := attempts(NewStandardRetryer(WithMaxRetries(0))); n != 1 {
		t.Errorf("WithMaxRetries(0): %d attempts, want 1", n)
	}
	if n := attempts(NewStandardRetryer()); n != 1+defaultMaxRetries {
		t.Errorf("default: %d attempts, want %d", n, 1+defaultMaxRetries)
	}
	if n := attempts(NewStandardRetryer(WithAPIKey("k"), WithMaxItems(3), WithPrefetch(false))); n != 1+defaultMaxRetries {
		t.Errorf("with options that are not about retries: %d attempts, want the default %d", n, 1+defaultMaxRetries)
	}
	for range 20 {
		if d, _ := NewStandardRetryer(WithBackoff(time.Nanosecond)).Retry(1, cause); d != time.Nanosecond {
			t.Fatalf("WithBackoff(1ns): first wait %v, want 1ns", d)
		}
		if d, _ := NewStandardRetryer().Retry(1, cause); d <= 0 || d > defaultInitialBackoff {
			t.Fatalf("default backoff: first wait %v, want in (0, %v]", d, defaultInitialBackoff)
		}
	}
	asked := &APIError{StatusCode: 429, Type: ErrorTypeTooManyRequests, RetryAfter: time.Hour}
	if d, _ := NewStandardRetryer(WithMaxRetryDelay(2*time.Second)).Retry(1, asked); d != 2*time.Second {
		t.Errorf("WithMaxRetryDelay(2s), Retry-After 1h: wait %v, want 2s", d)
	}
	if d, _ := NewStandardRetryer().Retry(1, asked); d != defaultMaxRetryDelay {
		t.Errorf("default max delay, Retry-After 1h: wait %v, want %v", d, defaultMaxRetryDelay)
	}
}

// TestRetriesStopAtMaxAttemptsAndSkipFinalErrors: a retryable failure is
// retried until a success or the last attempt, whose error says how many
// were made; a final one is not retried; a listing's own WithMaxRetries
// applies to it alone.
func TestRetriesStopAtMaxAttemptsAndSkipFinalErrors(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	p := ListParams{AccountID: "acc"}

	// Retryable, then fine: one listing, three requests.
	srv.Enqueue(pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0"), pt.Reset())
	if _, err := listIDs(c, p); err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestCount(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}

	// Retryable for longer than allowed: 1 + 2 attempts, then the error says so.
	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError).Times(3))
	_, err := listIDs(c, p)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Attempts != 3 || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := srv.RequestCount(); n != 6 {
		t.Fatalf("%d requests, want 6", n)
	}

	// Not retryable: exactly one request.
	srv.Enqueue(pt.Error(gen.UnauthorizedErrorTypeExpiredCredentials))
	_, err = listIDs(c, p)
	if !errors.Is(err, ErrorTypeExpiredCredentials) || srv.RequestCount() != 7 {
		t.Fatalf("err = %v after %d requests", err, srv.RequestCount())
	}

	// A listing's options override the client's, for that listing.
	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError).Times(2))
	if _, err := listIDs(c, p, WithMaxRetries(0)); err == nil || srv.RequestCount() != 8 {
		t.Fatalf("WithMaxRetries(0) for one listing: err %v, %d requests, want 8", err, srv.RequestCount())
	}
	if _, err := listIDs(c, p); err != nil || srv.RequestCount() != 10 {
		t.Fatalf("the client's own retries after it: err %v, %d requests, want 10", err, srv.RequestCount())
	}
}

// TestHTTPSToAPlainHTTPServerIsNotRetried: an https:// base URL pointed at
// a server that speaks plain HTTP fails its TLS handshake the same way
// every time (http.ErrSchemeMismatch): the request ends after one attempt.
func TestHTTPSToAPlainHTTPServerIsNotRetried(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the handler got a request: the client spoke plain HTTP to an https:// URL")
		w.WriteHeader(http.StatusInternalServerError)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := testClient(t, "https://"+host+pt.BasePath, WithMaxRetries(3))
	_, err := listIDs(c, ListParams{AccountID: "acc"})
	var reqErr *RequestError
	if !errors.Is(err, http.ErrSchemeMismatch) || !errors.As(err, &reqErr) || reqErr.Attempts != 1 {
		t.Fatalf("err = %v, want a *RequestError of one attempt wrapping http.ErrSchemeMismatch", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections to the plain-HTTP server, want 1 (no retry)", n)
	}
}

// TestContextCancelStopsARetryWait cancels the listing while the client
// waits out an hour's Retry-After (it logs "retrying" just before the
// wait).
func TestContextCancelStopsARetryWait(t *testing.T) {
	waiting := make(chan struct{})
	var once sync.Once
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) {
		if strings.Contains(string(p), "postpress: retrying") {
			once.Do(func() { close(waiting) })
		}
	}), nil))
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)}, WithMaxRetryDelay(time.Hour), WithLogger(logger))
	srv.Enqueue(pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("3600").Times(5))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		for _, err := range c.Invitations(ctx, ListParams{AccountID: "acc"}) {
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	<-waiting
	cancel()
	err := <-done // a wait that ignored ctx would block here for an hour
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// writerFunc is an io.Writer that hands each write to a function.
type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// refusingRetryer is a Retryer of a user's own that retries nothing and
// counts how often it is asked.
type refusingRetryer struct{ asked, succeeded atomic.Int64 }

func (r *refusingRetryer) Retry(_ int, err error) (time.Duration, error) {
	r.asked.Add(1)
	return 0, fmt.Errorf("mine says no: %w", err)
}

func (r *refusingRetryer) Succeeded(int, error) { r.succeeded.Add(1) }

// TestWithRetryerReplacesThePolicyAsAWhole: with WithRetryer, the standard
// retryer's knobs (WithMaxRetries here) do not apply: the given Retryer
// alone decides, and its error is the request's.
func TestWithRetryerReplacesThePolicyAsAWhole(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	mine := &refusingRetryer{}
	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError).Times(3))
	_, err := listIDs(c, ListParams{AccountID: "acc"}, WithRetryer(mine), WithMaxRetries(5))
	if !errors.Is(err, ErrorTypeProviderError) || !strings.Contains(err.Error(), "mine says no") || srv.RequestCount() != 1 || mine.asked.Load() != 1 {
		t.Fatalf("a Retryer that never retries: err %v after %d requests, asked %d times", err, srv.RequestCount(), mine.asked.Load())
	}
	for srv.PendingFaults() > 0 { // drain what is left of the three
		_, _ = listIDs(c, ListParams{AccountID: "acc"}, WithMaxRetries(0))
	}
	if _, err := listIDs(c, ListParams{AccountID: "acc"}, WithRetryer(mine)); err != nil || mine.succeeded.Load() != 1 {
		t.Fatalf("a success: err %v, Succeeded called %d times, want once", err, mine.succeeded.Load())
	}
}

// TestClientRetryBudgetIsSharedAndStopsRetries: the standard retryer of a
// client draws on one budget for all its listings, per-listing options
// included: once it is spent a retryable failure is not retried, and the
// error says why; a first-attempt success gives a token back.
func TestClientRetryBudgetIsSharedAndStopsRetries(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	p := ListParams{AccountID: "acc"}
	budget := c.cfg.budget
	budget.mu.Lock()
	budget.tokens = retryCost // enough for one retry
	budget.mu.Unlock()

	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError).Times(3))
	_, err := listIDs(c, p)
	if !errors.Is(err, ErrRetryBudgetExhausted) || !errors.Is(err, ErrorTypeProviderError) || srv.RequestCount() != 2 {
		t.Fatalf("first listing: err %v after %d requests, want the budget spent after 2", err, srv.RequestCount())
	}
	_, err = listIDs(c, p, WithMaxRetries(5))
	var apiErr *APIError
	if !errors.Is(err, ErrRetryBudgetExhausted) || !errors.As(err, &apiErr) || apiErr.Attempts != 1 || srv.RequestCount() != 3 {
		t.Fatalf("second listing, with its own WithMaxRetries: err %v after %d requests, want no retry", err, srv.RequestCount())
	}
	if _, err := listIDs(c, p); err != nil || budget.tokensLeft() != noRetryIncrement {
		t.Fatalf("a first-attempt success: err %v, %d tokens, want %d", err, budget.tokensLeft(), noRetryIncrement)
	}
}

// retryRecord is one "postpress: retrying" warning.
type retryRecord struct {
	attempt int64
	wait    time.Duration
}

// retryLog is a slog.Handler keeping the retry warnings.
type retryLog struct {
	mu      sync.Mutex
	records []retryRecord
}

func (l *retryLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *retryLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *retryLog) WithGroup(string) slog.Handler            { return l }

func (l *retryLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "postpress: retrying" {
		return nil
	}
	rec := retryRecord{attempt: -1, wait: -1}
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "attempt":
			rec.attempt = a.Value.Int64()
		case "wait":
			rec.wait = a.Value.Duration()
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, rec)
	return nil
}

// waits returns the retry warnings so far, failing t if one lacks its
// attempt or wait.
func (l *retryLog) waits(t *testing.T) []retryRecord {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.records {
		if r.attempt < 1 || r.wait < 0 {
			t.Fatalf("a \"postpress: retrying\" record without its attempt or wait: %+v", r)
		}
	}
	return append([]retryRecord(nil), l.records...)
}

// TestRetryWaitsTheRetryAfterAsked: a 429 with Retry-After: 1, under a cap
// of a minute and with a backoff of 1ms, is followed by a wait of one
// second, not by the client's own backoff. The waits are read from the
// fake's request times and from the warning WithLogger documents per
// retry.
func TestRetryWaitsTheRetryAfterAsked(t *testing.T) {
	log := &retryLog{}
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 3)},
		WithLogger(slog.New(log)), WithBackoff(time.Millisecond), WithMaxRetryDelay(time.Minute))
	srv.Enqueue(pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("1"))
	if _, err := listIDs(c, ListParams{AccountID: "acc"}); err != nil {
		t.Fatalf("the listing should succeed after one retry: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 (the 429, then the page)", len(reqs))
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < time.Second {
		t.Errorf("the retry came %v after the 429; the server asked Retry-After: 1 (1s)", gap)
	}
	waits := log.waits(t)
	if len(waits) != 1 || waits[0].attempt != 1 || waits[0].wait != time.Second {
		t.Errorf("retry warnings %+v, want one after attempt 1 with wait 1s (the Retry-After asked)", waits)
	}
}

// TestRetryAfterIsCappedByMaxRetryDelay: a Retry-After of an hour, in
// seconds or as a date, waits WithMaxRetryDelay (1s here). A broken cap
// fails the test through its own deadline, in seconds, not after an hour.
func TestRetryAfterIsCappedByMaxRetryDelay(t *testing.T) {
	const maxDelay = time.Second
	for name, retryAfter := range map[string]string{
		"seconds": "3600",
		"date":    time.Now().Add(time.Hour).UTC().Format(http.TimeFormat),
	} {
		t.Run(name, func(t *testing.T) {
			log := &retryLog{}
			c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 3)},
				WithLogger(slog.New(log)), WithBackoff(time.Millisecond), WithMaxRetryDelay(maxDelay))
			srv.Enqueue(pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter(retryAfter))

			const deadline = 10 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			_, err := c.InvitationPager(ListParams{AccountID: "acc"}).NextPage(ctx)
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("the listing did not end within %v: Retry-After %q was not capped by WithMaxRetryDelay(%v) (retry warnings %+v)",
					deadline, retryAfter, maxDelay, log.waits(t))
			}
			if err != nil {
				t.Fatalf("the listing should succeed after one capped wait: %v", err)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			if gap := reqs[1].Time.Sub(reqs[0].Time); gap < maxDelay {
				t.Errorf("the retry came %v after the 429, less than the cap %v the Retry-After of an hour is cut to", gap, maxDelay)
			}
			if waits := log.waits(t); len(waits) != 1 || waits[0].wait != maxDelay {
				t.Errorf("retry warnings %+v, want one with wait %v (the cap)", waits, maxDelay)
			}
		})
	}
}

// TestBackoffWaitsAreJittered: without Retry-After the waits before retry
// n are random in (0, backoff·2ⁿ⁻¹] ("full jitter"), so that clients that
// failed together do not retry together: the draws must differ.
func TestBackoffWaitsAreJittered(t *testing.T) {
	const (
		backoff = 2 * time.Millisecond
		calls   = 8
		retries = 3
	)
	log := &retryLog{}
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 3)},
		WithLogger(slog.New(log)), WithBackoff(backoff), WithMaxRetryDelay(time.Second), WithMaxRetries(retries))
	for range calls {
		srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError).Times(retries))
		if _, err := listIDs(c, ListParams{AccountID: "acc"}); err != nil {
			t.Fatalf("the listing should succeed at its last attempt: %v", err)
		}
	}
	waits := log.waits(t)
	if len(waits) != calls*retries {
		t.Fatalf("%d retry warnings, want %d", len(waits), calls*retries)
	}
	distinct := map[int64]map[time.Duration]bool{}
	for _, w := range waits {
		ceiling := backoff << (w.attempt - 1)
		if w.wait <= 0 || w.wait > ceiling {
			t.Errorf("wait after attempt %d = %v, want in (0, %v]", w.attempt, w.wait, ceiling)
		}
		if distinct[w.attempt] == nil {
			distinct[w.attempt] = map[time.Duration]bool{}
		}
		distinct[w.attempt][w.wait] = true
	}
	// Nanosecond draws over milliseconds: 8 draws repeat a value with a
	// probability of about 10⁻⁵; half of them distinct leaves no room for
	// a constant or a coarse wait.
	for attempt := int64(1); attempt <= retries; attempt++ {
		if n := len(distinct[attempt]); n < calls/2 {
			t.Errorf("the %d waits after attempt %d take only %d distinct values: the backoff is not jittered (%v)", calls, attempt, n, distinct[attempt])
		}
	}
}
