package client

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

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

// decodePage decodes a 200 body. Unknown fields and unknown enum values are
// accepted, null in string fields decodes as ""; a body that is not a JSON
// object, or lacks `items` or `cursor`, is ErrMalformedResponse.
//
// The body is decoded by pageDecoder (below), a decoder written for
// this one shape that accepts exactly the bodies encoding/json accepts into
// the generated types and yields the same values (FuzzDecodePage checks it
// against encoding/json), at several times its speed and without reflection.
func decodePage(body []byte) (*Page, error) {
	d := pageDecoder{data: body}
	items, cursor, present, err := d.page()
	if err != nil {
		return nil, fmt.Errorf("%w: %w (body starts %q)", ErrMalformedResponse, err, excerpt(body, 80))
	}
	switch {
	case items == nil:
		return nil, fmt.Errorf("%w: no `items` array", ErrMalformedResponse)
	case !present:
		return nil, fmt.Errorf("%w: no `cursor` field (a last page has `cursor: null`)", ErrMalformedResponse)
	}
	p := &Page{Items: *items}
	if cursor != nil {
		p.NextCursor = *cursor
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

// pageDecoder decodes an InvitationList body into the generated types
// without reflection. It follows encoding/json's Unmarshal exactly, which
// FuzzDecodePage checks by running both on the same inputs:
//
//   - the whole body must be one valid JSON value (RFC 8259 syntax,
//     nesting at most 10000 deep), with only white space around it;
//   - object member names match field names exactly or, failing that,
//     case-insensitively (bytes.EqualFold); unknown members are skipped;
//   - strings are unquoted as encoding/json does: invalid UTF-8 and
//     unpaired surrogate escapes become U+FFFD;
//   - null leaves a string or a struct as it was (so "" in a new value),
//     sets a pointer or the items slice to nil;
//   - a repeated member decodes again into the same value (the last one
//     wins for strings; objects and arrays merge element by element);
//   - a value of the wrong JSON type for its field (a number for a string,
//     a string for an object, ...) is an error, as it is for Unmarshal.
type pageDecoder struct {
	data   []byte
	pos    int
	depth  int
	keyBuf []byte // unquoted member names that needed unquoting
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// errorf reports a syntax or type error at the current offset.
func (d *pageDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *pageDecoder) syntaxError() error {
	if d.pos >= len(d.data) {
		return d.errorf("unexpected end of JSON input")
	}
	return d.errorf("invalid character %q", d.data[d.pos])
}

// typeError reports a value of the wrong type for a field. The value is
// still checked first, so that a syntax error is reported as one.
func (d *pageDecoder) typeError(what string) error {
	start := d.pos
	if err := d.skipValue(); err != nil {
		return err
	}
	d.pos = start
	return d.errorf("cannot decode %s into %s", kindOf(d.data[start]), what)
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

func (d *pageDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end (a
// NUL byte, invalid wherever it occurs, also gives 0: callers treat 0 as a
// syntax error, which syntaxError reports for either case).
func (d *pageDecoder) peek() byte {
	d.ws()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *pageDecoder) literal(lit string) error {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return nil
	}
	// Find the first byte that differs, as encoding/json would report it.
	for i := 0; i < len(lit); i++ {
		if d.pos >= len(d.data) || d.data[d.pos] != lit[i] {
			return d.syntaxError()
		}
		d.pos++
	}
	return nil
}

// page decodes the whole body: the items (nil when absent or null), the
// cursor (nil when null) and whether a cursor member was present.
func (d *pageDecoder) page() (items *[]Invitation, cursor *string, present bool, err error) {
	switch d.peek() {
	case '{':
	case 'n':
		// null into a struct leaves it unchanged: no items, no cursor.
		if err := d.literal("null"); err != nil {
			return nil, nil, false, err
		}
		if err := d.end(); err != nil {
			return nil, nil, false, err
		}
		return nil, nil, false, nil
	case 0:
		return nil, nil, false, d.syntaxError()
	default:
		return nil, nil, false, d.typeError("InvitationList")
	}
	if err := d.open(); err != nil {
		return nil, nil, false, err
	}
	for first := true; ; first = false {
		key, ok, err := d.nextMember(first)
		if err != nil {
			return nil, nil, false, err
		}
		if !ok {
			break
		}
		switch fieldIndex(key, "items", "cursor") {
		case 0:
			err = d.items(&items)
		case 1:
			present = true
			err = d.nullableString(&cursor)
		default:
			err = d.skipValue()
		}
		if err != nil {
			return nil, nil, false, err
		}
	}
	return items, cursor, present, d.end()
}

// end checks that only white space follows the value.
func (d *pageDecoder) end() error {
	if d.ws(); d.pos < len(d.data) { // not peek: a NUL byte is not the end
		return d.errorf("invalid character %q after top-level value", d.data[d.pos])
	}
	return nil
}

// matchName reports whether a member name selects the field name: equal,
// or equal under Unicode case folding (encoding/json's rule).
func matchName(key []byte, name string) bool {
	return string(key) == name || bytes.EqualFold(key, []byte(name))
}

// fieldIndex returns the index of the field name a member name selects
// (encoding/json's rule: an exact match, else a case-folded one; the
// names of one object never fold to each other), or -1.
func fieldIndex(key []byte, names ...string) int {
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	for i, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return i
		}
	}
	return -1
}

// open starts decoding the object or array at d.pos (white space skipped,
// '{' or '[' next), counting its depth. An object's members are then read
// with nextMember.
func (d *pageDecoder) open() error {
	d.pos++ // '{' or '['
	d.depth++
	if d.depth > maxDepth {
		return d.errorf("exceeded max depth")
	}
	return nil
}

// nextMember reads the name of the next member of the object being
// decoded (first: the first call after open) and the ':' after it,
// leaving d.pos at the value. It returns ok false at the end of the object.
// The name is valid until the next call.
func (d *pageDecoder) nextMember(first bool) (key []byte, ok bool, err error) {
	c := d.peek()
	switch {
	case c == '}':
		d.pos++
		d.depth--
		return nil, false, nil
	case first:
	case c == ',':
		d.pos++
		c = d.peek()
	default:
		return nil, false, d.syntaxError()
	}
	if c != '"' {
		return nil, false, d.syntaxError()
	}
	key, err = d.scratchString()
	if err != nil {
		return nil, false, err
	}
	if d.peek() != ':' {
		return nil, false, d.syntaxError()
	}
	d.pos++
	if d.peek() == 0 {
		return nil, false, d.syntaxError()
	}
	return key, true, nil
}

// items decodes the items array into *dst the way encoding/json decodes
// into a *[]T: null sets the pointer to nil; an array reuses the slice
// already there (a repeated `items` member), decoding element i into the
// element already at i, and leaves a non-nil empty slice for [].
func (d *pageDecoder) items(dst **[]Invitation) error {
	switch d.data[d.pos] {
	case 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		*dst = nil
		return nil
	case '[':
	default:
		return d.typeError("[]Invitation")
	}
	if *dst == nil {
		// A first guess at the capacity: a page of typical invitations
		// (about 600 bytes each) is decoded without growing the slice.
		s := make([]Invitation, 0, min(max(len(d.data)/512, 1), MaxPageSize))
		*dst = &s
	}
	s := **dst
	if err := d.open(); err != nil {
		return err
	}
	i := 0
	if d.peek() == ']' {
		d.pos++
	} else {
		for {
			if d.peek() == 0 {
				return d.syntaxError()
			}
			if i < cap(s) {
				s = s[:max(len(s), i+1)]
			} else {
				s = append(s, Invitation{})
			}
			if err := d.invitation(&s[i]); err != nil {
				return err
			}
			i++
			c := d.peek()
			if c == ']' {
				d.pos++
				break
			}
			if c != ',' {
				return d.syntaxError()
			}
			d.pos++
		}
	}
	d.depth--
	if i == 0 {
		s = []Invitation{}
	} else {
		s = s[:i]
	}
	**dst = s
	return nil
}

// invitation decodes one element of items into inv (null leaves it as is).
func (d *pageDecoder) invitation(inv *Invitation) error {
	switch d.data[d.pos] {
	case 'n':
		return d.literal("null")
	case '{':
	default:
		return d.typeError("Invitation")
	}
	if err := d.open(); err != nil {
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.nextMember(first)
		if err != nil || !ok {
			return err
		}
		if string(key) == "object" {
			err = d.strKnown((*string)(&inv.Object), string(gen.InvitationReceivedObjectInvitationReceived))
		} else if f := invitationField(inv, key); f != nil {
			err = d.str(f)
		} else if matchName(key, "inviter") {
			err = d.inviter(&inv.Inviter)
		} else if matchName(key, "specifics") {
			err = d.specifics(&inv.Specifics)
		} else {
			err = d.skipValue()
		}
		if err != nil {
			return err
		}
	}
}

// invitationField returns the string field of inv that key selects, or nil.
func invitationField(inv *Invitation, key []byte) *string {
	switch string(key) { // the common case: an exact match
	case "object":
		return nil // decoded by invitation (strKnown)
	case "id":
		return &inv.ID
	case "invited_user":
		return &inv.InvitedUser
	case "invited_user_id":
		return &inv.InvitedUserID
	case "invited_user_public_id":
		return &inv.InvitedUserPublicID
	case "invited_user_description":
		return &inv.InvitedUserDescription
	case "date":
		return &inv.Date
	case "parsed_datetime":
		return &inv.ParsedDatetime
	case "invitation_text":
		return &inv.InvitationText
	case "inviter", "specifics":
		return nil
	}
	for _, f := range [...]struct {
		name string
		ptr  *string
	}{
		{"object", (*string)(&inv.Object)}, {"id", &inv.ID}, {"invited_user", &inv.InvitedUser},
		{"invited_user_id", &inv.InvitedUserID}, {"invited_user_public_id", &inv.InvitedUserPublicID},
		{"invited_user_description", &inv.InvitedUserDescription}, {"date", &inv.Date},
		{"parsed_datetime", &inv.ParsedDatetime}, {"invitation_text", &inv.InvitationText},
	} {
		if bytes.EqualFold(key, []byte(f.name)) {
			return f.ptr
		}
	}
	return nil
}

// inviter decodes the inviter object into *dst: null sets nil, an object
// fills the Inviter already there or a new one.
func (d *pageDecoder) inviter(dst **gen.Inviter) error {
	return optionalObject(d, dst, "Inviter", func(v *gen.Inviter, key []byte) error {
		switch fieldIndex(key, "inviter_name", "inviter_id", "inviter_public_identifier", "inviter_description") {
		case 0:
			return d.str(&v.InviterName)
		case 1:
			return d.str(&v.InviterID)
		case 2:
			return d.str(&v.InviterPublicIdentifier)
		case 3:
			return d.str(&v.InviterDescription)
		}
		return d.skipValue()
	})
}

// specifics decodes the specifics object into *dst, like inviter.
func (d *pageDecoder) specifics(dst **gen.Specifics) error {
	return optionalObject(d, dst, "Specifics", func(v *gen.Specifics, key []byte) error {
		switch fieldIndex(key, "provider", "shared_secret") {
		case 0:
			return d.strKnown((*string)(&v.Provider), string(gen.ProviderLinkedIn))
		case 1:
			return d.str(&v.SharedSecret)
		}
		return d.skipValue()
	})
}

// optionalObject decodes an optional object field into *dst, as
// encoding/json does into a pointer: null sets nil; an object fills the T
// already there, or a new one, calling member for each of its members (the
// decoder at the member's value, which member must consume).
func optionalObject[T any](d *pageDecoder, dst **T, typeName string, member func(v *T, key []byte) error) error {
	switch d.data[d.pos] {
	case 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		*dst = nil
		return nil
	case '{':
	default:
		return d.typeError(typeName)
	}
	if *dst == nil {
		*dst = new(T)
	}
	v := *dst
	if err := d.open(); err != nil {
		return err
	}
	for first := true; ; first = false {
		key, ok, err := d.nextMember(first)
		if err != nil || !ok {
			return err
		}
		if err := member(v, key); err != nil {
			return err
		}
	}
}

// str decodes a string field: a string sets it, null leaves it as is.
func (d *pageDecoder) str(dst *string) error {
	switch d.data[d.pos] {
	case '"':
		s, err := d.stringValue()
		if err != nil {
			return err
		}
		*dst = s
		return nil
	case 'n':
		return d.literal("null")
	}
	return d.typeError("string")
}

// strKnown is str for a field that nearly always holds known: a value
// equal to it is not allocated again.
func (d *pageDecoder) strKnown(dst *string, known string) error {
	if d.data[d.pos] == '"' && len(d.data)-d.pos >= len(known)+2 &&
		d.data[d.pos+len(known)+1] == '"' && string(d.data[d.pos+1:d.pos+1+len(known)]) == known {
		d.pos += len(known) + 2
		*dst = known
		return nil
	}
	return d.str(dst)
}

// nullableString decodes the cursor: a string, or null (nil).
func (d *pageDecoder) nullableString(dst **string) error {
	switch d.data[d.pos] {
	case '"':
		s, err := d.stringValue()
		if err != nil {
			return err
		}
		*dst = &s
		return nil
	case 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		*dst = nil
		return nil
	}
	return d.typeError("string")
}

// stringValue decodes the string at d.pos into a new string.
func (d *pageDecoder) stringValue() (string, error) {
	// Fast path: printable ASCII without escapes is the string itself.
	start := d.pos + 1
	for i := plainRun(d.data, start); i < len(d.data); i++ {
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			return string(d.data[start:i]), nil
		}
		if c == '\\' || c < ' ' || c >= utf8.RuneSelf {
			break
		}
	}
	var scratch [128]byte
	b, _, err := d.stringBytes(scratch[:0])
	return string(b), err
}

// stringBytes decodes the string at d.pos ('"' next). It returns a slice of
// the body when the string needs no unquoting, else (copied true) the
// unquoted bytes appended to buf. The body is never written to.
func (d *pageDecoder) stringBytes(buf []byte) (_ []byte, copied bool, _ error) {
	data := d.data
	start := d.pos + 1
	i := plainRun(data, start)
	for i < len(data) {
		c := data[i]
		if c == '"' {
			d.pos = i + 1
			return data[start:i], false, nil
		}
		if c == '\\' || c < ' ' || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	b := append(buf, data[start:i]...)
	for {
		if i >= len(data) {
			d.pos = i
			return nil, false, d.syntaxError()
		}
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return b, true, nil
		case c < ' ':
			d.pos = i
			return nil, false, d.errorf("invalid character %q in string literal", c)
		case c < utf8.RuneSelf && c != '\\':
			b = append(b, c)
			i++
		case c == '\\':
			if i+1 >= len(data) {
				d.pos = i + 1
				return nil, false, d.syntaxError()
			}
			switch e := data[i+1]; e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				b = append(b, unescaped[e])
				i += 2
			case 'u':
				r, ok := hex4(data[i+2:])
				if !ok {
					d.pos = i + 2
					for j := 0; j < 4 && d.pos < len(data) && isHex(data[d.pos]); j++ {
						d.pos++
					}
					return nil, false, d.errorf("invalid \\u escape in string literal")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A pair only when another \u escape follows and the
					// two decode; else U+FFFD and the next escape (if any)
					// is decoded on its own.
					if len(data) >= i+6 && data[i] == '\\' && data[i+1] == 'u' {
						if r2, ok := hex4(data[i+2:]); ok {
							if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
								b = utf8.AppendRune(b, dec)
								i += 6
								continue
							}
						}
					}
					r = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, r)
			default:
				d.pos = i + 1
				return nil, false, d.errorf("invalid escape character %q in string literal", e)
			}
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, unicode.ReplacementChar)
			} else {
				b = append(b, data[i:i+size]...)
			}
			i += size
		}
	}
}

