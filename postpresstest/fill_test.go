package postpresstest

import (
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/postpress/postpress-go/gen/spec"
)

// zeroLeaves lists the paths under v that hold a zero value: a nil
// pointer, an empty slice or map, a zero scalar.
func zeroLeaves(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return []string{path}
		}
		return zeroLeaves(v.Elem(), path)
	case reflect.Struct:
		if v.Type() == timeType {
			break
		}
		var out []string
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			out = append(out, zeroLeaves(v.Field(i), path+"."+name)...)
		}
		return out
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return []string{path}
		}
		if v.Kind() == reflect.Slice {
			var out []string
			for j := range v.Len() {
				out = append(out, zeroLeaves(v.Index(j), path+"[]")...)
			}
			return out
		}
		return nil
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}

// visit validates v, encoded as JSON, against schema.
func visit(t *testing.T, schema *openapi3.Schema, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if err := schema.VisitJSON(doc); err != nil {
		t.Fatalf("%s does not follow its schema: %v", raw, err)
	}
}

func TestGeneratedInvitationsFillEveryProperty(t *testing.T) {
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["InvitationReceived"].Value
	for _, inv := range GenerateInvitations(3, 40) {
		if z := zeroLeaves(reflect.ValueOf(inv), "invitation"); len(z) > 0 {
			t.Fatalf("%s: zero values at %v", inv.ID, z)
		}
		visit(t, schema, inv)
	}
}

// sampleSpec declares a property of every kind fill handles, with
// constraints.
const sampleSpec = `
openapi: 3.0.3
info: {title: sample, version: "1"}
paths: {}
components:
  schemas:
    Sample:
      type: object
      required: [code, ratio, neg, steps]
      properties:
        count: {type: integer, minimum: 1, maximum: 3}
        score: {type: number, minimum: 0, maximum: 1}
        flag: {type: boolean}
        note: {type: string, nullable: true}
        kind: {type: string, enum: [alpha, beta]}
        level: {type: integer, enum: [2, 4, 8]}
        tags: {type: array, minItems: 3, maxItems: 3, items: {type: string, maxLength: 4}}
        code: {type: string, minLength: 10, maxLength: 12}
        nested:
          type: object
          properties:
            a: {type: integer, minimum: -10, maximum: 0}
            b: {type: string, format: email}
        when: {type: string, format: date-time}
        rows:
          type: array
          items:
            type: object
            properties:
              x: {type: integer, minimum: 500}
        meta: {type: object, additionalProperties: {type: integer, minimum: 7, maximum: 7}}
        ratio: {type: number, minimum: 0, maximum: 1, exclusiveMaximum: true}
        neg: {type: integer, maximum: -5}
        steps: {type: integer, minimum: 1, maximum: 100, multipleOf: 25}
`

type sampleKind string

type sample struct {
	Count  *int        `json:"count,omitempty"`
	Score  *float32    `json:"score,omitempty"`
	Flag   *bool       `json:"flag,omitempty"`
	Note   *string     `json:"note,omitempty"`
	Kind   *sampleKind `json:"kind,omitempty"`
	Level  *int        `json:"level,omitempty"`
	Tags   *[]string   `json:"tags,omitempty"`
	Code   string      `json:"code"`
	Nested *struct {
		A *int    `json:"a,omitempty"`
		B *string `json:"b,omitempty"`
	} `json:"nested,omitempty"`
	When *time.Time `json:"when,omitempty"`
	Rows *[]struct {
		X *int `json:"x,omitempty"`
	} `json:"rows,omitempty"`
	Meta  *map[string]int `json:"meta,omitempty"`
	Ratio float64         `json:"ratio"`
	Neg   int64           `json:"neg"`
	Steps int             `json:"steps"`
}

// sampleLess is sample without count: the same type before a property was
// added.
type sampleLess struct {
	Score *float32 `json:"score,omitempty"`
	Code  string   `json:"code"`
	Neg   int64    `json:"neg"`
}

func sampleSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	return loadSchema(t, sampleSpec, "Sample")
}

// loadSchema returns the component schema named name of the spec in YAML.
func loadSchema(t *testing.T, spec, name string) *openapi3.Schema {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas[name].Value
}

