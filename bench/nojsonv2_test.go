//go:build !go1.27

package bench

// stdJSONv2 is nil before Go 1.27, which has no encoding/json/v2.
var stdJSONv2 func([]byte, any) error
