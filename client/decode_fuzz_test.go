package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/gen/spec"
)

// decodePageStd is the reference decodePage: encoding/json into the
// generated types, then (with encoding/json's own member matching) the
// presence of `items` and `cursor`. decodePage must accept exactly the
// bodies it accepts and yield the same pages.
func decodePageStd(body []byte) (*Page, error) {
	var full gen.InvitationList
	if err := json.Unmarshal(body, &full); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedResponse, err)
	}
	var w struct {
		Items  *[]gen.InvitationReceived `json:"items"`
		Cursor presentString             `json:"cursor"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedResponse, err)
	}
	switch {
	case w.Items == nil:
		return nil, fmt.Errorf("%w: no `items` array", ErrMalformedResponse)
	case !w.Cursor.present:
		return nil, fmt.Errorf("%w: no `cursor` field", ErrMalformedResponse)
	}
	p := &Page{Items: full.Items}
	if full.Cursor != nil {
		p.NextCursor = *full.Cursor
	}
	return p, nil
}

// presentString is a nullable string that remembers whether it was present.
type presentString struct {
	present bool
	value   *string
}

func (s *presentString) UnmarshalJSON(b []byte) error {
	s.present = true
	if string(b) == "null" {
		s.value = nil
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.value = &v
	return nil
}

// decodeSeeds are the bodies the fuzz corpus starts from: the spec's
// examples and the edge cases the decoder must treat as encoding/json does.
func decodeSeeds(t testing.TB) []string {
	seeds := []string{
		`{"object":"InvitationList","items":[],"cursor":null}`,
		`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":"inv_1","invited_user":null,"new_field":1,"specifics":{"provider":"XING","shared_secret":"s"}}],"cursor":"eyJvIjoxMH0"}`,
		`{"items":[],"cursor":"a","cursor":null}`,
		`{"items":[{"id":"a","date":"d"},{"id":"b"}],"items":[{"id":"c"}],"items":[null,{"date":"x"}],"cursor":null}`,
		`{"items":[{"id":"a"}],"items":[],"items":[{}],"cursor":null}`,
		`{"items":[{"id":"a","inviter":{"inviter_name":"n"}}],"items":[{"inviter":{"inviter_id":"i"}}],"cursor":null}`,
		`{"items":[{"inviter":{"inviter_name":"n"},"inviter":null,"specifics":null}],"cursor":"c"}`,
		`{"ITEMS":[{"ID":"x","Invited_User":"u","ſpecifics":{"PROVIDER":"LINKEDIN"}}],"Cursor":"k","\u0063ursor":"z"}`,
		`{"items":[{"id":"\u00e9\ud83d\ude00\ud800\udc00\ud800x\udc00\u0000\"\\\/\b\f\n\r\t","date":"caf\xc3\xa9 \xff\xfe \xed\xa0\x80"}],"cursor":"\u2028"}`,
		`{"items":[{"id":"a","date":null,"date":"b","invitation_text":"t","invitation_text":null}],"cursor":null}`,
		`{"items":[{"unknown":{"a":[1,-2.5e+10,0.0,true,false,null,{"b":"c"}]},"id":"x"}],"cursor":null,"extra":[[[]]]}`,
		` {"items" : [ ] , "cursor" : null } ` + "\n\t\r",
		`{"items":[],"cursor":null}x`, `{"items":[],"cursor":null}{}`,
		"{\"a\":1,\"n\\u00e9\":\"" + strings.Repeat("\xff", 40) + "\",\"items\":[],\"cursor\":null}",
		`{"items":[],"cursor":12}`, `{"items":[],"cursor":{}}`, `{"items":{},"cursor":null}`,
		`{"items":[1],"cursor":null}`, `{"items":["x"],"cursor":null}`, `{"items":[{"id":1}],"cursor":null}`,
		`{"items":[{"id":true}],"cursor":null}`, `{"items":[{"inviter":"x"}],"cursor":null}`, `{"items":[{"specifics":[]}],"cursor":null}`,
		`{"items":[{"id":"x"},],"cursor":null}`, `{"items":[],"cursor":null,}`, `{"items":[],"cursor":nul}`,
		`{"items":[{"x":01}],"cursor":null}`, `{"items":[{"x":-}],"cursor":null}`, `{"items":[{"x":1.}],"cursor":null}`,
		`{"items":[{"x":1e}],"cursor":null}`, `{"items":[{"x":"\x}"}],"cursor":null}`, `{"items":[{"x":"\u12"}],"cursor":null}`,
		`{"items":[{"id":"a` + "\x01" + `"}],"cursor":null}`, `{"items":[{"id":"\'"}],"cursor":null}`,
		`{"items":null,"cursor":null}`, `{"object":"InvitationList","items":[]}`, `{"cursor":null}`,
		`null`, `[]`, `""`, `1`, `true`, ``, ` `, `{`, `{"items"`, `{"items":`, `{"items":[`, `{"items":[{`,
		"\xef\xbb\xbf{\"items\":[],\"cursor\":null}",
	}
	// The spec's own examples of the 200 response.
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Find("/users/invite/received").Get
	for name, ex := range op.Responses.Status(200).Value.Content["application/json"].Examples {
		b, err := json.Marshal(ex.Value.Value)
		if err != nil {
			t.Fatalf("example %s: %v", name, err)
		}
		seeds = append(seeds, string(b))
	}
	return append(seeds, schemaSeeds(t)...)
}

