package postpresstest

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestReshapeAddsExtraMembersAndNullsEveryThirdNullableString: each object
// gets the x-live-extra-members of its schema (and of its allOf members),
// and of the nullable string properties met, in item order and then by
// name, every third is null; other properties are left as they are.
func TestReshapeAddsExtraMembersAndNullsEveryThirdNullableString(t *testing.T) {
	rows := schemaOf(t, "Rows", `
    Rows:
      type: array
      items:
        type: object
        x-live-extra-members: {picture: "https://example.com/p.jpg"}
        properties:
          a: {type: string, nullable: true}
          b: {type: string, nullable: true}
          c: {type: string, nullable: true}
          d: {type: string}
          e: {type: integer, nullable: true}
          sub:
            allOf:
              - type: object
                x-live-extra-members: {badge: gold}
                properties:
                  x: {type: string, nullable: true}
`)
	row := `{"a": "a", "b": "b", "c": "c", "d": "d", "e": 1, "sub": {"x": "x"}}`
	var v any
	if err := json.Unmarshal([]byte("["+row+","+row+","+row+"]"), &v); err != nil {
		t.Fatal(err)
	}
	n := 0
	got, err := json.Marshal(reshape(v, rows, &n))
	if err != nil {
		t.Fatal(err)
	}
	// 4 nullable strings a row (a, b, c, sub.x): the 3rd, 6th, 9th and 12th.
	want := `[` +
		`{"a":"a","b":"b","c":null,"d":"d","e":1,"picture":"https://example.com/p.jpg","sub":{"badge":"gold","x":"x"}},` +
		`{"a":"a","b":null,"c":"c","d":"d","e":1,"picture":"https://example.com/p.jpg","sub":{"badge":"gold","x":"x"}},` +
		`{"a":null,"b":"b","c":"c","d":"d","e":1,"picture":"https://example.com/p.jpg","sub":{"badge":"gold","x":null}}` +
		`]`
	var gotV, wantV any
	_ = json.Unmarshal(got, &gotV)
	_ = json.Unmarshal([]byte(want), &wantV)
	if !reflect.DeepEqual(gotV, wantV) {
		t.Errorf("reshaped\n %s\nwant\n %s", got, want)
	}
}
