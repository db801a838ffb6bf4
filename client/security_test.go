package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/postpress/postpress-go/gen"
	pt "github.com/postpress/postpress-go/postpresstest"
)

func TestNewRefusesAMissingKeyNamingTheVariable(t *testing.T) {
	t.Setenv(EnvAPIKey, "")
	if _, err := New(); !errors.Is(err, errNoAPIKey) || !strings.Contains(err.Error(), EnvAPIKey) {
		t.Fatalf("New() = %v, want a clear no-key error", err)
	}
}

func TestBaseURLMustBeHTTPSOrLoopback(t *testing.T) {
	t.Setenv(EnvAPIKey, "pp_test_secret")
	t.Setenv(EnvBaseURL, "")
	c, err := New()
	if err != nil || c.BaseURL() != DefaultBaseURL+"/" {
		t.Fatalf("default base URL: %v %v", c, err)
	}
	t.Setenv(EnvBaseURL, "http://127.0.0.1:9/api/v1")
	if c, err := New(); err != nil || c.BaseURL() != "http://127.0.0.1:9/api/v1/" {
		t.Fatalf("env base URL: %v %v", c, err)
	}
	for _, ok := range []string{"http://localhost:8080", "http://[::1]:1/x/", "https://example.com/api/v1"} {
		if _, err := New(WithBaseURL(ok)); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://api.postpress.ai/api/v1", "http://10.0.0.1/", "ftp://x/", "/relative", "https://user:pw@x/", "https://x/?q=1", "::"} {
		if _, err := New(WithBaseURL(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("error leaks user info: %v", err)
		}
	}
	if _, err := New(WithBaseURL("http://api.postpress.ai/api/v1"), WithInsecureHTTP()); err != nil {
		t.Errorf("WithInsecureHTTP should allow http: %v", err)
	}
}

func TestKeyNeverPrinted(t *testing.T) {
	const key = "pp_live_very_secret_key"
	c, err := New(WithAPIKey(key), WithBaseURL("https://example.com"))
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("cfg", "client", c, "key", c.cfg.apiKey, "cfg", *c.cfg)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v %#v %+v", c.cfg, c, *c.cfg), fmt.Sprintf("%v %s %q %x", c.cfg.apiKey, c.cfg.apiKey, c.cfg.apiKey, c.cfg.apiKey), logs.String()} {
		if strings.Contains(s, key) {
			t.Errorf("key printed: %s", s)
		}
	}
}

