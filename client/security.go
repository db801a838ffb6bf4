package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/postpress/postpress-go/gen"
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

// Format redacts the key for every verb (%s, %v, %q, %x, %#v, ...): fmt
// prefers a Formatter to every other method.
func (s secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue redacts the key for log/slog.
func (s secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// errNoAPIKey is returned by New and by calls when no key is configured.
var errNoAPIKey = errors.New("postpress: no API key: set " + EnvAPIKey + " or pass client.WithAPIKey")

// checkAPIKey refuses a missing key, and a key that cannot travel in an
// HTTP header (a control character, such as a newline pasted with it, or a
// non-ASCII byte): Go's transport would refuse every attempt, so it is a
// configuration error, reported before anything is sent. The message never
// contains the key.
func checkAPIKey(key secret) error {
	if key == "" {
		return errNoAPIKey
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c > 0x7e {
			return fmt.Errorf("postpress: the API key holds a character that cannot be sent in a header (byte %d of the key: a control or non-ASCII character); the key is not shown", i+1)
		}
	}
	return nil
}

// apiKeyEditor is the last request editor of every request: it sets the
// API key, only on a request for the configured host (a caller's editor
// that sent the request elsewhere gets an error, not the key).
func apiKeyEditor(key secret, base *url.URL) gen.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		if req.URL.Host != base.Host {
			return fmt.Errorf("postpress: refusing to send the API key to %s (the API is %s)", req.URL.Host, base.Host)
		}
		req.Header.Set(apiKeyHeader, string(key))
		return nil
	}
}

// redactKey removes every whole occurrence of the API key (see
// redactWhole) from what an error will print, in case a server echoes
// request headers back.
func redactKey(e *APIError, key secret) {
	if key == "" {
		return
	}
	for _, s := range []*string{&e.Title, &e.Detail, &e.Instance} {
		*s = redactWhole(*s, string(key))
	}
	if r := redactWhole(string(e.Body), string(key)); r != string(e.Body) {
		e.Body = []byte(r)
	}
}

// redactDecodeError returns err, the decoding error of a 200 body, with the
// API key redacted from its text when the body echoed it.
func redactDecodeError(err error, key secret) error {
	if k := string(key); k != "" {
		if r := redactWhole(err.Error(), k); r != err.Error() {
			return fmt.Errorf("%w: %s", ErrMalformedResponse, r)
		}
	}
	return err
}

// redactWhole replaces each whole occurrence of key in s by [REDACTED]: one
// neither preceded nor followed by a character a key is made of (a letter,
// a digit, '-' or '_'). A JSON escape before it (\n, \t, \u0022…) counts as
// a separator. So an echo of the key is redacted, and a key of a few
// characters inside the server's words is not.
func redactWhole(s, key string) string {
	var b strings.Builder
	done := 0
	for i := 0; ; {
		j := strings.Index(s[i:], key)
		if j < 0 {
			break
		}
		start, end := i+j, i+j+len(key)
		if keyBoundaryBefore(s, start) && keyBoundaryAfter(s, end) {
			b.WriteString(s[done:start])
			b.WriteString(redacted)
			done, i = end, end
			continue
		}
		_, size := utf8.DecodeRuneInString(s[start:])
		i = start + size
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// keyRune reports whether r can be a character of an API key.
func keyRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_'
}

// keyBoundaryBefore reports whether no key character ends s[:i], or a JSON
// escape does.
func keyBoundaryBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	if i == 0 || !keyRune(r) {
		return true
	}
	if i >= 2 && s[i-2] == '\\' && strings.IndexByte("bfnrt", s[i-1]) >= 0 {
		return true
	}
	return i >= 6 && s[i-6] == '\\' && s[i-5] == 'u' && strings.Trim(s[i-4:i], "0123456789abcdefABCDEF") == ""
}

// keyBoundaryAfter reports whether no key character starts s[i:].
func keyBoundaryAfter(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return i == len(s) || !keyRune(r)
}

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
