package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestSecretStringRedactsOnlyAKey checks that a key prints as the
// redaction and no key as nothing.
func TestSecretStringRedactsOnlyAKey(t *testing.T) {
	if got := secret("").String(); got != "" {
		t.Errorf("empty secret prints %q, want \"\"", got)
	}
	if got := secret("k3y").String(); got != redacted {
		t.Errorf("secret prints %q, want %q", got, redacted)
	}
}

// TestCheckAPIKeyPrintableASCIIBounds checks the bounds of the characters a
// header can carry, and that the error names the byte (1-based).
func TestCheckAPIKeyPrintableASCIIBounds(t *testing.T) {
	for _, ok := range []string{"a b", "~key~", " ", "!"} {
		if err := checkAPIKey(secret(ok)); err != nil {
			t.Errorf("checkAPIKey(%q): %v", ok, err)
		}
	}
	for key, pos := range map[string]string{"ab\ncd": "byte 3 of", "\x1fx": "byte 1 of", "xy\x7f": "byte 3 of", "é": "byte 1 of"} {
		err := checkAPIKey(secret(key))
		if err == nil || !strings.Contains(err.Error(), pos) {
			t.Errorf("checkAPIKey(%q) = %v, want an error naming %q", key, err, pos)
		}
	}
}

// TestRedactDecodeErrorRemovesTheKey checks that a decoding error echoing
// the key is redacted, and that no key leaves the error as it was.
func TestRedactDecodeErrorRemovesTheKey(t *testing.T) {
	cause := errors.New(`unexpected "sekrit-key" at 3`)
	got := redactDecodeError(cause, secret("sekrit-key"))
	if strings.Contains(got.Error(), "sekrit-key") || !strings.Contains(got.Error(), redacted) || !errors.Is(got, ErrMalformedResponse) {
		t.Errorf("redacted error = %v", got)
	}
	if got := redactDecodeError(cause, ""); got != cause { //nolint:errorlint // the very error must come back, not one wrapping it
		t.Errorf("with no key the error changed: %v", got)
	}
	if got := redactDecodeError(cause, "other"); got != cause { //nolint:errorlint // the very error must come back, not one wrapping it
		t.Errorf("with a key not in it the error changed: %v", got)
	}
}

// TestGuardRedirectsAllowsSameHostHTTPSAndStopsAtTen checks that a redirect
// within the host over https passes, and the tenth is refused.
func TestGuardRedirectsAllowsSameHostHTTPSAndStopsAtTen(t *testing.T) {
	check := guardRedirects(&http.Client{}).CheckRedirect
	req := func(u string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set(apiKeyHeader, "k")
		return r
	}
	first := req("https://api.example/v1/a")
	var via []*http.Request
	for range 9 {
		via = append(via, first)
	}
	next := req("https://api.example/v1/b")
	if err := check(next, via); err != nil {
		t.Fatalf("same-host https redirect (9 before): %v", err)
	}
	if next.Header.Get(apiKeyHeader) != "k" {
		t.Errorf("the key was stripped from an allowed redirect")
	}
	if err := check(req("https://api.example/v1/c"), append(via, next)); err == nil || errors.Is(err, ErrRedirectRefused) {
		t.Errorf("the 11th request: %v, want the redirect limit", err)
	}
	down := req("http://api.example/v1/b")
	if err := check(down, via[:1]); !errors.Is(err, ErrRedirectRefused) || down.Header.Get(apiKeyHeader) != "" {
		t.Errorf("https to http: %v (key %q)", err, down.Header.Get(apiKeyHeader))
	}
}
