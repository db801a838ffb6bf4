package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestDecodeAPIErrorReadsTheEnvelope: an error envelope fills type, title,
// detail and instance; Retry-After and the status are kept.
func TestDecodeAPIErrorReadsTheEnvelope(t *testing.T) {
	h := http.Header{"Retry-After": {"3"}}
	body := []byte(`{"title":"Too Many Requests","type":"errors/too_many_requests","status":429,"detail":"slow down","instance":"req_9"}`)
	e := decodeAPIError(429, h, body)
	if e.Type != ErrorTypeTooManyRequests || e.StatusCode != 429 || e.Title != "Too Many Requests" || e.Detail != "slow down" ||
		e.Instance != "req_9" || e.RetryAfter != 3*time.Second || string(e.Body) != string(body) || !e.Retryable() {
		t.Fatalf("decoded = %+v", e)
	}
	unknown := decodeAPIError(418, nil, []byte(`{"title":"Teapot","type":"errors/teapot","status":418}`))
	if unknown.Type != "errors/teapot" || unknown.Type.Known() || unknown.Retryable() || unknown.Detail != "" || unknown.Instance != "" {
		t.Errorf("unknown type = %+v", unknown)
	}
}

// TestDecodeAPIErrorKeepsWhatFits: a member of the wrong type (a numeric
// detail, a status of 1e400) does not discard the rest of the envelope,
// and the HTTP status stands.
func TestDecodeAPIErrorKeepsWhatFits(t *testing.T) {
	e := decodeAPIError(503, nil, []byte(`{"type":"errors/service_unavailable","title":"T","status":1e400,"detail":5,"instance":"req_1"}`))
	if e.Type != ErrorTypeServiceUnavailable || e.StatusCode != 503 || e.Title != "T" || e.Instance != "req_1" || e.Detail != "" {
		t.Errorf("decoded = %+v", e)
	}
}

// TestDecodeAPIErrorOfAnythingElse: a body that is not an envelope (an
// HTML page, text, an envelope without a type, nothing) keeps the status,
// the status text as Title and a one-line excerpt, tags removed, as Detail.
func TestDecodeAPIErrorOfAnythingElse(t *testing.T) {
	html := decodeAPIError(502, nil, []byte("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>\n<p>nginx</p></body></html>"))
	if html.Type != "" || html.StatusCode != 502 || html.Title != "Bad Gateway" || html.Detail != "non-JSON error body: 502 Bad Gateway Bad Gateway nginx" || !html.Retryable() {
		t.Fatalf("html error = %+v", html)
	}
	if msg := html.Error(); !strings.Contains(msg, "502 Bad Gateway") || strings.Contains(msg, "\n") {
		t.Errorf("Error() = %q", msg)
	}
	if e := decodeAPIError(500, nil, []byte(`{"title":"no type","status":500}`)); e.Type != "" || e.Title != "Internal Server Error" || !strings.Contains(e.Detail, "no type") {
		t.Errorf("an envelope without a type = %+v", e)
	}
	if e := decodeAPIError(504, nil, nil); e.Type != "" || e.Title != "Gateway Timeout" || e.Detail != "" || len(e.Body) != 0 {
		t.Errorf("no body = %+v", e)
	}
	long := strings.Repeat("x", maxErrorBodyKept+10)
	if e := decodeAPIError(500, nil, []byte(long)); len(e.Body) != maxErrorBodyKept {
		t.Errorf("Body kept %d bytes, want %d", len(e.Body), maxErrorBodyKept)
	}
}

// TestExcerptIsOneShortLineWithoutTags: excerpt drops HTML tags, folds
// the text onto one line and cuts it to n runes; a '>' outside a tag is
// text.
func TestExcerptIsOneShortLineWithoutTags(t *testing.T) {
	for _, c := range []struct {
		body string
		n    int
		want string
	}{
		{"<p>a</p>\n\n<b>b</b>", 80, "a b"},
		{"plain\r\ntext", 80, "plain text"},
		{"1 > 0 <i>yes</i>", 80, "1 > 0 yes"},
		{"<unclosed tag and more", 80, ""},
		{"héllo wörld", 5, "héllo…"},
		{"", 80, ""},
	} {
		if got := excerpt([]byte(c.body), c.n); got != c.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", c.body, c.n, got, c.want)
		}
	}
	// Only the start of a long body is read.
	if got := excerpt([]byte(strings.Repeat("a", 5000)+"END"), 10000); strings.Contains(got, "END") {
		t.Errorf("excerpt read past the start of the body")
	}
}

// TestProxyHTMLBecomesAnAPIError: a proxy's HTML error page is an
// *APIError with the status and a clean one-line detail, retried like any
// other response at that status.
func TestProxyHTMLBecomesAnAPIError(t *testing.T) {
	c, srv, _ := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 5)})
	srv.Enqueue(pt.ProxyHTML(502))
	_, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}, WithMaxRetries(0))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || apiErr.Type != "" || !strings.Contains(apiErr.Detail, "502 Bad Gateway") || !apiErr.Retryable() {
		t.Fatalf("err = %#v", err)
	}
	if msg := apiErr.Error(); strings.ContainsAny(msg, "<>\n") {
		t.Errorf("Error() should be one clean line: %q", msg)
	}
	// With retries, the proxy page is retried and the page comes through.
	srv.Enqueue(pt.ProxyHTML(503), pt.TruncatedBody())
	if page, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}); err != nil || len(page.Items) != 5 {
		t.Fatalf("retry through proxy page and truncated body: %v", err)
	}
}
