package postpresstest

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// fill generates the items of every list operation (and the members of
// its pages other than the items and the cursor), so that the fake serves
// any item schema, and a property added to openapi.yaml shows in the
// fake's (and the sandbox's) data after `go generate` with no edit here.
// It walks gen's type by reflection, by JSON tag, next to the property's
// schema in the embedded spec, and sets every value that is still the zero
// value:
//
//   - a string: one of the schema's enum values when it has some; else a
//     value for its format (date-time, date, email, uri, uuid); else the
//     value the documented example items of the operation give the
//     property (item i takes example item i modulo their number, so that
//     an item reads like one of the docs'), or the property's own example,
//     with an id-like tail (a run of 12 or more of [0-9A-Z]) ending in a
//     random token and the item's serial number instead, so that ids
//     differ from item to item; else a text made of the property's name, a
//     random token and the item's serial number; within
//     minLength/maxLength;
//   - an integer or a number: within minimum/maximum (exclusive bounds and
//     multipleOf honoured), never 0 when the bounds allow another value;
//     one of the enum values when the schema has some;
//   - a boolean: true (false is the zero value, the value nobody can tell
//     from a missing one);
//   - a pointer: allocated, then filled; an array: minItems..maxItems
//     elements (2 when unbounded), each filled; a map: two entries;
//     a nested object: each of its properties filled.
//
// A `pattern` is not honoured. Each value comes from its own random
// stream, seeded from the seed, the operation, the account, the item's
// index and the property's JSON path: the same seed gives the same data,
// and a new property changes no other value.

// fillNode is the plan of one value: what fill does at a path of a type,
// computed once from the type and the spec.
type fillNode struct {
	name   string           // JSON name of the property (texts are made from it)
	path   string           // JSON path from the item ("inviter.inviter_name"); keys the examples
	index  int              // index of the field in its struct; -1 at the root and for elements
	schema *openapi3.Schema // the property's schema; nil when the spec has none for it
	hash   uint64           // of the JSON path, seeds the value's random stream
	fields []*fillNode      // a struct's fields
	elem   *fillNode        // a pointer's, slice's or map's element; nil to leave it unset
}

var timeType = reflect.TypeFor[time.Time]()

// fillPlan is the plan of a type, less the top-level members it leaves to
// the caller.
type fillPlan struct {
	root    *fillNode
	skipped []skippedField
}

// skippedField is a top-level member a plan leaves unset: its JSON name
// and its index path in the struct.
type skippedField struct {
	name string
	path []int
}

type planKey struct {
	t      reflect.Type
	schema string
	skip   string
}

var plans sync.Map // planKey -> *fillPlan

// planFor returns the fill plan of type t, whose schema is the spec's
// components.schemas[schema] (none when the spec lacks it), less the
// top-level members named skip (by JSON name). Plans are computed once.
func planFor(t reflect.Type, schema string, skip ...string) *fillPlan {
	key := planKey{t, schema, strings.Join(skip, "\x00")}
	if p, ok := plans.Load(key); ok {
		return p.(*fillPlan)
	}
	var s *openapi3.Schema
	if ref := embeddedSpec().Components.Schemas[schema]; ref != nil {
		s = ref.Value
	}
	p := &fillPlan{root: planOf(t, s, "", "", map[reflect.Type]bool{})}
	for _, name := range skip {
		if path := fieldByJSON(t, name); path != nil {
			p.root = dropField(p.root, path)
			p.skipped = append(p.skipped, skippedField{name, path})
		}
	}
	p2, _ := plans.LoadOrStore(key, p)
	return p2.(*fillPlan)
}

// fieldByJSON returns the index path of the field of struct t whose JSON
// name is name (looking into embedded structs), or nil.
func fieldByJSON(t reflect.Type, name string) []int {
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case !f.IsExported() || jsonName == "-":
		case f.Anonymous && jsonName == "":
			if sub := fieldByJSON(f.Type, name); sub != nil {
				return append([]int{i}, sub...)
			}
		case jsonName == name || jsonName == "" && f.Name == name:
			return []int{i}
		}
	}
	return nil
}

