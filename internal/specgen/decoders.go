package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/postpress/postpress-go/gen"
)

// roots are the gen types of the spec's 2xx JSON response bodies, by schema
// name. A new response schema fails the run until it is added here.
var roots = map[string]reflect.Type{
	"InvitationList": reflect.TypeFor[gen.InvitationList](),
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// decoders generates internal/wire/decode_gen.go: for each 2xx JSON
// response schema, an exported Decode<Schema> over one decoder method per
// struct type and per slice type reachable from it. The Go types come from
// gen (what oapi-codegen made of the spec); the schema is walked beside
// them, so that a property without a Go field (it would be dropped), a
// field without a property, or a Go kind the decoder has no code for
// fails the run with its path.
func decoders(doc *openapi3.T) ([]byte, error) {
	g := &decoderGen{doc: doc, done: map[reflect.Type]bool{}}
	var names []string
	for _, o := range operations(doc) {
		for _, code := range sortedKeys(o.o.Responses.Map()) {
			if len(code) != 3 || code[0] != '2' {
				continue
			}
			r := o.o.Responses.Value(code)
			if r.Value == nil || r.Value.Content.Get("application/json") == nil {
				continue
			}
			s := r.Value.Content.Get("application/json").Schema
			where := o.where() + "/responses/" + code + "/content/application~1json/schema"
			name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
			if s.Ref == "" || name == s.Ref {
				return nil, fmt.Errorf("%s: the response body must be a $ref to #/components/schemas/... (an inline schema has no gen type to decode into)", where)
			}
			t, ok := roots[name]
			if !ok {
				return nil, fmt.Errorf("%s: no decoder root for schema %s: add gen.%s to roots in internal/specgen/decoders.go", where, name, name)
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
				if err := g.root(name, t, s); err != nil {
					return nil, err
				}
			}
		}
	}
	b := header("wire")
	b.WriteString("import (\n\"github.com/postpress/postpress-go/gen\"\n)\n\n")
	b.Write(g.out.Bytes())
	return b.Bytes(), nil
}

type decoderGen struct {
	doc   *openapi3.T
	out   bytes.Buffer
	done  map[reflect.Type]bool
	enums int
}

// schemaPath is where a schema is defined: its $ref, or the path it was
// reached by.
func schemaPath(s *openapi3.SchemaRef, path string) string {
	if s != nil && s.Ref != "" {
		return s.Ref
	}
	return path
}

// props returns the properties and required names of an object schema,
// allOf members merged as oapi-codegen merges them.
func props(s *openapi3.Schema) (map[string]*openapi3.SchemaRef, []string) {
	all := map[string]*openapi3.SchemaRef{}
	req := slices.Clone(s.Required)
	for n, p := range s.Properties {
		all[n] = p
	}
	for _, sub := range s.AllOf {
		if sub.Value == nil {
			continue
		}
		p, r := props(sub.Value)
		for n, v := range p {
			all[n] = v
		}
		req = append(req, r...)
	}
	return all, req
}

type field struct {
	name   string // the JSON name
	goName string
	t      reflect.Type
	schema *openapi3.SchemaRef
	path   string
}

// fields pairs the fields of struct type t with the properties of schema s.
func fields(t reflect.Type, s *openapi3.SchemaRef, path string) ([]field, []string, error) {
	if s == nil || s.Value == nil {
		return nil, nil, fmt.Errorf("%s: gen.%s has no schema", path, t.Name())
	}
	ps, required := props(s.Value)
	var out []field
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			return nil, nil, fmt.Errorf("%s: gen.%s embeds %s; embedded fields have no decoder", path, t.Name(), f.Type)
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p, ok := ps[name]
		if !ok {
			return nil, nil, fmt.Errorf("%s: gen.%s.%s (json %q) has no property in the schema", path, t.Name(), f.Name, name)
		}
		seen[name] = true
		out = append(out, field{name, f.Name, f.Type, p, schemaPath(p, path+"/properties/"+name)})
	}
	for _, n := range sortedKeys(ps) {
		if !seen[n] {
			return nil, nil, fmt.Errorf("%s/properties/%s has no field in gen.%s: it would be dropped", path, n, t.Name())
		}
	}
	return out, required, nil
}

// fast reports whether values of t get generated code; the others are
// decoded by encoding/json (decodeStd).
func fast(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(unmarshaler) {
		return false
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return typeExpr(t) != ""
	case reflect.Struct:
		return t.Name() != "" && t.PkgPath() == reflect.TypeFor[gen.InvitationList]().PkgPath()
	case reflect.Pointer, reflect.Slice:
		return fast(t.Elem())
	}
	return false
}

// checkKind fails for Go kinds that JSON cannot hold at all.
func checkKind(t reflect.Type, path string) error {
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return fmt.Errorf("%s: gen type %s has no JSON decoding", path, t)
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return checkKind(t.Elem(), path)
	}
	return nil
}

