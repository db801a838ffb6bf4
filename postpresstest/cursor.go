package postpresstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Cursors look like the API's: base64url, without padding, of {"o":N},
// where N is the offset of the page's first item ("eyJvIjoxMH0" is
// {"o":10}).

// EncodeCursor returns the cursor of the page starting at offset.
func EncodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"o":%d}`, offset))
}

// decodeCursor returns the offset in a cursor, or an error for anything
// that is not a cursor of this shape.
func decodeCursor(c string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, fmt.Errorf("cursor is not base64url: %w", err)
	}
	var v struct {
		O *int `json:"o"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.O == nil || *v.O < 0 {
		return 0, fmt.Errorf("cursor does not hold an offset")
	}
	return *v.O, nil
}
