package client

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"

	"github.com/postpress/postpress-go/gen"
)

// Client calls the postpress API. It is safe for concurrent use by many
// goroutines; build one with New and share it.
type Client struct {
	cfg  *config
	base *url.URL
}

// New returns a Client configured by opts on top of the defaults and the
// environment: the API key from POSTPRESS_API_KEY, the base URL from
// POSTPRESS_BASE_URL (else DefaultBaseURL). It fails, sending nothing, when
// no API key is set, the base URL is not acceptable (see WithBaseURL), or an
// option is invalid.
func New(opts ...Option) (*Client, error) {
	cfg := &config{
		apiKey:         secret(os.Getenv(EnvAPIKey)),
		baseURL:        cmp.Or(os.Getenv(EnvBaseURL), DefaultBaseURL),
		rawHTTP:        defaultHTTPClient(),
		userAgent:      "postpress-go/" + Version,
		maxRetries:     defaultMaxRetries,
		initialBackoff: defaultInitialBackoff,
		maxRetryDelay:  defaultMaxRetryDelay,
		budget:         newRetryBudget(budgetCapacity),
		attemptTimeout: defaultAttemptTimeout,
		prefetch:       true,
	}
	cfg, base, err := finish(cfg, opts)
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, base: base}, nil
}

// finish applies opts to a copy of cfg and checks the result. It returns the
// config with its http.Client wrapped by the redirect guard, and the parsed
// base URL.
func finish(base *config, opts []Option) (*config, *url.URL, error) {
	cfg := *base
	cfg.userEditors = slices.Clone(base.userEditors)
	if err := cfg.apply(opts); err != nil {
		return nil, nil, err
	}
	if err := checkAPIKey(cfg.apiKey); err != nil {
		return nil, nil, err
	}
	u, err := parseBaseURL(cfg.baseURL, cfg.allowInsecure)
	if err != nil {
		return nil, nil, err
	}
	if cfg.httpClient == nil || cfg.rawHTTP != base.rawHTTP {
		cfg.httpClient = guardRedirects(cfg.rawHTTP)
	}
	// The generated client builds each request from the parameters and
	// runs the editors: the client's headers, the caller's editors, then
	// the key.
	ua := cfg.userAgent
	headers := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", ua)
		return nil
	}
	cfg.editors = append(append([]gen.RequestEditorFn{headers}, cfg.userEditors...), apiKeyEditor(cfg.apiKey, u))
	cfg.server = u.String()
	return &cfg, u, nil
}

// with returns the config for one call: the client's own when there are
// no options, else a checked copy.
func (c *Client) with(opts []Option) (*config, error) {
	if len(opts) == 0 {
		return c.cfg, nil
	}
	cfg, _, err := finish(c.cfg, opts)
	return cfg, err
}

// BaseURL returns the base URL requests go to (ending in "/").
func (c *Client) BaseURL() string { return c.base.String() }

// String describes the client without its API key.
func (c *Client) String() string {
	return fmt.Sprintf("postpress.Client{base: %s, key: %s, retries: %d}", c.base, c.cfg.apiKey, c.cfg.maxRetries)
}
