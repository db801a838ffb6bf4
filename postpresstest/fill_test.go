package postpresstest

import (
	"encoding/json"
	"reflect"
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
	doc, err := openapi3.NewLoader().LoadFromData([]byte(sampleSpec))
	if err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas["Sample"].Value
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
