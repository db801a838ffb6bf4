package client

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/postpress/postpress-go/internal/errtable"
)

// ErrorType is the `type` of an API error response, such as
// "errors/expired_credentials". The documented types are the ErrorType
// constants; a type the docs do not list is kept as it came (Known reports
// false) so that nothing the server said is lost.
//
// An ErrorType is also an error value, so each constant serves as a
// sentinel: errors.Is(err, client.ErrorTypeExpiredCredentials) is true when
// err is, or wraps, an *APIError of that type.
type ErrorType string

// Known reports whether t is one of the error types openapi.yaml lists
// (the docs page's, and ErrorTypeInvalidParameters, which the spec adds).
func (t ErrorType) Known() bool {
	_, ok := errtable.Lookup(string(t))
	return ok
}

// HTTPStatus returns the HTTP status the docs page lists t under, or 0 for
// an unknown type.
func (t ErrorType) HTTPStatus() int {
	info, _ := errtable.Lookup(string(t))
	return info.Status
}

// Description returns the docs page's explanation of t, or "" for an unknown
// type.
func (t ErrorType) Description() string {
	info, _ := errtable.Lookup(string(t))
	return info.Description
}

// Retryable reports whether a request that failed with t is worth sending
// again unchanged; the default Retryer retries exactly these (within its
// retry budget). The decision is the spec's, generated into the error
// table: a type is retried when its status is one of openapi.yaml's
// x-retryable-statuses (RetryableStatuses: a rate limit, or a server
// "temporarily unable" on an idempotent GET), unless its type schema's
// x-retryable says otherwise (a killed authentication flow, say, must be
// started again by a person). Every other status is final: a retry cannot change credentials, permissions,
// parameters or a missing feature. Each constant's doc comment states its
// decision.
//
// An unknown type is not retryable here; APIError.Retryable decides it by
// its status.
func (t ErrorType) Retryable() bool {
	info, ok := errtable.Lookup(string(t))
	return ok && info.Retryable
}

// String returns the type as the API spells it.
func (t ErrorType) String() string { return string(t) }

// Error makes an ErrorType usable as an errors.Is sentinel. It returns the
// type as the API spells it, like String, so that printing a type shows the
// type.
func (t ErrorType) Error() string { return string(t) }

// RetryableStatuses returns the statuses a request is retried at unless its
// error type says otherwise: openapi.yaml's x-retryable-statuses, generated
// into the error table.
func RetryableStatuses() []int { return slices.Clone(errtable.RetryableStatuses) }

// ErrorTypes returns every error type openapi.yaml lists, by status and
// then in the spec's order.
func ErrorTypes() []ErrorType {
	out := make([]ErrorType, len(errtable.Types))
	for i, t := range errtable.Types {
		out[i] = ErrorType(t.Value)
	}
	return out
}

// APIError is an error response from the API (any status that is not 200),
// decoded from the error envelope when there is one. Use errors.As to reach
// it; errors.Is(err, ErrorTypeX) matches on Type.
type APIError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Type is the envelope's error type; "" when the body was not an
	// envelope (for example an HTML page from a proxy).
	Type ErrorType
	// Title is the envelope's short title (the status text when there was
	// no envelope).
	Title string
	// Detail is the envelope's human-readable explanation; for a body that
	// was not an envelope, a short excerpt of it.
	Detail string
	// Instance is the request identifier to quote to postpress support.
	Instance string
	// RetryAfter is the wait the server asked for in its Retry-After header,
	// or 0 when it sent none.
	RetryAfter time.Duration
	// Body is the raw response body (at most 64 KiB of it).
	Body []byte
	// Attempts is how many requests were sent before giving up (1 when the
	// error was not retried).
	Attempts int
}

// Error returns one line: status, type, explanation, request id and
// attempts, e.g.
//
//	postpress: 401 errors/expired_credentials: Credentials have expired. Reconnect the account. (instance req_42; 1 attempt)
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "postpress: %d", e.StatusCode)
	// The type is the server's text: kept to one line like the rest.
	if t := oneLine(string(e.Type), 100); t != "" {
		b.WriteString(" " + t)
	} else if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	msg := e.Detail
	if msg == "" {
		msg = e.Type.Description()
	}
	if msg == "" && e.Type != "" {
		msg = e.Title
	}
	if msg != "" {
		b.WriteString(": " + oneLine(msg, 300))
	}
	var extra []string
	if e.Instance != "" {
		extra = append(extra, "instance "+oneLine(e.Instance, 100))
	}
	if e.RetryAfter > 0 {
		extra = append(extra, "retry after "+e.RetryAfter.String())
	}
	if e.Attempts > 1 {
		extra = append(extra, fmt.Sprintf("gave up after %d attempts", e.Attempts))
	} else if e.Attempts == 1 {
		extra = append(extra, "1 attempt")
	}
	if len(extra) > 0 {
		b.WriteString(" (" + strings.Join(extra, "; ") + ")")
	}
	return b.String()
}

