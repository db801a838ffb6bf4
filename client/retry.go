package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryable reports whether err, the failure of one attempt, is worth
// another attempt. The caller has already checked that its own context is
// still alive.
func retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Retryable()
	}
	if errors.Is(err, ErrRedirectRefused) {
		return false
	}
	var reqErr *RequestError
	// Connection failures, per-attempt timeouts, truncated bodies and
	// undecodable 200s: the request is an idempotent GET, so send it again.
	return errors.As(err, &reqErr)
}

// backoff returns the wait before attempt n+1 (n ≥ 1 attempts made so far):
// the server's Retry-After when it gave one, else full jitter over
// initial·2ⁿ⁻¹; both capped by maxDelay.
func backoff(cfg *config, n int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, cfg.maxRetryDelay)
	}
	ceiling := cfg.maxRetryDelay
	if n-1 < 32 {
		if d := cfg.initialBackoff << (n - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return rand.N(ceiling) + 1 //nolint:gosec // jitter needs no cryptographic randomness
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
		if secs <= 0 {
			return 0
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