func fillSample[T any](seed int64, item uint64, schema *openapi3.Schema) T {
	var v T
	plan := planOf(reflect.TypeFor[T](), schema, "", "", map[reflect.Type]bool{})
	newFiller(seed, time.Date(2026, 5, 12, 0, 0, 0, 0, time.UTC)).fill(reflect.ValueOf(&v).Elem(), plan, mix(0, item))
	return v
}

func TestFillFollowsTheSchema(t *testing.T) {
	schema := sampleSchema(t)
	for item := range uint64(50) {
		v := fillSample[sample](5, item, schema)
		if z := zeroLeaves(reflect.ValueOf(v), "sample"); len(z) > 0 {
			t.Fatalf("item %d: zero values at %v", item, z)
		}
		visit(t, schema, v)
		if *v.Kind != "alpha" && *v.Kind != "beta" {
			t.Fatalf("kind %q is not in the enum", *v.Kind)
		}
		if !reflect.DeepEqual(v, fillSample[sample](5, item, schema)) {
			t.Fatal("same seed and item, different values")
		}
	}
	if reflect.DeepEqual(fillSample[sample](5, 1, schema), fillSample[sample](5, 2, schema)) {
		t.Fatal("different items, same values")
	}
}

func TestFillNewPropertyChangesNoOtherValue(t *testing.T) {
	schema := sampleSchema(t)
	for item := range uint64(20) {
		full, less := fillSample[sample](9, item, schema), fillSample[sampleLess](9, item, schema)
		if *full.Score != *less.Score || full.Code != less.Code || full.Neg != less.Neg {
			t.Fatalf("item %d: adding count changed other values: %v %q %d vs %v %q %d",
				item, *full.Score, full.Code, full.Neg, *less.Score, less.Code, less.Neg)
		}
	}
}

func TestFillKeepsValuesAlreadySet(t *testing.T) {
	schema := sampleSchema(t)
	one, code := 1, "set by hand"
	v := sample{Count: &one, Code: code}
	plan := planOf(reflect.TypeFor[sample](), schema, "", "", map[reflect.Type]bool{})
	newFiller(1, time.Now()).fill(reflect.ValueOf(&v).Elem(), plan, 0)
	if v.Count != &one || *v.Count != 1 || v.Code != code || v.Score == nil {
		t.Fatalf("fill changed values set before it, or set nothing: %+v", v)
	}
}

// edgeSpec holds schemas at the edges of fill's rules (a range of one or
// two values, a bound beyond the Go type, multipleOf, maxLength equal to the
// text), by name.
const edgeSpec = `
openapi: 3.0.3
info: {title: edges, version: "1"}
paths: {}
components:
  schemas:
    Edges:
      type: object
      properties:
        few: {type: array, maxItems: 5, items: {type: string}}
        one: {type: array, maxItems: 1, items: {type: string}}
        small: {type: integer, minimum: 100, maximum: 1000}
        negative: {type: integer, minimum: -1000, maximum: -100}
        beyond: {type: integer, minimum: -1000, maximum: -129}
        quarters: {type: number, minimum: 0, maximum: 1, multipleOf: 0.25}
        upper: {type: number, minimum: 1, maximum: 2, multipleOf: 0.25}
        spread: {type: number, minimum: 2, maximum: 6}
        stamp: {type: string, format: date-time}
        day: {type: string, format: date}
        mail: {type: string, format: email}
        link: {type: string, format: uri}
        uid: {type: string, format: uuid}
        ab: {type: string, maxLength: 11}
        note: {type: string}
`

type edges struct {
	Few      []string  `json:"few"`
	One      []string  `json:"one"`
	Small    int8      `json:"small"`
	Negative int8      `json:"negative"`
	Beyond   int8      `json:"beyond"`
	Quarters float64   `json:"quarters"`
	Upper    float64   `json:"upper"`
	Spread   float64   `json:"spread"`
	Stamp    string    `json:"stamp"`
	Day      string    `json:"day"`
	Mail     string    `json:"mail"`
	Link     string    `json:"link"`
	UID      string    `json:"uid"`
	AB       string    `json:"ab"`
	Note     string    `json:"note"`
	When     time.Time `json:"when"`
	Untyped  string    `json:"-"`
}

