package client

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestNewRefusesWithoutKey(t *testing.T) {
	t.Setenv(EnvAPIKey, "")
	if _, err := New(); !errors.Is(err, errNoAPIKey) || !strings.Contains(err.Error(), EnvAPIKey) {
		t.Fatalf("New() = %v, want a clear no-key error", err)
	}
}

func TestBaseURLChecks(t *testing.T) {
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

func TestInvalidOptionsRefused(t *testing.T) {
	for name, o := range map[string]Option{
		"retries": WithMaxRetries(-1),
		"backoff": WithBackoff(0),
		"delay":   WithMaxRetryDelay(-1),
		"timeout": WithAttemptTimeout(0),
		"client":  WithHTTPClient(nil),
	} {
		if _, err := New(WithAPIKey("k"), o); err == nil {
			t.Errorf("%s: invalid option accepted", name)
		}
	}
}