// dropField returns a copy of plan n without the field at path.
func dropField(n *fillNode, path []int) *fillNode {
	c := *n
	c.fields = nil
	for _, f := range n.fields {
		switch {
		case f.index != path[0]:
			c.fields = append(c.fields, f)
		case len(path) > 1:
			c.fields = append(c.fields, dropField(f, path[1:]))
		}
	}
	return &c
}

// innerStruct is the struct type t holds through pointers, slices and
// maps (nil when it holds none).
func innerStruct(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

// planOf returns the plan of a value of type t with schema s at path.
// onStack holds the struct types being planned, so that a recursive type
// ends (its recursive pointer is left nil, its slice or map empty).
func planOf(t reflect.Type, s *openapi3.Schema, name, path string, onStack map[reflect.Type]bool) *fillNode {
	h := fnv.New64a()
	_, _ = h.Write([]byte(path))
	n := &fillNode{name: name, path: path, index: -1, schema: s, hash: h.Sum64()}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if onStack[innerStruct(t)] {
			return n // a type that holds itself: left nil or empty
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		n.elem = planOf(t.Elem(), s, name, path, onStack)
	case reflect.Slice:
		n.elem = planOf(t.Elem(), itemsOf(s), name, path+"[]", onStack)
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			var vs *openapi3.Schema
			if s != nil && s.AdditionalProperties.Schema != nil {
				vs = s.AdditionalProperties.Schema.Value
			}
			n.elem = planOf(t.Elem(), vs, name, path+"{}", onStack)
		}
	case reflect.Struct:
		if t == timeType {
			break
		}
		onStack[t] = true
		defer delete(onStack, t)
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			var child *fillNode
			switch {
			case jsonName == "-":
				continue
			case f.Anonymous && jsonName == "":
				child = planOf(f.Type, s, name, path, onStack)
			default:
				if jsonName == "" {
					jsonName = f.Name
				}
				p := jsonName
				if path != "" {
					p = path + "." + jsonName
				}
				child = planOf(f.Type, propertyOf(s, jsonName), jsonName, p, onStack)
			}
			child.index = i
			n.fields = append(n.fields, child)
		}
	}
	return n
}

// propertyOf returns the schema of property name in s (looking into allOf
// too), or nil.
func propertyOf(s *openapi3.Schema, name string) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if p := s.Properties[name]; p != nil {
		return p.Value
	}
	for _, sub := range s.AllOf {
		if p := propertyOf(sub.Value, name); p != nil {
			return p
		}
	}
	return nil
}

func itemsOf(s *openapi3.Schema) *openapi3.Schema {
	if s == nil || s.Items == nil {
		return nil
	}
	return s.Items.Value
}

// filler sets the values a plan describes.
type filler struct {
	serial string // the item's serial number, ends default texts
	// example is the documented example item this item follows: its
	// strings by JSON path (nil when the operation documents none).
	example map[string]string
	seed    uint64
	pcg     *rand.PCG
	rng     *rand.Rand
	at      time.Time // dates are drawn back from here
}

func newFiller(seed int64, at time.Time) *filler {
	pcg := rand.NewPCG(0, 0)
	//nolint:gosec // test data needs reproducibility, not secrecy
	return &filler{seed: uint64(seed), pcg: pcg, rng: rand.New(pcg), at: at}
}

// mix combines a stream's salt with one more number (an item's or an
// element's index).
func mix(salt, n uint64) uint64 {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], salt)
	binary.LittleEndian.PutUint64(b[8:], n)
	h := fnv.New64a()
	_, _ = h.Write(b[:])
	return h.Sum64()
}

