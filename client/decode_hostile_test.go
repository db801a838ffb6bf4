package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-faster/jx"
)

// page wraps items (JSON text) in a page.
func page(items string) []byte {
	return []byte(`{"object":"InvitationList","items":[` + items + `],"cursor":null}`)
}

// TestHostileBodies: what the decoder does with bodies built to hurt it.
// Each is either a clear ErrMalformedResponse or the documented result
// (the same as encoding/json's on the generated types), never a panic.
func TestHostileBodies(t *testing.T) {
	t.Run("10,000 levels of nesting", func(t *testing.T) {
		// Deeper than encoding/json's limit of 10,000 levels: an error
		// naming the limit. At the limit: accepted, the member skipped.
		deep := page(`{"id":"a","x":` + strings.Repeat(`[`, 10_000) + strings.Repeat(`]`, 10_000) + `}`)
		_, err := decodePage(deep)
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "depth") {
			t.Errorf("err = %v, want ErrMalformedResponse naming the depth", err)
		}
		ok := page(`{"id":"a","x":` + strings.Repeat(`[`, 9_996) + strings.Repeat(`]`, 9_996) + `}`)
		if p, err := decodePage(ok); err != nil || p.Items[0].ID != "a" {
			t.Errorf("9,999 levels: %v", err)
		}
	})
	t.Run("a 10 MB string member", func(t *testing.T) {
		big := strings.Repeat("é", 5<<20)
		p, err := decodePage(page(`{"id":"a","invitation_text":"` + big + `","undocumented":"` + big + `"}`))
		if err != nil || p.Items[0].InvitationText != big || p.Items[0].ID != "a" {
			t.Fatalf("err = %v", err)
		}
		var extra struct{ Undocumented string }
		if err := json.Unmarshal(p.Items[0].RawJSON(), &extra); err != nil || extra.Undocumented != big {
			t.Errorf("the undocumented member is not in RawJSON: %v", err)
		}
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		// Decoded as encoding/json decodes it: each invalid byte becomes
		// U+FFFD. RawJSON keeps the bytes as they came.
		p, err := decodePage(page(`{"id":"a` + "\xff\xfe" + `b","inviter":{"inviter_name":"\ud800"}}`))
		if err != nil || p.Items[0].ID != "a\uFFFD\uFFFDb" || p.Items[0].Inviter.InviterName != "\uFFFD" {
			t.Fatalf("err = %v, page %+v", err, p)
		}
		if !bytes.Contains(p.Items[0].RawJSON(), []byte("\xff\xfe")) {
			t.Errorf("RawJSON lost the bytes as sent: %q", p.Items[0].RawJSON())
		}
	})
	t.Run("duplicate keys", func(t *testing.T) {
		// The last one wins, as in encoding/json; RawJSON has both.
		p, err := decodePage([]byte(`{"items":[{"id":"first","id":"second"}],"cursor":"c1","cursor":null}`))
		if err != nil || p.Items[0].ID != "second" || p.HasMore() || !bytes.Contains(p.Items[0].RawJSON(), []byte("first")) {
			t.Fatalf("err = %v, page %+v", err, p)
		}
	})
	t.Run("a UTF-8 byte order mark", func(t *testing.T) {
		// Refused, as encoding/json refuses it (RFC 8259 §8.1).
		_, err := decodePage(append([]byte("\xef\xbb\xbf"), page(`{"id":"a"}`)...))
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "byte order mark") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("1e400", func(t *testing.T) {
		// In a string field: an error naming the member. In a member the
		// spec does not list: accepted, kept in RawJSON.
		_, err := decodePage(page(`{"id":"a"},{"id":1e400}`))
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "at JSON pointer /items/1/id:") {
			t.Errorf("err = %v, want one naming /items/1/id", err)
		}
		p, err := decodePage(page(`{"id":"a","count":1e400}`))
		if err != nil || !bytes.Contains(p.Items[0].RawJSON(), []byte("1e400")) {
			t.Errorf("unknown member: %v", err)
		}
		// In an integer field (the generated decoders hand numbers to
		// encoding/json): an error, as encoding/json's.
		var n int64
		if err := decodeStd(jx.DecodeBytes([]byte("1e400")), &n); err == nil || !strings.Contains(err.Error(), "1e400") {
			t.Errorf("1e400 into an int64: %v", err)
		}
		// In an error body's status: the HTTP status stands.
		if e := decodeAPIError(503, nil, []byte(`{"type":"errors/x","status":1e400}`)); e.StatusCode != 503 {
			t.Errorf("error body: %+v", e)
		}
	})
}

// TestRawJSONIsTheBody: a page's RawJSON is its body and each item's is a
// slice of it (no copy), exactly the item's bytes.
func TestRawJSONIsTheBody(t *testing.T) {
	body := []byte(`{"object":"InvitationList","items":[ {"id":"a","x":[1,{"y":null}]} ,` + "\n\t" + `{"id":"b"}],"cursor":null}`)
	p, err := decodePage(body)
	if err != nil {
		t.Fatal(err)
	}
	if raw := p.RawJSON(); &raw[0] != &body[0] || len(raw) != len(body) {
		t.Error("the page's RawJSON is not its body")
	}
	for i, want := range []string{`{"id":"a","x":[1,{"y":null}]}`, `{"id":"b"}`} {
		raw := p.Items[i].RawJSON()
		off := cap(body) - cap(raw)
		if string(raw) != want || off < 0 || &body[off] != &raw[0] {
			t.Errorf("item %d: RawJSON %q, want %q as a slice of the body", i, raw, want)
		}
	}
}
