package client

import (
	"errors"
	"strings"
	"testing"
)

// TestDecodeErrorsNameTheJSONPointer: a 200 whose JSON is well-formed but
// does not fit the types names the member that does not fit, with a JSON
// pointer (escaped as RFC 6901 says), whichever member it is.
func TestDecodeErrorsNameTheJSONPointer(t *testing.T) {
	for body, want := range map[string]string{
		`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":42}],"cursor":null}`:                    "/items/0/id",
		`{"object":"InvitationList","items":[{"id":"a"},{"id":"b","inviter":{"inviter_name":5}}],"cursor":null}`:         "/items/1/inviter/inviter_name",
		`{"object":"InvitationList","items":[{"id":"a","x/y~":[1,{"z":2}]},{"id":"b","specifics":[]}],"cursor":null}`:    "/items/1/specifics",
		`{"object":"InvitationList","items":{},"cursor":null}`:                                                           "/items",
		`{"object":"InvitationList","items":[],"cursor":7}`:                                                              "/cursor",
		`{"object":"InvitationList","items":[{"id":"a","undocumented":{"deep":[true]}},{"date":["May"]}],"cursor":null}`: "/items/1/date",
		`{"object":"InvitationList","items":[{"specifics":{"a~b/c":1,"provider":3}}],"cursor":null}`:                     "/items/0/specifics/provider",
	} {
		_, err := decodePage([]byte(body))
		if err == nil {
			t.Errorf("%s: decoded", body)
			continue
		}
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "at JSON pointer "+want+":") {
			t.Errorf("%s:\n%v\nwant the pointer %s", body, err, want)
		}
	}
}
