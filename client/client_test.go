package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestNewAppliesDefaultsThenOptions: a Client built without options has
// the documented defaults; options given to New replace them.
func TestNewAppliesDefaultsThenOptions(t *testing.T) {
	c, err := New(WithAPIKey("k"), WithBaseURL("https://api.example.test/v1"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.cfg
	if cfg.maxRetries != defaultMaxRetries || cfg.initialBackoff != defaultInitialBackoff || cfg.maxRetryDelay != defaultMaxRetryDelay ||
		cfg.attemptTimeout != defaultAttemptTimeout || !cfg.prefetch || cfg.maxItems != 0 || cfg.userAgent != "postpress-go/"+Version ||
		cfg.budget == nil || cfg.rawHTTP != defaultHTTPClient() || cfg.httpClient == nil || cfg.maxBody(100) != 100*defaultMaxBodyBytesPerItem {
		t.Errorf("defaults: %+v", cfg)
	}
	c, err = New(WithAPIKey("k"), WithBaseURL("https://api.example.test/v1"), WithMaxRetries(5), WithUserAgent("ua/1"),
		WithPrefetch(false), WithMaxItems(9), WithMaxBodyBytesPerItem(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	cfg = c.cfg
	if cfg.maxRetries != 5 || cfg.userAgent != "ua/1" || cfg.prefetch || cfg.maxItems != 9 || cfg.maxBody(10) != 10<<20 {
		t.Errorf("options not applied: %+v", cfg)
	}
}

// TestNewReadsTheEnvironment: without options, the key comes from
// POSTPRESS_API_KEY and the base URL from POSTPRESS_BASE_URL; options win
// over both.
func TestNewReadsTheEnvironment(t *testing.T) {
	_, srv, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 1)})
	t.Setenv(EnvAPIKey, testKey)
	t.Setenv(EnvBaseURL, srv.URL)
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != srv.URL+"/" {
		t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), srv.URL+"/")
	}
	if _, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}); err != nil {
		t.Fatal(err)
	}
	if got := requests()[0].Header.Get("X-API-KEY"); got != testKey {
		t.Errorf("key sent %q, want the environment's", got)
	}
	c, err = New(WithAPIKey("k2"), WithBaseURL("https://api.example.test"))
	if err != nil || c.BaseURL() != "https://api.example.test/" || c.cfg.apiKey != "k2" {
		t.Errorf("options over the environment: %v, %v", c, err)
	}
}

// TestBaseURLEndsInASlash: BaseURL is the base given, ending in "/", so
// that an operation's path resolves under it.
func TestBaseURLEndsInASlash(t *testing.T) {
	for base, want := range map[string]string{
		"https://api.example.test/api/v1":  "https://api.example.test/api/v1/",
		"https://api.example.test/api/v1/": "https://api.example.test/api/v1/",
		"https://api.example.test":         "https://api.example.test/",
	} {
		c, err := New(WithAPIKey("k"), WithBaseURL(base))
		if err != nil || c.BaseURL() != want {
			t.Errorf("WithBaseURL(%q): BaseURL() = %q, %v; want %q", base, c.BaseURL(), err, want)
		}
	}
}

// TestStringDescribesTheClientWithoutItsKey: String names the base URL and
// the retries, and not the key.
func TestStringDescribesTheClientWithoutItsKey(t *testing.T) {
	c, err := New(WithAPIKey(testKey), WithBaseURL("https://api.example.test/v1"), WithMaxRetries(4))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	if !strings.Contains(s, "https://api.example.test/v1/") || !strings.Contains(s, "retries: 4") || strings.Contains(s, testKey) || fmt.Sprint(c) != s {
		t.Errorf("String() = %q", s)
	}
}

// TestPerCallOptionsApplyToThatListingOnly: options given to one listing
// replace the client's for that listing (here its HTTP client, user agent
// and retries), and the client's own apply again to the next.
// TestPerCallBaseURLAndKey covers the base URL and the key.
func TestPerCallOptionsApplyToThatListingOnly(t *testing.T) {
	var base, call atomic.Int64
	var agents []string
	c := stubClient(t, func(r *http.Request) (*http.Response, error) {
		base.Add(1)
		agents = append(agents, r.Header.Get("User-Agent"))
		return jsonResponse(200, pageJSON(0, 1, "")), nil
	})
	other := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		call.Add(1)
		agents = append(agents, r.Header.Get("User-Agent"))
		if r.Header.Get("X-API-KEY") != testKey {
			t.Errorf("the per-call client's request lacks the key")
		}
		return jsonResponse(503, `{"type":"errors/service_unavailable","title":"x","status":503}`), nil
	})}
	_, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}, WithHTTPClient(other), WithMaxRetries(2), WithUserAgent("call/1"))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Attempts != 3 || base.Load() != 0 || call.Load() != 3 {
		t.Fatalf("err %v; requests: client's %d, call's %d; want 0 and 3 (the call's retries)", err, base.Load(), call.Load())
	}
	if _, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}); err != nil || base.Load() != 1 || call.Load() != 3 {
		t.Fatalf("err %v; requests: client's %d, call's %d; want the next listing on the client's", err, base.Load(), call.Load())
	}
	if want := []string{"call/1", "call/1", "call/1", "postpress-go/" + Version}; fmt.Sprint(agents) != fmt.Sprint(want) {
		t.Errorf("User-Agent sent %q, want %q", agents, want)
	}
}

// TestPerCallBaseURLAndKey: a listing given its own base URL and key
// sends that key, once, to that base URL only; the client's editors still
// run, once.
func TestPerCallBaseURLAndKey(t *testing.T) {
	var runs atomic.Int64
	tag := func(_ context.Context, r *http.Request) error { runs.Add(1); r.Header.Add("X-Trace", "t"); return nil }
	c, _, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 1)}, WithRequestEditor(tag))
	other := pt.NewServer(pt.WithAPIKey("pp_other_key"), pt.WithGeneratedAccount("acc", 2))
	defer other.Close()
	page, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"}, WithBaseURL(other.URL), WithAPIKey("pp_other_key"))
	if err != nil || len(page.Items) != 2 || len(requests()) != 0 {
		t.Fatalf("page %+v, err %v, %d requests to the client's base URL; want the other server's page", page, err, len(requests()))
	}
	r := other.Requests()[0]
	if r.Header.Get("X-API-KEY") != "pp_other_key" || len(r.Header.Values("X-API-KEY")) != 1 || len(r.Header.Values("X-Trace")) != 1 || runs.Load() != 1 {
		t.Errorf("headers %v after %d editor runs; want the call's key once and the editor run once", r.Header, runs.Load())
	}
}
