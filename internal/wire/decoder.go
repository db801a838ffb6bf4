// Package wire decodes the API's JSON bodies into the types of package gen
// without reflection. The per-type decoders in decode_gen.go are generated
// from openapi.yaml and gen's types by internal/specgen (`go generate`);
// this file is their runtime: a JSON reader that follows encoding/json's
// Unmarshal exactly, which the client's FuzzDecodePage checks by running
// both on the same inputs:
//
//   - the whole body must be one valid JSON value (RFC 8259 syntax,
//     nesting at most 10000 deep), with only white space around it;
//   - object member names match field names exactly or, failing that,
//     case-insensitively (bytes.EqualFold); unknown members are skipped;
//   - strings are unquoted as encoding/json does: invalid UTF-8 and
//     unpaired surrogate escapes become U+FFFD;
//   - null leaves a string, number, bool or struct as it was, and sets a
//     pointer, slice or map to nil;
//   - a repeated member decodes again into the same value (the last one
//     wins for scalars; objects and arrays merge element by element);
//   - a value of the wrong JSON type for its field (a number for a string,
//     a string for an object, ...) is an error, as it is for Unmarshal;
//   - a Go type without a fast path (a json.Unmarshaler such as time.Time,
//     a map, an interface) is decoded by encoding/json from the value's
//     bytes, so no member the spec declares is ever skipped.
package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// decoder reads one JSON body. It never writes to data.
type decoder struct {
	data   []byte
	pos    int
	depth  int
	keyBuf []byte // unquoted member names that needed unquoting
}

// MissingError is a body whose top-level object lacks members the spec
// requires.
type MissingError struct {
	// Type is the schema of the body, such as "InvitationList".
	Type string
	// Members are the JSON names of the required members that were absent.
	Members []string
}

// Error names the absent members.
func (e *MissingError) Error() string {
	return fmt.Sprintf("%s lacks required member(s) %q", e.Type, e.Members)
}

// missing returns a *MissingError for the required members (names, in the
// spec's order) whose bit is not set in seen, or nil.
func missing(typeName string, names []string, seen uint64) error {
	var absent []string
	for i, n := range names {
		if seen&(1<<i) == 0 {
			absent = append(absent, n)
		}
	}
	if absent == nil {
		return nil
	}
	return &MissingError{Type: typeName, Members: absent}
}

// foldIndex returns the index of the name a member name selects when no
// name matches it exactly: the first one equal under Unicode case folding
// (encoding/json's rule), or -1.
func foldIndex(key []byte, names []string) int {
	for i, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return i
		}
	}
	return -1
}

// null consumes a null literal if one is next; isNull reports whether it
// was one.
func (d *decoder) null() (isNull bool, err error) {
	if d.data[d.pos] != 'n' {
		return false, nil
	}
	return true, d.literal("null")
}

// beginObject starts decoding an object into a struct: isNull true (null
// consumed) leaves the struct as it is; otherwise the object is opened
// and its members follow.
func (d *decoder) beginObject(typeName string) (isNull bool, err error) {
	return d.begin(typeName, '{')
}

// beginArray starts decoding an array into a slice: isNull true (null
// consumed) means the slice is set to nil; otherwise the array is opened
// and nextElement reads its elements.
func (d *decoder) beginArray(typeName string) (isNull bool, err error) {
	return d.begin(typeName, '[')
}

// begin is beginObject or beginArray, by the bracket that opens the value.
func (d *decoder) begin(typeName string, bracket byte) (isNull bool, err error) {
	switch d.data[d.pos] {
	case 'n':
		return true, d.literal("null")
	case bracket:
		return false, d.open()
	}
	return false, d.typeError(typeName)
}

// nextElement moves to the next element of the array being decoded
// (first: the first call after beginArray). It returns ok false after the
// closing bracket.
func (d *decoder) nextElement(first bool) (ok bool, err error) {
	c := d.peek()
	switch {
	case c == ']':
		d.pos++
		d.depth--
		return false, nil
	case first && c != 0:
		return true, nil
	case !first && c == ',':
		d.pos++
		if d.peek() == 0 {
			return false, d.syntaxError()
		}
		return true, nil
	}
	return false, d.syntaxError()
}

// growSlice makes room for element i of s as encoding/json does: an
// element already in the backing array is reused (decoded into again).
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

// sliceHint is the capacity a new slice of a top-level array of objects
// starts with: about one element per 512 bytes of body, so that a page of
// typical invitations (about 600 bytes each) decodes without growing it.
func (d *decoder) sliceHint() int { return min(max(len(d.data)/512, 1), 1024) }

// strEnum is str for a field that nearly always holds one of known: such a
// value is not allocated again.
func (d *decoder) strEnum(dst *string, known []string) error {
	if d.data[d.pos] == '"' {
		for _, k := range known {
			if len(d.data)-d.pos >= len(k)+2 && d.data[d.pos+len(k)+1] == '"' && string(d.data[d.pos+1:d.pos+1+len(k)]) == k {
				d.pos += len(k) + 2
				*dst = k
				return nil
			}
		}
	}
	return d.str(dst)
}

