package client

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/postpress/postpress-go/gen"
)

// Defaults of a Client built without options.
const (
	// DefaultBaseURL is the first server of openapi.yaml, the form of the
	// docs page's example request and the path the vendor's own SDK calls.
	DefaultBaseURL = "https://api.postpress.ai/api/v1"

	// EnvAPIKey names the environment variable New reads the API key from.
	EnvAPIKey = "POSTPRESS_API_KEY" //nolint:gosec // the name of a variable, not a credential
	// EnvBaseURL names the environment variable New reads the base URL from.
	EnvBaseURL = "POSTPRESS_BASE_URL"
)

// Defaults of a Client built without options.
const (
	// defaultMaxRetries is how many times a failed request is retried.
	defaultMaxRetries = 2
	// defaultInitialBackoff is the base of the exponential backoff.
	defaultInitialBackoff = 500 * time.Millisecond
	// defaultMaxRetryDelay caps one wait between attempts, whether from
	// backoff or from a Retry-After header.
	defaultMaxRetryDelay = 30 * time.Second
	// defaultAttemptTimeout bounds one attempt: sending the request and
	// reading the whole response.
	defaultAttemptTimeout = 30 * time.Second
)

// config is everything an Option can set. A Client holds one; a call with
// options works on a copy.
type config struct {
	apiKey         secret
	baseURL        string
	rawHTTP        *http.Client // as given by WithHTTPClient
	httpClient     *http.Client // rawHTTP behind the redirect guard
	userAgent      string
	maxRetries     int
	initialBackoff time.Duration
	maxRetryDelay  time.Duration
	retryer        Retryer      // nil: the standard one with the knobs above
	budget         *retryBudget // the standard retryer's, shared by a Client's calls
	bodyPerItem    int64        // 0: defaultMaxBodyBytesPerItem
	attemptTimeout time.Duration
	logger         *slog.Logger
	validator      ResponseValidator
	userEditors    []gen.RequestEditorFn // WithRequestEditor's, in order
	editors        []gen.RequestEditorFn // every editor of a request (finish builds them)
	allowInsecure  bool
	prefetch       bool
	limiter        Limiter // nil: none
	maxItems       int     // 0: no limit
	server         string  // the base URL, as the generated client takes it
	err            error   // the first option error
}

// An Option configures a Client (passed to New) or a single listing (passed
// to an iterator such as Invitations, or a pager such as InvitationPager),
// where it applies on top of the client's settings for that listing only.
type Option func(*config)

func (c *config) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("postpress: "+format, args...)
	}
}

// apply applies opts to c and returns the first option error.
func (c *config) apply(opts []Option) error {
	c.err = nil
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c.err
}

// WithMaxItems stops a listing (an iterator, a Pager, and the listings of
// several accounts of package multi, per account) after n items; 0, the
// default, means no limit. The listing asks for no more than it needs (the
// page that reaches n is requested with a smaller limit), so that page's
// NextCursor, and Pager.Cursor after it, continue the listing right after
// the last item given. A server that sends more than asked is cut short to
// n.
func WithMaxItems(n int) Option {
	return atLeast("WithMaxItems", n, 0, "is negative (0 means no limit)", func(c *config) *int { return &c.maxItems })
}

// WithAPIKey sets the API key sent in the X-API-KEY header. Without it, New
// reads POSTPRESS_API_KEY. The key never appears in errors, logs or the
// Client's printed form, and is never sent to another host.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey = secret(key) }
}

// WithBaseURL sets the API's base URL; requests go to base + the
// operation's path in openapi.yaml. Without it, New reads POSTPRESS_BASE_URL, else
// uses DefaultBaseURL. A plain http:// URL is refused unless its host is
// loopback or WithInsecureHTTP is given.
func WithBaseURL(u string) Option {
	return func(c *config) { c.baseURL = u }
}

// WithHTTPClient sets the *http.Client requests go through (its Transport,
// Jar and Timeout are used; by default a client with http.DefaultTransport's
// settings that keeps 16 idle connections a host, so that accounts listed
// at once by package multi reuse theirs). The client is copied, not
// changed: the copy gets a redirect policy that refuses redirects to another host or from
// https to http, so the API key cannot follow a redirect away (Go's client
// would forward X-API-KEY); the CheckRedirect of hc still runs for the
// redirects that are allowed.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) {
		if hc == nil {
			c.fail("WithHTTPClient: nil *http.Client")
			return
		}
		c.rawHTTP = hc
	}
}