// typeExpr is t as Go source in package wire, or "" when it needs an import
// other than gen.
func typeExpr(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Pointer:
		if e := typeExpr(t.Elem()); e != "" {
			return "*" + e
		}
		return ""
	case t.Kind() == reflect.Slice:
		if e := typeExpr(t.Elem()); e != "" {
			return "[]" + e
		}
		return ""
	case t.PkgPath() == "":
		return t.Name()
	case t.PkgPath() == reflect.TypeFor[gen.InvitationList]().PkgPath():
		return "gen." + t.Name()
	}
	return ""
}

// id names t in generated function names.
func id(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "Ptr" + id(t.Elem())
	case reflect.Slice:
		return "SliceOf" + id(t.Elem())
	}
	n := t.Name()
	return strings.ToUpper(n[:1]) + n[1:]
}

// root generates Decode<name> and everything below it.
func (g *decoderGen) root(name string, t reflect.Type, s *openapi3.SchemaRef) error {
	fs, required, err := fields(t, s, s.Ref)
	if err != nil {
		return err
	}
	if len(required) > 64 {
		return fmt.Errorf("%s: more than 64 required members", s.Ref)
	}
	fmt.Fprintf(&g.out, `// Decode%[1]s decodes body, a %[1]s (%[2]s), into v exactly as
// encoding/json's Unmarshal would, and then fails with a *MissingError if
// the top-level object lacks a member the spec requires. It never writes
// to body.
func Decode%[1]s(body []byte, v *gen.%[1]s) error {
	d := decoder{data: body}
	if d.peek() == 0 {
		return d.syntaxError()
	}
	var seen uint64
	isNull, err := d.beginObject(%[1]q)
	if err != nil {
		return err
	}
	if !isNull {
		if seen, err = d.members%[1]s(v); err != nil {
			return err
		}
	}
	if err := d.end(); err != nil {
		return err
	}
	return missing(%[1]q, required%[1]s, seen)
}

`, name, s.Ref)
	fmt.Fprintf(&g.out, "// required%s are the members %s requires, in the spec's order.\nvar required%s = %#v\n\n", name, s.Ref, name, required)
	return g.structDecoder(t, fs, required, s.Ref, true)
}

