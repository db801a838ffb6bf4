package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/postpresstest"
)

// List every invitation an account received. The fake server stands in for
// the API; against the real one, client.New() reads POSTPRESS_API_KEY.
func ExampleClient_Invitations() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 3))
	defer srv.Close()

	c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
	if err != nil {
		log.Fatal(err)
	}
	// The deadline bounds the whole listing: every page, every retry.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for inv, err := range c.Invitations(ctx, client.ListParams{AccountID: "acc_1"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(inv.Date, "from", inv.Inviter.InviterName)
	}
	// Output:
	// May 13, 2026 from Grace Hopper
	// May 12, 2026 from Jordan Walke
	// May 13, 2026 from Grace Hopper
}

// Handle an API error: match its type with errors.Is, read its details
// with errors.As.
func ExampleAPIError() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 3))
	defer srv.Close()
	srv.Enqueue(postpresstest.Error(gen.UnauthorizedErrorTypeExpiredCredentials))

	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
	var err error
	for _, err = range c.Invitations(context.Background(), client.ListParams{AccountID: "acc_1"}) {
		if err != nil {
			break
		}
	}

	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Type, apiErr.Type.Retryable())
		fmt.Println(apiErr.Type.Description())
		fmt.Println(apiErr.Instance != "")
	}
	if errors.Is(err, client.ErrorTypeExpiredCredentials) {
		fmt.Println("reconnect the account")
	}
	// Output:
	// 401 errors/expired_credentials false
	// Credentials have expired. Reconnect the account.
	// true
	// reconnect the account
}

// Resume a listing that failed midway from the Cursor of its
// *PagingError: nothing is lost and nothing is delivered twice.
func ExamplePagingError() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 250))
	defer srv.Close()
	// The third page fails for longer than the client retries.
	srv.Enqueue(postpresstest.Error(gen.InternalServerErrorTypeProviderError).Times(3).OnCursor(postpresstest.EncodeCursor(200)))

	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey),
		client.WithMaxRetries(1), client.WithBackoff(1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	params := client.ListParams{AccountID: "acc_1"}
	seen := 0
	for _, err := range c.Invitations(ctx, params) {
		var pe *client.PagingError
		if errors.As(err, &pe) {
			fmt.Println("stopped after", pe.Items, "items; resuming")
			params.Cursor = pe.Cursor
			for _, err := range c.Invitations(ctx, params) {
				if err != nil {
					log.Fatal(err)
				}
				seen++
			}
			break
		}
		seen++
	}
	fmt.Println(seen, "invitations")
	// Output:
	// stopped after 200 items; resuming
	// 250 invitations
}

// Walk page by page, keeping each page's cursor as a checkpoint: a
// listing started with ListParams.Cursor set to it continues after that
// page.
func ExampleClient_InvitationPager() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 25))
	defer srv.Close()
	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))

	p := c.InvitationPager(client.ListParams{AccountID: "acc_1", Limit: 10})
	defer p.Close()
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(len(page.Items), "items; next cursor", page.NextCursor)
	}
	// Output:
	// 10 items; next cursor eyJvIjoxMH0
	// 10 items; next cursor eyJvIjoyMH0
	// 5 items; next cursor
}

// Replace the retry policy: the standard rules with up to four retries a
// request and a quick backoff, one Retryer (and so one retry budget)
// shared by two clients, say of two API keys of one process. A Retryer of
// your own would be passed the same way.
func ExampleWithRetryer() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 3))
	defer srv.Close()
	srv.Enqueue(postpresstest.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable).Times(4))

	patient := client.NewStandardRetryer(client.WithMaxRetries(4), client.WithBackoff(time.Millisecond))
	var clients []*client.Client
	for range 2 {
		c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey),
			client.WithRetryer(patient))
		if err != nil {
			log.Fatal(err)
		}
		clients = append(clients, c)
	}
	n := 0
	for _, err := range clients[0].Invitations(context.Background(), client.ListParams{AccountID: "acc_1"}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "items after", srv.RequestCount(), "requests")
	// Output:
	// 3 items after 5 requests
}

// Stop a listing after some items; and see a parameter outside the spec's
// rules refused before anything is sent: a Pager's Err is its *ParamError
// as soon as the Pager is made.
func ExampleWithMaxItems() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 30))
	defer srv.Close()

	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
	n := 0
	for _, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "acc_1", Limit: 10}, client.WithMaxItems(15)) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "invitations in", srv.RequestCount(), "requests")

	p := c.InvitationPager(client.ListParams{AccountID: "acc_1", Cursor: "pasted with a newline\n"})
	defer p.Close()
	err := p.Err()
	var pe *client.ParamError
	fmt.Println(errors.As(err, &pe), pe.Param, pe.Field)
	// Output:
	// 15 invitations in 2 requests
	// true cursor ListInvitationsReceivedParams.Cursor
}

// Read a member the spec does not list (here the inviter's picture, which
// live responses carry) from the bytes the server sent for the invitation.
func ExampleInvitation_RawJSON() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"InvitationList","cursor":null,"items":[{"object":"InvitationReceived",
			"id":"inv_1","invited_user":"Ada Lovelace","inviter":{"inviter_name":"Alan Turing",
			"inviter_profile_picture_url":"https://media.example/alan.jpg"}}]}`)
	}))
	defer srv.Close()

	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey("pp_example"))
	for inv, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "acc_1"}) {
		if err != nil {
			log.Fatal(err)
		}
		var extra struct {
			Inviter struct {
				Picture string `json:"inviter_profile_picture_url"`
			} `json:"inviter"`
		}
		if err := json.Unmarshal(inv.RawJSON(), &extra); err != nil {
			log.Fatal(err)
		}
		fmt.Println(inv.Inviter.InviterName, extra.Inviter.Picture)
	}
	// Output:
	// Alan Turing https://media.example/alan.jpg
}
