package client

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
)

func TestResponseValidationOptIn(t *testing.T) {
	var n atomic.Int64
	broken := `{"object":"InvitationList","items":[{"object":"InvitationReceived","id":""}],"cursor":null}`
	c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return jsonResponse(200, broken), nil
	})
	ctx := context.Background()
	// Off by default: the client decodes what it can.
	if page, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}); err != nil || len(page.Items) != 1 {
		t.Fatalf("without validation: %v %v", page, err)
	}
	_, err := c.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}, WithResponseValidation(true), WithMaxRetries(3))
	if !errors.Is(err, ErrContractViolation) {
		t.Fatalf("with validation: err = %v, want ErrContractViolation", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests: a contract violation must not be retried", n.Load())
	}
	good := pageJSON(0, 2, "")
	c2 := fuzzClient(t, func(r *http.Request) (*http.Response, error) { return jsonResponse(200, good), nil })
	if page, err := c2.ListReceivedInvitations(ctx, ListParams{AccountID: "acc"}, WithResponseValidation(true)); err != nil || len(page.Items) != 2 {
		t.Fatalf("valid page refused: %v %v", page, err)
	}
}
