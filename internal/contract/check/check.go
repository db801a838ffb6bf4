// Package check compares HTTP exchanges with the postpress API against
// openapi.yaml (the copy embedded in package gen) and reports every
// disagreement, each with the JSON pointer into the body where it is and the
// rule it breaks. It is what `postpress contract check` and `postpress
// invitations received --validate` run, and what replays the fixtures under
// testdata/contract/ in `go test`.
//
// Unlike kin-openapi's validator (package contract), which stops at what
// the schema forbids, the checker walks the body against the spec's schemas
// itself: it reports members the spec does not document (the spec leaves
// additionalProperties open, so a validator accepts them), every
// disagreement rather than the first of each response, and the pointer
// pattern (/items/*/date) that groups the same disagreement across items.
// It handles the schema constructs the spec uses ($ref, allOf, type,
// nullable, required, properties, items, enum, string and number bounds,
// pattern, the date-time, date, int32 and int64 formats) and refuses to
// load a spec that uses any other, rather than skip it.
//
// No importer of package client links this package.
package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/gen/spec"
)

// Rule names what a disagreement breaks.
type Rule string

// The rules. Most are the schema keyword that was broken.
const (
	RuleType                  Rule = "type"
	RuleNullable              Rule = "nullable"
	RuleRequired              Rule = "required"
	RuleEnum                  Rule = "enum"
	RuleMinLength             Rule = "minLength"
	RuleMaxLength             Rule = "maxLength"
	RulePattern               Rule = "pattern"
	RuleFormat                Rule = "format"
	RuleMinimum               Rule = "minimum"
	RuleMaximum               Rule = "maximum"
	RuleMinItems              Rule = "minItems"
	RuleMaxItems              Rule = "maxItems"
	RuleUndocumentedProperty  Rule = "undocumented property"
	RuleUndocumentedStatus    Rule = "undocumented status"
	RuleUndocumentedErrorType Rule = "undocumented error type"
	RuleUndocumentedOperation Rule = "undocumented operation"
	RuleMissingHeader         Rule = "missing header"
	RuleContentType           Rule = "content type"
	RuleInvalidJSON           Rule = "invalid JSON"
	// RuleDecoding: the client decoded a member differently from
	// encoding/json on the generated types.
	RuleDecoding Rule = "client decoding"
	// RuleDropped: a member the spec documents is in the body but not in
	// what encoding/json on the generated types keeps of it.
	RuleDropped Rule = "dropped member"
)

// Disagreement is one place where an exchange and the spec part.
type Disagreement struct {
	// Pointer is the JSON pointer into the response body
	// (/items/3/inviter/inviter_description); "" for the whole body or
	// the response itself (its status, a header).
	Pointer string `json:"pointer"`
	// Pattern is Pointer with array indexes as * (/items/*/inviter/...).
	Pattern string `json:"pattern"`
	// Header names the response header the disagreement is about, if any.
	Header string `json:"header,omitempty"`
	// Rule is what is broken.
	Rule Rule `json:"rule"`
	// Spec is what the spec says, Got what came (values shortened; a
	// shared secret and the API key are never shown).
	Spec string `json:"spec"`
	Got  string `json:"got"`
}

// Where is the place the summary groups by: the pointer pattern, the
// header, or "(response)".
func (d Disagreement) Where() string {
	switch {
	case d.Header != "":
		return "header " + d.Header
	case d.Pattern == "" && d.Pointer == "":
		return "(response)"
	}
	return d.Pattern
}

