package client

import (
	"context"
	"fmt"
	"net/url"
	"os"

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
		baseURL:        os.Getenv(EnvBaseURL),
		rawHTTP:        defaultHTTPClient(),
		userAgent:      "postpress-go/" + Version,
		maxRetries:     DefaultMaxRetries,
		initialBackoff: DefaultInitialBackoff,
		maxRetryDelay:  DefaultMaxRetryDelay,
		attemptTimeout: DefaultAttemptTimeout,
		prefetch:       true,
	}
	if cfg.baseURL == "" {
		cfg.baseURL = DefaultBaseURL
	}
	c := &Client{}
	var err error
	if c.cfg, c.base, err = finish(cfg, opts); err != nil {
		return nil, err
	}
	return c, nil
}

// finish applies opts to a copy of cfg and checks the result. It returns the
// config with its http.Client wrapped by the redirect guard, and the parsed
// base URL.
func finish(base *config, opts []Option) (*config, *url.URL, error) {
	cfg := *base
	cfg.errs = nil
	cfg.editors = append([]gen.RequestEditorFn(nil), base.editors...)
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if len(cfg.errs) > 0 {
		return nil, nil, cfg.errs[0]
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
	return &cfg, u, nil
}

// with returns the config and base URL for one call: the client's own when
// there are no options, else a checked copy.
func (c *Client) with(opts []Option) (*config, *url.URL, error) {
	if len(opts) == 0 {
		return c.cfg, c.base, nil
	}
	return finish(c.cfg, opts)
}

// BaseURL returns the base URL requests go to (ending in "/").
func (c *Client) BaseURL() string { return c.base.String() }

// String describes the client without its API key.
func (c *Client) String() string {
	return fmt.Sprintf("postpress.Client{base: %s, key: %s, retries: %d}", c.base, c.cfg.apiKey, c.cfg.maxRetries)
}

// ListReceivedInvitations fetches one page of the invitations the account
// received, retrying as configured. params is checked first; a bad value
// returns a *ParamError and nothing is sent. Limit 0 lets the API choose
// (10); MaxItems is ignored. The page's NextCursor, when not "", fetches the
// next page.
//
// Errors: *ParamError; *APIError for an error response; *RequestError for a
// connection, timeout, read or decode failure; the context's error when ctx
// ends.
func (c *Client) ListReceivedInvitations(ctx context.Context, params ListParams, opts ...Option) (*Page, error) {
	if err := params.Validate(); err != nil {
		return nil, err
	}
	cfg, base, err := c.with(opts)
	if err != nil {
		return nil, err
	}
	return fetch(ctx, cfg, base, params)
}
