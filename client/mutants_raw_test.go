package client

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestRawJSONIsEachItemsBytes checks, for bodies that are awkward to cut by
// hand, that every item's RawJSON is exactly the bytes encoding/json finds
// for that element of the items array.
func TestRawJSONIsEachItemsBytes(t *testing.T) {
	bodies := map[string]string{
		"one item":   `{"items":[{"id":"a"}],"cursor":null}`,
		"no items":   `{"items":[],"cursor":null}`,
		"whitespace": "{ \"items\" : [ \n\t{ \r\n \"id\" : \"a\" } \n , \t {\"id\":\"b\"\n}\r\n ] , \"cursor\" : null }",
		"nested": `{"items":[{"id":"a","specifics":{"provider":"X","x":[1,[2,{"y":[]}]]}},` +
			`{"object":"InvitationReceived","id":"b","z":{"q":{"r":[{}]}}}],"cursor":"c"}`,
		"brackets in strings": `{"items":[{"id":"a]},{\"","note":"}] , {"},` +
			`{"id":"\\\"b\\\\","t":"[{\"x\":1}]"},{"id":"c,]}"}],"cursor":null}`,
		"empty first name":    `{"items":[{"":1,"id":"a"},{"":"}","id":"b"}],"cursor":null}`,
		"brace in first name": `{"items":[{"{  x":1,"id":"a"},{"{ {":2,"id":"b"}],"cursor":null}`,
		"escaped first name":  `{"items":[{"i\u0064":"a"},{"id":"b"}],"cursor":null}`,
		"later array wins":    `{"items":[{"id":"old"}],"items":[{"id":"a"} ,{"id":"b"}],"cursor":null}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var want struct{ Items []json.RawMessage }
			if err := json.Unmarshal([]byte(body), &want); err != nil {
				t.Fatalf("test body is not JSON: %v", err)
			}
			p, err := decodePage([]byte(body))
			if err != nil {
				t.Fatalf("decodePage: %v", err)
			}
			if len(p.Items) != len(want.Items) {
				t.Fatalf("%d items, want %d", len(p.Items), len(want.Items))
			}
			for i, it := range p.Items {
				if !bytes.Equal(it.RawJSON(), want.Items[i]) {
					t.Errorf("item %d RawJSON = %q, want %q", i, it.RawJSON(), want.Items[i])
				}
				var id struct{ ID string }
				if err := json.Unmarshal(want.Items[i], &id); err != nil || it.ID != id.ID {
					t.Errorf("item %d ID = %q, want %q (%v)", i, it.ID, id.ID, err)
				}
			}
		})
	}
}
