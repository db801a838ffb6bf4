package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unsafe"

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
	// and the next cursor.
	items, next string
	// page decodes a 200 body into the bytes of each item and the next
	// cursor; the generated function names the members the spec gives
	// (x-speakeasy-pagination's results and nextCursor).
	page func(body []byte) ([]rawItem, nextCursor, error)
	// item decodes one item from its bytes, which it keeps (RawJSON).
	item func(raw json.RawMessage) (T, error)
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

// rawItem is the bytes of one element of a page's items array, kept
// without a copy where the decoder hands over a slice of the body.
type rawItem struct{ raw json.RawMessage }

// UnmarshalJSON keeps b; decodePage copies it when it is not a slice of
// the body.
func (r *rawItem) UnmarshalJSON(b []byte) error {
	r.raw = b
	return nil
}

// nextCursor is the next-cursor member of a page: whether it was present,
// and its value ("" for null).
type nextCursor struct {
	present bool
	value   string
}

// UnmarshalJSON reads one occurrence of the member; of several, the last
// wins, as encoding/json has it (a null after a string clears it).
func (c *nextCursor) UnmarshalJSON(b []byte) error {
	c.present, c.value = true, ""
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &c.value)
}

// decodePage decodes a 200 body with op, through encoding/json on gen's
// types: unknown members and unknown enum values are accepted, null in a
// string field decodes as "". A body that is not a JSON object, or lacks
// the items array or the next-cursor member, is ErrMalformedResponse: those
// are the members paging depends on (an absent cursor would read as the
// last page). The error names the JSON pointer of a value that does not
// fit, and quotes the body only when it is not a JSON object. The page and
// each item keep their bytes (RawJSON): slices of body, not copies.
func decodePage[P, T any](op *listOp[P, T], body []byte) (*Page[T], error) {
	raws, next, err := op.page(body)
	if err != nil {
		return nil, malformed(body, "", err)
	}
	if !next.present {
		return nil, fmt.Errorf("%w: no `%s` member (a last page has `%s: null`)", ErrMalformedResponse, op.next, op.next)
	}
	if raws == nil {
		return nil, fmt.Errorf("%w: no `%s` array", ErrMalformedResponse, op.items)
	}
	p := &Page[T]{Items: make([]T, len(raws)), NextCursor: next.value, raw: body}
	for i, r := range raws {
		raw := r.raw
		if !within(raw, body) {
			raw = append(json.RawMessage(nil), raw...)
		}
		if p.Items[i], err = op.item(raw); err != nil {
			return nil, malformed(body, fmt.Sprintf("/%s/%d", op.items, i), err)
		}
	}
	return p, nil
}

// within reports whether b is a slice of body's memory.
func within(b, body []byte) bool {
	if len(b) == 0 || len(body) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(body)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p+uintptr(len(b)) <= start+uintptr(len(body))
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