// structDecoder generates, for struct type t, value<T> (null leaves it as
// is, an object fills it) and members<T> (the members of an opened object,
// noting which required ones came).
func (g *decoderGen) structDecoder(t reflect.Type, fs []field, required []string, path string, top bool) error {
	g.done[t] = true
	name := t.Name()
	if !top {
		fmt.Fprintf(&g.out, `// value%[1]s decodes %[2]s into v: null leaves it as it is.
func (d *decoder) value%[1]s(v *gen.%[1]s) error {
	isNull, err := d.beginObject(%[1]q)
	if isNull || err != nil {
		return err
	}
	_, err = d.members%[1]s(v)
	return err
}

`, name, path)
	}
	var cases bytes.Buffer
	var names []string
	var later []func() error
	for i, f := range fs {
		names = append(names, f.name)
		fmt.Fprintf(&cases, "\t\tcase %d: // %s\n", i, f.path)
		if r := slices.Index(required, f.name); r >= 0 && r < 64 {
			fmt.Fprintf(&cases, "\t\t\tseen |= 1 << %d\n", r)
		}
		code, deps, err := g.value(f.t, f.schema, "v."+f.goName, f.path, top)
		if err != nil {
			return err
		}
		cases.WriteString(code)
		later = append(later, deps...)
	}
	fmt.Fprintf(&g.out, `// members%[1]s decodes the members of an object into v; seen has bit i
// set for each required member (in the spec's order) that came.
func (d *decoder) members%[1]s(v *gen.%[1]s) (seen uint64, err error) {
	for first := true; ; first = false {
		key, ok, err := d.nextMember(first)
		if err != nil || !ok {
			return seen, err
		}
		switch index%[1]s(key) {
%[2]s		default:
			err = d.skipValue()
		}
		if err != nil {
			return seen, err
		}
	}
}

// index%[1]s returns the index of the field of gen.%[1]s a member name
// selects, or -1.
func index%[1]s(key []byte) int {
	switch string(key) {
`, name, cases.String())
	for i, n := range names {
		fmt.Fprintf(&g.out, "\tcase %q:\n\t\treturn %d\n", n, i)
	}
	fmt.Fprintf(&g.out, "\t}\n\treturn foldIndex(key, names%[1]s)\n}\n\n// names%[1]s are the JSON names of gen.%[1]s's fields.\nvar names%[1]s = %#[2]v\n\n", name, names)
	for _, f := range later {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// value returns the statements that decode the value at d.pos into lv (an
// addressable expression of type t), setting err, and the generators of
// the methods they call.
func (g *decoderGen) value(t reflect.Type, s *openapi3.SchemaRef, lv, path string, top bool) (string, []func() error, error) {
	if err := checkKind(t, path); err != nil {
		return "", nil, err
	}
	if !fast(t) {
		return fmt.Sprintf("\t\t\terr = d.decodeStd(%s)\n", addr(lv)), nil, nil
	}
	tn := strconv.Quote(typeExpr(t))
	switch t.Kind() {
	case reflect.String:
		p := addr(lv)
		if t.Name() != "string" || t.PkgPath() != "" {
			p = "(*string)(" + p + ")"
		}
		if s != nil && s.Value != nil && len(s.Value.Enum) > 0 && len(s.Value.Enum) <= 8 {
			var vals []string
			for _, e := range s.Value.Enum {
				if v, ok := e.(string); ok {
					vals = append(vals, v)
				}
			}
			g.enums++
			fmt.Fprintf(&g.out, "// enum%d are the values of %s.\nvar enum%d = %#v\n\n", g.enums, path, g.enums, vals)
			return fmt.Sprintf("\t\t\terr = d.strEnum(%s, enum%d)\n", p, g.enums), nil, nil
		}
		return fmt.Sprintf("\t\t\terr = d.str(%s)\n", p), nil, nil
	case reflect.Bool:
		return fmt.Sprintf("\t\t\terr = decodeBool(d, %s, %s)\n", addr(lv), tn), nil, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("\t\t\terr = decodeInt(d, %s, %s)\n", addr(lv), tn), nil, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("\t\t\terr = decodeUint(d, %s, %s)\n", addr(lv), tn), nil, nil
	case reflect.Float32, reflect.Float64:
		return fmt.Sprintf("\t\t\terr = decodeFloat(d, %s, %s)\n", addr(lv), tn), nil, nil
	case reflect.Struct:
		return fmt.Sprintf("\t\t\terr = d.value%s(%s)\n", t.Name(), addr(lv)), g.structLater(t, s, path), nil
	case reflect.Pointer:
		inner, deps, err := g.value(t.Elem(), s, "(*"+lv+")", path, top)
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf(`			if isNull, nerr := d.null(); nerr != nil || isNull {
				err = nerr
				if isNull {
					%[1]s = nil
				}
			} else {
				if %[1]s == nil {
					%[1]s = new(%[2]s)
				}
%[3]s			}
`, lv, typeExpr(t.Elem()), inner), deps, nil
	case reflect.Slice:
		hint := "0"
		if top && t.Elem().Kind() == reflect.Struct {
			hint = "d.sliceHint()"
		}
		var items *openapi3.SchemaRef
		if s != nil && s.Value != nil {
			items = s.Value.Items
		}
		if items == nil {
			return "", nil, fmt.Errorf("%s: gen type %s is a slice but the schema has no items", path, t)
		}
		return fmt.Sprintf("\t\t\terr = d.slice%s(%s, %s)\n", id(t.Elem()), addr(lv), hint), g.sliceLater(t, items, path+"/items"), nil
	}
	return "", nil, fmt.Errorf("%s: no decoder for gen type %s", path, t)
}

// addr is a pointer to lv.
func addr(lv string) string {
	if strings.HasPrefix(lv, "(*") && strings.HasSuffix(lv, ")") {
		return lv[2 : len(lv)-1]
	}
	return "&" + lv
}

// structLater generates value<T> once.
func (g *decoderGen) structLater(t reflect.Type, s *openapi3.SchemaRef, path string) []func() error {
	return []func() error{func() error {
		if g.done[t] {
			return nil
		}
		fs, req, err := fields(t, s, path)
		if err != nil {
			return err
		}
		return g.structDecoder(t, fs, req, path, false)
	}}
}

// sliceLater generates slice<Elem> once.
func (g *decoderGen) sliceLater(t reflect.Type, items *openapi3.SchemaRef, path string) []func() error {
	return []func() error{func() error {
		if g.done[t] {
			return nil
		}
		g.done[t] = true
		elem := t.Elem()
		inner, deps, err := g.value(elem, items, "s[n]", schemaPath(items, path), false)
		if err != nil {
			return err
		}
		fmt.Fprintf(&g.out, `// slice%[1]s decodes an array into *dst as encoding/json does: null sets
// nil; the elements already in the slice are decoded into again.
func (d *decoder) slice%[1]s(dst *%[2]s, hint int) error {
	isNull, err := d.beginArray(%[3]q)
	if err != nil {
		return err
	}
	if isNull {
		*dst = nil
		return nil
	}
	s := *dst
	if s == nil && hint > 0 {
		s = make(%[2]s, 0, hint)
	}
	n := 0
	for first := true; ; first = false {
		ok, err := d.nextElement(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		s = growSlice(s, n)
%[4]s		if err != nil {
			return err
		}
		n++
	}
	*dst = endSlice(s, n)
	return nil
}

`, id(elem), typeExpr(t), typeExpr(t), inner)
		for _, f := range deps {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	}}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
