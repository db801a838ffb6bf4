package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestDebugLogHasTheFactsAndNotTheKey: with a debug logger, each attempt
// logs its method, URL, status, duration and number, and each retry a
// warning; the key is in none of it.
func TestDebugLogHasTheFactsAndNotTheKey(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)}, WithLogger(logger))
	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError))
	if _, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}); err != nil {
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

// TestPerAttemptTimeoutIsRetried: an attempt slower than the attempt
// timeout is abandoned and the request sent again.
func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 1)}, WithAttemptTimeout(100*time.Millisecond))
	srv.Enqueue(pt.Latency(5 * time.Second))
	page, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"})
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
	_, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !errors.Is(err, context.DeadlineExceeded) || reqErr.Attempts != 2 ||
		!strings.Contains(err.Error(), "attempt timed out after 50ms: ") {
		t.Fatalf("err = %v; want a *RequestError after 2 attempts naming the 50ms attempt timeout", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = firstPage(ctx, c, ListParams{AccountID: "acc"}, WithAttemptTimeout(time.Minute))
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "attempt timed out") {
		t.Fatalf("err = %v; want the caller's deadline, not the attempt timeout", err)
	}
}

// TestDeterministicFailuresAreNotRetried: a well-formed 200 whose JSON does
// not fit the types, a 200 that is not JSON, a Content-Length over the
// bound and a 4xx other than 429 are fetched once; a body cut short is
// retried.
func TestDeterministicFailuresAreNotRetried(t *testing.T) {
	for _, c := range []struct {
		name     string
		h        http.HandlerFunc
		is       error
		requests int
	}{
		{"type mismatch in a 200", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"object":"InvitationList","items":[{"object":"InvitationReceived","id":42}],"cursor":null}`)
		}, ErrMalformedResponse, 1},
		{"a 200 that is not JSON", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "<html>hello</html>")
		}, ErrMalformedResponse, 1},
		{"Content-Length over the bound", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "999999999")
			w.WriteHeader(200)
		}, ErrBodyTooLarge, 1},
		{"404", func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, nil, 1},
		{"body cut short", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "100")
			_, _ = io.WriteString(w, `{"items":[`)
		}, io.ErrUnexpectedEOF, 1 + defaultMaxRetries},
	} {
		t.Run(c.name, func(t *testing.T) {
			var n atomic.Int64
			cl, _ := hostileClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); c.h(w, r) }))
			_, err := firstPage(context.Background(), cl, ListParams{AccountID: "acc", Limit: 10})
			if err == nil || (c.is != nil && !errors.Is(err, c.is)) {
				t.Fatalf("err = %v, want %v", err, c.is)
			}
			if int(n.Load()) != c.requests {
				t.Errorf("%d requests, want %d: %v", n.Load(), c.requests, err)
			}
			if want := "1 attempt"; c.requests > 1 {
				if !strings.Contains(err.Error(), "gave up after 3 attempts") {
					t.Errorf("the error does not count the attempts: %v", err)
				}
			} else if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not count the attempt: %v", err)
			}
		})
	}
}

// TestEditorsRunOnceARequest: the request of a page is built once (the
// client's headers, the caller's editors, the key) and every attempt sends
// it as built.
func TestEditorsRunOnceARequest(t *testing.T) {
	var runs atomic.Int64
	tag := func(_ context.Context, r *http.Request) error {
		r.Header.Set("X-Trace", fmt.Sprint("t", runs.Add(1)))
		return nil
	}
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 2)}, WithRequestEditor(tag))
	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError).Times(2))
	if _, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}); err != nil {
		t.Fatal(err)
	}
	reqs := requests()
	if runs.Load() != 1 || len(reqs) != 3 {
		t.Fatalf("the editor ran %d times for %d attempts; want once for 3", runs.Load(), len(reqs))
	}
	for i, r := range reqs {
		if r.Header.Get("X-Trace") != "t1" || r.Header.Get("X-API-KEY") != testKey || r.Header.Get("Accept") != "application/json" {
			t.Errorf("attempt %d: headers %v", i+1, r.Header)
		}
	}
}

// TestRequestNotSentWhenAnEditorFails: an editor's error ends the page
// before any attempt, saying the request was not sent.
func TestRequestNotSentWhenAnEditorFails(t *testing.T) {
	c, _, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 2)},
		WithRequestEditor(func(context.Context, *http.Request) error { return errors.New("no tracing today") }))
	_, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"})
	var reqErr *RequestError
	if err == nil || !strings.Contains(err.Error(), "request not sent: no tracing today") || errors.As(err, &reqErr) || len(requests()) != 0 {
		t.Fatalf("err %v after %d requests; want the editor's error, nothing sent", err, len(requests()))
	}
}

// TestOmitZeroLeavesOutUnsetOptionalParameters: the first editor of a
// request drops from its query each optional parameter left at its zero
// value, whatever the request builder put there; a required parameter
// stays, even empty, and so does an optional one that is set.
func TestOmitZeroLeavesOutUnsetOptionalParameters(t *testing.T) {
	const sent = "cursor=&limit=0&account_id="
	for _, c := range []struct {
		p    ListParams
		want url.Values
	}{
		{ListParams{}, url.Values{"account_id": {""}}},
		{ListParams{AccountID: "acc", Cursor: "c1"}, url.Values{"account_id": {""}, "cursor": {""}}},
		{ListParams{AccountID: "acc", Limit: 5}, url.Values{"account_id": {""}, "limit": {"0"}}},
	} {
		req, err := http.NewRequest(http.MethodGet, "https://api.example.test/v1/users/invite/received?"+sent, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := omitZero(&c.p)(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if got := req.URL.Query(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: query %v, want %v", c.p, got, c.want)
		}
	}
}

// recordingRetryer retries the first failure of a request at once and
// ends the request at the second, wrapping it; it records what it is told.
type recordingRetryer struct {
	mu        sync.Mutex
	retried   []int
	succeeded []string
}

func (r *recordingRetryer) Retry(attempt int, err error) (time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retried = append(r.retried, attempt)
	if attempt >= 2 {
		return 0, fmt.Errorf("given up: %w", err)
	}
	return 0, nil
}

func (r *recordingRetryer) Succeeded(attempt int, prev error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.succeeded = append(r.succeeded, fmt.Sprintf("%d after %v", attempt, prev != nil))
}

// TestTheRetryerDecidesTheAttempts: the sender asks the Retryer after
// each failed attempt, ends with the error it returns, and tells it of a
// success and whether an attempt failed before it.
func TestTheRetryerDecidesTheAttempts(t *testing.T) {
	r := &recordingRetryer{}
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 2)}, WithRetryer(r), WithPrefetch(false))
	srv.Enqueue(pt.Error(gen.UnauthorizedErrorTypeExpiredCredentials).Times(3))
	_, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"})
	if !errors.Is(err, ErrorTypeExpiredCredentials) || !strings.Contains(err.Error(), "given up: ") || len(requests()) != 2 {
		t.Fatalf("err %v after %d requests; want the retryer's error after 2", err, len(requests()))
	}
	if _, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}); err != nil {
		t.Fatal(err)
	}
	if _, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(r.retried) != "[1 2 1]" || fmt.Sprint(r.succeeded) != "[2 after true 1 after false]" {
		t.Errorf("Retry called at %v, Succeeded at %v", r.retried, r.succeeded)
	}
}

// countingLimiter counts its waits and refuses once it has allowed n.
type countingLimiter struct {
	waits atomic.Int64
	n     int64
}

func (l *countingLimiter) Wait(context.Context) error {
	if l.waits.Add(1) > l.n {
		return errors.New("no more today")
	}
	return nil
}

// TestRateLimiterPacesEveryAttempt: every attempt, retries included, waits
// on the limiter first; a limiter's refusal ends the request, unsent.
func TestRateLimiterPacesEveryAttempt(t *testing.T) {
	l := &countingLimiter{n: 2}
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 2)}, WithRateLimiter(l))
	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError))
	if _, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}); err != nil || l.waits.Load() != 2 || len(requests()) != 2 {
		t.Fatalf("err %v, %d waits, %d requests; want 2 and 2", err, l.waits.Load(), len(requests()))
	}
	_, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Op != "wait for the rate limiter" || reqErr.Attempts != 0 || len(requests()) != 2 {
		t.Fatalf("err %v after %d requests; want the limiter's refusal, nothing sent", err, len(requests()))
	}
}

// TestBodyBoundWithoutAPageSizeCountsTheAPIsDefault: the body bound of an
// operation that sends no page size is the bytes an item times the page
// size the API uses then (its default), not times one item.
func TestBodyBoundWithoutAPageSizeCountsTheAPIsDefault(t *testing.T) {
	op := invitationOp
	op.limit, op.maxLimit = nil, 0
	c := stubClient(t, func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Has("limit") {
			t.Errorf("query %q: an operation without a page size sent one", r.URL.RawQuery)
		}
		resp := jsonResponse(http.StatusOK, pageJSON(0, 1, ""))
		resp.ContentLength = 1 << 40
		return resp, nil
	})
	const perItem = 1 << 20
	p := newPager(c, &op, ListParams{AccountID: "acc"}, []Option{WithMaxBodyBytesPerItem(perItem), WithPrefetch(false)})
	defer p.Close()
	_, err := p.NextPage(context.Background())
	if want := fmt.Sprintf("exceeds %d bytes", op.apiLimit*perItem); !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want ErrBodyTooLarge saying it %s (%d items of %d bytes)", err, want, op.apiLimit, perItem)
	}
}
