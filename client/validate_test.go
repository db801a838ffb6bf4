package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// refuseEmptyID is a ResponseValidator that refuses a page whose body holds
// an empty id, and records what it was given.
type refuseEmptyID struct{ statuses []int }

func (v *refuseEmptyID) ValidateResponse(req *http.Request, status int, _ http.Header, body []byte) error {
	v.statuses = append(v.statuses, status)
	if req == nil || len(body) == 0 {
		return errors.New("no request or body")
	}
	if strings.Contains(string(body), `"id":""`) {
		return errors.New("/items/0/id: empty")
	}
	return nil
}

// TestResponseValidatorOptIn: responses are checked only with
// WithResponseValidator; a response it refuses is ErrContractViolation and
// is not retried; a valid one passes; nil turns checking off for a call.
func TestResponseValidatorOptIn(t *testing.T) {
	var n atomic.Int64
	broken := `{"object":"InvitationList","items":[{"object":"InvitationReceived","id":""}],"cursor":null}`
	c := stubClient(t, func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return jsonResponse(200, broken), nil
	})
	ctx := context.Background()
	// Off by default: the client decodes what it can.
	if page, err := firstPage(ctx, c, ListParams{AccountID: "acc"}); err != nil || len(page.Items) != 1 {
		t.Fatalf("without validation: %v %v", page, err)
	}
	v := &refuseEmptyID{}
	_, err := firstPage(ctx, c, ListParams{AccountID: "acc"}, WithResponseValidator(v), WithMaxRetries(3))
	if !errors.Is(err, ErrContractViolation) {
		t.Fatalf("with validation: err = %v, want ErrContractViolation", err)
	}
	if n.Load() != 2 || len(v.statuses) != 1 || v.statuses[0] != 200 {
		t.Errorf("%d requests, validator saw %v: a contract violation must not be retried", n.Load(), v.statuses)
	}
	good := pageJSON(0, 2, "")
	c2 := stubClient(t, func(r *http.Request) (*http.Response, error) { return jsonResponse(200, good), nil })
	if page, err := firstPage(ctx, c2, ListParams{AccountID: "acc"}, WithResponseValidator(v)); err != nil || len(page.Items) != 2 {
		t.Fatalf("valid page refused: %v %v", page, err)
	}
	// nil turns a client-wide validator off for one call.
	c3 := stubClient(t, func(r *http.Request) (*http.Response, error) { return jsonResponse(200, broken), nil })
	if _, err := firstPage(ctx, c3, ListParams{AccountID: "acc"}, WithResponseValidator(v), WithResponseValidator(nil)); err != nil {
		t.Fatalf("WithResponseValidator(nil): %v", err)
	}
}
