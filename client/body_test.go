package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/postpress/postpress-go/internal/hostile"
)

// countingTransport counts the body bytes the client read, after the
// transport below it decompressed them.
type countingTransport struct {
	next http.RoundTripper
	read atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{resp.Body, &c.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// hostileClient is a client of h, without the contract transport (which
// would read the whole body to validate it), counting what it reads.
func hostileClient(t testing.TB, h http.Handler, opts ...Option) (*Client, *countingTransport) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ct := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
	return testClient(t, srv.URL, append([]Option{WithHTTPClient(&http.Client{Transport: ct})}, opts...)...), ct
}

// TestHostileBodiesAreRefusedOnce: a gzip bomb (about 1 MB inflating to
// 1 GiB) and 100 MB without a Content-Length are each one request, an
// error wrapping ErrBodyTooLarge that names the bound and the attempt, and
// no more than the bound read (memory: BenchmarkGzipBomb).
func TestHostileBodiesAreRefusedOnce(t *testing.T) {
	bomb, bombs, size := hostile.GzipBomb(1024)
	if size > 2<<20 {
		t.Fatalf("the bomb is %d bytes compressed, want about 1 MB", size)
	}
	endless, endlessCount := hostile.Endless(100 << 20)
	for _, c := range []struct {
		name    string
		h       http.Handler
		count   *hostile.Counter
		limit   int
		perItem int64
	}{
		{"gzip bomb, default bound", bomb, bombs, 100, 0},
		{"gzip bomb, bound 200 KiB × 10", bomb, bombs, 10, 200 << 10},
		{"100 MB without Content-Length", endless, endlessCount, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var opts []Option
			if c.perItem > 0 {
				opts = append(opts, WithMaxBodyBytesPerItem(c.perItem))
			}
			cl, ct := hostileClient(t, c.h, opts...)
			before := c.count.Requests()
			_, err := cl.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc", Limit: c.limit})
			bound := cl.cfg.maxBody(c.limit)
			if c.perItem > 0 {
				bound = c.perItem * int64(c.limit)
			}
			var reqErr *RequestError
			if !errors.Is(err, ErrBodyTooLarge) || !errors.As(err, &reqErr) || reqErr.Attempts != 1 {
				t.Fatalf("err = %v, want ErrBodyTooLarge after 1 attempt", err)
			}
			if n := c.count.Requests() - before; n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if !strings.Contains(err.Error(), "1 attempt") || !strings.Contains(err.Error(), "exceeds") {
				t.Errorf("the error does not say what and how many attempts: %v", err)
			}
			if got := ct.read.Load(); got > bound+1 {
				t.Errorf("read %d bytes, bound %d", got, bound)
			}
		})
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
		}, io.ErrUnexpectedEOF, 1 + DefaultMaxRetries},
	} {
		t.Run(c.name, func(t *testing.T) {
			var n atomic.Int64
			cl, _ := hostileClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); c.h(w, r) }))
			_, err := cl.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc", Limit: 10})
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

// BenchmarkGzipBomb refuses a gzip bomb (about 1 MB inflating to 1 GiB) at
// the default bound for a page of 100 (6.4 MiB): B/op is the memory it
// costs, about 2.5 times the bound at most (bytes.Buffer doubling).
func BenchmarkGzipBomb(b *testing.B) {
	bomb, _, _ := hostile.GzipBomb(1024)
	cl, _ := hostileClient(b, bomb)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cl.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc", Limit: 100}); !errors.Is(err, ErrBodyTooLarge) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cl.cfg.maxBody(100)), "bound-bytes")
}
