//go:build go1.27

package bench

import jsonv2 "encoding/json/v2"

// stdJSONv2 is encoding/json/v2's Unmarshal, standard from Go 1.27: a
// candidate decoder (BenchmarkDecode), nil before Go 1.27.
var stdJSONv2 = func(b []byte, v any) error { return jsonv2.Unmarshal(b, v) }
