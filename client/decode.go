package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/wire"
)

// decodePage decodes a 200 body into the generated types with the decoder
// generated from the spec (internal/wire), which accepts exactly the
// bodies encoding/json accepts and yields the same values: unknown
// members and unknown enum values are accepted, null in a string field
// decodes as "". A body that is not a JSON object, or lacks `items` or
// `cursor`, is ErrMalformedResponse: those are the members paging depends
// on (an absent cursor would read as the last page). Other required
// members that are absent are tolerated, like nulls in string fields;
// response validation (WithResponseValidator) reports them. The error
// quotes the body only when it is not a JSON object.
func decodePage(body []byte) (*Page, error) {
	var v gen.InvitationList
	err := wire.DecodeInvitationList(body, &v)
	var missing *wire.MissingError
	switch {
	case errors.As(err, &missing):
		for _, m := range missing.Members {
			if m == "items" || m == "cursor" {
				return nil, fmt.Errorf("%w: no `%s` member (a last page has `cursor: null`)", ErrMalformedResponse, m)
			}
		}
	case err != nil && bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")):
		// A JSON object: the error says where and what, and no text of the
		// body goes into it (a page holds personal data and shared secrets).
		return nil, fmt.Errorf("%w: %w (%d-byte body)", ErrMalformedResponse, err, len(body))
	case err != nil:
		// Not JSON at all (a proxy's HTML page, say): its start tells what
		// answered.
		return nil, fmt.Errorf("%w: %w (body starts %q)", ErrMalformedResponse, err, excerpt(body, 80))
	}
	if v.Items == nil {
		return nil, fmt.Errorf("%w: no `items` array", ErrMalformedResponse)
	}
	p := &Page{Items: v.Items}
	if v.Cursor != nil {
		p.NextCursor = *v.Cursor
	}
	return p, nil
}

// errorEnvelope is the error body every API error follows.
type errorEnvelope struct {
	Title    string `json:"title"`
	Type     string `json:"type"`
	Status   any    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
}

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
	var env errorEnvelope
	// A field of the wrong type (say a numeric detail) does not discard the
	// rest: encoding/json fills what fits and reports an UnmarshalTypeError.
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(body, &env); (err == nil || errors.As(err, &typeErr)) && env.Type != "" {
		e.Type = ErrorType(env.Type)
		e.Title = env.Title
		e.Detail = env.Detail
		e.Instance = env.Instance
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
