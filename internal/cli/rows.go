package cli

import (
	"encoding/json"
)

// lead is a field that leads a row, before the item's own: the account it
// came from (account_id) when a command lists several accounts, and what a
// sync reports (change: new or removed) with --removed.
type lead struct{ name, value string }

// leadJSON returns the item as one JSON object whose first members are
// leads (a flat row: the leads sit beside the item's members, as the
// server sent them: itemJSON).
func leadJSON(leads []lead, it item) ([]byte, error) {
	body, err := itemJSON(it)
	if err != nil || len(leads) == 0 {
		return body, err
	}
	out := []byte{'{'}
	for _, l := range leads {
		k, _ := json.Marshal(l.name)
		v, _ := json.Marshal(l.value)
		out = append(append(append(append(out, k...), ':'), v...), ',')
	}
	if len(body) <= 2 { // {}
		return append(out[:len(out)-1], '}'), nil
	}
	return append(out, body[1:]...), nil
}
