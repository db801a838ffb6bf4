package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
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

// decoders generates client/decode_gen.go: for each 2xx JSON response
// schema, a decode<Schema> over one function per struct type and per slice
// of struct type reachable from it, reading with github.com/go-faster/jx
// (the runtime they call is in client/decoders.go). The Go types come from
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
	b := header("client")
	b.WriteString("import (\n\"bytes\"\n\"encoding/json\"\n\n\"github.com/go-faster/jx\"\n\n\"github.com/postpress/postpress-go/gen\"\n)\n\n")
	b.Write(g.out.Bytes())
	return b.Bytes(), nil
}

type decoderGen struct {
	doc  *openapi3.T
	out  bytes.Buffer
	done map[reflect.Type]bool
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

// fast reports whether values of t get generated code: strings, gen's
// structs, pointers to those and slices of gen's structs. The others
// (numbers, booleans, maps, other slices, json.Unmarshalers) are decoded by
// encoding/json from the value's bytes (decodeStd).
func fast(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(unmarshaler) {
		return false
	}
	switch t.Kind() {
	case reflect.String:
		return typeExpr(t) != ""
	case reflect.Struct:
		return t.Name() != "" && t.PkgPath() == reflect.TypeFor[gen.InvitationList]().PkgPath()
	case reflect.Pointer:
		return fast(t.Elem())
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Struct && fast(t.Elem())
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

// root generates decode<name> and everything below it.
func (g *decoderGen) root(name string, t reflect.Type, s *openapi3.SchemaRef) error {
	fs, required, err := fields(t, s, s.Ref)
	if err != nil {
		return err
	}
	if len(required) > 64 {
		return fmt.Errorf("%s: more than 64 required members", s.Ref)
	}
	fmt.Fprintf(&g.out, `// decode%[1]s decodes body, a %[1]s (%[2]s), into v as
// encoding/json's Unmarshal would, and returns the members the spec
// requires that the top-level object lacks. raws[member], for a top-level
// array of objects, collects each element's bytes (slices of body). It
// never writes to body.
func decode%[1]s(body []byte, v *gen.%[1]s, raws map[string]*elems) (missing []string, err error) {
	d := jx.DecodeBytes(body)
	var seen uint64
	switch d.Next() {
	case jx.Null:
		err = d.Null()
	case jx.Object:
		seen, err = members%[1]s(d, v, nil, raws, len(body)/512)
	default:
		err = typeError(d, %[3]q)
	}
	if err == nil {
		err = end(d)
	}
	if err != nil {
		return nil, err
	}
	return absent(required%[1]s, seen), nil
}

// required%[1]s are the members %[2]s requires, in the spec's order.
var required%[1]s = %#[4]v

`, name, s.Ref, typeExpr(t), required)
	return g.structDecoder(t, fs, required, s.Ref, true)
}

// structDecoder generates, for struct type t, decode<T> (null leaves it as
// is, an object fills it) and members<T> (the members of an opened object,
// noting which required ones came). The root's members<T> also takes the
// raws and the capacity hint its arrays of objects start with.
func (g *decoderGen) structDecoder(t reflect.Type, fs []field, required []string, path string, top bool) error {
	g.done[t] = true
	name := t.Name()
	params := ""
	if top {
		params = ", raws map[string]*elems, hint int"
	} else {
		fmt.Fprintf(&g.out, `// decode%[1]s decodes %[2]s into v: null leaves it as it is.
// first, when not nil, is set to the object's first member name.
func decode%[1]s(d *jx.Decoder, v *gen.%[1]s, first *[]byte) error {
	switch d.Next() {
	case jx.Null:
		return d.Null()
	case jx.Object:
		_, err := members%[1]s(d, v, first)
		return err
	}
	return typeError(d, %[3]q)
}

`, name, path, typeExpr(t))
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
		code, deps, err := g.value(f.t, f.schema, "v."+f.goName, f.name, f.path, top)
		if err != nil {
			return err
		}
		cases.WriteString(code)
		fmt.Fprintf(&cases, "\t\t\tif err != nil {\n\t\t\t\treturn seen, at(%q, err)\n\t\t\t}\n", f.name)
		later = append(later, deps...)
	}
	fmt.Fprintf(&g.out, `// members%[1]s decodes the members of an object into v; seen has bit i
// set for each required member (in the spec's order) that came. A member
// is matched as encoding/json matches it: its exact name first, then
// case-insensitively. first, when not nil, is set to the first member's
// name as it is in the body.
func members%[1]s(d *jx.Decoder, v *gen.%[1]s, first *[]byte%[3]s) (seen uint64, err error) {
	it, err := d.ObjIter()
	if err != nil {
		return 0, err
	}
	for it.Next() {
		if first != nil {
			*first, first = it.Key(), nil
		}
		switch index%[1]s(it.Key()) {
%[2]s		default:
			if err = d.Skip(); err != nil {
				return seen, err
			}
		}
	}
	return seen, it.Err()
}

// index%[1]s returns the index of the field of gen.%[1]s a member name
// selects, or -1.
func index%[1]s(key []byte) int {
	switch string(key) {
`, name, cases.String(), params)
	for i, n := range names {
		fmt.Fprintf(&g.out, "\tcase %q:\n\t\treturn %d\n", n, i)
	}
	fmt.Fprintf(&g.out, "\t}\n\tfor i, n := range names%[1]s {\n\t\tif bytes.EqualFold(key, []byte(n)) {\n\t\t\treturn i\n\t\t}\n\t}\n\treturn -1\n}\n\n// names%[1]s are the JSON names of gen.%[1]s's fields.\nvar names%[1]s = %#[2]v\n\n", name, names)
	for _, f := range later {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// value returns the statements that decode the value at d into lv (an
// addressable expression of type t), setting err, and the generators of
// the functions they call. member is lv's JSON name when lv is a field of
// the root (its array of objects then keeps each element's bytes).
func (g *decoderGen) value(t reflect.Type, s *openapi3.SchemaRef, lv, member, path string, top bool) (string, []func() error, error) {
	if err := checkKind(t, path); err != nil {
		return "", nil, err
	}
	if !fast(t) {
		return fmt.Sprintf("\t\t\terr = decodeStd(d, %s)\n", addr(lv)), nil, nil
	}
	switch t.Kind() {
	case reflect.String:
		p := addr(lv)
		if t.Name() != "string" || t.PkgPath() != "" {
			p = "(*string)(" + p + ")"
		}
		return fmt.Sprintf("\t\t\terr = decodeString(d, %s)\n", p), nil, nil
	case reflect.Struct:
		return fmt.Sprintf("\t\t\terr = decode%s(d, %s, nil)\n", t.Name(), addr(lv)), g.structLater(t, s, path), nil
	case reflect.Pointer:
		inner, deps, err := g.value(t.Elem(), s, "(*"+lv+")", member, path, false)
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf(`			if d.Next() == jx.Null {
				%[1]s = nil
				err = d.Null()
			} else {
				if %[1]s == nil {
					%[1]s = new(%[2]s)
				}
%[3]s			}
`, lv, typeExpr(t.Elem()), inner), deps, nil
	case reflect.Slice:
		var items *openapi3.SchemaRef
		if s != nil && s.Value != nil {
			items = s.Value.Items
		}
		if items == nil {
			return "", nil, fmt.Errorf("%s: gen type %s is a slice but the schema has no items", path, t)
		}
		raws, hint := "nil", "0"
		if top {
			raws, hint = fmt.Sprintf("raws[%q]", member), "hint"
		}
		return fmt.Sprintf("\t\t\terr = decodeSliceOf%s(d, %s, %s, %s)\n", t.Elem().Name(), addr(lv), raws, hint), g.sliceLater(t, items, path+"/items"), nil
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

// structLater generates decode<T> once.
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

// sliceLater generates decodeSliceOf<Elem> once.
func (g *decoderGen) sliceLater(t reflect.Type, items *openapi3.SchemaRef, path string) []func() error {
	return []func() error{func() error {
		if g.done[t] {
			return nil
		}
		g.done[t] = true
		elem := t.Elem()
		fmt.Fprintf(&g.out, `// decodeSliceOf%[1]s decodes an array into *dst as encoding/json does:
// null sets nil; the elements already in the slice are decoded into again.
// With raws not nil, each element's bytes are collected (see elems); hint
// is the capacity a nil slice starts with.
func decodeSliceOf%[1]s(d *jx.Decoder, dst *%[2]s, raws *elems, hint int) error {
	switch d.Next() {
	case jx.Null:
		*dst = nil
		return d.Null()
	case jx.Array:
	default:
		return typeError(d, %[2]q)
	}
	it, err := d.ArrIter()
	if err != nil {
		return err
	}
	s, n := *dst, 0
	if s == nil {
		s = make(%[2]s, 0, min(hint, 1024))
	}
	var sub jx.Decoder
	raws.reset()
	for it.Next() {
		s = growSlice(s, n)
		switch {
		case raws == nil:
			err = decode%[1]s(d, &s[n], nil)
		case raws.slow:
			// The element's bytes, then the element decoded from them.
			var raw jx.Raw
			d.Next() // past white space, so that raw starts at the value
			if raw, err = d.Raw(); err == nil {
				raws.raw = append(raws.raw, json.RawMessage(raw))
				sub.ResetBytes(raw)
				err = decode%[1]s(&sub, &s[n], nil)
			}
		default:
			var first []byte
			err = decode%[1]s(d, &s[n], &first)
			raws.start(first)
		}
		if err != nil {
			return atIndex(n, err)
		}
		n++
	}
	if err := it.Err(); err != nil {
		return err
	}
	*dst = endSlice(s, n)
	return raws.end()
}

`, elem.Name(), typeExpr(t))
		return g.structLater(elem, items, path)[0]()
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
