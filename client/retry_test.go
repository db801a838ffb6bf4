package client

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

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

func TestBackoffIsJitteredAndCapped(t *testing.T) {
	cfg := &config{initialBackoff: 100 * time.Millisecond, maxRetryDelay: time.Second}
	for n := 1; n <= 40; n++ {
		ceiling := min(100*time.Millisecond<<(min(n, 20)-1), time.Second)
		for range 50 {
			if d := backoff(cfg, n, 0); d <= 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want in (0, %v]", n, d, ceiling)
			}
		}
	}
	if d := backoff(cfg, 1, 5*time.Second); d != time.Second {
		t.Errorf("Retry-After should be capped at maxRetryDelay, got %v", d)
	}
	if d := backoff(cfg, 1, 300*time.Millisecond); d != 300*time.Millisecond {
		t.Errorf("Retry-After under the cap should be honoured, got %v", d)
	}
}

func TestRetriesAndTheirLimits(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	ctx := context.Background()
	p := ListParams{AccountID: "acc"}

	// Retryable, then fine: one call, three requests.
	srv.Enqueue(pt.Error("errors/too_many_requests").WithRetryAfter("0"), pt.Reset())
	if _, err := c.ListReceivedInvitations(ctx, p); err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestCount(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}

	// Retryable for longer than the budget: 1 + 2 attempts, then the error says so.
	srv.Enqueue(pt.Error("errors/network_down").Times(3))
	_, err := c.ListReceivedInvitations(ctx, p)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Attempts != 3 || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := srv.RequestCount(); n != 6 {
		t.Fatalf("%d requests, want 6", n)
	}

	// Not retryable: exactly one request.
	srv.Enqueue(pt.Error("errors/expired_credentials"))
	_, err = c.ListReceivedInvitations(ctx, p)
	if !errors.Is(err, ErrorTypeExpiredCredentials) || srv.RequestCount() != 7 {
		t.Fatalf("err = %v after %d requests", err, srv.RequestCount())
	}

	// Per-call options override the client's.
	before := srv.RequestCount()
	srv.Enqueue(pt.Error("errors/service_unavailable").Times(3))
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
	srv.Enqueue(pt.Error("errors/too_many_requests").WithRetryAfter("3600").Times(5))
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
