package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/postpress/postpress-go/gen"
)

// Page is one page of a listing.
type Page struct {
	// Items are the invitations on this page, in the server's order.
	Items []Invitation
	// NextCursor fetches the next page; "" on the last page (the API sent
	// `cursor: null`).
	NextCursor string
	// Cursor is the cursor this page was fetched with; "" for the first page.
	Cursor string
}

// HasMore reports whether there is a next page.
func (p *Page) HasMore() bool { return p.NextCursor != "" }

// wirePage is the InvitationList as it comes over the wire. cursor and
// items are checked for presence: the generated type cannot tell a missing
// cursor from a null one, and a missing cursor must not end a listing
// silently.
type wirePage struct {
	Items  *[]gen.InvitationReceived `json:"items"`
	Cursor presentString             `json:"cursor"`
}

// presentString is a nullable string that remembers whether it was present.
type presentString struct {
	present bool
	value   *string
}

// UnmarshalJSON records presence and accepts a string or null.
func (s *presentString) UnmarshalJSON(b []byte) error {
	s.present = true
	if string(b) == "null" {
		s.value = nil
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.value = &v
	return nil
}

// decodePage decodes a 200 body. Unknown fields and unknown enum values are
// accepted, null in string fields decodes as ""; a body that is not a JSON
// object, or lacks `items` or `cursor`, is ErrMalformedResponse.
func decodePage(body []byte) (*Page, error) {
	var w wirePage
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %w (body starts %q)", ErrMalformedResponse, err, excerpt(body, 80))
	}
	switch {
	case w.Items == nil:
		return nil, fmt.Errorf("%w: no `items` array", ErrMalformedResponse)
	case !w.Cursor.present:
		return nil, fmt.Errorf("%w: no `cursor` field (a last page has `cursor: null`)", ErrMalformedResponse)
	}
	p := &Page{Items: *w.Items}
	if w.Cursor.value != nil {
		p.NextCursor = *w.Cursor.value
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

// redactKey removes every occurrence of the API key from what an error
// will print, in case a server echoes request headers back.
func redactKey(e *APIError, key secret) {
	k := []byte(key)
	if len(k) == 0 {
		return
	}
	e.Title = string(bytes.ReplaceAll([]byte(e.Title), k, []byte(redacted)))
	e.Detail = string(bytes.ReplaceAll([]byte(e.Detail), k, []byte(redacted)))
	e.Instance = string(bytes.ReplaceAll([]byte(e.Instance), k, []byte(redacted)))
	e.Body = bytes.ReplaceAll(e.Body, k, []byte(redacted))
}
