package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-faster/jx"
)

// TestMaxBodyJustBelowTheCap checks that a bound whose product fits is the
// product, not the cap.
func TestMaxBodyJustBelowTheCap(t *testing.T) {
	per := int64(1<<62) / 3
	c := &config{bodyPerItem: per}
	if got, want := c.maxBody(3), 3*per; got != want {
		t.Errorf("maxBody(3) with %d a item = %d, want %d", per, got, want)
	}
	c.bodyPerItem = per + 1
	if got := c.maxBody(3); got != 1<<62 {
		t.Errorf("maxBody(3) with %d a item = %d, want the cap", per+1, got)
	}
}

// TestReadBodyHintOnlyFromUnsizedOKBodies checks that the buffer guess is
// taken from a 200 body without a Content-Length, and from nothing else.
func TestReadBodyHintOnlyFromUnsizedOKBodies(t *testing.T) {
	defer bodySizeHint.Store(bodySizeHint.Load())
	resp := func(status int, length int64, body string) *http.Response {
		return &http.Response{StatusCode: status, ContentLength: length, Body: io.NopCloser(strings.NewReader(body))}
	}
	cases := []struct {
		name string
		resp *http.Response
		max  int64
		want int64
	}{
		{"unsized 200", resp(200, -1, "hello"), 100, 5},
		{"zero length 200", resp(200, 0, ""), 100, 0},
		{"sized 200", resp(200, 5, "hello"), 100, 7},
		{"unsized 500", resp(500, -1, "hello"), 100, 7},
		{"unsized 200 over the bound", resp(200, -1, "hello"), 3, 7},
	}
	for _, c := range cases {
		bodySizeHint.Store(7)
		_, _ = readBody(c.resp, c.max)
		if got := bodySizeHint.Load(); got != c.want {
			t.Errorf("%s: hint %d, want %d", c.name, got, c.want)
		}
	}
}

// TestPerCallHTTPClientIsUsed checks that WithHTTPClient given to one call
// replaces the client's for that call.
func TestPerCallHTTPClientIsUsed(t *testing.T) {
	var base, call atomic.Int64
	c := stubClient(t, func(*http.Request) (*http.Response, error) {
		base.Add(1)
		return jsonResponse(200, pageJSON(0, 1, "")), nil
	})
	other := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		call.Add(1)
		return jsonResponse(200, pageJSON(0, 1, "")), nil
	})}
	if _, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"}, WithHTTPClient(other)); err != nil {
		t.Fatal(err)
	}
	if base.Load() != 0 || call.Load() != 1 {
		t.Errorf("requests: client's %d, call's %d; want 0 and 1", base.Load(), call.Load())
	}
}

// TestStartCursorCountsAsSeen checks that a listing started at a cursor
// stops at once when the server hands that cursor back.
func TestStartCursorCountsAsSeen(t *testing.T) {
	var n atomic.Int64
	c := stubClient(t, func(*http.Request) (*http.Response, error) {
		n.Add(1)
		return jsonResponse(200, pageJSON(0, 1, "c1")), nil
	})
	var err error
	for _, err = range c.Pages(context.Background(), ListParams{AccountID: "acc", Cursor: "c1"}) {
		if err != nil {
			break
		}
	}
	if !errors.Is(err, ErrCursorLoop) || n.Load() != 1 {
		t.Errorf("err %v after %d requests; want ErrCursorLoop after 1", err, n.Load())
	}
}

// TestURLOf checks the URL an error names.
func TestURLOf(t *testing.T) {
	if got := urlOf(nil); got != "" {
		t.Errorf("urlOf(nil) = %q", got)
	}
	r, _ := http.NewRequest(http.MethodGet, "https://h.test/x?a=1", nil)
	if got := urlOf(r); got != "https://h.test/x?a=1" {
		t.Errorf("urlOf = %q", got)
	}
}

// TestTypeErrorNamesTheJSONType checks the wrong-type message.
func TestTypeErrorNamesTheJSONType(t *testing.T) {
	if err := typeError(jx.DecodeStr(`"x"`), "int"); err == nil || !strings.Contains(err.Error(), "JSON string into int") {
		t.Errorf("typeError = %v", err)
	}
	if err := typeError(jx.DecodeStr(``), "int"); err == nil || err.Error() != "not a JSON value" {
		t.Errorf("typeError on nothing = %v", err)
	}
}

// TestUnknownInviterMemberIgnored checks that a member of inviter the spec
// does not list sets no field.
func TestUnknownInviterMemberIgnored(t *testing.T) {
	p, err := decodePage([]byte(`{"items":[{"id":"a","inviter":{"inviter_id":"I","zzz":"Z","inviter_name":"N"}}],"cursor":null}`))
	if err != nil {
		t.Fatal(err)
	}
	in := p.Items[0].Inviter
	if in == nil || in.InviterID != "I" || in.InviterName != "N" || in.InviterDescription != "" {
		t.Errorf("inviter = %+v", in)
	}
}
