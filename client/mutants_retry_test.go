package client

import (
	"errors"
	"testing"
	"time"
)

func retryerWith(backoff, maxDelay time.Duration, b *RetryBudget) Retryer {
	return NewStandardRetryer(func(o *StandardRetryerOptions) {
		o.Backoff, o.MaxDelay = backoff, maxDelay
		if b != nil {
			o.Budget = b
		}
	})
}

// TestRetryDelayBounds checks the full-jitter wait: in (0, ceiling], the
// ceiling Backoff·2ⁿ⁻¹ while that does not overflow, else MaxDelay.
func TestRetryDelayBounds(t *testing.T) {
	cause := &RequestError{Op: "send", Err: errors.New("reset")}
	delays := func(r Retryer, attempt int) []time.Duration {
		var ds []time.Duration
		for range 40 {
			d, err := r.RetryDelay(attempt, cause)
			if err != nil {
				t.Fatalf("RetryDelay(%d): %v", attempt, err)
			}
			ds = append(ds, d)
		}
		return ds
	}
	// A ceiling of one nanosecond leaves one possible wait.
	for _, d := range delays(retryerWith(time.Nanosecond, time.Hour, nil), 1) {
		if d != time.Nanosecond {
			t.Fatalf("attempt 1, backoff 1ns: wait %v, want 1ns", d)
		}
	}
	// The last shift that is made: attempt 32, 1ns·2³¹.
	for _, d := range delays(retryerWith(time.Nanosecond, time.Hour, nil), 32) {
		if d < 1 || d > 1<<31 {
			t.Fatalf("attempt 32: wait %v outside (0, 2³¹ns]", d)
		}
	}
	// Beyond it the ceiling is MaxDelay: over 40 draws in (0, 1h] one is
	// above 2³²ns (4.3s) but for a chance of about 10⁻¹¹⁶.
	above := false
	for _, d := range delays(retryerWith(time.Nanosecond, time.Hour, nil), 33) {
		if d < 1 || d > time.Hour {
			t.Fatalf("attempt 33: wait %v outside (0, 1h]", d)
		}
		above = above || d > 1<<32
	}
	if !above {
		t.Errorf("attempt 33: no wait above 2³²ns; the ceiling should be MaxDelay")
	}
	// A backoff of zero: the ceiling is MaxDelay, not zero.
	for _, d := range delays(retryerWith(0, time.Millisecond, nil), 1) {
		if d < 1 || d > time.Millisecond {
			t.Fatalf("zero backoff: wait %v outside (0, 1ms]", d)
		}
	}
}

// TestInitialTokenGivesBackOnlyOnSuccess checks that a request that
// succeeds at its first attempt gives to the budget, and one that fails
// does not.
func TestInitialTokenGivesBackOnlyOnSuccess(t *testing.T) {
	b := NewRetryBudget(10)
	if !b.take(5) {
		t.Fatal("take(5) of 10 refused")
	}
	r := retryerWith(time.Millisecond, time.Second, b)
	_ = r.GetInitialToken()(errors.New("failed"))
	if got := b.Tokens(); got != 5 {
		t.Fatalf("after a failed first attempt: %d tokens, want 5", got)
	}
	_ = r.GetInitialToken()(nil)
	if got := b.Tokens(); got != 5+DefaultNoRetryIncrement {
		t.Fatalf("after a successful first attempt: %d tokens, want %d", got, 5+DefaultNoRetryIncrement)
	}
}
