package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/postpress/postpress-go/gen"
)

// decodePage decodes a 200 body into the generated types with the decoders
// generated from the spec (decode_gen.go, over github.com/go-faster/jx),
// which accept exactly the bodies encoding/json accepts and yield the same
// values: unknown members and unknown enum values are accepted, null in a
// string field decodes as "". A body that is not a JSON object, or lacks
// `items` or `cursor`, is ErrMalformedResponse: those are the members paging
// depends on (an absent cursor would read as the last page). Other required
// members that are absent are tolerated, like nulls in string fields;
// response validation (WithResponseValidator) reports them. The error names
// the JSON pointer of a value that does not fit, and quotes the body only
// when it is not a JSON object. The page and each item keep their bytes
// (slices of body, not copies): RawJSON.
func decodePage(body []byte) (*Page, error) {
	var v gen.InvitationList
	items := &elems{body: body}
	missing, err := decodeInvitationList(body, &v, map[string]*elems{"items": items})
	if err == nil && items.missed {
		// An item without a plain first member name (null, {}, an escaped
		// name): decode the page again, each item from its own bytes.
		v, items = gen.InvitationList{}, &elems{body: body, slow: true}
		missing, err = decodeInvitationList(body, &v, map[string]*elems{"items": items})
	}
	err = rootCause(err)
	switch {
	case err != nil && bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		// Refused, as encoding/json refuses it (RFC 8259 §8.1).
		return nil, fmt.Errorf("%w: the body starts with a UTF-8 byte order mark", ErrMalformedResponse)
	case err != nil && bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")):
		// A JSON object: the error says where and what, and no text of the
		// body goes into it (a page holds personal data and shared secrets).
		return nil, fmt.Errorf("%w: %w (%d-byte body)", ErrMalformedResponse, err, len(body))
	case err != nil:
		// Not JSON at all (a proxy's HTML page, say): its start tells what
		// answered.
		return nil, fmt.Errorf("%w: %w (body starts %q)", ErrMalformedResponse, err, excerpt(body, 80))
	}
	if slices.Contains(missing, "cursor") {
		return nil, fmt.Errorf("%w: no `cursor` member (a last page has `cursor: null`)", ErrMalformedResponse)
	}
	if v.Items == nil { // absent or null
		return nil, fmt.Errorf("%w: no `items` array", ErrMalformedResponse)
	}
	p := &Page{Items: make([]Invitation, len(v.Items)), raw: body}
	for i := range v.Items {
		p.Items[i] = Invitation{InvitationReceived: v.Items[i], raw: items.raw[i]}
	}
	if v.Cursor != nil {
		p.NextCursor = *v.Cursor
	}
	return p, nil
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