// plainRun returns the offset of the first byte at or after i that may end
// a plain string run ('"', '\\', a control character or a non-ASCII
// byte), looking at eight bytes at a time; the caller checks bytes from
// there one by one.
func plainRun(data []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		q := w ^ ('"' * ones)
		b := w ^ ('\\' * ones)
		// A byte of q or b is zero, a byte of w is < 0x20 or ≥ 0x80.
		if ((q-ones)&^q|(b-ones)&^b|(w-' '*ones)|w)&highs != 0 {
			return i
		}
	}
	return i
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scratchString decodes the string at d.pos into the decoder's scratch
// buffer (or returns a slice of the body when it has no escapes). The result
// is valid until the next call.
func (d *pageDecoder) scratchString() ([]byte, error) {
	b, copied, err := d.stringBytes(d.keyBuf[:0])
	if copied && cap(b) > cap(d.keyBuf) {
		d.keyBuf = b[:0] // grown; never a slice of the body, which is not ours to write
	}
	return b, err
}

// unescaped maps the letter of a one-letter escape (\n, \", ...) to the
// byte it stands for.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// skipValue checks and skips one JSON value of any type at d.pos.
func (d *pageDecoder) skipValue() error {
	switch c := d.peek(); {
	case c == '{':
		if err := d.open(); err != nil {
			return err
		}
		for first := true; ; first = false {
			_, ok, err := d.nextMember(first)
			if err != nil || !ok {
				return err
			}
			if err := d.skipValue(); err != nil {
				return err
			}
		}
	case c == '[':
		if err := d.open(); err != nil {
			return err
		}
		if d.peek() == ']' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			if err := d.skipValue(); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.depth--
				return nil
			default:
				return d.syntaxError()
			}
		}
	case c == '"':
		_, err := d.scratchString()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return d.syntaxError()
}

// number checks and skips a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *pageDecoder) number() error {
	data := d.data
	digits := func() bool {
		start := d.pos
		for d.pos < len(data) && '0' <= data[d.pos] && data[d.pos] <= '9' {
			d.pos++
		}
		return d.pos > start
	}
	if data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(data) && data[d.pos] == '0':
		d.pos++
	case !digits():
		return d.syntaxError()
	}
	if d.pos < len(data) && data[d.pos] == '.' {
		d.pos++
		if !digits() {
			return d.syntaxError()
		}
	}
	if d.pos < len(data) && (data[d.pos] == 'e' || data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(data) && (data[d.pos] == '+' || data[d.pos] == '-') {
			d.pos++
		}
		if !digits() {
			return d.syntaxError()
		}
	}
	return nil
}
