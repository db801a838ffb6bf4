package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Retryer is the whole retry policy of a Client, in the shape of
// aws-sdk-go-v2's retry.Retryer: which failures are retried, how long to
// wait before each retry, how many attempts a request may make, and a retry
// budget shared by every request of the client. WithRetryer replaces the
// default (NewStandardRetryer) as a whole. A Retryer is used by many
// goroutines at once.
//
// For each request the client calls GetInitialToken before the first
// attempt; after each attempt it calls the release function it holds with
// the attempt's error (nil on success). When an attempt fails, the request
// is retried only if the caller's context is alive, IsErrorRetryable(err)
// holds, fewer than MaxAttempts() attempts were made and GetRetryToken
// grants a token; it then waits RetryDelay(attempt, err) and sends again.
type Retryer interface {
	// IsErrorRetryable reports whether err, the failure of one attempt,
	// may not recur if the same request is sent again.
	IsErrorRetryable(err error) bool
	// MaxAttempts is the most attempts one request may make (1 + retries).
	MaxAttempts() int
	// RetryDelay returns the wait before the next attempt, after attempt
	// attempts (≥ 1) of which the last failed with err; an error stops
	// the retries.
	RetryDelay(attempt int, err error) (time.Duration, error)
	// GetRetryToken takes the cost of retrying after err from the retry
	// budget. It fails (wrapping ErrRetryBudgetExhausted for the
	// default) when the budget cannot pay; release is called with the
	// outcome of the retried attempt.
	GetRetryToken(ctx context.Context, err error) (release func(error) error, tokenErr error)
	// GetInitialToken is called before a request's first attempt; release
	// is called with its outcome.
	GetInitialToken() (release func(error) error)
}

// ErrRetryBudgetExhausted is wrapped by the error of a request that was not
// retried because the client's retry budget was spent (see
// NewStandardRetryer).
var ErrRetryBudgetExhausted = errors.New("postpress: retry budget exhausted (too many failures lately)")

// Defaults of the standard retryer's retry budget, as in aws-sdk-go-v2's
// retry.Standard.
const (
	// DefaultRetryBudget is the budget's capacity, in tokens.
	DefaultRetryBudget = 500
	// DefaultRetryCost is what one retry takes from the budget.
	DefaultRetryCost = 5
	// DefaultRetryTimeoutCost is what a retry after a timeout takes.
	DefaultRetryTimeoutCost = 10
	// DefaultNoRetryIncrement is what a request that succeeds at its first
	// attempt gives back to the budget.
	DefaultNoRetryIncrement = 1
)

// StandardRetryerOptions are the knobs of the standard retryer. WithMaxRetries,
// WithBackoff and WithMaxRetryDelay set the first three for the default
// retryer of a Client.
type StandardRetryerOptions struct {
	// MaxAttempts is the most attempts per request (default
	// 1 + DefaultMaxRetries).
	MaxAttempts int
	// Backoff is the base of the exponential backoff (default
	// DefaultInitialBackoff).
	Backoff time.Duration
	// MaxDelay caps one wait, from backoff or Retry-After (default
	// DefaultMaxRetryDelay).
	MaxDelay time.Duration
	// Budget is the retry budget; retryers given the same budget share it.
	// nil: a new budget of DefaultRetryBudget tokens.
	Budget *RetryBudget
}

// NewStandardRetryer returns the default retry policy, today's rules:
//
//   - An *APIError is retried when APIError.Retryable says so: the error
//     table generated from openapi.yaml decides a known type; a missing or
//     unknown type is retried at the spec's x-retryable-statuses
//     (RetryableStatuses).
//   - A refused redirect (ErrRedirectRefused) is not retried.
//   - A response that breaks the contract (ErrContractViolation) is not
//     retried.
//   - A body larger than its bound (ErrBodyTooLarge) is not retried.
//   - A 200 body read whole that is not a page (ErrMalformedResponse:
//     not JSON, or JSON that does not fit the types) is not retried: the
//     transport checked its length or final chunk, so the server sent it
//     as it is and would send it again.
//   - Any other *RequestError is retried: a connection that failed or was
//     reset, a per-attempt timeout, a body cut short.
//   - Anything else (a request editor's error, the caller's context) is not.
//   - The wait is the server's Retry-After when it sent one, else a random
//     duration in (0, min(Backoff·2ⁿ⁻¹, MaxDelay)] before retry n ("full
//     jitter"); Retry-After is capped by MaxDelay too.
//   - A request makes at most MaxAttempts attempts.
//   - A retry costs DefaultRetryCost tokens of the budget
//     (DefaultRetryTimeoutCost after a timeout); a retry that succeeds
//     gives its cost back; a request that succeeds at its first attempt
//     gives DefaultNoRetryIncrement back, up to the capacity. A retry the
//     budget cannot pay is not made: the error wraps
//     ErrRetryBudgetExhausted.
func NewStandardRetryer(opts ...func(*StandardRetryerOptions)) Retryer {
	o := StandardRetryerOptions{MaxAttempts: 1 + DefaultMaxRetries, Backoff: DefaultInitialBackoff, MaxDelay: DefaultMaxRetryDelay}
	for _, fn := range opts {
		fn(&o)
	}
	if o.Budget == nil {
		o.Budget = NewRetryBudget(DefaultRetryBudget)
	}
	return &standardRetryer{o}
}

