package contract

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Rule names what a disagreement breaks. A schema disagreement is named by
// kin-openapi's SchemaField (type, nullable, enum, required, minLength,
// pattern, format, ...); the rules below are the layer on top.
type Rule string

// The rules kin-openapi does not name.
const (
	RuleUndocumentedProperty  Rule = "undocumented property"
	RuleUndocumentedStatus    Rule = "undocumented status"
	RuleUndocumentedErrorType Rule = "undocumented error type"
	RuleUndocumentedOperation Rule = "undocumented operation"
	RuleHeader                Rule = "header"
	RuleContentType           Rule = "content type"
	RuleInvalidJSON           Rule = "invalid JSON"
	// RuleDecoding: the client refused a 200 body that conforms to the
	// spec (reported by `contract check`, which goes on from the body's
	// cursor).
	RuleDecoding Rule = "client decoding"
)

// errorTypeMember is the member of an error body that carries its error
// type (client.APIError.Type); secretMember's value is never shown.
const (
	errorTypeMember = "type"
	secretMember    = "shared_secret"
)

// Disagreement is one place where an exchange and the spec part.
type Disagreement struct {
	// Pointer is the JSON pointer into the response body
	// (/items/3/inviter/inviter_id); "" for the response itself.
	Pointer string `json:"pointer"`
	// Pattern is Pointer with array indexes as * (/items/*/inviter/...).
	Pattern string `json:"pattern"`
	// Rule is what is broken.
	Rule Rule `json:"rule"`
	// Spec is what the spec says (kin-openapi's reason for a schema
	// rule), Got what came: values shortened, a shared secret by its
	// length only, the API key never.
	Spec string `json:"spec"`
	Got  string `json:"got"`
}

// Where is the place a summary groups by: the pointer pattern, or
// "(response)" for the status, a header or the whole body.
func (d Disagreement) Where() string { return cmp.Or(d.Pattern, "(response)") }

// String is the disagreement on one line: pointer, rule, spec, got.
func (d Disagreement) String() string {
	return fmt.Sprintf("%s %s: spec: %s; got: %s", cmp.Or(d.Pointer, d.Where()), d.Rule, d.Spec, d.Got)
}

// Exchange is one request and its response, as observed or replayed.
type Exchange struct {
	// Method and URL (path and query; never the API key, which travels in
	// a header) of the request.
	Method string `json:"method"`
	URL    string `json:"url"`
	// Status, the response headers and the whole body.
	Status int         `json:"status"`
	Header http.Header `json:"header,omitempty"`
	Body   []byte      `json:"-"`
}

// Result is what the validator found in one exchange.
type Result struct {
	// Documented is whether the status is one the spec documents.
	Documented bool `json:"documented"`
	// ErrorType is an error response's error type, as sent.
	ErrorType string `json:"error_type,omitempty"`
	// Disagreements are sorted by pointer.
	Disagreements []Disagreement `json:"disagreements"`
}

// show turns kin-openapi's schema errors on body into disagreements,
// showing what came from the body itself.
type show struct {
	body          any
	redact        func(string) string
	errorResponse bool
	out           []Disagreement
}

// schemaErrors adds err's schema errors (allOf branches flattened). From
// the strict copy (undocumented) it keeps only the members the spec does
// not document, one disagreement each.
func (s *show) schemaErrors(err error, undocumented bool) {
	switch e := err.(type) { //nolint:errorlint // walks kin-openapi's own tree of errors as it builds it, no wrapping
	case nil:
	case openapi3.MultiError:
		for _, e := range e {
			s.schemaErrors(e, undocumented)
		}
	case *openapi3.SchemaError:
		if inner := errors.Unwrap(errors.Unwrap(e.Origin)); inner != nil && e.SchemaField == "allOf" {
			s.schemaErrors(inner, undocumented)
			return
		}
		tokens := e.JSONPointer()
		ptr, pat, v := s.at(tokens)
		member := strings.Join(tokens[max(0, len(tokens)-1):], "") // the last token
		m, isObject := v.(map[string]any)
		switch rule := Rule(e.SchemaField); {
		case undocumented && rule == "properties" && isObject:
			for _, name := range slices.Sorted(maps.Keys(m)) {
				if _, ok := e.Schema.Properties[name]; !ok {
					s.add(ptr+"/"+escape(name), pat+"/"+escape(name), RuleUndocumentedProperty, "not in the spec", s.value(m[name], name))
				}
			}
		case undocumented:
		case rule == "required":
			s.add(ptr, pat, rule, s.redact(e.Reason), "absent")
		default:
			if s.errorResponse && ptr == "/"+errorTypeMember && rule == "enum" {
				rule = RuleUndocumentedErrorType
			}
			s.add(ptr, pat, rule, shorten(s.redact(e.Reason), 120), s.value(v, member))
		}
	default:
		if !undocumented {
			s.add("", "", "schema", shorten(s.redact(err.Error()), 120), "")
		}
	}
}