// A redirect to another host is refused: the API key never reaches it, and
// neither does the request.
func TestCrossHostRedirectNeverCarriesTheKey(t *testing.T) {
	other := pt.NewServer(pt.WithAnyAPIKey(), pt.WithAnyAccount(1))
	defer other.Close()
	// "localhost" and 127.0.0.1 are different hosts to the client.
	otherURL := strings.Replace(other.RootURL, "127.0.0.1", "localhost", 1)
	// The fake never redirects: this server only does.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(nonAPIHeader, "redirect")
		http.Redirect(w, r, otherURL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer api.Close()
	c := testClient(t, api.URL+pt.BasePath)
	_, err := listIDs(c, ListParams{AccountID: "acc"})
	if !errors.Is(err, ErrRedirectRefused) {
		t.Fatalf("err = %v, want ErrRedirectRefused", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error leaks the key: %v", err)
	}
	if n := other.RequestCount(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

// A redirect within the API's host is followed, with the key.
func TestSameHostRedirectWorks(t *testing.T) {
	fake := pt.NewFake(pt.WithAPIKey(testKey), pt.WithGeneratedAccount("acc", 1))
	mux := http.NewServeMux()
	mux.Handle(pt.BasePath+"/", fake)
	mux.HandleFunc("/old/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(nonAPIHeader, "redirect")
		http.Redirect(w, r, pt.BasePath+strings.TrimPrefix(r.URL.RequestURI(), "/old"), http.StatusMovedPermanently)
	})
	api := httptest.NewServer(mux)
	defer api.Close()
	c := testClient(t, api.URL+"/old")
	ids, err := listIDs(c, ListParams{AccountID: "acc"})
	if reqs := fake.Requests(); err != nil || len(ids) != 1 || len(reqs) != 1 || reqs[0].Header.Get("X-API-KEY") != testKey {
		t.Fatalf("same-host redirect: ids %v, err %v, requests at the API %+v", ids, err, reqs)
	}
}

// TestRequestEditorsCannotSendTheKeyElsewhere: a caller's editor's edit is
// on every attempt, with the key; an editor that fails, or that points the
// request at another host, leaves it unsent, and the API key never reaches
// that host.
func TestRequestEditorsCannotSendTheKeyElsewhere(t *testing.T) {
	tag := func(_ context.Context, r *http.Request) error { r.Header.Set("X-Trace", "t1"); return nil }
	c, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 2)}, WithRequestEditor(tag))
	srv.Enqueue(pt.Error(gen.InternalServerErrorTypeProviderError))
	if _, err := listIDs(c, ListParams{AccountID: "acc"}); err != nil {
		t.Fatal(err)
	}
	reqs := requests()
	if len(reqs) != 2 || reqs[0].Header.Get("X-Trace") != "t1" || reqs[1].Header.Get("X-Trace") != "t1" || reqs[1].Header.Get("X-API-KEY") != testKey {
		t.Fatalf("requests %+v: want 2, each with the editor's header and the key", reqs)
	}

	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	otherURL, _ := url.Parse(other.URL)
	move := func(_ context.Context, r *http.Request) error { r.URL.Host = otherURL.Host; return nil }
	refuse := func(context.Context, *http.Request) error { return errors.New("no tracing today") }
	for name, tc := range map[string]struct {
		edit gen.RequestEditorFn
		want string
	}{
		"to another host": {move, "refusing to send the API key to " + otherURL.Host},
		"failing":         {refuse, "no tracing today"},
	} {
		_, err := listIDs(c, ListParams{AccountID: "acc"}, WithRequestEditor(tc.edit))
		if err == nil || !strings.Contains(err.Error(), "request not sent") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want a refusal naming %q", name, err, tc.want)
		}
	}
	if n := len(requests()); n != 2 || elsewhere.Load() != 0 {
		t.Errorf("%d requests to the API (want the 2 above), %d elsewhere (want 0)", n, elsewhere.Load())
	}
}

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
	redact := func(key secret) error {
		return returnsWithin(t, "redactDecodeError", func() error { return redactDecodeError(cause, key) })
	}
	got := redact("sekrit-key")
	if strings.Contains(got.Error(), "sekrit-key") || !strings.Contains(got.Error(), redacted) || !errors.Is(got, ErrMalformedResponse) {
		t.Errorf("redacted error = %v", got)
	}
	if got := redact(""); got != cause { //nolint:errorlint // the very error must come back, not one wrapping it
		t.Errorf("with no key the error changed: %v", got)
	}
	if got := redact("other"); got != cause { //nolint:errorlint // the very error must come back, not one wrapping it
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

// TestRedactKeyRemovesTheKeyFromAnAPIError: an error response that echoes
// the key keeps none of it in the fields an error prints, nor in Body.
func TestRedactKeyRemovesTheKeyFromAnAPIError(t *testing.T) {
	const key = "sekrit-key"
	e := &APIError{StatusCode: 400, Title: "t " + key, Detail: key + " d", Instance: "/i/" + key, Body: []byte(`{"h":"` + key + `"}`)}
	redactKey(e, key)
	for _, s := range []string{e.Title, e.Detail, e.Instance, string(e.Body), e.Error()} {
		if strings.Contains(s, key) || !strings.Contains(s, redacted) {
			t.Errorf("%q: the key should be replaced by %s", s, redacted)
		}
	}
	same := &APIError{StatusCode: 400, Detail: "d"}
	redactKey(same, "")
	if same.Detail != "d" {
		t.Errorf("no key: Detail changed to %q", same.Detail)
	}
}

// TestRedactKeyRedactsWholeOccurrencesOnly: the key is redacted where it
// stands alone (between characters no key is made of), not where it is a
// part of a longer word or token, so a short key leaves the server's words
// readable. A JSON escape just before it (\r, \b, \u0022), even at the
// very start, separates it like the character it stands for; a backslash
// before any other letter, or a \u without four hex digits, does not.
func TestRedactKeyRedactsWholeOccurrencesOnly(t *testing.T) {
	for _, c := range []struct{ key, in, want string }{
		{"k", "This API key is not valid", "This API key is not valid"},
		{"k", "k", redacted},
		{"k", "key: k.", "key: " + redacted + "."},
		{"k", `{"x-api-key":"k"}`, `{"x-api-key":"` + redacted + `"}`},
		{"sekrit-key", "sekrit-key/sekrit-keys/my-sekrit-key/sekrit-key", redacted + "/sekrit-keys/my-sekrit-key/" + redacted},
		{"ab", `"\nab\tab\u003cab\u003e x\u00e9ab"`, `"\n` + redacted + `\t` + redacted + `\u003c` + redacted + `\u003e x\u00e9` + redacted + `"`},
		{"ab", "ab ab_ 1ab abé ab\nab", redacted + " ab_ 1ab abé " + redacted + "\n" + redacted},
		{"xy", `\rxy.`, `\r` + redacted + `.`},
		{"xy", `-\bxy.`, `-\b` + redacted + `.`},
		{"xy", `\u0022xy`, `\u0022` + redacted},
		{"xy", `\qxy \u00g2xy u0022xy`, `\qxy \u00g2xy u0022xy`},
	} {
		e := &APIError{StatusCode: 400, Detail: c.in, Body: []byte(c.in)}
		returnsWithin(t, "redactKey", func() bool { redactKey(e, secret(c.key)); return true })
		if e.Detail != c.want || string(e.Body) != c.want {
			t.Errorf("key %q in %q: Detail %q, Body %q; want %q", c.key, c.in, e.Detail, e.Body, c.want)
		}
		err := returnsWithin(t, "redactDecodeError", func() error { return redactDecodeError(errors.New(c.in), secret(c.key)) })
		if c.want == c.in && err.Error() != c.in || c.want != c.in && !strings.HasSuffix(err.Error(), ": "+c.want) {
			t.Errorf("key %q in decode error %q: %q; want it ending in %q", c.key, c.in, err, c.want)
		}
	}
}

// returnsWithin returns what f returns, failing t if f (a call named what)
// has not returned within 2s: a redaction whose search stops moving forward
// (an empty key searched for, or no step past an occurrence that is not
// whole) would otherwise spin until go test's own timeout.
func returnsWithin[R any](t *testing.T, what string, f func() R) R {
	t.Helper()
	done := make(chan R, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(2 * time.Second)
	defer timer.Stop()
	select {
	case r := <-done:
		return r
	case <-timer.C:
	}
	t.Fatalf("%s did not return within 2s: its search for the key does not move forward (an empty key must not be searched for; each occurrence must be stepped past)", what)
	var zero R
	return zero
}