// standardRetryer is NewStandardRetryer's Retryer.
type standardRetryer struct{ o StandardRetryerOptions }

func (r *standardRetryer) MaxAttempts() int { return r.o.MaxAttempts }

func (r *standardRetryer) IsErrorRetryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Retryable()
	}
	for _, final := range []error{ErrRedirectRefused, ErrContractViolation, ErrBodyTooLarge, ErrMalformedResponse} {
		if errors.Is(err, final) {
			return false
		}
	}
	var reqErr *RequestError
	return errors.As(err, &reqErr)
}

func (r *standardRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return min(apiErr.RetryAfter, r.o.MaxDelay), nil
	}
	ceiling := r.o.MaxDelay
	if attempt-1 < 32 {
		if d := r.o.Backoff << (attempt - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return rand.N(ceiling) + 1, nil //nolint:gosec // jitter needs no cryptographic randomness
}

func (r *standardRetryer) GetRetryToken(_ context.Context, err error) (func(error) error, error) {
	cost := uint(DefaultRetryCost)
	if errors.Is(err, context.DeadlineExceeded) {
		cost = DefaultRetryTimeoutCost
	}
	if !r.o.Budget.take(cost) {
		return nil, ErrRetryBudgetExhausted
	}
	return func(err error) error {
		if err == nil {
			r.o.Budget.give(cost)
		}
		return nil
	}, nil
}

func (r *standardRetryer) GetInitialToken() func(error) error {
	return func(err error) error {
		if err == nil {
			r.o.Budget.give(DefaultNoRetryIncrement)
		}
		return nil
	}
}

// RetryBudget is a token bucket that retries draw from and successes refill
// (see NewStandardRetryer). Each Client has its own unless one is shared
// through StandardRetryerOptions.Budget.
type RetryBudget struct {
	mu               sync.Mutex
	tokens, capacity uint
}

// NewRetryBudget returns a full budget of capacity tokens.
func NewRetryBudget(capacity uint) *RetryBudget {
	return &RetryBudget{tokens: capacity, capacity: capacity}
}

// Tokens returns the tokens left.
func (b *RetryBudget) Tokens() uint {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens
}

func (b *RetryBudget) take(n uint) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}

func (b *RetryBudget) give(n uint) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(b.tokens+n, b.capacity)
}

// WithRetryer replaces the client's whole retry policy with r (nil: the
// standard one). WithMaxRetries, WithBackoff and WithMaxRetryDelay are
// knobs of the standard retryer and do not change r.
func WithRetryer(r Retryer) Option {
	return func(c *config) { c.retryer = r }
}

// retryerOf returns cfg's Retryer: the one WithRetryer gave, else the
// standard one with cfg's knobs, drawing on the client's budget.
func retryerOf(cfg *config) Retryer {
	if cfg.retryer != nil {
		return cfg.retryer
	}
	return &standardRetryer{StandardRetryerOptions{
		MaxAttempts: cfg.maxRetries + 1, Backoff: cfg.initialBackoff, MaxDelay: cfg.maxRetryDelay, Budget: cfg.budget,
	}}
}

// noRetry wraps err, the failure of the last attempt, with why it was not
// retried when the Retryer refused a token or a delay.
func noRetry(err, why error) error { return fmt.Errorf("%w (not retried: %w)", err, why) }

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date
// (RFC 9110, section 10.2.3). It returns 0 when the header is absent,
// unparsable or in the past.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		// Capped at a day before it is multiplied, so it cannot overflow.
		return time.Duration(min(max(secs, 0), 24*60*60)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// sleep waits d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d): // since Go 1.23 an unfired timer is collected
		return nil
	}
}