// numberBytes checks the number at d.pos and returns its text, or a type
// error for any other kind of value.
func (d *decoder) numberBytes(typeName string) ([]byte, error) {
	if c := d.data[d.pos]; c != '-' && (c < '0' || c > '9') {
		return nil, d.typeError(typeName)
	}
	start := d.pos
	if err := d.number(); err != nil {
		return nil, err
	}
	return d.data[start:d.pos], nil
}

// decodeNumber decodes a JSON number into dst with parse: null leaves it
// as is; a number parse rejects is an error at the number.
func decodeNumber[T any](d *decoder, dst *T, typeName string, parse func(string) (T, error)) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	start := d.pos
	b, err := d.numberBytes(typeName)
	if err != nil {
		return err
	}
	v, perr := parse(string(b))
	if perr != nil {
		d.pos = start
		return d.errorf("cannot decode number %s into %s", b, typeName)
	}
	*dst = v
	return nil
}

// bitSize is the size of T in bits, for strconv.
func bitSize[T any]() int {
	var zero T
	return int(unsafe.Sizeof(zero)) * 8
}

// decodeInt decodes a JSON number into a signed integer field: null leaves
// it as is; a fraction, an exponent or a value out of range is an error.
func decodeInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](d *decoder, dst *T, typeName string) error {
	return decodeNumber(d, dst, typeName, func(s string) (T, error) {
		n, err := strconv.ParseInt(s, 10, bitSize[T]())
		return T(n), err
	})
}

// decodeUint is decodeInt for unsigned integers.
func decodeUint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64](d *decoder, dst *T, typeName string) error {
	return decodeNumber(d, dst, typeName, func(s string) (T, error) {
		n, err := strconv.ParseUint(s, 10, bitSize[T]())
		return T(n), err
	})
}

// decodeFloat decodes a JSON number into a float field: null leaves it as
// is; a value out of the type's range is an error.
func decodeFloat[T ~float32 | ~float64](d *decoder, dst *T, typeName string) error {
	return decodeNumber(d, dst, typeName, func(s string) (T, error) {
		f, err := strconv.ParseFloat(s, bitSize[T]())
		return T(f), err
	})
}

// decodeBool decodes true or false into a bool field: null leaves it as is.
func decodeBool[T ~bool](d *decoder, dst *T, typeName string) error {
	switch d.data[d.pos] {
	case 'n':
		return d.literal("null")
	case 't':
		if err := d.literal("true"); err != nil {
			return err
		}
		*dst = true
		return nil
	case 'f':
		if err := d.literal("false"); err != nil {
			return err
		}
		*dst = false
		return nil
	}
	return d.typeError(typeName)
}

// decodeStd decodes the value at d.pos with encoding/json into dst (a
// pointer): the path for Go types without a fast path, so that they are
// decoded exactly as Unmarshal would.
func (d *decoder) decodeStd(dst any) error {
	start := d.pos
	if err := d.skipValue(); err != nil {
		return err
	}
	if err := json.Unmarshal(d.data[start:d.pos], dst); err != nil {
		end := d.pos
		d.pos = start
		err = d.errorf("%v", err)
		d.pos = end
		return err
	}
	return nil
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// errorf reports a syntax or type error at the current offset.
func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *decoder) syntaxError() error {
	if d.pos >= len(d.data) {
		return d.errorf("unexpected end of JSON input")
	}
	return d.errorf("invalid character %q", d.data[d.pos])
}

// typeError reports a value of the wrong type for a field. The value is
// still checked first, so that a syntax error is reported as one.
func (d *decoder) typeError(what string) error {
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

func (d *decoder) ws() {
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
func (d *decoder) peek() byte {
	d.ws()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) literal(lit string) error {
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

// end checks that only white space follows the value.
func (d *decoder) end() error {
	if d.ws(); d.pos < len(d.data) { // not peek: a NUL byte is not the end
		return d.errorf("invalid character %q after top-level value", d.data[d.pos])
	}
	return nil
}

// open starts decoding the object or array at d.pos (white space skipped,
// '{' or '[' next), counting its depth. An object's members are then read
// with nextMember.
func (d *decoder) open() error {
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
func (d *decoder) nextMember(first bool) (key []byte, ok bool, err error) {
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

// str decodes a string field: a string sets it, null leaves it as is.
func (d *decoder) str(dst *string) error {
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

// stringValue decodes the string at d.pos into a new string.
func (d *decoder) stringValue() (string, error) {
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
func (d *decoder) stringBytes(buf []byte) (_ []byte, copied bool, _ error) {
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
func (d *decoder) scratchString() ([]byte, error) {
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
func (d *decoder) skipValue() error {
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
func (d *decoder) number() error {
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