// WithUserAgent sets the User-Agent header (default "postpress-go/" +
// Version).
func WithUserAgent(ua string) Option {
	return func(c *config) { c.userAgent = ua }
}

// WithMaxRetries sets how many times a failed request is retried (default
// 2; 0 disables retries), a knob of the standard retryer
// (NewStandardRetryer, which lists what is retried).
func WithMaxRetries(n int) Option {
	return atLeast("WithMaxRetries", n, 0, "is negative", func(c *config) *int { return &c.maxRetries })
}

// WithBackoff sets the base of the exponential backoff between retries
// (default 500ms), a knob of the standard retryer. The wait before retry n is a random
// duration in [0, initial·2ⁿ⁻¹], capped by WithMaxRetryDelay ("full jitter").
func WithBackoff(initial time.Duration) Option {
	return atLeast("WithBackoff", initial, 1, "is not positive", func(c *config) *time.Duration { return &c.initialBackoff })
}

// WithMaxRetryDelay caps one wait between attempts, including a wait asked
// for by a Retry-After header (default 30s), a knob of the
// standard retryer.
func WithMaxRetryDelay(d time.Duration) Option {
	return atLeast("WithMaxRetryDelay", d, 1, "is not positive", func(c *config) *time.Duration { return &c.maxRetryDelay })
}

// WithAttemptTimeout bounds each attempt, from sending the request to
// reading the whole body (default 30s). An attempt that
// times out is retried; the context of the call bounds the whole call.
func WithAttemptTimeout(d time.Duration) Option {
	return atLeast("WithAttemptTimeout", d, 1, "is not positive", func(c *config) *time.Duration { return &c.attemptTimeout })
}

// atLeast is an option that sets the field picks out to v, refusing a v
// below lo with the error "name: v why".
func atLeast[T int | time.Duration](name string, v, lo T, why string, field func(*config) *T) Option {
	return func(c *config) {
		if v < lo {
			c.fail("%s: %v %s", name, v, why)
			return
		}
		*field(c) = v
	}
}

// WithLogger sets a logger for a debug record per attempt (method, URL,
// status, duration, attempt) and a warning per retry. The API key is never
// logged. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// ResponseValidator checks a response before the client decodes it: the
// request it answers, its status, headers and whole body. An error means
// the response breaks the contract.
type ResponseValidator interface {
	ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error
}

// WithResponseValidator has every response checked by v before it is
// decoded. A response v refuses becomes an error wrapping
// ErrContractViolation, and is not retried. nil turns checking off.
// Package client/validation provides the validator against openapi.yaml
// (validation.WithResponseValidation), kept out of this package so that a
// program that does not validate does not link the spec and its loaders.
func WithResponseValidator(v ResponseValidator) Option {
	return func(c *config) { c.validator = v }
}

// WithRequestEditor adds a function that edits every request before it is
// sent, after the client has set its headers (for tracing headers and the
// like). Editors run once a request, in the generated client, before its
// first attempt and before the API key is added: the key goes only to the API's host, so an editor that
// points a request elsewhere makes it fail unsent.
func WithRequestEditor(fn gen.RequestEditorFn) Option {
	return func(c *config) {
		if fn != nil {
			c.userEditors = append(c.userEditors, fn)
		}
	}
}

// WithInsecureHTTP allows a plain http:// base URL to a host that is not
// loopback. Without it such a URL is refused, since the API key would cross
// the network in clear text.
func WithInsecureHTTP() Option {
	return func(c *config) { c.allowInsecure = true }
}

// WithPrefetch turns prefetching on or off for the listings (iterators
// and pagers): while the caller works on page n, page n+1 is already being
// fetched. On by default; it never changes what is delivered or in which
// order, and at most one page is fetched ahead.
func WithPrefetch(on bool) Option {
	return func(c *config) { c.prefetch = on }
}

// A Limiter paces requests: Wait blocks until one more request may be sent,
// or returns an error (the context ended, or the wait could never end).
// *rate.Limiter from golang.org/x/time/rate is one.
type Limiter interface {
	Wait(ctx context.Context) error
}

// WithRateLimiter makes every attempt (first tries and retries, on every
// account and every goroutine that uses the client) wait on l before it is
// sent, so that one limiter caps the client's total request rate:
//
//	c, err := client.New(client.WithRateLimiter(rate.NewLimiter(20, 1))) // 20 requests/s
//
// The wait counts against the call's context, not against the attempt
// timeout. Default: none. A nil l means none.
func WithRateLimiter(l Limiter) Option {
	return func(c *config) { c.limiter = l }
}
