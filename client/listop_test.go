package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/benchdata"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// decode is decodePage with the invitation listing's operation.
func decode(body []byte) (*Page[Invitation], error) { return decodePage(&invitationOp, body) }

// pageOf wraps items (JSON text) in a last page.
func pageOf(items string) []byte {
	return []byte(`{"object":"InvitationList","items":[` + items + `],"cursor":null}`)
}

// TestDecodePageReadsItemsAndCursor: the items in order, the next cursor, a
// provider the spec does not list kept as sent, a null string read as "".
func TestDecodePageReadsItemsAndCursor(t *testing.T) {
	p, err := decode([]byte(`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":"inv_1","invited_user":null,"new_field":1,"specifics":{"provider":"XING","shared_secret":"s"}},{"id":"inv_2"}],"cursor":"eyJvIjoxMH0"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 2 || p.Items[0].ID != "inv_1" || p.Items[1].ID != "inv_2" || p.NextCursor != "eyJvIjoxMH0" || !p.HasMore() {
		t.Fatalf("page = %+v", p)
	}
	if p.Items[0].Specifics == nil || p.Items[0].Specifics.Provider != "XING" {
		t.Errorf("an unknown provider should be kept, got %+v", p.Items[0].Specifics)
	}
	if p.Items[0].InvitedUser != "" {
		t.Errorf("a null string decoded as %q, want \"\"", p.Items[0].InvitedUser)
	}
	last, err := decode([]byte(`{"object":"InvitationList","items":[],"cursor":null}`))
	if err != nil || last.HasMore() || last.NextCursor != "" || last.Items == nil || len(last.Items) != 0 {
		t.Fatalf("last page = %+v, %v", last, err)
	}
}

// TestDecodePageRefusesWhatPagingCannotUse: a body that is not a JSON
// object, or lacks the items array or the cursor member (an absent cursor
// would read as the last page), is ErrMalformedResponse.
func TestDecodePageRefusesWhatPagingCannotUse(t *testing.T) {
	for name, body := range map[string]string{
		"missing cursor": `{"object":"InvitationList","items":[]}`,
		"missing items":  `{"object":"InvitationList","cursor":null}`,
		"null items":     `{"object":"InvitationList","items":null,"cursor":null}`,
		"not json":       `<html>oops</html>`,
		"truncated":      `{"object":"InvitationList","items":[{"id":"inv_`,
		"cursor number":  `{"items":[],"cursor":12}`,
		"item a string":  `{"items":["x"],"cursor":null}`,
		"array":          `[]`,
		"null":           `null`,
		"empty":          ``,
		"trailing data":  `{"items":[],"cursor":null}{}`,
	} {
		if p, err := decode([]byte(body)); !errors.Is(err, ErrMalformedResponse) {
			t.Errorf("%s: page %+v, err = %v, want ErrMalformedResponse", name, p, err)
		}
	}
}

// TestDecodePageSaysWhatIsWrongWithThePage: the error of a body that is
// not one JSON object says what was found instead: another JSON value, no
// value at all, or data after the page's object.
func TestDecodePageSaysWhatIsWrongWithThePage(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"an array", `[]`, "want a JSON object, got ["},
		{"null", `null`, "want a JSON object, got <nil>"},
		{"nothing", ``, "EOF"},
		{"a second object", `{"items":[],"cursor":null}{}`, "data after the page's object at byte 26"},
		{"a second value", `{"items":[],"cursor":null} 7`, "data after the page's object at byte 27"},
		{"stray text", `{"items":[],"cursor":null}x`, "data after the page's object at byte 26"},
		{"a string after it", "{\"items\":[],\"cursor\":null}\n\"tok_secret\"", "data after the page's object at byte 27 ("},
	} {
		_, err := decode([]byte(c.body))
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "tok_secret") {
			t.Errorf("%s: err = %v, want ErrMalformedResponse saying %q, quoting none of the body", c.name, err, c.want)
		}
	}
}

// TestMalformedPageErrorQuotesNoData: the error of a JSON page that does
// not decode says where and what, but quotes none of the body (a page holds
// shared secrets and personal data, and errors end up in logs); a body that
// is not a JSON object is quoted, to show what answered.
func TestMalformedPageErrorQuotesNoData(t *testing.T) {
	const secret = "AQHsecretSECRETsecret"
	for _, body := range []string{
		`{"items":[{"specifics":{"shared_secret":"` + secret + `"},"id":1}],"cursor":null}`,
		`{"items":[{"specifics":{"shared_secret":"` + secret + `"}}],"cursor":null,}`,
		` {"items":[{"specifics":{"shared_secret":"` + secret + `"}}],"cursor":5}`,
	} {
		_, err := decode([]byte(body))
		if !errors.Is(err, ErrMalformedResponse) || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "-byte body") {
			t.Errorf("%s:\nerr = %v\nwant ErrMalformedResponse giving the body's length and not the secret", body, err)
		}
	}
	if _, err := decode([]byte(`{"items":[{"id":1}],"cursor":null}`)); !strings.Contains(err.Error(), "at JSON pointer /items/0/id:") {
		t.Errorf("err = %v: want the JSON pointer of the bad value", err)
	}
	for _, body := range []string{"<html>502 Bad Gateway</html>", "\xef\xbb\xbf" + string(pageOf("")), "Bad Gateway"} {
		_, err := decode([]byte(body))
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "body starts ") {
			t.Errorf("%q: err = %v: want the start of a body that is not a JSON object quoted", body, err)
		}
	}
}

