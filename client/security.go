package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// apiKeyHeader is the header the API key travels in.
const apiKeyHeader = "X-API-KEY"

// secret holds the API key. Every way of printing it prints a redaction, so
// a Client or its config can be logged or formatted without leaking it.
type secret string

const redacted = "[REDACTED]"

// String redacts the key.
func (s secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString redacts the key for %#v.
func (s secret) GoString() string { return `"` + s.String() + `"` }

// Format redacts the key for every verb (%s, %v, %q, %x, ...).
func (s secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue redacts the key for log/slog.
func (s secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// parseBaseURL checks a base URL: absolute http(s), a host, no user info,
// query or fragment, and https unless the host is loopback or insecure HTTP
// was allowed. It returns the URL with exactly one trailing slash, the form
// the generated request builder resolves relative paths against.
func parseBaseURL(raw string, allowInsecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("postpress: invalid base URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("postpress: base URL %q: scheme must be https (or http to loopback)", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("postpress: base URL %q has no host", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("postpress: base URL %q must not carry user info (the API key goes in %s)", u.Redacted(), apiKeyHeader)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("postpress: base URL %q must not have a query or fragment", u.Redacted())
	case u.Scheme == "http" && !allowInsecure && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("postpress: refusing plain http:// base URL to non-loopback host %q: the API key would travel in clear text (use https, or client.WithInsecureHTTP to allow it)", u.Hostname())
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/"
	u.RawPath = ""
	return u, nil
}

// isLoopback reports whether host is localhost or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ErrRedirectRefused is wrapped by the error of a request whose response
// redirected to another host (or from https to http). The client does not
// follow such redirects, so the API key never reaches another host.
var ErrRedirectRefused = errors.New("postpress: redirect to another host refused (the API key is never sent to another host)")

// guardRedirects returns a shallow copy of hc whose CheckRedirect refuses a
// redirect that leaves the original host or downgrades https to http. It
// also strips the API key from such a request, in case a caller's policy
// lets it through some other way. Allowed redirects go on to hc's own
// CheckRedirect, if any, and Go's default limit of 10.
func guardRedirects(hc *http.Client) *http.Client {
	cp := *hc
	next := hc.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if !strings.EqualFold(req.URL.Host, first.Host) || (first.Scheme == "https" && req.URL.Scheme != "https") {
			req.Header.Del(apiKeyHeader)
			return fmt.Errorf("%w: %s to %s://%s", ErrRedirectRefused, first.Host, req.URL.Scheme, req.URL.Host)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("postpress: stopped after 10 redirects")
		}
		return nil
	}
	return &cp
}

// Format prints a config without its API key, for every verb: fmt cannot
// call the key's own redacting methods on an unexported field.
func (c config) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "{base: %s, key: %s, retries: %d, attempt timeout: %s, prefetch: %t}",
		c.baseURL, c.apiKey.String(), c.maxRetries, c.attemptTimeout, c.prefetch)
}

// LogValue logs a config without its API key.
func (c config) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(c)) }

// GoString describes the client without its API key, for %#v.
func (c *Client) GoString() string { return c.String() }
