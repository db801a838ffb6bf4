package validation_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/validation"
	"github.com/postpress/postpress-go/internal/contracttest"
	"github.com/postpress/postpress-go/postpresstest"
)

func TestRefusesWhatBreaksTheSpec(t *testing.T) {
	var n atomic.Int64
	// An empty id breaks the spec's minLength; the client alone accepts it.
	// The fake (postpresstest) never serves such a body, so this server does.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"InvitationList","items":[{"object":"InvitationReceived","id":"","invited_user":"a","invited_user_id":"b","invited_user_public_id":"c","invited_user_description":"d","date":"e","parsed_datetime":"f","invitation_text":"g"}],"cursor":null}`))
	}))
	defer srv.Close()
	c, err := client.New(client.WithAPIKey("k"), client.WithBaseURL(srv.URL+"/api/v1"), client.WithMaxRetries(3))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	params := client.ListParams{AccountID: "acc"}
	firstPage := func(opts ...client.Option) (*client.Page[client.Invitation], error) {
		return c.InvitationPager(params, append(opts, client.WithPrefetch(false))...).NextPage(ctx)
	}
	if page, err := firstPage(); err != nil || len(page.Items) != 1 {
		t.Fatalf("without validation: %v %v", page, err)
	}
	_, err = firstPage(validation.WithResponseValidation())
	if !errors.Is(err, client.ErrContractViolation) {
		t.Fatalf("with validation: err = %v, want ErrContractViolation", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests: a contract violation must not be retried", n.Load())
	}
}

func TestAcceptsTheFake(t *testing.T) {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 30))
	defer srv.Close()
	c, err := client.New(client.WithAPIKey(postpresstest.DefaultAPIKey), client.WithBaseURL(srv.URL),
		client.WithHTTPClient(contracttest.NewClient(t, nil)), validation.WithResponseValidation())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "acc_1"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no invitations listed")
	}
}