var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// fillAt is the time fillSample draws dates back from.
var fillAt = time.Date(2026, 5, 12, 0, 0, 0, 0, time.UTC)

func edgeSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	return loadSchema(t, edgeSpec, "Edges")
}

// fillEdges fills n items.
func fillEdges(t *testing.T, n int) []edges {
	schema := edgeSchema(t)
	out := make([]edges, n)
	for i := range out {
		out[i] = fillSample[edges](7, uint64(i), schema)
	}
	return out
}

func TestFillArraysWithinMaxItems(t *testing.T) {
	for _, v := range fillEdges(t, 5) {
		// maxItems above the 2 of an unbounded array keeps 2; below, it caps.
		if len(v.Few) != 2 || len(v.One) != 1 {
			t.Fatalf("few (maxItems 5) has %d elements, want 2; one (maxItems 1) has %d, want 1", len(v.Few), len(v.One))
		}
	}
}

func TestFillIntegersWithinTheGoType(t *testing.T) {
	distinct := map[string]map[int8]bool{"small": {}, "negative": {}}
	for _, v := range fillEdges(t, 300) {
		// int8 holds -128..127: the spec's range is cut to it.
		if v.Small < 100 || v.Negative > -100 {
			t.Fatalf("small = %d (want 100..127), negative = %d (want -128..-100)", v.Small, v.Negative)
		}
		// A range entirely beyond the type: the type's nearest bound.
		if v.Beyond != -128 {
			t.Fatalf("beyond (-1000..-129 in an int8) = %d, want -128", v.Beyond)
		}
		distinct["small"][v.Small] = true
		distinct["negative"][v.Negative] = true
	}
	for name, d := range distinct {
		if len(d) < 10 {
			t.Errorf("%s took %d distinct values over 300 items: the draws do not cover the range", name, len(d))
		}
	}
}

func TestFillNumbers(t *testing.T) {
	quarters, spread := map[float64]int{}, map[float64]int{}
	lowest, highest := math.Inf(1), math.Inf(-1)
	for _, v := range fillEdges(t, 200) {
		if q := v.Quarters * 4; q != math.Trunc(q) || v.Quarters < 0 || v.Quarters > 1 {
			t.Fatalf("quarters = %v, want a multiple of 0.25 in 0..1", v.Quarters)
		}
		if q := v.Upper * 4; q != math.Trunc(q) || v.Upper < 1 || v.Upper > 2 {
			t.Fatalf("upper = %v, want a multiple of 0.25 in 1..2", v.Upper)
		}
		if v.Spread < 2 || v.Spread > 6 || math.Abs(v.Spread*100-math.Round(v.Spread*100)) > 1e-9 {
			t.Fatalf("spread = %v, want two decimals in 2..6", v.Spread)
		}
		quarters[v.Quarters]++
		spread[v.Spread]++
		lowest, highest = min(lowest, v.Spread), max(highest, v.Spread)
	}
	if lowest > 2.5 || highest < 5.5 {
		t.Errorf("spread drawn within %v..%v, want it to cover 2..6", lowest, highest)
	}
	// 0 is avoided when the range has another value: 0.25, 0.5, 0.75, 1.
	if len(quarters) != 4 || quarters[0] != 0 {
		t.Errorf("quarters took %v, want each of 0.25, 0.5, 0.75 and 1", quarters)
	}
	for x, n := range spread {
		if n > 20 {
			t.Errorf("spread is %v in %d of 200 items: the draws do not spread over 2..6", x, n)
		}
	}
}

func TestFillIntegerEdges(t *testing.T) {
	f := newFiller(1, fillAt)
	step25 := 25.0
	for range 100 {
		if x := f.integer(nil, 0, 0); x != 0 {
			t.Fatalf("integer in 0..0 = %v", x)
		}
		if x := f.integer(nil, 0, 1); x != 1 {
			t.Fatalf("integer in 0..1 = %v, want 1 (0 only when nothing else fits)", x)
		}
		if x := f.integer(nil, -1, 0); x != -1 {
			t.Fatalf("integer in -1..0 = %v, want -1", x)
		}
	}
	seen := map[float64]bool{}
	for range 200 {
		x := f.integer(&openapi3.Schema{MultipleOf: &step25}, 1, 100)
		if x < 25 || x > 100 || math.Mod(x, 25) != 0 {
			t.Fatalf("integer in 1..100, multipleOf 25 = %v", x)
		}
		seen[x] = true
	}
	if len(seen) != 4 {
		t.Errorf("multiples of 25 in 1..100 drawn: %v, want all of 25, 50, 75, 100", seen)
	}
}

