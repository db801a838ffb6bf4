package client

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
			opts := []Option{WithRateLimiter(&oneAttempt{t: t})} // a refused body is not sent again
			if c.perItem > 0 {
				opts = append(opts, WithMaxBodyBytesPerItem(c.perItem))
			}
			cl, ct := hostileClient(t, c.h, opts...)
			before := c.count.Requests()
			_, err := firstPage(context.Background(), cl, ListParams{AccountID: "acc", Limit: c.limit})
			// No limit given: the pager asks for the spec's maximum.
			asked := cmp.Or(c.limit, invitationOp.maxLimit)
			bound := max(int64(asked)*defaultMaxBodyBytesPerItem, minBodyBound)
			if c.perItem > 0 {
				bound = c.perItem * int64(asked)
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

// BenchmarkGzipBomb refuses a gzip bomb (about 1 MB inflating to 1 GiB) at
// the default bound for a page of 100 (6.4 MiB): B/op is the memory it
// costs, about 2.5 times the bound at most (bytes.Buffer doubling).
func BenchmarkGzipBomb(b *testing.B) {
	bomb, _, _ := hostile.GzipBomb(1024)
	cl, _ := hostileClient(b, bomb)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := firstPage(context.Background(), cl, ListParams{AccountID: "acc", Limit: 100}); !errors.Is(err, ErrBodyTooLarge) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cl.cfg.maxBody(100)), "bound-bytes")
}

// plainClient is a client of srv that neither validates responses nor
// retries, with opts, for one request: its limiter lets one attempt
// through (see oneAttempt).
func plainClient(t *testing.T, srv *httptest.Server, opts ...Option) *Client {
	t.Helper()
	c, err := New(append([]Option{WithBaseURL(srv.URL), WithAPIKey(testKey), WithMaxRetries(0), WithRateLimiter(&oneAttempt{t: t})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// oneAttempt is a Limiter that lets the first attempt through and refuses
// any later one, failing t: a request that should end at its first
// response (no retries, or an error that is never retried) and makes a
// second attempt has a sender that did not stop at that response (a
// success, or an error the retryer calls final), and would otherwise send
// it again until the test's deadline.
type oneAttempt struct {
	t testing.TB
	n atomic.Int64
}

func (l *oneAttempt) Wait(context.Context) error {
	if n := l.n.Add(1); n > 1 {
		l.t.Errorf("attempt %d of a request with no retries: the sender did not stop at the response that ended the request", n)
		return errors.New("oneAttempt: a second attempt")
	}
	return nil
}

// TestMaxBodyBytesPerItemSetsTheBound: the bound is the option's bytes an
// item times the page size asked (here 20 KiB × 100 = 2000 KiB), not the
// default's (64 KiB × 100): a valid page of 2.5 MiB is refused with it and
// read without it; 1 byte an item is a valid setting (the bound is then
// the floor of 1 MiB).
func TestMaxBodyBytesPerItemSetsTheBound(t *testing.T) {
	page := `{"object":"InvitationList","items":[],"cursor":null}` + strings.Repeat(" ", 5<<19)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	list := func(opts ...Option) error {
		_, err := firstPage(ctx, plainClient(t, srv, opts...), ListParams{AccountID: "acc", Limit: 100})
		return err
	}
	if err := list(); err != nil {
		t.Fatalf("a 2.5 MiB page under the default bound (6400 KiB): %v", err)
	}
	if err := list(WithMaxBodyBytesPerItem(20 << 10)); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("a 2.5 MiB page over WithMaxBodyBytesPerItem(20 KiB) × 100: %v, want ErrBodyTooLarge", err)
	}
	if err := list(WithMaxBodyBytesPerItem(1)); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("WithMaxBodyBytesPerItem(1): %v, want the option accepted and the 1 MiB floor to refuse the page", err)
	}
}

// TestBodyAtTheBoundIsRead: a body of exactly the bound (1 MiB here) is
// read, with a Content-Length or chunked; one byte more is refused.
func TestBodyAtTheBoundIsRead(t *testing.T) {
	const bound = minBodyBound // WithMaxBodyBytesPerItem(1): the floor
	head := `{"object":"InvitationList","items":[],"cursor":null}`
	for _, chunked := range []bool{false, true} {
		for size, want := range map[int]error{bound: nil, bound + 1: ErrBodyTooLarge} {
			page := head + strings.Repeat(" ", size-len(head))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if chunked {
					_, _ = w.Write([]byte(page[:size/2]))
					w.(http.Flusher).Flush()
					_, _ = w.Write([]byte(page[size/2:]))
					return
				}
				w.Header().Set("Content-Length", strconv.Itoa(size))
				_, _ = w.Write([]byte(page))
			}))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			_, err := firstPage(ctx, plainClient(t, srv, WithMaxBodyBytesPerItem(1)), ListParams{AccountID: "acc", Limit: 100})
			cancel()
			srv.Close()
			if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
				t.Errorf("chunked=%v, %d bytes against a bound of %d: %v, want %v", chunked, size, bound, err, want)
			}
		}
	}
}

