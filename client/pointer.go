package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/postpress/postpress-go/gen"
)

// withPointer adds to err, the failure to decode body as a page, the JSON
// pointer (RFC 6901) of the member that does not fit the types, when there
// is one. On this error path only, encoding/json decodes the body into the
// generated type to find the offset of the misfit, and its tokenizer walks
// the body to that offset; so the pointer does not depend on the decoder
// the page path uses.
func withPointer(err error, body []byte) error {
	var v gen.InvitationList
	var te *json.UnmarshalTypeError
	if !errors.As(json.Unmarshal(body, &v), &te) {
		return err
	}
	if p, ok := pointerAt(body, te.Offset); ok {
		return fmt.Errorf("%w (at JSON pointer %s)", err, p)
	}
	return err
}

// frame is one open object or array on the way to a value.
type frame struct {
	array     bool
	index     int
	key       string
	expectKey bool
}

// pointerAt returns the JSON pointer of the first value of body that ends
// at or after offset: the value encoding/json reported a type error for
// (Go's decoders report an offset at the start or just past the value).
func pointerAt(body []byte, offset int64) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []frame
	pointer := func() string {
		var b strings.Builder
		for _, f := range stack {
			b.WriteByte('/')
			if f.array {
				b.WriteString(strconv.Itoa(f.index))
			} else {
				b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(f.key))
			}
		}
		return b.String()
	}
	done := func() { // a value of the innermost container is complete
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].expectKey = true
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].expectKey {
			if key, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].expectKey = key, false
				continue
			}
		}
		switch tok {
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
			continue
		}
		if dec.InputOffset() >= offset {
			if p := pointer(); p != "" {
				return p, true
			}
			return "", false
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{expectKey: true})
		case json.Delim('['):
			stack = append(stack, frame{array: true})
		default:
			done()
		}
	}
}