// fill sets every zero value under v (of the type n was planned for).
func (f *filler) fill(v reflect.Value, n *fillNode, salt uint64) {
	switch v.Kind() {
	case reflect.Pointer:
		if n.elem == nil {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		f.fill(v.Elem(), n.elem, salt)
		return
	case reflect.Struct:
		if v.Type() != timeType {
			for _, c := range n.fields {
				f.fill(v.Field(c.index), c, salt)
			}
			return
		}
	case reflect.Slice:
		if n.elem == nil {
			return
		}
		if v.Len() == 0 {
			count := uint64(2) // or minItems when more (at most 1024), maxItems when fewer
			if s := n.schema; s != nil {
				count = max(count, min(s.MinItems, 1<<10))
				if s.MaxItems != nil {
					count = min(count, *s.MaxItems)
				}
			}
			v.Set(reflect.MakeSlice(v.Type(), int(count), int(count)))
		}
		for j := range v.Len() {
			f.fill(v.Index(j), n.elem, mix(salt, uint64(j)))
		}
		return
	case reflect.Map:
		if n.elem == nil || v.Len() > 0 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for j := range 2 {
			e := reflect.New(v.Type().Elem()).Elem()
			f.fill(e, n.elem, mix(salt, uint64(j)))
			v.SetMapIndex(reflect.ValueOf(fmt.Sprintf("%s_%d", n.name, j+1)).Convert(v.Type().Key()), e)
		}
		return
	}
	if !v.IsZero() {
		return
	}
	f.pcg.Seed(f.seed, n.hash^salt)
	f.leaf(v, n)
}

// leaf sets the zero scalar v, from the stream just seeded.
func (f *filler) leaf(v reflect.Value, n *fillNode) {
	s := n.schema
	if s != nil && len(s.Enum) > 0 {
		e := reflect.ValueOf(s.Enum[f.rng.IntN(len(s.Enum))])
		if e.IsValid() && e.CanConvert(v.Type()) {
			v.Set(e.Convert(v.Type()))
			return
		}
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.text(n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		lo, hi := f.bounds(s, 1, 1000)
		lo, hi = math.Max(lo, -math.Ldexp(1, v.Type().Bits()-1)), math.Min(hi, math.Ldexp(1, v.Type().Bits()-1)-1)
		v.SetInt(int64(f.integer(s, lo, hi)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		lo, hi := f.bounds(s, 1, 1000)
		lo, hi = math.Max(lo, 0), math.Min(hi, math.Ldexp(1, v.Type().Bits())-1)
		v.SetUint(uint64(f.integer(s, lo, hi)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f.number(s))
	case reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			for j := range v.Len() {
				v.Index(j).SetUint(uint64(f.rng.Uint32() >> 24))
			}
		}
	case reflect.Struct: // time.Time
		v.Set(reflect.ValueOf(f.at.Add(-time.Duration(f.rng.IntN(60*24*30)) * time.Minute)))
	case reflect.Interface:
		if v.NumMethod() == 0 {
			v.Set(reflect.ValueOf(f.text(n)))
		}
	}
}

// bounds returns the inclusive range the schema allows for a number,
// [defLo, defHi] where it says nothing (shifted next to a one-sided
// bound).
func (f *filler) bounds(s *openapi3.Schema, defLo, defHi float64) (lo, hi float64) {
	lo, hi = defLo, defHi
	if s == nil {
		return lo, hi
	}
	isInt := s.Type != nil && s.Type.Is("integer")
	step := 0.01
	if isInt {
		step = 1
	}
	if s.Min != nil {
		lo = *s.Min
		if s.ExclusiveMin.IsTrue() {
			lo += step
		}
	}
	if s.ExclusiveMin.Value != nil {
		lo = *s.ExclusiveMin.Value + step
	}
	if s.Max != nil {
		hi = *s.Max
		if s.ExclusiveMax.IsTrue() {
			hi -= step
		}
	}
	if s.ExclusiveMax.Value != nil {
		hi = *s.ExclusiveMax.Value - step
	}
	switch {
	case (s.Min != nil || s.ExclusiveMin.Value != nil) && s.Max == nil && s.ExclusiveMax.Value == nil:
		hi = lo + (defHi - defLo)
	case (s.Max != nil || s.ExclusiveMax.Value != nil) && s.Min == nil && s.ExclusiveMin.Value == nil:
		lo = min(lo, hi-(defHi-defLo))
	}
	return lo, hi
}

// integer draws a whole number in [lo, hi] (a multiple of multipleOf when
// set), avoiding 0 when the range has another value; when none lies in the
// range, lo rounded up.
func (f *filler) integer(s *openapi3.Schema, lo, hi float64) float64 {
	lo, hi = math.Ceil(lo), math.Floor(hi)
	step, first := 1.0, lo
	if s != nil && s.MultipleOf != nil && *s.MultipleOf >= 1 {
		step = math.Round(*s.MultipleOf)
		first = math.Ceil(lo/step) * step
	}
	if hi < first {
		return lo
	}
	n := math.Floor((hi-first)/step) + 1
	x := first + step*float64(f.rng.Int64N(int64(n)))
	if x == 0 && n > 1 {
		if x+step <= hi {
			x += step
		} else {
			x -= step
		}
	}
	return x
}

// number draws a number with two decimals in the schema's range, avoiding
// 0 when the range has another value.
func (f *filler) number(s *openapi3.Schema) float64 {
	lo, hi := f.bounds(s, 0.01, 1000)
	if s != nil && s.MultipleOf != nil && *s.MultipleOf > 0 {
		m := *s.MultipleOf
		return f.integer(nil, lo/m, hi/m) * m
	}
	x := math.Round((lo+f.rng.Float64()*(hi-lo))*100) / 100
	x = math.Min(math.Max(x, lo), hi)
	if x == 0 {
		x = cmp.Or(hi, lo) // still 0 only for the range [0, 0]
	}
	return x
}

// text is a string for the property: shaped by its format, else its name
// and a random token; within minLength/maxLength.
func (f *filler) text(n *fillNode) string {
	s := n.schema
	token := randString(f.rng, crockford, 8)
	var out string
	format := ""
	if s != nil {
		format = s.Format
	}
	switch format {
	case "date-time":
		out = f.at.Add(-time.Duration(f.rng.IntN(60*24*30)) * time.Minute).Format("2006-01-02T15:04:05.000Z")
	case "date":
		out = f.at.AddDate(0, 0, -f.rng.IntN(365)).Format(time.DateOnly)
	case "email":
		out = strings.ToLower(slug(pick(f.rng, firstNames), pick(f.rng, lastNames))) + "@example.com"
	case "uri", "url":
		out = "https://example.com/" + strings.ReplaceAll(n.name, "_", "-") + "/" + strings.ToLower(token)
	case "uuid":
		b := []byte(strings.ToLower(randString(f.rng, "0123456789abcdef", 32)))
		b[12] = '4'
		out = fmt.Sprintf("%s-%s-%s-%s-%s", b[:8], b[8:12], b[12:16], b[16:20], b[20:])
	default:
		ex, ok := f.example[n.path]
		if !ok && s != nil {
			ex, ok = s.Example.(string)
		}
		if ok && ex != "" {
			out = varyID(ex, token, f.serial)
			break
		}
		name := n.name
		if name == "" {
			name = "value"
		}
		out = name + "_" + token + f.serial
	}
	if s != nil {
		if s.MaxLength != nil && uint64(len(out)) > *s.MaxLength {
			if format == "" {
				out = token // too short for the name: the token alone
			}
			out = out[:min(uint64(len(out)), *s.MaxLength)]
		}
		if s.MinLength > uint64(len(out)) {
			out += randString(f.rng, crockford, int(min(s.MinLength, 1<<16))-len(out))
		}
	}
	return out
}

// varyID returns ex with an id-like tail (a run of 12 or more characters
// of [0-9A-Z] at its end) ending in the first 4 characters of token and
// serial instead, or ex unchanged (also when those are longer than the
// run).
func varyID(ex, token, serial string) string {
	i := len(ex)
	for i > 0 && strings.IndexByte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", ex[i-1]) >= 0 {
		i--
	}
	tail := token[:min(4, len(token))] + serial
	if run := len(ex) - i; run < max(12, len(tail)) {
		return ex
	}
	return ex[:len(ex)-len(tail)] + tail
}
