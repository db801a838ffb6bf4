package client

// The runtime of the decoders generated from the spec (decode_gen.go).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-faster/jx"
)

// elems collects the bytes of the elements of an array of objects, as
// slices of the body, in one pass: each element's start is found from its
// first member name (a slice of the body: its offset is what cap tells),
// each element's end from the next one's start (only white space and a
// comma lie between), the last one's by skipping it again. An element
// without a plain first name sets missed; the caller then decodes again
// with slow set, taking each element's bytes before decoding it.
type elems struct {
	body   []byte
	raw    []json.RawMessage
	starts []int
	slow   bool
	missed bool
}

// reset starts an array (a member may come twice: the last array counts).
func (e *elems) reset() {
	if e != nil {
		e.raw, e.starts = e.raw[:0], e.starts[:0]
	}
}

// start notes the element whose first member name is first.
func (e *elems) start(first []byte) {
	off := cap(e.body) - cap(first)
	if len(first) == 0 || off < 2 || off >= len(e.body) || &e.body[off] != &first[0] {
		e.missed = true
		return
	}
	i := off - 2 // before the name's opening quote
	for i > 0 && isSpace(e.body[i]) {
		i--
	}
	if e.body[i] != '{' || e.body[off-1] != '"' {
		e.missed = true
		return
	}
	e.starts = append(e.starts, i)
}

// end turns the starts into the elements' bytes.
func (e *elems) end() error {
	if e == nil || e.slow || e.missed {
		return nil
	}
	for i, start := range e.starts {
		var end int
		if i+1 < len(e.starts) {
			end = e.starts[i+1] - 1
			for isSpace(e.body[end]) {
				end--
			}
			for end--; isSpace(e.body[end]); end-- {
			}
			end++ // past the element's '}'
		} else {
			var d jx.Decoder
			d.ResetBytes(e.body[start:])
			raw, err := d.Raw()
			if err != nil {
				return err
			}
			end = start + len(raw)
		}
		e.raw = append(e.raw, e.body[start:end])
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeString decodes a JSON string into *dst as encoding/json does: null
// leaves it as it is; a string with escapes or invalid UTF-8 (rare) is
// unquoted by encoding/json itself, so that every such case matches.
func decodeString(d *jx.Decoder, dst *string) error {
	switch d.Next() {
	case jx.Null:
		return d.Null()
	case jx.String:
	default:
		return typeError(d, "string")
	}
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	if s := raw[1 : len(raw)-1]; bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		*dst = string(s)
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// decodeStd decodes the next value into v with encoding/json: the types the
// generator has no code for (numbers, booleans, maps, json.Unmarshalers).
func decodeStd(d *jx.Decoder, v any) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// typeError is a value of the wrong JSON type for goType.
func typeError(d *jx.Decoder, goType string) error {
	if t := d.Next(); t != jx.Invalid {
		return fmt.Errorf("cannot decode a JSON %s into %s", t, goType)
	}
	return errors.New("not a JSON value")
}

// end fails unless only white space follows the value.
func end(d *jx.Decoder) error {
	if err := d.Skip(); !errors.Is(err, io.EOF) {
		return errors.New("data after the top-level value")
	}
	return nil
}

// absent returns the names not marked in seen (bit i for names[i]).
func absent(names []string, seen uint64) (out []string) {
	for i, n := range names {
		if seen&(1<<i) == 0 {
			out = append(out, n)
		}
	}
	return out
}

// growSlice returns s with room for element i, reusing the elements
// already there (encoding/json decodes into them again).
func growSlice[T any](s []T, i int) []T {
	if i < cap(s) {
		return s[:max(len(s), i+1)]
	}
	var zero T
	return append(s[:cap(s)], zero)[:i+1]
}

// endSlice trims s to the n elements decoded; an empty array gives a
// non-nil empty slice.
func endSlice[T any](s []T, n int) []T {
	if n == 0 {
		return []T{}
	}
	return s[:n]
}

// pointerError is a value of a 200 body that does not fit the generated
// types: its JSON pointer (RFC 6901) and why.
type pointerError struct {
	pointer string
	err     error
}

func (e *pointerError) Error() string { return fmt.Sprintf("at JSON pointer %s: %v", e.pointer, e.err) }

func (e *pointerError) Unwrap() error { return e.err }

// at puts the member name in front of err's pointer.
func at(name string, err error) error {
	name = strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
	var e *pointerError
	if errors.As(err, &e) {
		e.pointer = "/" + name + e.pointer
		return err
	}
	return &pointerError{pointer: "/" + name, err: err}
}

// rootCause is err's innermost cause, at err's JSON pointer: jx wraps an
// error once per level of nesting it unwinds ("array: array: ..."), which
// says nothing the pointer and the cause do not.
func rootCause(err error) error {
	var at *pointerError
	errors.As(err, &at)
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
		err = u
	}
	if at != nil {
		return &pointerError{pointer: at.pointer, err: err}
	}
	return err
}

// atIndex puts the array index i in front of err's pointer.
func atIndex(i int, err error) error { return at(strconv.Itoa(i), err) }
