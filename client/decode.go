package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/postpress/postpress-go/gen"
)

// decodeAPIError turns any non-200 response into an *APIError. An error
// envelope fills Type, Title, Detail and Instance; any other body (an HTML
// page from a proxy, plain text, nothing) keeps the status, the status text
// as Title and a short excerpt as Detail.
func decodeAPIError(status int, h http.Header, body []byte) *APIError {
	e := &APIError{
		StatusCode: status,
		RetryAfter: parseRetryAfter(h, time.Now()),
		Body:       body[:min(len(body), maxErrorBodyKept)],
	}
	var env gen.ErrorEnvelope // the envelope every error response follows
	// A field of the wrong type (say a numeric detail) does not discard the
	// rest: encoding/json fills what fits and reports an UnmarshalTypeError.
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(body, &env); (err == nil || errors.As(err, &typeErr)) && env.Type != "" {
		e.Type = ErrorType(env.Type)
		e.Title = env.Title
		e.Detail = deref(env.Detail)
		e.Instance = deref(env.Instance)
		return e
	}
	e.Title = http.StatusText(status)
	if x := excerpt(body, 200); x != "" {
		e.Detail = "non-JSON error body: " + x
	}
	return e
}

// excerpt returns the start of body as one line of text, HTML tags removed,
// at most n runes.
func excerpt(body []byte, n int) string {
	b := body[:min(len(body), 4096)]
	var out bytes.Buffer
	inTag := false
	for _, c := range b {
		switch {
		case c == '<':
			inTag = true
			out.WriteByte(' ')
		case c == '>' && inTag:
			inTag = false
		case !inTag:
			out.WriteByte(c)
		}
	}
	return oneLine(out.String(), n)
}

// deref is *p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
