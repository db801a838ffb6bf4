package postpresstest

import (
	"testing"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 10, 150, 1 << 20} {
		if got, err := decodeCursor(EncodeCursor(n)); err != nil || got != n {
			t.Errorf("decodeCursor(EncodeCursor(%d)) = %d, %v", n, got, err)
		}
	}
	for _, c := range []string{EncodeCursor(-1), "e30", "!!", ""} {
		if _, err := decodeCursor(c); err == nil {
			t.Errorf("decodeCursor(%q) accepted", c)
		}
	}
}
