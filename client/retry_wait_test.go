package client_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// These tests use only the client's exported API: the waits are read from
// the fake's request times (Request.Time: a wait is at least the gap the
// client slept, never less) and from the warning WithLogger documents per
// retry ("postpress: retrying", with its attempt and wait).

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

// waitClient returns a client of srv logging to log, with opts.
func waitClient(t *testing.T, srv *pt.Server, log *retryLog, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{client.WithBaseURL(srv.URL), client.WithAPIKey(pt.DefaultAPIKey), client.WithLogger(slog.New(log))}
	c, err := client.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRetryWaitsTheRetryAfterAsked: a 429 with Retry-After: 1, under a cap
// of a minute and with a backoff of 1ms, is followed by a wait of one
// second, not by the client's own backoff.
func TestRetryWaitsTheRetryAfterAsked(t *testing.T) {
	srv := pt.NewServer(pt.WithGeneratedAccount("acc", 3))
	defer srv.Close()
	srv.Enqueue(pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("1"))
	log := &retryLog{}
	c := waitClient(t, srv, log, client.WithBackoff(time.Millisecond), client.WithMaxRetryDelay(time.Minute))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.ListReceivedInvitations(ctx, client.ListParams{AccountID: "acc"}); err != nil {
		t.Fatalf("the call should succeed after one retry: %v", err)
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

// TestRetryAfterIsCappedByMaxRetryDelay: a Retry-After of an hour waits
// WithMaxRetryDelay (1s here). A broken cap fails the test through its own
// deadline, in seconds, not after an hour.
func TestRetryAfterIsCappedByMaxRetryDelay(t *testing.T) {
	const maxDelay = time.Second
	for name, retryAfter := range map[string]string{
		"seconds": "3600",
		"date":    time.Now().Add(time.Hour).UTC().Format(http.TimeFormat),
	} {
		t.Run(name, func(t *testing.T) {
			srv := pt.NewServer(pt.WithGeneratedAccount("acc", 3))
			defer srv.Close()
			srv.Enqueue(pt.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter(retryAfter))
			log := &retryLog{}
			c := waitClient(t, srv, log, client.WithBackoff(time.Millisecond), client.WithMaxRetryDelay(maxDelay))

			const deadline = 10 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			_, err := c.ListReceivedInvitations(ctx, client.ListParams{AccountID: "acc"})
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("the call did not end within %v: Retry-After %q was not capped by WithMaxRetryDelay(%v) (retry warnings %+v)",
					deadline, retryAfter, maxDelay, log.waits(t))
			}
			if err != nil {
				t.Fatalf("the call should succeed after one capped wait: %v", err)
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
	srv := pt.NewServer(pt.WithGeneratedAccount("acc", 3))
	defer srv.Close()
	log := &retryLog{}
	c := waitClient(t, srv, log, client.WithBackoff(backoff), client.WithMaxRetryDelay(time.Second), client.WithMaxRetries(retries))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range calls {
		srv.Enqueue(pt.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable).Times(retries))
		if _, err := c.ListReceivedInvitations(ctx, client.ListParams{AccountID: "acc"}); err != nil {
			t.Fatalf("the call should succeed at its last attempt: %v", err)
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
