package wire

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// scalarInputs are JSON values at the edges of every scalar kind.
var scalarInputs = []string{
	`0`, `-0`, `7`, `-7`, `1.5`, `-1.5e3`, `1e3`, `1E-3`, `127`, `128`, `-129`, `255`, `256`, `65536`,
	`2147483648`, `-2147483649`, `9223372036854775807`, `9223372036854775808`, `18446744073709551616`,
	`3.4e38`, `3.5e38`, `1e308`, `1e309`, `true`, `false`, `null`, `"x"`, `""`, `[]`, `{}`, `01`, `-`, `1.`,
	`"2026-05-12T08:14:00Z"`, `"2026-05-12"`, `{"a":1}`, `[1,2]`, `nul`, `tru`,
}

// decodeOne runs fn over input as the generated code does (the decoder at
// the value, then only white space after it).
func decodeOne(input string, fn func(d *decoder) error) error {
	d := decoder{data: []byte(input)}
	if d.peek() == 0 {
		return d.syntaxError()
	}
	if err := fn(&d); err != nil {
		return err
	}
	return d.end()
}

// same fails unless fn decodes input into got exactly as encoding/json
// decodes it into want (both start from the same value).
func same[T any](t *testing.T, input string, start T, fn func(d *decoder, p *T) error) {
	t.Helper()
	got, want := start, start
	gotErr := decodeOne(input, func(d *decoder) error { return fn(d, &got) })
	wantErr := json.Unmarshal([]byte(input), &want)
	if (gotErr == nil) != (wantErr == nil) || (gotErr == nil && !reflect.DeepEqual(got, want)) {
		t.Errorf("%T from %s: got %v (%v), encoding/json %v (%v)", start, input, got, gotErr, want, wantErr)
	}
}

func TestScalarsMatchEncodingJSON(t *testing.T) {
	for _, in := range scalarInputs {
		same(t, in, int(3), func(d *decoder, p *int) error { return decodeInt(d, p, "int") })
		same(t, in, int8(3), func(d *decoder, p *int8) error { return decodeInt(d, p, "int8") })
		same(t, in, int32(3), func(d *decoder, p *int32) error { return decodeInt(d, p, "int32") })
		same(t, in, int64(3), func(d *decoder, p *int64) error { return decodeInt(d, p, "int64") })
		same(t, in, uint8(3), func(d *decoder, p *uint8) error { return decodeUint(d, p, "uint8") })
		same(t, in, uint64(3), func(d *decoder, p *uint64) error { return decodeUint(d, p, "uint64") })
		same(t, in, float32(3), func(d *decoder, p *float32) error { return decodeFloat(d, p, "float32") })
		same(t, in, float64(3), func(d *decoder, p *float64) error { return decodeFloat(d, p, "float64") })
		same(t, in, true, func(d *decoder, p *bool) error { return decodeBool(d, p, "bool") })
		same(t, in, "keep", func(d *decoder, p *string) error { return d.str(p) })
		same(t, in, "keep", func(d *decoder, p *string) error { return d.strEnum(p, []string{"x"}) })
		same(t, in, time.Time{}, func(d *decoder, p *time.Time) error { return d.decodeStd(p) })
		same(t, in, map[string]int(nil), func(d *decoder, p *map[string]int) error { return d.decodeStd(p) })
		same(t, in, any(nil), func(d *decoder, p *any) error { return d.decodeStd(p) })
	}
}