// add appends a disagreement unless the same one is there (the strict copy
// names each undocumented member once per error of its object).
func (s *show) add(ptr, pat string, rule Rule, spec, got string) {
	d := Disagreement{Pointer: ptr, Pattern: pat, Rule: rule, Spec: spec, Got: got}
	if !slices.Contains(s.out, d) {
		s.out = append(s.out, d)
	}
}

// at follows tokens into the body: the pointer, its pattern (array indexes
// as *) and the value there (nil if absent).
func (s *show) at(tokens []string) (ptr, pat string, v any) {
	v = s.body
	for _, t := range tokens {
		ptr += "/" + escape(t)
		if c, ok := v.([]any); ok {
			pat += "/*"
			i, err := strconv.Atoi(t)
			if v = nil; err == nil && i >= 0 && i < len(c) {
				v = c[i]
			}
		} else {
			pat += "/" + escape(t)
			m, _ := v.(map[string]any)
			v = m[t]
		}
	}
	return ptr, pat, v
}

// value is what the report shows of v: a scalar shortened, a composite by
// its size; a shared secret by its type and length only, the key never.
func (s *show) value(v any, member string) string {
	if member == secretMember {
		if str, ok := v.(string); ok {
			return fmt.Sprintf("a string of %d characters (not shown)", utf8.RuneCountInString(str))
		}
		return "a value (not shown)"
	}
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(shorten(s.redact(v), 40))
	case float64, bool:
		return fmt.Sprint(v)
	case []any:
		return fmt.Sprintf("an array of %d", len(v))
	case map[string]any:
		return fmt.Sprintf("an object with %d members", len(v))
	}
	return fmt.Sprintf("%T", v)
}

// shorten cuts s to at most n runes, marking the cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// escape escapes a JSON pointer token (RFC 6901).
func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// sorted orders disagreements by pointer (array indexes by number), then
// rule, so that a report and a .want file do not depend on map order.
func sorted(ds []Disagreement) []Disagreement {
	key := func(d Disagreement) string {
		return number.ReplaceAllStringFunc(d.Pointer, func(n string) string { return fmt.Sprintf("/%020s", n[1:]) }) + " " + string(d.Rule)
	}
	slices.SortStableFunc(ds, func(a, b Disagreement) int { return strings.Compare(key(a), key(b)) })
	return ds
}

var number = regexp.MustCompile(`/[0-9]+`)

// Group is one line of a summary: how often a rule was broken at one
// place, with up to three example pointers and the first value seen.
type Group struct {
	Rule     Rule     `json:"rule"`
	Where    string   `json:"where"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
	Spec     string   `json:"spec"`
	First    string   `json:"first"`
}

// Summarize groups disagreements by rule and place (pointer pattern, header
// or the response), in order of first appearance.
func Summarize(ds []Disagreement) []Group {
	idx := map[[2]string]int{}
	out := []Group{}
	for _, d := range ds {
		k := [2]string{string(d.Rule), d.Where()}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Group{Rule: d.Rule, Where: d.Where(), Spec: d.Spec, First: d.Got})
		}
		out[i].Count++
		if len(out[i].Examples) < 3 && d.Pointer != "" && !slices.Contains(out[i].Examples, d.Pointer) {
			out[i].Examples = append(out[i].Examples, d.Pointer)
		}
	}
	return out
}

// WantText is the content of a fixture's .want file: one disagreement a
// line.
func WantText(ds []Disagreement) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}