func TestFillBoundsShiftNextToOneBound(t *testing.T) {
	f := newFiller(1, fillAt)
	lo5, hi5 := 500.0, -5.0
	integer := &openapi3.Types{"integer"}
	for _, tc := range []struct {
		name   string
		s      *openapi3.Schema
		lo, hi float64
	}{
		{"none", &openapi3.Schema{Type: integer}, 1, 1000},
		{"minimum only", &openapi3.Schema{Type: integer, Min: &lo5}, 500, 1499},
		{"maximum only", &openapi3.Schema{Type: integer, Max: &hi5}, -1004, -5},
		{"no schema", nil, 1, 1000},
	} {
		if lo, hi := f.bounds(tc.s, 1, 1000); lo != tc.lo || hi != tc.hi {
			t.Errorf("%s: bounds %v..%v, want %v..%v", tc.name, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestFillStringsByFormatAndName(t *testing.T) {
	days, stampDays := map[string]bool{}, map[string]bool{}
	for _, v := range fillEdges(t, 50) {
		stamp, err := time.Parse(time.RFC3339, v.Stamp)
		if err != nil || stamp.After(fillAt) || stamp.Before(fillAt.AddDate(0, 0, -31)) {
			t.Fatalf("stamp (date-time) = %q (%v), want a time in the 30 days before %v", v.Stamp, err, fillAt)
		}
		day, err := time.Parse(time.DateOnly, v.Day)
		if err != nil || day.After(fillAt) || day.Before(fillAt.AddDate(-1, 0, -1)) {
			t.Fatalf("day (date) = %q (%v), want a date in the year before %v", v.Day, err, fillAt)
		}
		if !strings.HasSuffix(v.Mail, "@example.com") || !strings.HasPrefix(v.Link, "https://example.com/link/") {
			t.Fatalf("mail = %q, link = %q", v.Mail, v.Link)
		}
		if !uuidShape.MatchString(v.UID) {
			t.Fatalf("uid (uuid) = %q", v.UID)
		}
		// The property's name and a token: "ab_" + 8 fits maxLength 11
		// exactly, so it stays whole.
		if len(v.AB) != 11 || !strings.HasPrefix(v.AB, "ab_") || !strings.HasPrefix(v.Note, "note_") {
			t.Fatalf("ab = %q (maxLength 11), note = %q: want the name and a token", v.AB, v.Note)
		}
		if v.When.After(fillAt) || v.When.Before(fillAt.AddDate(0, 0, -30)) {
			t.Fatalf("when (time.Time) = %v, want in the 30 days before %v", v.When, fillAt)
		}
		days[v.When.Format(time.DateOnly)] = true
		stampDays[stamp.Format(time.DateOnly)] = true
	}
	if len(days) < 15 || len(stampDays) < 15 {
		t.Errorf("50 times fall on %d days, 50 date-time strings on %d: the draws do not spread over the 30 days", len(days), len(stampDays))
	}
}

// TestFillRecursiveTypeEnds: a type that contains itself, through a
// pointer, a slice or a map, is filled to one level, the recursive member
// left nil or empty.
func TestFillRecursiveTypeEnds(t *testing.T) {
	type node struct {
		Name     string           `json:"name"`
		Next     *node            `json:"next"`
		Children []node           `json:"children"`
		ByName   map[string]*node `json:"by_name"`
	}
	// With the guard broken, planning recurses until the stack overflows,
	// which takes minutes: the test's own deadline fails it in seconds.
	done := make(chan node, 1)
	go func() { done <- fillSample[node](1, 0, nil) }()
	var v node
	select {
	case v = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("filling a type that points to itself did not end within 5s: the recursion guard is broken")
	}
	if v.Name == "" || v.Next != nil || len(v.Children) != 0 || len(v.ByName) != 0 {
		t.Fatalf("name %q, next %v, %d children, %d by name: want a name and nothing recursive", v.Name, v.Next, len(v.Children), len(v.ByName))
	}
}

// TestItemPlansHaveTheSpecsSchemas: every property of each list
// operation's item type is planned with its schema from the embedded spec,
// so that a property the spec adds gets values within its constraints.
func TestItemPlansHaveTheSpecsSchemas(t *testing.T) {
	var walk func(n *fillNode, path string)
	walk = func(n *fillNode, path string) {
		for _, c := range n.fields {
			p := path + "." + c.name
			if c.schema == nil {
				t.Errorf("%s: no schema from the spec", p)
			}
			for e := c; e != nil; e = e.elem {
				walk(e, p)
			}
		}
	}
	for _, o := range listOps {
		root := planFor(o.item, o.itemSchema).root
		if root.schema == nil || len(root.fields) == 0 {
			t.Fatalf("%s: the plan of %v has no schema or no fields", o.id, o.item)
		}
		walk(root, o.itemSchema)
	}
}

// TestVaryIDReplacesOnlyAnIDLikeTail: the end of a run of 12 or more of
// [0-9A-Z] at the end of an example takes the token's first 4 characters
// and the serial number; any other example is kept as it is.
func TestVaryIDReplacesOnlyAnIDLikeTail(t *testing.T) {
	for _, c := range []struct{ ex, token, serial, want string }{
		{"inv_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", "WXYZ1234", "0007", "inv_01HXYZ4QK3WJ8FN3M6WXYZ0007"},
		{"01HXYZ4QK3WJ8FN3", "WXYZ1234", "0007", "01HXYZ4QWXYZ0007"}, // the whole example is the run
		{"inv_000000000000", "WXYZ1234", "0007", "inv_0000WXYZ0007"}, // zeros are id characters
		{"inv_ABCDEFGHJKMN", "WXYZ1234", "0007", "inv_ABCDWXYZ0007"}, // a run of exactly 12
		{"inv_ABCDEFGHJKM", "WXYZ1234", "0007", "inv_ABCDEFGHJKM"},   // 11: not an id
		{"invitation_ABCDEFGHJ", "WXYZ1234", "0007", "invitation_ABCDEFGHJ"},
		{"inv_0123456789AB", "WXYZ1234", "01234567", "inv_WXYZ01234567"},   // token and serial fill the run
		{"inv_0123456789AB", "WXYZ1234", "0123456789", "inv_0123456789AB"}, // longer than the run
		{"inv_01HXYZ4QK3WJ8FN3", "WX", "0007", "inv_01HXYZ4QK3WX0007"},     // a token shorter than 4
		{"inv_abcdefghijklmnop", "WXYZ1234", "0007", "inv_abcdefghijklmnop"},
		{"ada-lovelace", "WXYZ1234", "0007", "ada-lovelace"},
		{"", "WXYZ1234", "0007", ""},
	} {
		if got := varyID(c.ex, c.token, c.serial); got != c.want {
			t.Errorf("varyID(%q, %q, %q) = %q, want %q", c.ex, c.token, c.serial, got, c.want)
		}
	}
}

// schemaOf returns the schema named name in a spec holding only the
// components.schemas given in YAML (indented as under schemas:).
func schemaOf(t *testing.T, name, schemas string) *openapi3.Schema {
	t.Helper()
	return loadSchema(t, "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n"+schemas, name)
}

// TestFillArrayLengths: an array gets 2 elements, minItems when that is
// more (at most 1024), maxItems when that is fewer.
func TestFillArrayLengths(t *testing.T) {
	schema := schemaOf(t, "Lists", `
    Lists:
      type: object
      properties:
        plain: {type: array, items: {type: string}}
        five: {type: array, minItems: 5, items: {type: string}}
        huge: {type: array, minItems: 5000, items: {type: integer}}
        none: {type: array, maxItems: 0, items: {type: string}}
        bounded: {type: array, minItems: 4, maxItems: 3, items: {type: string}}
`)
	type lists struct {
		Plain   []string `json:"plain"`
		Five    []string `json:"five"`
		Huge    []int    `json:"huge"`
		None    []string `json:"none"`
		Bounded []string `json:"bounded"`
	}
	v := fillSample[lists](1, 0, schema)
	if len(v.Plain) != 2 || len(v.Five) != 5 || len(v.Huge) != 1024 || len(v.None) != 0 || len(v.Bounded) != 3 {
		t.Errorf("lengths plain %d, five %d, huge %d, none %d, bounded %d; want 2, 5, 1024, 0, 3",
			len(v.Plain), len(v.Five), len(v.Huge), len(v.None), len(v.Bounded))
	}
}

// TestFillMapKeysNameTheProperty: a map gets two entries, keyed by the
// property's name and 1 and 2.
func TestFillMapKeysNameTheProperty(t *testing.T) {
	v := fillSample[sample](5, 0, sampleSchema(t))
	if _, ok1 := (*v.Meta)["meta_1"]; !ok1 || len(*v.Meta) != 2 {
		t.Fatalf("meta = %v, want the keys meta_1 and meta_2", *v.Meta)
	}
	if _, ok2 := (*v.Meta)["meta_2"]; !ok2 {
		t.Fatalf("meta = %v, want the keys meta_1 and meta_2", *v.Meta)
	}
}

// TestFillExclusiveBounds: an exclusive bound, as OpenAPI 3.0 writes it
// (a flag beside minimum or maximum) or as 3.1 does (the bound itself),
// moves an integer's range by 1; the other end still lies the default
// range's width away.
func TestFillExclusiveBounds(t *testing.T) {
	f := newFiller(1, fillAt)
	integer := &openapi3.Types{"integer"}
	yes, five, lo5, hi5 := true, -5.0, 500.0, -5.0
	for _, tc := range []struct {
		name   string
		s      *openapi3.Schema
		lo, hi float64
	}{
		{"minimum, exclusive", &openapi3.Schema{Type: integer, Min: &lo5, ExclusiveMin: openapi3.ExclusiveBound{Bool: &yes}}, 501, 1500},
		{"maximum, exclusive", &openapi3.Schema{Type: integer, Max: &hi5, ExclusiveMax: openapi3.ExclusiveBound{Bool: &yes}}, -1005, -6},
		{"exclusiveMinimum", &openapi3.Schema{Type: integer, ExclusiveMin: openapi3.ExclusiveBound{Value: &lo5}}, 501, 1500},
		{"exclusiveMaximum", &openapi3.Schema{Type: integer, ExclusiveMax: openapi3.ExclusiveBound{Value: &five}}, -1005, -6},
	} {
		if lo, hi := f.bounds(tc.s, 1, 1000); lo != tc.lo || hi != tc.hi {
			t.Errorf("%s: bounds %v..%v, want %v..%v", tc.name, lo, hi, tc.lo, tc.hi)
		}
	}
}

// TestFillIntegerWithoutAMultipleInRange: when no multiple of multipleOf
// lies in the range, integer gives the range's low end; a multiple at the
// top of the range is found.
func TestFillIntegerWithoutAMultipleInRange(t *testing.T) {
	f := newFiller(1, fillAt)
	three, four := 3.0, 4.0
	for range 20 {
		if x := f.integer(&openapi3.Schema{MultipleOf: &three}, 5, 6); x != 6 {
			t.Fatalf("integer in 5..6, multipleOf 3 = %v, want 6", x)
		}
		if x := f.integer(&openapi3.Schema{MultipleOf: &four}, 5, 7); x != 5 {
			t.Fatalf("integer in 5..7, multipleOf 4 = %v, want 5 (no multiple fits: the low end)", x)
		}
	}
}

// TestFillNumberAvoidsZero: a number drawn as 0 takes the range's end that
// is not 0.
func TestFillNumberAvoidsZero(t *testing.T) {
	f := newFiller(1, fillAt)
	number := &openapi3.Types{"number"}
	zero, cent, minusCent := 0.0, 0.01, -0.01
	above := &openapi3.Schema{Type: number, Min: &zero, Max: &cent}
	below := &openapi3.Schema{Type: number, Min: &minusCent, Max: &zero}
	for range 50 {
		if x := f.number(above); x != 0.01 {
			t.Fatalf("number in 0..0.01 = %v, want 0.01", x)
		}
		if x := f.number(below); x != -0.01 {
			t.Fatalf("number in -0.01..0 = %v, want -0.01", x)
		}
	}
}

// TestFillTextCutToMaxLength: a text too long for maxLength is the random
// token alone, cut to it; a formatted one is cut.
func TestFillTextCutToMaxLength(t *testing.T) {
	schema := schemaOf(t, "Short", `
    Short:
      type: object
      properties:
        longname: {type: string, maxLength: 6}
        site: {type: string, format: uri, maxLength: 12}
`)
	type short struct {
		LongName string `json:"longname"`
		Site     string `json:"site"`
	}
	for item := range uint64(10) {
		v := fillSample[short](1, item, schema)
		if len(v.LongName) != 6 || strings.Trim(v.LongName, crockford) != "" {
			t.Fatalf("longname (maxLength 6) = %q, want 6 characters of the token", v.LongName)
		}
		if v.Site != "https://exam" {
			t.Fatalf("site (uri, maxLength 12) = %q, want the URI cut to 12", v.Site)
		}
	}
}

// TestFillUnsignedWithinTheGoType: an unsigned integer's range is cut to
// its Go type.
func TestFillUnsignedWithinTheGoType(t *testing.T) {
	schema := schemaOf(t, "Small", `
    Small:
      type: object
      properties:
        b: {type: integer, minimum: 250, maximum: 1000}
`)
	type small struct {
		B uint8 `json:"b"`
	}
	for item := range uint64(100) {
		if v := fillSample[small](1, item, schema); v.B < 250 {
			t.Fatalf("b (uint8, 250..1000) = %d, want 250..255", v.B)
		}
	}
}

// TestFillByteArraysAndInterfaces: a byte array (a UUID's type) gets
// random bytes, an empty interface a text.
func TestFillByteArraysAndInterfaces(t *testing.T) {
	type raw struct {
		ID  [16]byte `json:"id"`
		Any any      `json:"any"`
	}
	v := fillSample[raw](1, 0, nil)
	if v.ID == [16]byte{} {
		t.Error("id ([16]byte) left zero")
	}
	if s, _ := v.Any.(string); !strings.HasPrefix(s, "any_") {
		t.Errorf("any = %#v, want a text made of its name", v.Any)
	}
}

// TestFieldByJSONNamesFieldsAsEncodingJSONDoes: a field is found by its
// JSON name (its tag, else its Go name), inside an untagged embedded
// struct too; a "-" field is not found.
func TestFieldByJSONNamesFieldsAsEncodingJSONDoes(t *testing.T) {
	type Meta struct {
		Items []string `json:"items"`
		Total int      `json:"total"`
	}
	type page struct {
		Meta
		Next   *string
		Cursor string `json:"cursor_token"`
		Skip   string `json:"-"`
	}
	typ := reflect.TypeFor[page]()
	for name, want := range map[string][]int{
		"items": {0, 0}, "total": {0, 1}, "Next": {1}, "cursor_token": {2},
		"Cursor": nil, "Skip": nil, "-": nil, "Meta": nil, "nothing": nil,
	} {
		if got := fieldByJSON(typ, name); !slices.Equal(got, want) {
			t.Errorf("fieldByJSON(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestFillEmbeddedStructsAndAllOf: the fields of an untagged embedded
// struct are the object's properties, and a property declared in an allOf
// member has its schema.
func TestFillEmbeddedStructsAndAllOf(t *testing.T) {
	schema := schemaOf(t, "Outer", `
    Outer:
      type: object
      allOf:
        - type: object
          properties:
            level: {type: integer, minimum: 7, maximum: 7}
      properties:
        code: {type: string, enum: [only]}
`)
	type Inner struct {
		Level int `json:"level"`
	}
	type outer struct {
		Inner
		Code string `json:"code"`
	}
	for item := range uint64(5) {
		if v := fillSample[outer](1, item, schema); v.Level != 7 || v.Code != "only" {
			t.Fatalf("level = %d (allOf: 7..7, in an embedded struct), code = %q (enum [only])", v.Level, v.Code)
		}
	}
}
