package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/params"
)

// listOp is what the paging engine knows of one cursor-paged list
// operation of the spec, P its parameter type (gen's) and T its item type
// (the client's). listops_gen.go has one for every operation that
// openapi.yaml marks with x-speakeasy-pagination; the engine (Pager,
// fetch) is written once for all of them.
type listOp[P, T any] struct {
	// send is the generated client's method for the operation.
	send func(c *gen.Client, ctx context.Context, p *P, editors ...gen.RequestEditorFn) (*http.Response, error)
	// cursor and limit point at the parameters that take the cursor and
	// the page size (limit is nil when the operation has none).
	cursor func(p *P) *string
	limit  func(p *P) *int
	// maxLimit is the page size the listing asks for when the caller set
	// none (the spec's maximum, or its default when it gives no maximum;
	// 0 when the operation has no page size), apiLimit the page size the
	// API uses when none is sent.
	maxLimit, apiLimit int
	// rules are the spec's rules of the operation's query parameters.
	rules params.Rules
	// items and next are the members of a 200 body that hold the items
	// and the next cursor (x-speakeasy-pagination's results and
	// nextCursor).
	items, next string
	// decode decodes one item, the decoder's next value, into v's
	// generated type.
	decode func(dec *json.Decoder, v *T) error
}

// rawJSON holds the bytes the server sent for an item. Each item type
// embeds it, which gives it RawJSON.
type rawJSON struct{ raw json.RawMessage }

// RawJSON returns the item exactly as the server sent it, members the spec
// does not list included (nil for an item not decoded from a page). It is a
// slice of the page's body, shared by the page's items and its own RawJSON:
// do not modify it, and note that keeping any item's RawJSON keeps the
// whole page's body in memory.
func (r rawJSON) RawJSON() json.RawMessage { return r.raw }

func (r *rawJSON) setRaw(b json.RawMessage) { r.raw = b }

// decodePage decodes a 200 body with op, through encoding/json on gen's
// types, reading the body once: a json.Decoder walks the page's members,
// decodes each item of the items member straight into its generated type
// and takes its bytes from the offsets the decoder reports. Unknown members
// and unknown enum values are accepted, null in a string field decodes as
// "", and of a member given twice the last counts, as with json.Unmarshal.
// A body that is not one JSON object, or lacks the items array or the
// next-cursor member, is ErrMalformedResponse: those are the members paging
// depends on (an absent cursor would read as the last page). The error
// names the JSON pointer of a value that does not fit, and quotes the body
// only when it is not a JSON object. The page and each item keep their
// bytes (RawJSON): slices of body, not copies.
func decodePage[P, T any](op *listOp[P, T], body []byte) (*Page[T], error) {
	p := &Page[T]{raw: body}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := expectDelim(dec, '{', "a JSON object"); err != nil {
		return nil, malformed(body, "", err)
	}
	var haveItems, haveNext bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(body, "", err)
		}
		switch name, _ := tok.(string); {
		case member(name, op.items):
			haveItems = true
			if p.Items, err = decodeItems(op, dec, body); err != nil {
				return nil, err
			}
		case member(name, op.next):
			var c nextCursor
			if err := dec.Decode(&c); err != nil {
				return nil, malformed(body, "/"+op.next, err)
			}
			haveNext, p.NextCursor = true, c.value
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, malformed(body, "", err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, malformed(body, "", err)
	}
	// What follows the object is read from the body, not through the
	// decoder: its offsets lag behind for text that is not JSON, and a
	// token would put the body's data in the error.
	if rest := bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, malformed(body, "", fmt.Errorf("data after the page's object at byte %d", len(body)-len(rest)))
	}
	switch {
	case !haveNext:
		return nil, fmt.Errorf("%w: no `%s` member (a last page has `%s: null`)", ErrMalformedResponse, op.next, op.next)
	case !haveItems || p.Items == nil:
		return nil, fmt.Errorf("%w: no `%s` array", ErrMalformedResponse, op.items)
	}
	return p, nil
}

// decodeItems decodes the items array, the decoder's next value; nil for
// null.
func decodeItems[P, T any](op *listOp[P, T], dec *json.Decoder, body []byte) ([]T, error) {
	at := "/" + op.items
	start := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed(body, at, err)
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('[') {
		return nil, malformed(body, at, fmt.Errorf("at JSON pointer %s: cannot decode a JSON %s into an array", at, kind(body[start:])))
	}
	items := []T{}
	for i := 0; dec.More(); i++ {
		items = append(items, *new(T))
		v := &items[i]
		from := dec.InputOffset()
		if err := op.decode(dec, v); err != nil {
			return nil, malformed(body, fmt.Sprintf("%s/%d", at, i), err)
		}
		raw := body[skipSpace(body, from):dec.InputOffset()]
		any(v).(interface{ setRaw(json.RawMessage) }).setRaw(raw)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, malformed(body, at, err)
	}
	return items, nil
}

// expectDelim reads the decoder's next token, which must be d.
func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("want %s, got %v", what, tok)
	}
	return nil
}

// skipSpace returns the offset of the first byte of b at or after i that
// is neither JSON white space nor a comma (the separator before an array
// element, which the decoder reads with the element).
func skipSpace(b []byte, i int64) int64 {
	rest := b[i:]
	return i + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n,")))
}

// kind names the JSON kind of the first value in b (after white space
// and a colon).
func kind(b []byte) string {
	b = bytes.TrimLeft(b, " \t\r\n:")
	if len(b) == 0 {
		return "value"
	}
	switch b[0] {
	case '{':
		return "object"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	default:
		return "number"
	}
}

// member reports whether the object member key names the member name, as
// encoding/json matches names to fields: exactly, or else without regard
// to case.
func member(key, name string) bool { return key == name || strings.EqualFold(key, name) }

// nextCursor is the next-cursor member of a page: its value, "" for null.
type nextCursor struct{ value string }

func (c *nextCursor) UnmarshalJSON(b []byte) error {
	c.value = ""
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &c.value)
}

// malformed wraps a decoding error of body (of the value at the JSON
// pointer at, "" for the whole body) in ErrMalformedResponse, saying
// where and what; the body's text goes into it only when the body is not a
// JSON object (a proxy's HTML page: its start tells what answered), since a
// page holds personal data and shared secrets.
func malformed(body []byte, at string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		err = fmt.Errorf("at JSON pointer %s: cannot decode a JSON %s into %s", at+pointer(typ.Field), typ.Value, typ.Type)
	case errors.As(err, &syn):
		err = fmt.Errorf("invalid JSON at byte %d: %w", syn.Offset, err)
	}
	trimmed := strings.TrimLeft(string(body[:min(len(body), 64)]), " \t\r\n")
	if strings.HasPrefix(trimmed, "{") {
		return fmt.Errorf("%w: %w (%d-byte body)", ErrMalformedResponse, err, len(body))
	}
	return fmt.Errorf("%w: %w (body starts %q)", ErrMalformedResponse, err, excerpt(body, 80))
}

// pointer turns encoding/json's field path (a.b.c) into a JSON pointer.
func pointer(field string) string {
	if field == "" {
		return ""
	}
	return "/" + strings.ReplaceAll(field, ".", "/")
}