// TestDecodeErrorsNameTheJSONPointer: a 200 whose JSON is well-formed but
// does not fit the types names the value that does not fit with a JSON
// pointer, and the JSON type it found, whichever member it is.
func TestDecodeErrorsNameTheJSONPointer(t *testing.T) {
	for body, want := range map[string]string{
		`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":42}],"cursor":null}`:                    "/items/0/id: cannot decode a JSON number into string",
		`{"object":"InvitationList","items":[{"id":"a"},{"id":"b","inviter":{"inviter_name":5}}],"cursor":null}`:         "/items/1/inviter/inviter_name: cannot decode a JSON number",
		`{"object":"InvitationList","items":[{"id":"a","x/y~":[1,{"z":2}]},{"id":"b","specifics":[]}],"cursor":null}`:    "/items/1/specifics: cannot decode a JSON array",
		`{"object":"InvitationList","items":{},"cursor":null}`:                                                           "/items: cannot decode a JSON object",
		`{"object":"InvitationList","items":[],"cursor":7}`:                                                              "/cursor: cannot decode a JSON number into string",
		`{"object":"InvitationList","items":[{"id":"a","undocumented":{"deep":[true]}},{"date":["May"]}],"cursor":null}`: "/items/1/date: cannot decode a JSON array",
		`{"object":"InvitationList","items":[{"specifics":{"a~b/c":1,"provider":3}}],"cursor":null}`:                     "/items/0/specifics/provider: cannot decode a JSON number",
		`{"object":"InvitationList","items":[{"id":"a"},{"id":1e400}],"cursor":null}`:                                    "/items/1/id: cannot decode a JSON number",
		`{"object":"InvitationList","items":[{"id":"a"},{"inviter":true}],"cursor":null}`:                                "/items/1/inviter: cannot decode a JSON bool",
	} {
		_, err := decode([]byte(body))
		if err == nil {
			t.Errorf("%s: decoded", body)
			continue
		}
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "at JSON pointer "+want) {
			t.Errorf("%s:\n%v\nwant %q", body, err, "at JSON pointer "+want)
		}
	}
}

