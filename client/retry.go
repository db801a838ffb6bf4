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

// Retryer is the whole retry policy of a Client: which failures are
// retried, how long to wait before each retry, how many attempts a request
// may make, and any budget shared by the client's requests. WithRetryer
// replaces the default (NewStandardRetryer) as a whole. A Retryer is used by
// many goroutines at once.
type Retryer interface {
	// Retry is called when attempt number attempt (from 1) of a request
	// failed with err while the caller's context is alive. It returns the
	// wait before the next attempt and a nil error to retry; or, to end
	// the request, the error it ends with: err itself, or err wrapped with
	// why it was not retried.
	Retry(attempt int, err error) (time.Duration, error)
	// Succeeded is called when attempt number attempt of a request
	// succeeded; prev is the failure of the attempt before (nil for a
	// first attempt).
	Succeeded(attempt int, prev error)
}

// ErrRetryBudgetExhausted is wrapped by the error of a request that was not
// retried because the client's retry budget was spent (see
// NewStandardRetryer).
var ErrRetryBudgetExhausted = errors.New("postpress: retry budget exhausted (too many failures lately)")

// The standard retryer's retry budget, as in aws-sdk-go-v2's retry.Standard.
const (
	budgetCapacity    = 500 // the budget's capacity, in tokens
	retryCost         = 5   // what one retry takes from it
	retryTimeoutCost  = 10  // what a retry after a timeout takes
	noRetryIncrement  = 1   // what a request that succeeds at once gives back
	maxRetryAfterSecs = 24 * 60 * 60
)

// NewStandardRetryer returns the default retry policy, configured by the
// retry options among opts (WithMaxRetries, WithBackoff, WithMaxRetryDelay;
// others are ignored), with a budget of its own:
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
//   - A TLS handshake with a server that does not speak TLS (an https://
//     URL to a plain-HTTP port) is not retried: the answer is the same
//     every time.
//   - Any other *RequestError is retried: a connection that failed or was
//     reset, a per-attempt timeout, a body cut short.
//   - Anything else is not.
//   - The wait is the server's Retry-After when it sent one, else a random
//     duration in (0, min(backoff·2ⁿ⁻¹, max delay)] before retry n ("full
//     jitter"); Retry-After is capped by the max delay too.
//   - A request makes at most 1 + max retries attempts.
//   - A retry costs 5 tokens of a budget of 500 (10 after a timeout); a
//     retry that succeeds gives its cost back; a request that succeeds at
//     its first attempt gives 1 back, up to the capacity. A retry the
//     budget cannot pay is not made: the error wraps
//     ErrRetryBudgetExhausted.
func NewStandardRetryer(opts ...Option) Retryer {
	cfg := config{maxRetries: defaultMaxRetries, initialBackoff: defaultInitialBackoff, maxRetryDelay: defaultMaxRetryDelay}
	_ = cfg.apply(opts)
	return &standardRetryer{cfg.maxRetries + 1, cfg.initialBackoff, cfg.maxRetryDelay, newRetryBudget(budgetCapacity)}
}

// standardRetryer is NewStandardRetryer's Retryer.
type standardRetryer struct {
	maxAttempts       int
	backoff, maxDelay time.Duration
	budget            *retryBudget
}

func (r *standardRetryer) Retry(attempt int, err error) (time.Duration, error) {
	if !retryable(err) || attempt >= r.maxAttempts {
		return 0, err
	}
	if !r.budget.take(costOf(err)) {
		return 0, fmt.Errorf("%w (not retried: %w)", err, ErrRetryBudgetExhausted)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return min(apiErr.RetryAfter, r.maxDelay), nil
	}
	ceiling := r.maxDelay
	if attempt-1 < 32 {
		if d := r.backoff << (attempt - 1); d > 0 {
			ceiling = min(ceiling, d)
		}
	}
	return rand.N(ceiling) + 1, nil //nolint:gosec // jitter needs no cryptographic randomness
}

func (r *standardRetryer) Succeeded(_ int, prev error) {
	if prev == nil {
		r.budget.give(noRetryIncrement)
		return
	}
	r.budget.give(costOf(prev))
}

// retryable is the standard retryer's decision for err.
func retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Retryable()
	}
	for _, final := range []error{ErrRedirectRefused, ErrContractViolation, ErrBodyTooLarge, ErrMalformedResponse} {
		if errors.Is(err, final) {
			return false
		}
	}
	if errors.Is(err, http.ErrSchemeMismatch) {
		return false
	}
	var reqErr *RequestError
	return errors.As(err, &reqErr)
}

// costOf is what a retry after err takes from the budget.
func costOf(err error) uint {
	if errors.Is(err, context.DeadlineExceeded) {
		return retryTimeoutCost
	}
	return retryCost
}

// retryBudget is a token bucket that retries draw from and successes refill
// (see NewStandardRetryer). Each Client has its own.
type retryBudget struct {
	mu               sync.Mutex
	tokens, capacity uint
}

func newRetryBudget(capacity uint) *retryBudget {
	return &retryBudget{tokens: capacity, capacity: capacity}
}

func (b *retryBudget) take(n uint) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}

func (b *retryBudget) give(n uint) {
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
	return &standardRetryer{cfg.maxRetries + 1, cfg.initialBackoff, cfg.maxRetryDelay, cfg.budget}
}

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
		return time.Duration(min(max(secs, 0), maxRetryAfterSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
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
