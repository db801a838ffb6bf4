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
	"net/http"
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

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"2":                             2 * time.Second,
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

// TestStandardRetryerRules checks each rule NewStandardRetryer's doc
// comment lists against the code, one row a rule; the rows are matched to
// the doc's bullets, so that a rule documented without a row (or a row
// whose rule left the doc) fails.
func TestStandardRetryerRules(t *testing.T) {
	r := NewStandardRetryer(func(o *StandardRetryerOptions) {
		o.Backoff, o.MaxDelay, o.MaxAttempts = 100*time.Millisecond, time.Second, 4
	})
	reqErr := func(err error) error { return &RequestError{Op: "read body", URL: "u", Err: err} }
	retries := func(err error, want bool) error {
		if got := r.IsErrorRetryable(err); got != want {
			return fmt.Errorf("IsErrorRetryable(%w) = %v, want %v", err, got, want)
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
				if err := retries(&APIError{StatusCode: status, Type: "errors/not_in_the_spec"}, errtable.RetryableStatus(status)); err != nil {
					return err
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
			for n := 1; n <= 40; n++ {
				ceiling := min(100*time.Millisecond<<(min(n, 20)-1), time.Second)
				for range 50 {
					if d, _ := r.RetryDelay(n, reqErr(io.ErrUnexpectedEOF)); d <= 0 || d > ceiling {
						return fmt.Errorf("RetryDelay(%d) = %v, want in (0, %v]", n, d, ceiling)
					}
				}
			}
			for ra, want := range map[time.Duration]time.Duration{300 * time.Millisecond: 300 * time.Millisecond, 5 * time.Second: time.Second} {
				if d, _ := r.RetryDelay(1, &APIError{StatusCode: 429, RetryAfter: ra}); d != want {
					return fmt.Errorf("Retry-After %v: wait %v, want %v", ra, d, want)
				}
			}
			return nil
		}},
		{"A request makes at most MaxAttempts attempts", func() error {
			if r.MaxAttempts() != 4 || NewStandardRetryer().MaxAttempts() != 1+DefaultMaxRetries {
				return fmt.Errorf("MaxAttempts %d, default %d", r.MaxAttempts(), NewStandardRetryer().MaxAttempts())
			}
			return nil
		}},
		{"A retry costs DefaultRetryCost tokens", func() error {
			b := NewRetryBudget(2*DefaultRetryCost + DefaultRetryTimeoutCost)
			r := NewStandardRetryer(func(o *StandardRetryerOptions) { o.Budget = b })
			ctx := context.Background()
			rel, err := r.GetRetryToken(ctx, reqErr(io.ErrUnexpectedEOF))
			if err != nil || b.Tokens() != DefaultRetryCost+DefaultRetryTimeoutCost {
				return fmt.Errorf("a retry: %w, %d tokens left", err, b.Tokens())
			}
			_ = rel(nil) // the retry succeeded: its cost comes back
			if b.Tokens() != 2*DefaultRetryCost+DefaultRetryTimeoutCost {
				return fmt.Errorf("after a successful retry %d tokens", b.Tokens())
			}
			if _, err := r.GetRetryToken(ctx, reqErr(context.DeadlineExceeded)); err != nil || b.Tokens() != 2*DefaultRetryCost {
				return fmt.Errorf("a retry after a timeout: %w, %d tokens left", err, b.Tokens())
			}
			rel, _ = r.GetRetryToken(ctx, reqErr(io.ErrUnexpectedEOF))
			_ = rel(io.ErrUnexpectedEOF) // failed again: nothing back
			if _, err := r.GetRetryToken(ctx, reqErr(io.ErrUnexpectedEOF)); err != nil {
				return fmt.Errorf("a retry the budget can pay was refused: %w", err)
			}
			if _, err := r.GetRetryToken(ctx, reqErr(io.ErrUnexpectedEOF)); !errors.Is(err, ErrRetryBudgetExhausted) || b.Tokens() != 0 {
				return fmt.Errorf("an empty budget: %w, %d tokens", err, b.Tokens())
			}
			_ = r.GetInitialToken()(nil) // a first attempt succeeded
			_ = r.GetInitialToken()(io.ErrUnexpectedEOF)
			if b.Tokens() != DefaultNoRetryIncrement {
				return fmt.Errorf("after a first-attempt success %d tokens, want %d", b.Tokens(), DefaultNoRetryIncrement)
			}
			full := NewRetryBudget(3)
			full.give(DefaultNoRetryIncrement)
			if full.Tokens() != 3 {
				return fmt.Errorf("a full budget grew to %d", full.Tokens())
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

func TestRetriesAndTheirLimits(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	ctx := context.Background()
	p := ListParams{AccountID: "acc"}

	// Retryable, then fine: one call, three requests.
	srv.Enqueue(pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0"), pt.Reset())
	if _, err := c.ListReceivedInvitations(ctx, p); err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestCount(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}

	// Retryable for longer than the budget: 1 + 2 attempts, then the error says so.
	srv.Enqueue(pt.Error(gen.ServiceUnavailableErrorTypeNetworkDown).Times(3))
	_, err := c.ListReceivedInvitations(ctx, p)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Attempts != 3 || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := srv.RequestCount(); n != 6 {
		t.Fatalf("%d requests, want 6", n)
	}

	// Not retryable: exactly one request.
	srv.Enqueue(pt.Error(gen.UnauthorizedErrorTypeExpiredCredentials))
	_, err = c.ListReceivedInvitations(ctx, p)
	if !errors.Is(err, ErrorTypeExpiredCredentials) || srv.RequestCount() != 7 {
		t.Fatalf("err = %v after %d requests", err, srv.RequestCount())
	}

	// Per-call options override the client's.
	before := srv.RequestCount()
	srv.Enqueue(pt.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable).Times(3))
	if _, err := c.ListReceivedInvitations(ctx, p, WithMaxRetries(0)); err == nil || srv.RequestCount()-before != 1 {
		t.Fatalf("WithMaxRetries(0) per call: err %v, %d requests", err, srv.RequestCount()-before)
	}
}

// TestContextCancelStopsARetryWait cancels the call while the client waits
// out an hour's Retry-After (it logs "retrying" just before the wait).
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
		_, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"})
		done <- err
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

// neverRetry is a Retryer of a user's own: nothing is retried, and it
// counts the tokens asked for.
type neverRetry struct{ initial atomic.Int64 }

func (*neverRetry) IsErrorRetryable(error) bool                  { return false }
func (*neverRetry) MaxAttempts() int                             { return 10 }
func (*neverRetry) RetryDelay(int, error) (time.Duration, error) { return 0, nil }
func (*neverRetry) GetRetryToken(context.Context, error) (func(error) error, error) {
	return nil, errors.New("never")
}

func (r *neverRetry) GetInitialToken() func(error) error {
	r.initial.Add(1)
	return func(error) error { return nil }
}

// TestRetryerIsReplaceableAndBudgeted: WithRetryer replaces the policy as a
// whole (the knobs of the standard one no longer apply), and the standard
// one stops retrying when the client's budget is spent.
func TestRetryerIsReplaceableAndBudgeted(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	ctx := context.Background()
	p := ListParams{AccountID: "acc"}

	mine := &neverRetry{}
	srv.Enqueue(pt.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable).Times(3))
	_, err := c.ListReceivedInvitations(ctx, p, WithRetryer(mine), WithMaxRetries(5))
	if !errors.Is(err, ErrorTypeServiceUnavailable) || srv.RequestCount() != 1 || mine.initial.Load() != 1 {
		t.Fatalf("a Retryer that never retries: err %v after %d requests, %d initial tokens", err, srv.RequestCount(), mine.initial.Load())
	}
	for srv.PendingFaults() > 0 { // drain what is left of the three
		_, _ = c.ListReceivedInvitations(ctx, p, WithMaxRetries(0))
	}

	// A budget that pays for one retry: the first request retries once
	// and fails; the next is not retried, and says why.
	budget := NewRetryBudget(DefaultRetryCost)
	small := WithRetryer(NewStandardRetryer(func(o *StandardRetryerOptions) { o.Budget, o.Backoff = budget, time.Millisecond }))
	before := srv.RequestCount()
	srv.Enqueue(pt.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable).Times(4))
	if _, err := c.ListReceivedInvitations(ctx, p, small); !errors.Is(err, ErrRetryBudgetExhausted) || srv.RequestCount()-before != 2 {
		t.Fatalf("first request: err %v after %d requests, want the budget spent after 2", err, srv.RequestCount()-before)
	}
	_, err = c.ListReceivedInvitations(ctx, p, small)
	var apiErr *APIError
	if !errors.Is(err, ErrRetryBudgetExhausted) || !errors.As(err, &apiErr) || apiErr.Attempts != 1 || srv.RequestCount()-before != 3 {
		t.Fatalf("second request: err %v after %d requests", err, srv.RequestCount()-before)
	}
}
