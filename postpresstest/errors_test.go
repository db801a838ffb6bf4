package postpresstest

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestReplyWritesItsParts(t *testing.T) {
	w := httptest.NewRecorder()
	if err := (&reply{status: 201, contentType: "text/plain", body: []byte("hi")}).write(w); err != nil {
		t.Fatal(err)
	}
	if w.Code != 201 || w.Header().Get("Content-Type") != "text/plain" || w.Body.String() != "hi" || w.Header().Get(FaultHeader) != "" {
		t.Errorf("wrote %d %v %q", w.Code, w.Header(), w.Body)
	}
}

// TestErrorEnvelope: an error is written in the envelope, and marked
// off-spec when the spec does not list its type at its status.
func TestErrorEnvelope(t *testing.T) {
	for _, c := range []struct {
		e       apiError
		offSpec bool
	}{
		{apiError{401, typeMissingKey, "d", "req_1"}, false},
		{apiError{400, typeMissingKey, "d", "req_1"}, true},
		{apiError{500, "errors/none", "d", "req_1"}, true},
	} {
		r := c.e.reply()
		var env map[string]any
		if err := json.Unmarshal(r.body, &env); err != nil {
			t.Fatal(err)
		}
		if r.status != c.e.status || env["type"] != c.e.typ || env["status"] != float64(c.e.status) || env["detail"] != "d" || env["instance"] != "req_1" || env["title"] == "" {
			t.Errorf("%+v: %d %v", c.e, r.status, env)
		}
		if (r.offSpec != "") != c.offSpec {
			t.Errorf("%+v: off-spec %q, want %t", c.e, r.offSpec, c.offSpec)
		}
	}
}

func TestExampleAndNotImplemented(t *testing.T) {
	f := NewFake()
	ctx := context.WithValue(context.Background(), ctxKey{}, "req_2")
	if r := f.example(ctx, 200, "application/json", `{"a":1}`); r.status != 200 || string(r.body) != `{"a":1}` {
		t.Errorf("example: %+v", r)
	}
	r := f.notImplemented(ctx, "doThings")
	var env map[string]any
	if err := json.Unmarshal(r.body, &env); err != nil || r.status != 501 || env["type"] != typeNotImplemented || env["instance"] != "req_2" {
		t.Errorf("notImplemented: %d %v %v", r.status, env, err)
	}
}