// String is the disagreement on one line: rule, pointer, spec, got.
func (d Disagreement) String() string {
	where := d.Pointer
	switch {
	case d.Header != "":
		where = "header " + d.Header
	case where == "":
		where = "(response)"
	}
	return fmt.Sprintf("%s %s: spec: %s; got: %s", where, d.Rule, d.Spec, d.Got)
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

// Result is what the checker found in one exchange.
type Result struct {
	// Documented is whether the status is one the spec documents for the
	// operation.
	Documented bool `json:"documented"`
	// ErrorType is an error response's error type, as sent.
	ErrorType string `json:"error_type,omitempty"`
	// Disagreements are in body order within each kind of check.
	Disagreements []Disagreement `json:"disagreements"`
}

// Checker checks exchanges against the spec. It is safe for concurrent use.
type Checker struct {
	doc    *openapi3.T
	redact func(string) string
}

// Option configures a Checker.
type Option func(*Checker)

// WithSecret hides s (the API key) wherever a value shown could contain it.
func WithSecret(s string) Option {
	return func(c *Checker) {
		if s == "" {
			return
		}
		prev := c.redact
		c.redact = func(v string) string { return strings.ReplaceAll(prev(v), s, "[API key]") }
	}
}

// New returns a checker over the spec embedded in package gen. It fails if
// the spec uses a schema construct the checker does not handle.
func New(opts ...Option) (*Checker, error) {
	doc, err := loadSpec()
	if err != nil {
		return nil, err
	}
	return NewFor(doc, opts...)
}

// loadSpec is the one place that knows where the embedded spec lives.
func loadSpec() (*openapi3.T, error) {
	doc, err := spec.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("check: load the embedded spec: %w", err)
	}
	return doc, nil
}

// NewFor returns a checker over doc (tests use edited copies of the spec).
func NewFor(doc *openapi3.T, opts ...Option) (*Checker, error) {
	c := &Checker{doc: doc, redact: func(s string) string { return s }}
	for _, o := range opts {
		o(c)
	}
	seen := map[*openapi3.Schema]bool{}
	for _, p := range slices.Sorted(mapKeys(doc.Paths.Map())) {
		if strings.Contains(p, "{") {
			return nil, fmt.Errorf("check: path %s: templated paths are not handled", p)
		}
		for method, op := range doc.Paths.Value(p).Operations() {
			for _, code := range slices.Sorted(mapKeys(op.Responses.Map())) {
				r := op.Responses.Value(code).Value
				if r == nil {
					return nil, fmt.Errorf("check: %s %s %s: unresolved response", method, p, code)
				}
				for _, ct := range slices.Sorted(mapKeys(r.Content)) {
					where := fmt.Sprintf("%s %s response %s %s", method, p, code, ct)
					if err := supported(where, r.Content[ct].Schema, seen); err != nil {
						return nil, fmt.Errorf("check: %w", err)
					}
				}
				for _, h := range slices.Sorted(mapKeys(r.Headers)) {
					hr := r.Headers[h]
					if hr.Value == nil || hr.Value.Schema == nil {
						return nil, fmt.Errorf("check: %s %s response %s header %s: no schema", method, p, code, h)
					}
					if err := supported(fmt.Sprintf("%s %s response %s header %s", method, p, code, h), hr.Value.Schema, seen); err != nil {
						return nil, fmt.Errorf("check: %w", err)
					}
				}
			}
		}
	}
	return c, nil
}

// operation finds the spec's operation for method and the URL's path. The
// path matches by suffix, so any base (/api/v1, a test server's root) works.
func (c *Checker) operation(method, rawURL string) (*openapi3.Operation, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	path := strings.TrimRight(u.Path, "/")
	for _, p := range slices.Sorted(mapKeys(c.doc.Paths.Map())) {
		if strings.HasSuffix(path, p) {
			if op := c.doc.Paths.Value(p).GetOperation(method); op != nil {
				return op, nil
			}
		}
	}
	return nil, fmt.Errorf("%s %s", method, u.Path)
}

// RelevantHeaders are the response headers a fixture keeps: Content-Type
// and every header the spec declares on a response.
func (c *Checker) RelevantHeaders() []string {
	hs := []string{"Content-Type"}
	for _, item := range c.doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				for h := range r.Value.Headers {
					if h = http.CanonicalHeaderKey(h); !slices.Contains(hs, h) {
						hs = append(hs, h)
					}
				}
			}
		}
	}
	slices.Sort(hs[1:])
	return hs
}

// Check checks one exchange: the status documented for the operation, the
// declared headers present, the body of the declared media type and
// matching its schema, an error response's type among those its status
// lists.
func (c *Checker) Check(ex *Exchange) (res Result) {
	w := &walker{errorResponse: ex.Status >= 400, redact: c.redact}
	defer func() { res.Disagreements = dedupe(w.out) }()
	op, err := c.operation(ex.Method, ex.URL)
	if err != nil {
		w.add("", "", RuleUndocumentedOperation, "an operation of the spec", c.redact(err.Error()))
		return res
	}
	body, bodyErr := decodeJSON(ex.Body)
	if w.errorResponse && bodyErr == nil {
		if m, ok := body.(map[string]any); ok {
			if t, ok := m[strings.TrimPrefix(errorTypePointer, "/")].(string); ok {
				res.ErrorType = c.redact(t)
			}
		}
	}
	ref := op.Responses.Status(ex.Status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		w.add("", "", RuleUndocumentedStatus, "one of "+strings.Join(documentedStatuses(op), ", "), strconv.Itoa(ex.Status))
		return res
	}
	res.Documented = true
	resp := ref.Value
	for _, name := range slices.Sorted(mapKeys(resp.Headers)) {
		h := resp.Headers[name].Value
		got := ex.Header.Get(name)
		if got == "" {
			if h.Required {
				w.add("", "", RuleMissingHeader, "required", "absent")
				w.out[len(w.out)-1].Header = http.CanonicalHeaderKey(name)
			}
			continue
		}
		n := len(w.out)
		w.value("", "", "", got, h.Schema)
		for i := n; i < len(w.out); i++ {
			w.out[i].Header = http.CanonicalHeaderKey(name)
		}
	}
	if len(resp.Content) == 0 {
		return res
	}
	ct := ex.Header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(ct)
	mt := resp.Content.Get(media)
	declared := strings.Join(slices.Sorted(mapKeys(resp.Content)), " or ")
	switch {
	case ct == "":
		w.add("", "", RuleMissingHeader, declared, "absent")
		w.out[len(w.out)-1].Header = "Content-Type"
	case mt == nil:
		w.add("", "", RuleContentType, declared, shorten(ct, 60))
		w.out[len(w.out)-1].Header = "Content-Type"
	}
	if mt == nil && len(resp.Content) == 1 {
		// Check the body against the one declared media type anyway:
		// the header may be what is wrong.
		for _, m := range resp.Content {
			mt = m
		}
	}
	if mt == nil || mt.Schema == nil {
		return res
	}
	if bodyErr != nil {
		w.add("", "", RuleInvalidJSON, "a JSON body", shorten(bodyErr.Error(), 80))
		return res
	}
	w.value("", "", "", body, mt.Schema)
	return res
}

// documentedStatuses lists the operation's response codes.
func documentedStatuses(op *openapi3.Operation) []string {
	return slices.Sorted(mapKeys(op.Responses.Map()))
}

// decodeJSON decodes one JSON value, keeping numbers as written.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// dedupe drops repeated disagreements (a member checked against two allOf
// branches that both constrain it), keeping the first.
func dedupe(ds []Disagreement) []Disagreement {
	seen := map[Disagreement]bool{}
	out := ds[:0:0]
	for _, d := range ds {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// Count is one line of a summary: how often a rule was broken at one place.
type Count struct {
	Rule  Rule   `json:"rule"`
	Where string `json:"where"`
	Count int    `json:"count"`
}

// Summarize counts the disagreements by rule and place (pointer pattern,
// header or the response), in order of first appearance.
func Summarize(ds []Disagreement) []Count {
	idx := map[[2]string]int{}
	var out []Count
	for _, d := range ds {
		k := [2]string{string(d.Rule), d.Where()}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Count{Rule: d.Rule, Where: d.Where()})
		}
		out[i].Count++
	}
	return out
}
