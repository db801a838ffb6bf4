package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDecodePage(t *testing.T) {
	p, err := decodePage([]byte(`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":"inv_1","invited_user":null,"new_field":1,"specifics":{"provider":"XING","shared_secret":"s"}}],"cursor":"eyJvIjoxMH0"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].ID != "inv_1" || p.NextCursor != "eyJvIjoxMH0" || !p.HasMore() {
		t.Fatalf("page = %+v", p)
	}
	if p.Items[0].Specifics.Provider != "XING" {
		t.Errorf("unknown provider should be kept, got %q", p.Items[0].Specifics.Provider)
	}
	last, err := decodePage([]byte(`{"object":"InvitationList","items":[],"cursor":null}`))
	if err != nil || last.HasMore() || len(last.Items) != 0 {
		t.Fatalf("last page = %+v, %v", last, err)
	}
	for name, body := range map[string]string{
		"missing cursor": `{"object":"InvitationList","items":[]}`,
		"missing items":  `{"object":"InvitationList","cursor":null}`,
		"not json":       `<html>oops</html>`,
		"truncated":      `{"object":"InvitationList","items":[{"id":"inv_`,
		"cursor number":  `{"items":[],"cursor":12}`,
		"array":          `[]`,
		"empty":          ``,
	} {
		if _, err := decodePage([]byte(body)); !errors.Is(err, ErrMalformedResponse) {
			t.Errorf("%s: err = %v, want ErrMalformedResponse", name, err)
		}
	}
}

func TestDecodeAPIError(t *testing.T) {
	h := http.Header{"Retry-After": {"3"}}
	e := decodeAPIError(429, h, []byte(`{"title":"Too Many Requests","type":"errors/too_many_requests","status":429,"detail":"slow down","instance":"req_9"}`))
	if e.Type != ErrorTypeTooManyRequests || e.StatusCode != 429 || e.Detail != "slow down" || e.Instance != "req_9" || e.RetryAfter != 3*time.Second || !e.Retryable() {
		t.Fatalf("decoded = %+v", e)
	}
	html := decodeAPIError(502, nil, []byte("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>\n<p>nginx</p></body></html>"))
	if html.Type != "" || html.StatusCode != 502 || !strings.Contains(html.Detail, "Bad Gateway") || strings.Contains(html.Detail, "<") || !html.Retryable() {
		t.Fatalf("html error = %+v", html)
	}
	if msg := html.Error(); !strings.Contains(msg, "502 Bad Gateway") || strings.Contains(msg, "\n") {
		t.Errorf("Error() = %q", msg)
	}
	unknown := decodeAPIError(418, nil, []byte(`{"title":"Teapot","type":"errors/teapot","status":418}`))
	if unknown.Type != "errors/teapot" || unknown.Type.Known() || unknown.Retryable() {
		t.Errorf("unknown type = %+v", unknown)
	}
}

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
