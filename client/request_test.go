package client

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	pt "github.com/postpress/postpress-go/postpresstest"
)

func TestDebugLogHasTheFactsAndNotTheKey(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)}, WithLogger(logger))
	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError))
	if _, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"}); err != nil {
		t.Fatal(err)
	}
	logs := buf.String()
	for _, want := range []string{"method=GET", "status=500", "status=200", "attempt=1", "attempt=2", "duration=", `url="http://127.0.0.1`, "postpress: retrying"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, testKey) {
		t.Errorf("the key is in the log:\n%s", logs)
	}
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 1)}, WithAttemptTimeout(100*time.Millisecond))
	srv.Enqueue(pt.Latency(5 * time.Second))
	page, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"})
	if n := len(requests()); err != nil || len(page.Items) != 1 || n != 2 {
		t.Fatalf("page %v err %v requests %d", page, err, n)
	}
}

// TestAttemptTimeoutIsNamed: when the per-attempt timeout, not the caller's
// context, ends the last attempt, the error says so and still matches
// context.DeadlineExceeded; a caller's own deadline is not blamed on it.
func TestAttemptTimeoutIsNamed(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 1)}, WithAttemptTimeout(50*time.Millisecond), WithMaxRetries(1))
	srv.Enqueue(pt.Latency(time.Hour).Times(100)) // no response before the client gives up
	_, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !errors.Is(err, context.DeadlineExceeded) || reqErr.Attempts != 2 ||
		!strings.Contains(err.Error(), "attempt timed out after 50ms: ") {
		t.Fatalf("err = %v; want a *RequestError after 2 attempts naming the 50ms attempt timeout", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}, WithAttemptTimeout(time.Minute))
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "attempt timed out") {
		t.Fatalf("err = %v; want the caller's deadline, not the attempt timeout", err)
	}
}