// schemaSeeds are bodies built from the generated types, so that every
// property the spec declares, of whatever JSON type, is in the corpus with
// no edit here: a page whose every field is filled, then that page with
// each member and element in turn replaced by null and by values of the
// wrong type or at the edge of a Go type's range.
func schemaSeeds(t testing.TB) []string {
	var page gen.InvitationList
	fill(reflect.ValueOf(&page).Elem())
	full, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	seeds := []string{string(full)}
	// leaves returns a fresh copy of the full page and the setters of its
	// members and elements, in a stable order.
	leaves := func() (any, []func(any)) {
		var doc any
		if err := json.Unmarshal(full, &doc); err != nil {
			t.Fatal(err)
		}
		var sets []func(any)
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for _, k := range slices.Sorted(maps.Keys(v)) {
					sets = append(sets, func(x any) { v[k] = x })
					walk(v[k])
				}
			case []any:
				for i := range v {
					sets = append(sets, func(x any) { v[i] = x })
					walk(v[i])
				}
			}
		}
		walk(doc)
		return doc, sets
	}
	_, all := leaves()
	for i := range all {
		for _, x := range []any{nil, "x", true, json.Number("1.5"), json.Number("-1"), json.Number("1e400"),
			json.Number("9223372036854775808"), json.Number("3.5e38"), []any{}, map[string]any{}} {
			doc, sets := leaves()
			sets[i](x)
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, string(b))
		}
	}
	return seeds
}

// fill sets every field of v, at any depth, to a value that is not the
// zero value: strings, numbers and bools, one element in each slice, a
// new value behind each pointer.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(2.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}

// checkDecodeAgainstStd fails if decodePage and encoding/json disagree on
// body (one accepts and the other does not, or they yield different
// pages) or if decodePage writes to the body.
func checkDecodeAgainstStd(t *testing.T, body []byte) {
	t.Helper()
	want, wantErr := decodePageStd(bytes.Clone(body))
	in := bytes.Clone(body)
	got, gotErr := decodePage(in)
	switch {
	case !bytes.Equal(in, body):
		t.Fatalf("body %q: decodePage wrote to its input, leaving %q", body, in)
	case (wantErr == nil) != (gotErr == nil):
		t.Fatalf("body %q:\nencoding/json: %v\ndecodePage:    %v", body, wantErr, gotErr)
	case gotErr != nil:
		if !errors.Is(gotErr, ErrMalformedResponse) {
			t.Fatalf("body %q: error %v does not wrap ErrMalformedResponse", body, gotErr)
		}
	case !reflect.DeepEqual(got, want):
		t.Fatalf("body %q:\nencoding/json: %+v\ndecodePage:    %+v", body, want, got)
	}
}

func TestDecodePageMatchesEncodingJSON(t *testing.T) {
	seeds := decodeSeeds(t)
	if len(seeds) < 45 {
		t.Fatalf("only %d seeds: the spec examples are missing", len(seeds))
	}
	// Nesting at and past encoding/json's limit of 10000 (kept out of the
	// fuzz corpus: inputs this deep slow the fuzzer down a hundredfold).
	seeds = append(seeds,
		`{"items":[`+strings.Repeat(`[`, 9997)+strings.Repeat(`]`, 9997)+`],"cursor":null}`,
		`{"items":[{"x":`+strings.Repeat(`[`, 9998)+strings.Repeat(`]`, 9998)+`}],"cursor":null}`,
		`{"items":[{"x":`+strings.Repeat(`[`, 9997)+strings.Repeat(`]`, 9997)+`}],"cursor":null}`,
		`{"items":[{"x":`+strings.Repeat(`{"a":`, 9997)+`1`+strings.Repeat(`}`, 9997)+`}],"cursor":null}`,
		`{"items":[{"x":`+strings.Repeat(`{"a":`, 9998)+`1`+strings.Repeat(`}`, 9998)+`}],"cursor":null}`,
	)
	for _, s := range seeds {
		checkDecodeAgainstStd(t, []byte(s))
	}
}

// FuzzDecodePage feeds the same bodies to decodePage and to encoding/json
// (decodePageStd) and fails on a panic, on a body one accepts and the other
// rejects, on different decoded pages, or on decodePage writing to the body.
func FuzzDecodePage(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodeAgainstStd(t, body)
	})
}