// Is reports whether target is the ErrorType of e, so that the ErrorType
// constants work as sentinels with errors.Is.
func (e *APIError) Is(target error) bool {
	t, ok := target.(ErrorType)
	return ok && e.Type == t
}

// Retryable reports whether the request that got e may succeed if sent
// again: a known type decides by ErrorType.Retryable; an unknown or missing
// type by status (openapi.yaml's x-retryable-statuses: RetryableStatuses).
func (e *APIError) Retryable() bool {
	if e.Type.Known() {
		return e.Type.Retryable()
	}
	return errtable.RetryableStatus(e.StatusCode)
}

// oneLine folds s onto one line (control characters and runs of white space
// become one space) and cuts it to at most max runes.
func oneLine(s string, maxRunes int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if n >= maxRunes || space && n+1 >= maxRunes {
			b.WriteString("…") // no room for r (and the space before it)
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// Errors of the listing itself, wrapped in a *PagingError.
var (
	// ErrCursorLoop means the server returned a cursor it had already
	// returned in this listing; following it would loop forever.
	ErrCursorLoop = errors.New("postpress: the server returned a cursor it already returned (the listing would loop)")
	// ErrEmptyPageWithCursor means the server returned a page with no items
	// but a next cursor; the listing stops rather than spin on empty pages.
	ErrEmptyPageWithCursor = errors.New("postpress: the server returned an empty page that still carries a cursor")
	// ErrMalformedResponse means a 200 response, read whole, could not be
	// decoded as a page of the operation (not JSON, wrong shape, or the
	// items or next-cursor member missing). It is not retried: the transport checked
	// the body's length or final chunk, so the server meant it (a body cut
	// short is a read error, and is retried).
	ErrMalformedResponse = errors.New("postpress: malformed response")
)

// PagingError is the error of a listing (an iterator or a Pager) that
// stopped before its end. Nothing is lost: Cursor is where to resume, with
// ListParams.Cursor, to get every item not yet delivered, exactly once.
// Unwrap gives the cause (an *APIError, a *RequestError, ErrCursorLoop, ...).
type PagingError struct {
	// Cursor is the cursor of the first page not delivered; "" means the
	// listing failed on its first page and should be started again from
	// the beginning (or from the ListParams.Cursor it was given). When
	// the server refused the request for Cursor before any page was
	// delivered (see Error), resuming with it fails the same way.
	Cursor string
	// Pages is how many pages were delivered before the failure.
	Pages int
	// Items is how many items were delivered before the failure.
	Items int
	// Err is the cause.
	Err error
}

// Error says what failed and where to resume. When the server refused the
// request for Cursor itself (a 4xx other than a credentials, permissions,
// timeout or rate-limit status) before any page of the listing was
// delivered, resuming with Cursor would be refused again: Error says the
// cursor was refused instead of suggesting it.
func (e *PagingError) Error() string {
	where := "resume from the start"
	switch {
	case e.Cursor != "" && e.Pages == 0 && refusedRequest(e.Err):
		where = fmt.Sprintf("the server refused the request with cursor %q: do not resume with it", e.Cursor)
	case e.Cursor != "":
		where = fmt.Sprintf("resume with cursor %q", e.Cursor)
	}
	return fmt.Sprintf("%v (listing stopped after %s, %s; %s)", e.Err, plural(e.Pages, "page"), plural(e.Items, "item"), where)
}

// refusedRequest reports whether err is an *APIError whose status says the
// request itself was wrong: a 4xx other than 401, 403 and 407
// (credentials, permissions), 408 (timeout) and 429 (rate limit), which
// say nothing against its parameters.
func refusedRequest(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode < 400 || apiErr.StatusCode > 499 {
		return false
	}
	return !slices.Contains([]int{401, 403, 407, 408, 429}, apiErr.StatusCode)
}

// plural returns n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Unwrap returns the cause.
func (e *PagingError) Unwrap() error { return e.Err }

// RequestError is a failure to get a usable response: the connection failed
// or timed out, the body could not be read, or a 200 body could not be
// decoded. It says how many attempts were made; Unwrap gives the cause.
type RequestError struct {
	// Op is what failed: "send", "read body", "decode", "wait to retry"
	// or "wait for the rate limiter".
	Op string
	// URL is the request URL (it never carries the API key); "" when no
	// request was built yet (the rate limiter refused the first attempt).
	URL string
	// Attempts is how many requests were sent.
	Attempts int
	// Err is the cause.
	Err error
}

// Error returns one line naming the failed step, the URL, the cause and the
// attempts made.
func (e *RequestError) Error() string {
	s := fmt.Sprintf("postpress: %s GET %s: %v", e.Op, e.URL, e.Err)
	if e.URL == "" {
		s = fmt.Sprintf("postpress: %s: %v", e.Op, e.Err)
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	} else if e.Attempts == 1 {
		s += " (1 attempt)"
	}
	return s
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }
