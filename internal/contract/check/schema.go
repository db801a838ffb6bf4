package check

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// walker checks one JSON value against a schema of the spec, collecting
// every disagreement with its JSON pointer.
type walker struct {
	// errorResponse is set for a response with an error status: an enum
	// disagreement at errorTypePointer is then an undocumented error type.
	errorResponse bool
	// redact hides the API key in values shown.
	redact func(string) string
	out    []Disagreement
}

// errorTypePointer is where an error response's body carries its error
// type: the `type` member of the error envelope, which the client reads as
// APIError.Type.
const errorTypePointer = "/type"

// secretMember is the member whose value is never shown or recorded: the
// invitation's shared secret, which lets its holder act on the invitation.
const secretMember = "shared_secret"

func (w *walker) add(ptr, pat string, rule Rule, spec, got string) {
	w.out = append(w.out, Disagreement{Pointer: ptr, Pattern: pat, Rule: rule, Spec: spec, Got: got})
}

// parts flattens s and its allOf branches, in order.
func parts(s *openapi3.Schema) []*openapi3.Schema {
	out := []*openapi3.Schema{s}
	for _, r := range s.AllOf {
		out = append(out, parts(r.Value)...)
	}
	return out
}

// value checks v (decoded with UseNumber) at pointer ptr (pattern pat)
// against ref. member is the name of the object member v is the value of
// ("" for array elements and the body).
func (w *walker) value(ptr, pat, member string, v any, ref *openapi3.SchemaRef) {
	ps := parts(ref.Value)
	show := func() string { return w.show(v, member) }
	if v == nil {
		if !nullable(ps) {
			w.add(ptr, pat, RuleNullable, "not nullable ("+describe(ps)+")", "null")
		}
		return
	}
	for _, p := range ps {
		if p.Type != nil && !p.Type.IsEmpty() && !typeOK(p.Type, v) {
			w.add(ptr, pat, RuleType, strings.Join(p.Type.Slice(), " or "), jsonType(v)+" "+show())
			return
		}
	}
	for _, p := range ps {
		if len(p.Enum) > 0 && !inEnum(p.Enum, v) {
			rule := RuleEnum
			if w.errorResponse && ptr == errorTypePointer {
				rule = RuleUndocumentedErrorType
			}
			w.add(ptr, pat, rule, "one of "+enumText(p.Enum), show())
		}
		switch v := v.(type) {
		case string:
			w.str(ptr, pat, p, v, show)
		case json.Number:
			w.number(ptr, pat, p, v, show)
		case []any:
			if n := uint64(len(v)); n < p.MinItems {
				w.add(ptr, pat, RuleMinItems, fmt.Sprintf("at least %d items", p.MinItems), fmt.Sprintf("%d items", n))
			} else if p.MaxItems != nil && n > *p.MaxItems {
				w.add(ptr, pat, RuleMaxItems, fmt.Sprintf("at most %d items", *p.MaxItems), fmt.Sprintf("%d items", n))
			}
		}
	}
	switch v := v.(type) {
	case []any:
		for _, p := range ps {
			if p.Items == nil {
				continue
			}
			for i, e := range v {
				w.value(ptr+"/"+strconv.Itoa(i), pat+"/*", "", e, p.Items)
			}
		}
	case map[string]any:
		w.object(ptr, pat, ps, v)
	}
}

// object checks an object's members: the required ones present, each
// documented one against every schema that documents it, and none
// undocumented.
func (w *walker) object(ptr, pat string, ps []*openapi3.Schema, v map[string]any) {
	props := map[string][]*openapi3.SchemaRef{}
	var documented, required []string
	open := false
	for _, p := range ps {
		for _, name := range slices.Sorted(mapKeys(p.Properties)) {
			if _, seen := props[name]; !seen {
				documented = append(documented, name)
			}
			props[name] = append(props[name], p.Properties[name])
		}
		for _, name := range p.Required {
			if !slices.Contains(required, name) {
				required = append(required, name)
			}
		}
		if p.AdditionalProperties.Has != nil && *p.AdditionalProperties.Has {
			open = true
		}
	}
	for _, name := range required {
		if _, ok := v[name]; !ok {
			w.add(ptr+"/"+escape(name), pat+"/"+escape(name), RuleRequired, "required", "absent")
		}
	}
	for _, name := range slices.Sorted(mapKeys(v)) {
		mptr, mpat := ptr+"/"+escape(name), pat+"/"+escape(name)
		schemas, ok := props[name]
		if !ok {
			if !open {
				w.add(mptr, mpat, RuleUndocumentedProperty, "not in the spec (documented: "+shorten(strings.Join(documented, ", "), 80)+")", w.show(v[name], name))
			}
			continue
		}
		for _, s := range schemas {
			w.value(mptr, mpat, name, v[name], s)
		}
	}
}

func (w *walker) str(ptr, pat string, p *openapi3.Schema, v string, show func() string) {
	n := uint64(utf8.RuneCountInString(v)) //nolint:gosec // a length is never negative
	if n < p.MinLength {
		w.add(ptr, pat, RuleMinLength, fmt.Sprintf("length at least %d", p.MinLength), fmt.Sprintf("length %d: %s", n, show()))
	}
	if p.MaxLength != nil && n > *p.MaxLength {
		w.add(ptr, pat, RuleMaxLength, fmt.Sprintf("length at most %d", *p.MaxLength), fmt.Sprintf("length %d: %s", n, show()))
	}
	if p.Pattern != "" {
		// Patterns were compiled when the checker was built.
		if re := regexp.MustCompile(p.Pattern); !re.MatchString(v) {
			w.add(ptr, pat, RulePattern, "matching "+shorten(p.Pattern, 60), show())
		}
	}
	if p.Format != "" {
		if check, ok := stringFormats[p.Format]; ok && !check(v) {
			w.add(ptr, pat, RuleFormat, "format "+p.Format, show())
		}
	}
}

func (w *walker) number(ptr, pat string, p *openapi3.Schema, v json.Number, show func() string) {
	f, err := v.Float64()
	if err != nil {
		return // a JSON number out of float64 range; its type was checked
	}
	exclusive := func(b openapi3.ExclusiveBound) bool { return b.Bool != nil && *b.Bool }
	if p.Min != nil && (f < *p.Min || (exclusive(p.ExclusiveMin) && f == *p.Min)) {
		w.add(ptr, pat, RuleMinimum, "minimum "+fmtFloat(*p.Min, exclusive(p.ExclusiveMin)), show())
	}
	if p.Max != nil && (f > *p.Max || (exclusive(p.ExclusiveMax) && f == *p.Max)) {
		w.add(ptr, pat, RuleMaximum, "maximum "+fmtFloat(*p.Max, exclusive(p.ExclusiveMax)), show())
	}
	if lim, ok := intFormats[p.Format]; ok && math.Abs(f) > lim {
		w.add(ptr, pat, RuleFormat, "format "+p.Format, show())
	}
}

func fmtFloat(f float64, exclusive bool) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if exclusive {
		s += " (exclusive)"
	}
	return s
}

// stringFormats are the string formats the checker knows; a spec that
// declares another one is refused when the checker is built.
var stringFormats = map[string]func(string) bool{
	"date-time": func(s string) bool { _, err := time.Parse(time.RFC3339Nano, s); return err == nil },
	"date":      func(s string) bool { _, err := time.Parse(time.DateOnly, s); return err == nil },
}

// intFormats are the number formats the checker knows, with their bounds.
var intFormats = map[string]float64{"int32": math.MaxInt32, "int64": math.MaxInt64}

// nullable reports whether null is allowed: every part that declares a type
// must allow it.
func nullable(ps []*openapi3.Schema) bool {
	for _, p := range ps {
		if p.Type != nil && !p.Type.IsEmpty() && !p.Nullable && !p.Type.IncludesNull() {
			return false
		}
	}
	return true
}

// describe says what the parts declare, for a nullable disagreement.
func describe(ps []*openapi3.Schema) string {
	var out []string
	for _, p := range ps {
		if p.Type != nil && !p.Type.IsEmpty() {
			out = append(out, strings.Join(p.Type.Slice(), " or "))
			break
		}
	}
	for _, p := range ps {
		if len(p.Enum) > 0 {
			out = append(out, "one of "+enumText(p.Enum))
			break
		}
	}
	return strings.Join(out, ", ")
}

func typeOK(t *openapi3.Types, v any) bool {
	var got string
	switch v := v.(type) {
	case string:
		got = openapi3.TypeString
	case bool:
		got = openapi3.TypeBoolean
	case []any:
		got = openapi3.TypeArray
	case map[string]any:
		got = openapi3.TypeObject
	case json.Number:
		if t.Permits(openapi3.TypeNumber) {
			return true
		}
		// An integer is a JSON number without a fraction (1.0 is one).
		f, err := v.Float64()
		return t.Permits(openapi3.TypeInteger) && err == nil && f == math.Trunc(f)
	}
	return t.Permits(got)
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "number"
		}
		return "integer"
	}
	return fmt.Sprintf("%T", v)
}

// inEnum compares JSON values by their compact encoding (the spec's 400
// and the body's 400 are equal whatever Go type holds them).
func inEnum(enum []any, v any) bool {
	got := canonical(v)
	for _, e := range enum {
		if canonical(e) == got {
			return true
		}
	}
	return false
}

func canonical(v any) string {
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	if f, ok := toFloat(v); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func enumText(enum []any) string {
	var vals []string
	for _, e := range enum {
		if s, ok := e.(string); ok {
			vals = append(vals, s)
		} else {
			vals = append(vals, canonical(e))
		}
	}
	if len(vals) > 4 {
		return strings.Join(vals[:3], ", ") + fmt.Sprintf(", … (%d values)", len(vals))
	}
	return strings.Join(vals, ", ")
}

// show is what the report says came: a scalar shortened, a composite by its
// size; a shared secret by its type and length only, the API key never.
func (w *walker) show(v any, member string) string {
	if member == secretMember {
		if s, ok := v.(string); ok {
			return fmt.Sprintf("a string of %d characters (not shown)", utf8.RuneCountInString(s))
		}
		return jsonType(v) + " (not shown)"
	}
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(shorten(w.redact(v), 40))
	case json.Number:
		return shorten(v.String(), 40)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		return fmt.Sprintf("an array of %d", len(v))
	case map[string]any:
		return fmt.Sprintf("an object with %d members", len(v))
	}
	return jsonType(v)
}

// shorten cuts s to at most n runes, marking the cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// escape escapes a JSON pointer token (RFC 6901).
func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// supported refuses, by name and place, every schema construct the walker
// does not check, so that nothing in the spec is silently skipped.
func supported(where string, ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) error {
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("%s: unresolved schema %q", where, refName(ref))
	}
	s := ref.Value
	if seen[s] {
		return nil
	}
	seen[s] = true
	var bad []string
	flag := func(on bool, name string) {
		if on {
			bad = append(bad, name)
		}
	}
	flag(len(s.OneOf) > 0, "oneOf")
	flag(len(s.AnyOf) > 0, "anyOf")
	flag(s.Not != nil, "not")
	flag(s.Discriminator != nil, "discriminator")
	flag(s.AdditionalProperties.Schema != nil, "additionalProperties with a schema")
	flag(s.MultipleOf != nil, "multipleOf")
	flag(s.UniqueItems, "uniqueItems")
	flag(s.MinProps > 0 || s.MaxProps != nil, "minProperties/maxProperties")
	flag(s.ExclusiveMin.Value != nil || s.ExclusiveMax.Value != nil, "numeric exclusiveMinimum/exclusiveMaximum")
	flag(s.Const != nil, "const")
	flag(len(s.PrefixItems) > 0 || s.Contains != nil, "prefixItems/contains")
	flag(len(s.PatternProperties) > 0 || len(s.DependentSchemas) > 0 || s.PropertyNames != nil, "patternProperties/dependentSchemas/propertyNames")
	flag(s.UnevaluatedItems.Has != nil || s.UnevaluatedItems.Schema != nil || s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil, "unevaluatedItems/unevaluatedProperties")
	flag(s.If != nil || s.Then != nil || s.Else != nil, "if/then/else")
	flag(len(s.DependentRequired) > 0, "dependentRequired")
	flag(s.Always != nil, "a boolean schema")
	if s.Format != "" {
		_, str := stringFormats[s.Format]
		_, num := intFormats[s.Format]
		flag(!str && !num, "format "+s.Format)
	}
	if s.Pattern != "" {
		if _, err := regexp.Compile(s.Pattern); err != nil {
			bad = append(bad, "pattern that does not compile: "+err.Error())
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s: the contract checker does not handle %s; extend internal/contract/check before using it in the spec", where, strings.Join(bad, ", "))
	}
	for _, r := range s.AllOf {
		if err := supported(where+"/allOf", r, seen); err != nil {
			return err
		}
	}
	if s.Items != nil {
		if err := supported(where+"/items", s.Items, seen); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(mapKeys(s.Properties)) {
		if err := supported(where+"/properties/"+name, s.Properties[name], seen); err != nil {
			return err
		}
	}
	return nil
}

func refName(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return ""
	}
	return ref.Ref
}