// TestMaxBodyGrowsWithTheSettingWithoutWrapping: the bound is bytes an
// item times the page size, at least 1 MiB, and never shrinks as either
// grows, however large (no overflow into a small or negative bound).
func TestMaxBodyGrowsWithTheSettingWithoutWrapping(t *testing.T) {
	c := &config{}
	if got := c.maxBody(0); got != minBodyBound {
		t.Errorf("maxBody(0) = %d, want the floor", got)
	}
	if got := c.maxBody(100); got != 100*defaultMaxBodyBytesPerItem {
		t.Errorf("maxBody(100) by default = %d", got)
	}
	prev := int64(0)
	for _, per := range []int64{1, 1 << 20, 1 << 40, math.MaxInt64 / 100, math.MaxInt64/100 + 1, math.MaxInt64 / 3, math.MaxInt64} {
		c.bodyPerItem = per
		for _, limit := range []int{1, 3, 100, math.MaxInt32} {
			got := c.maxBody(limit)
			if got < minBodyBound || got < min(per, math.MaxInt64/2) {
				t.Errorf("maxBody(%d) with %d an item = %d", limit, per, got)
			}
			if limit == 100 {
				if got < prev {
					t.Errorf("maxBody(100) shrank from %d to %d as the bytes an item grew to %d", prev, got, per)
				}
				prev = got
			}
		}
	}
}

// TestMaxBodyIsTheProductUpToTheCap: up to the cap of 2^62 bytes the bound
// is exactly the bytes an item times the page size, also where that product
// falls just short of the cap; only a product over the cap is cut to it.
func TestMaxBodyIsTheProductUpToTheCap(t *testing.T) {
	const bodyCap = int64(1) << 62
	for _, c := range []struct {
		per   int64
		limit int
		want  int64
	}{
		{bodyCap / 3, 3, bodyCap - 1}, // 3 does not divide 2^62
		{bodyCap/3 + 1, 3, bodyCap},
		{bodyCap / 4, 4, bodyCap},
		{bodyCap/4 + 1, 4, bodyCap},
		{bodyCap/100 - 1, 100, (bodyCap/100 - 1) * 100},
	} {
		cfg := config{bodyPerItem: c.per}
		if got := cfg.maxBody(c.limit); got != c.want {
			t.Errorf("maxBody(%d) with %d an item = %d, want %d", c.limit, c.per, got, c.want)
		}
	}
}

// TestReadBodyHintOnlyFromUnsizedOKBodies checks that the buffer guess is
// taken from a 200 body without a Content-Length, and from nothing else.
func TestReadBodyHintOnlyFromUnsizedOKBodies(t *testing.T) {
	defer bodySizeHint.Store(bodySizeHint.Load())
	resp := func(status int, length int64, body string) *http.Response {
		return &http.Response{StatusCode: status, ContentLength: length, Body: io.NopCloser(strings.NewReader(body))}
	}
	cases := []struct {
		name string
		resp *http.Response
		max  int64
		want int64
	}{
		{"unsized 200", resp(200, -1, "hello"), 100, 5},
		{"zero length 200", resp(200, 0, ""), 100, 0},
		{"sized 200", resp(200, 5, "hello"), 100, 7},
		{"unsized 500", resp(500, -1, "hello"), 100, 7},
		{"unsized 200 over the bound", resp(200, -1, "hello"), 3, 7},
	}
	for _, c := range cases {
		bodySizeHint.Store(7)
		_, _ = readBody(c.resp, c.max)
		if got := bodySizeHint.Load(); got != c.want {
			t.Errorf("%s: hint %d, want %d", c.name, got, c.want)
		}
	}
}

// TestReadBodySizesTheBufferByContentLength: a body with a Content-Length
// is read into one buffer of its size, whatever the guess left by the last
// unsized body: reading 256 KiB costs no more allocations than 1 KiB.
func TestReadBodySizesTheBufferByContentLength(t *testing.T) {
	defer bodySizeHint.Store(bodySizeHint.Load())
	allocs := func(size int) float64 {
		body := bytes.Repeat([]byte(" "), size)
		return testing.AllocsPerRun(10, func() {
			bodySizeHint.Store(0)
			resp := &http.Response{StatusCode: 200, ContentLength: int64(size), Body: io.NopCloser(bytes.NewReader(body))}
			if got, err := readBody(resp, 1<<20); err != nil || len(got) != size {
				t.Fatalf("readBody of %d bytes: %d bytes, %v", size, len(got), err)
			}
		})
	}
	if small, large := allocs(1<<10), allocs(256<<10); large > small {
		t.Errorf("reading a sized body took %v allocations for 1 KiB, %v for 256 KiB: the buffer grew while reading", small, large)
	}
}

// TestReadBodyReadsWholeBodiesWithinTheBound: readBody returns the body
// read to its end and closes it; a Content-Length over the bound is
// refused before anything is read.
func TestReadBodyReadsWholeBodiesWithinTheBound(t *testing.T) {
	closed := false
	body := &closeRecorder{Reader: strings.NewReader("hello"), closed: &closed}
	got, err := readBody(&http.Response{StatusCode: 200, ContentLength: 5, Body: body}, 5)
	if err != nil || string(got) != "hello" || !closed {
		t.Errorf("readBody = %q, %v, closed %v", got, err, closed)
	}
	closed = false
	body = &closeRecorder{Reader: strings.NewReader("hello"), closed: &closed}
	_, err = readBody(&http.Response{StatusCode: 200, ContentLength: 6, Body: body}, 5)
	if !errors.Is(err, ErrBodyTooLarge) || !closed || body.Reader.(*strings.Reader).Len() != 5 {
		t.Errorf("a Content-Length over the bound: %v, closed %v", err, closed)
	}
}

// closeRecorder records that it was closed.
type closeRecorder struct {
	io.Reader
	closed *bool
}

func (c *closeRecorder) Close() error { *c.closed = true; return nil }