// TestHostileBodies: what the decoder does with bodies built to hurt it.
// Each is either a clear ErrMalformedResponse or the result encoding/json
// gives on the generated types, never a panic.
func TestHostileBodies(t *testing.T) {
	t.Run("10,000 levels of nesting", func(t *testing.T) {
		// Deeper than encoding/json's limit of 10,000 levels: an error
		// naming the limit. Within it: accepted, the member skipped.
		deep := pageOf(`{"id":"a","x":` + strings.Repeat(`[`, 10_000) + strings.Repeat(`]`, 10_000) + `}`)
		_, err := decode(deep)
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "depth") {
			t.Errorf("err = %v, want ErrMalformedResponse naming the depth", err)
		}
		ok := pageOf(`{"id":"a","x":` + strings.Repeat(`[`, 9_996) + strings.Repeat(`]`, 9_996) + `}`)
		if p, err := decode(ok); err != nil || p.Items[0].ID != "a" {
			t.Errorf("9,999 levels: %v", err)
		}
	})
	t.Run("a 10 MB string member", func(t *testing.T) {
		big := strings.Repeat("é", 5<<20)
		p, err := decode(pageOf(`{"id":"a","invitation_text":"` + big + `","undocumented":"` + big + `"}`))
		if err != nil || p.Items[0].InvitationText != big || p.Items[0].ID != "a" {
			t.Fatalf("err = %v", err)
		}
		var extra struct{ Undocumented string }
		if err := json.Unmarshal(p.Items[0].RawJSON(), &extra); err != nil || extra.Undocumented != big {
			t.Errorf("the undocumented member is not in RawJSON: %v", err)
		}
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		// Each invalid byte, and a lone surrogate, becomes U+FFFD; RawJSON
		// keeps the bytes as they came.
		p, err := decode(pageOf(`{"id":"a` + "\xff\xfe" + `b","inviter":{"inviter_name":"\ud800"}}`))
		if err != nil || p.Items[0].ID != "a\uFFFD\uFFFDb" || p.Items[0].Inviter.InviterName != "\uFFFD" {
			t.Fatalf("err = %v, page %+v", err, p)
		}
		if !bytes.Contains(p.Items[0].RawJSON(), []byte("\xff\xfe")) {
			t.Errorf("RawJSON lost the bytes as sent: %q", p.Items[0].RawJSON())
		}
	})
	t.Run("duplicate keys", func(t *testing.T) {
		// The last one wins, as in encoding/json, a null cursor included;
		// RawJSON has both.
		p, err := decode([]byte(`{"items":[{"id":"first","id":"second"}],"cursor":"c1","cursor":null}`))
		if err != nil || p.Items[0].ID != "second" || p.HasMore() || !bytes.Contains(p.Items[0].RawJSON(), []byte("first")) {
			t.Fatalf("err = %v, page %+v", err, p)
		}
		p, err = decode([]byte(`{"items":[{"id":"old"}],"items":[{"id":"a"}],"cursor":null,"cursor":"c2"}`))
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != "a" || p.NextCursor != "c2" {
			t.Fatalf("err = %v, page %+v", err, p)
		}
	})
	t.Run("a UTF-8 byte order mark", func(t *testing.T) {
		// Refused, as encoding/json refuses it (RFC 8259 §8.1).
		if _, err := decode(append([]byte("\xef\xbb\xbf"), pageOf(`{"id":"a"}`)...)); !errors.Is(err, ErrMalformedResponse) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("1e400 in a member the spec does not list", func(t *testing.T) {
		// Accepted, and kept in RawJSON.
		p, err := decode(pageOf(`{"id":"a","count":1e400}`))
		if err != nil || !bytes.Contains(p.Items[0].RawJSON(), []byte("1e400")) {
			t.Errorf("unknown member: %v", err)
		}
	})
}

// TestUnknownMembersSetNoField: members the spec does not list, at the top
// and nested, set no field and do not disturb the ones around them.
func TestUnknownMembersSetNoField(t *testing.T) {
	p, err := decode([]byte(`{"zzz":{"items":[1]},"items":[{"id":"a","zzz":"Z","inviter":{"inviter_id":"I","zzz":"Z","inviter_name":"N"}}],"cursor":null}`))
	if err != nil {
		t.Fatal(err)
	}
	in := p.Items[0].Inviter
	if len(p.Items) != 1 || p.Items[0].ID != "a" || in == nil || in.InviterID != "I" || in.InviterName != "N" || in.InviterDescription != "" {
		t.Errorf("page %+v, inviter = %+v", p, in)
	}
}

// TestRawJSONIsTheBody: a page's RawJSON is its body and each item's is a
// slice of it (no copy), exactly the item's bytes; decoding does not write
// to the body.
func TestRawJSONIsTheBody(t *testing.T) {
	body := []byte(`{"object":"InvitationList","items":[ {"id":"a","x":[1,{"y":null}]} ,` + "\n\t" + `{"id":"b"}],"cursor":null}`)
	orig := bytes.Clone(body)
	p, err := decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if raw := p.RawJSON(); &raw[0] != &body[0] || len(raw) != len(body) {
		t.Error("the page's RawJSON is not its body")
	}
	for i, want := range []string{`{"id":"a","x":[1,{"y":null}]}`, `{"id":"b"}`} {
		raw := p.Items[i].RawJSON()
		if string(raw) != want || !within(raw, body) {
			t.Errorf("item %d: RawJSON %q, want %q as a slice of the body", i, raw, want)
		}
	}
	if !bytes.Equal(body, orig) {
		t.Errorf("decoding wrote to the body: %q", body)
	}
	if (Invitation{}).RawJSON() != nil || (&Page[Invitation]{}).RawJSON() != nil {
		t.Error("RawJSON of a value not decoded from a page is not nil")
	}
}

// within reports whether b is a slice of body's memory.
func within(b, body []byte) bool {
	if len(b) == 0 || len(body) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(body)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p+uintptr(len(b)) <= start+uintptr(len(body))
}

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
			p, err := decode([]byte(body))
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

// stringCases are JSON string contents (between the quotes, as the server
// would send them) that a decoder gets wrong in small ways: \u surrogate
// pairs, valid and broken, and raw bytes that are not UTF-8. encoding/json
// decides what each means: a valid pair is one character, a lone or
// misordered surrogate is U+FFFD, an invalid byte is U+FFFD.
var stringCases = []string{
	`\ud83d\ude00`,                  // a valid pair: 😀
	`\uD83D\uDE00`,                  // the same, upper-case hex
	`\ud800\udc00 and \udbff\udfff`, // the first and the last pair
	`caf\u00e9 \u2028\u0000`,        // escapes that are not surrogates
	`a\ud83d`,                       // a lone high surrogate at the end
	`\ud83dx`,                       // a high surrogate then a letter
	`\ud83d\u0041`,                  // a high surrogate then an escaped letter
	`\ude00`,                        // a lone low surrogate
	`\ude00\ud83d`,                  // a pair the wrong way round
	`\ud83d\ud83d\ude00`,            // two highs, then a low
	`\ud83d\\ude00`,                 // a high, then an escaped backslash
	"raw \xff\xfe, an encoded surrogate \xed\xa0\x80, \xf0\x9f\x98", // invalid UTF-8 as is
	"\xf0\x9f\x98\x80 and \xe2\x80\xa8",                             // valid UTF-8 as is
}

// TestStringsDecodeAsEncodingJSON lists a page whose strings hold each
// case and compares every invitation with encoding/json's decoding of the
// same body into the generated types.
func TestStringsDecodeAsEncodingJSON(t *testing.T) {
	items := pt.GenerateInvitations(1, len(stringCases))
	for i := range items {
		items[i].InvitationText = fmt.Sprintf("@text%d@", i)
		items[i].InvitedUser = fmt.Sprintf("@user%d@", i)
	}
	body, err := json.Marshal(gen.InvitationList{Object: "InvitationList", Items: items})
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	for i, s := range stringCases {
		// Each case as a field of its own, and inside other text.
		page = strings.Replace(page, fmt.Sprintf(`"@text%d@"`, i), `"`+s+`"`, 1)
		page = strings.Replace(page, fmt.Sprintf(`"@user%d@"`, i), `"<`+s+`>"`, 1)
	}
	var want gen.InvitationList
	if err := json.Unmarshal([]byte(page), &want); err != nil {
		t.Fatalf("encoding/json refuses the page, so the test would compare nothing: %v\n%s", err, page)
	}
	if len(want.Items) != len(stringCases) {
		t.Fatalf("encoding/json decoded %d items, want %d", len(want.Items), len(stringCases))
	}
	c := stubClient(t, func(*http.Request) (*http.Response, error) { return jsonResponse(200, page), nil })
	got, err := firstPage(context.Background(), c, ListParams{AccountID: "acc"})
	if err != nil {
		t.Fatalf("the client refuses a page encoding/json decodes: %v", err)
	}
	if len(got.Items) != len(want.Items) {
		t.Fatalf("the client decoded %d items, encoding/json %d", len(got.Items), len(want.Items))
	}
	for i := range got.Items {
		if g := got.Items[i].InvitationReceived; !reflect.DeepEqual(g, want.Items[i]) {
			t.Errorf("%#q: the item differs from encoding/json's:\nclient:        %+q / %+q\nencoding/json: %+q / %+q", stringCases[i],
				g.InvitationText, g.InvitedUser, want.Items[i].InvitationText, want.Items[i].InvitedUser)
		}
	}
}

// TestMissingCursorEndsTheListingWithAnError: a 200 without a `cursor`
// member ends the listing with ErrMalformedResponse, after one request
// (ending quietly, as on a last page, could lose items).
func TestMissingCursorEndsTheListingWithAnError(t *testing.T) {
	n := 0
	c := stubClient(t, func(*http.Request) (*http.Response, error) {
		n++
		return jsonResponse(200, `{"object":"InvitationList","items":[]}`), nil
	})
	var pe *PagingError
	var re *RequestError
	_, err := listIDs(c, ListParams{AccountID: "acc"}, WithMaxRetries(2))
	if !errors.Is(err, ErrMalformedResponse) || !errors.As(err, &pe) || !errors.As(err, &re) || re.Op != "decode" || n != 1 {
		t.Fatalf("err = %v after %d requests, want a *PagingError of a decode *RequestError wrapping ErrMalformedResponse, after 1", err, n)
	}
}

// BenchmarkDecodePage is the decode-only cost of one 100-item page:
// decodePage (RawJSON kept) and one json.Unmarshal into the generated type.
func BenchmarkDecodePage(b *testing.B) {
	items := make([]gen.InvitationReceived, 100)
	for i := range items {
		items[i] = benchdata.Item(i)
	}
	cursor := "c100"
	body, err := json.Marshal(gen.InvitationList{Object: "InvitationList", Items: items, Cursor: &cursor})
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct {
		name   string
		decode func([]byte) (int, error)
	}{{"impl=client", func(body []byte) (int, error) {
		p, err := decode(body)
		if err != nil {
			return 0, err
		}
		return len(p.Items), nil
	}}, {"impl=encoding-json", func(body []byte) (int, error) {
		var v gen.InvitationList
		err := json.Unmarshal(body, &v)
		return len(v.Items), err
	}}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if n, err := v.decode(body); err != nil || n != 100 {
					b.Fatal(n, err)
				}
			}
		})
	}
}
