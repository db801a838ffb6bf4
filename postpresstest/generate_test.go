package postpresstest

import (
	"math"
	"testing"
)

// TestSerialNumbers: serial numbers are i in crockford's alphabet, in 4
// digits or more, most significant first.
func TestSerialNumbers(t *testing.T) {
	for i, want := range map[int]string{
		0:                 "0000",
		1:                 "0001",
		31:                "000Z",
		32:                "0010",
		1234:              "016J",
		32*32*32*32 - 1:   "ZZZZ",
		32 * 32 * 32 * 32: "10000",
		math.MaxInt64:     "7ZZZZZZZZZZZZ",
	} {
		if got := serial(i); got != want {
			t.Errorf("serial(%d) = %q, want %q", i, got, want)
		}
	}
}
