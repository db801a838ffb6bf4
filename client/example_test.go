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
	for inv, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "acc_1"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(inv.Date, "from", inv.Inviter.InviterName)
	}
	// Output:
	// date_4G14MJFN0000 from inviter_name_MD9Z1HGR0000
	// date_EEGHDN760001 from inviter_name_0F8XB5W40001
	// date_7MQQ0T200002 from inviter_name_WWSNYKKJ0002
}

// Handle an API error: match its type, read its request id.
func ExampleAPIError() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 3))
	defer srv.Close()
	srv.Enqueue(postpresstest.Error(gen.UnauthorizedErrorTypeExpiredCredentials))

	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
	_, err := c.ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc_1"})

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

// Resume a listing that failed midway from the cursor in its error: nothing
// is lost and nothing is delivered twice.
func ExamplePagingError() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 250))
	defer srv.Close()
	// The third page fails for longer than the client retries.
	srv.Enqueue(postpresstest.Error(gen.InternalServerErrorTypeProviderError).Times(3).OnCursor(postpresstest.EncodeCursor(200)))

	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey),
		client.WithMaxRetries(1), client.WithBackoff(1))
	ctx := context.Background()
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

// Walk page by page, keeping each page's cursor as a checkpoint.
func ExamplePager() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 25))
	defer srv.Close()
	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))

	p := c.NewPager(client.ListParams{AccountID: "acc_1", Limit: 10})
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

// Replace the retry policy: the standard rules with five attempts a
// request, quick backoff, and one retry budget shared by two clients (say,
// two API keys of one process). A Retryer of your own would be passed the
// same way.
func ExampleWithRetryer() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 3))
	defer srv.Close()
	srv.Enqueue(postpresstest.Error(gen.ServiceUnavailableErrorTypeServiceUnavailable).Times(4))

	budget := client.NewRetryBudget(client.DefaultRetryBudget)
	patient := func(o *client.StandardRetryerOptions) {
		o.MaxAttempts, o.Backoff, o.Budget = 5, time.Millisecond, budget
	}
	var clients []*client.Client
	for range 2 {
		c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey),
			client.WithRetryer(client.NewStandardRetryer(patient)))
		if err != nil {
			log.Fatal(err)
		}
		clients = append(clients, c)
	}
	page, err := clients[0].ListReceivedInvitations(context.Background(), client.ListParams{AccountID: "acc_1"})
	if err != nil {
		log.Fatal(err)
	}
	// Four retries took 4 × DefaultRetryCost; the one that succeeded gave
	// its cost back.
	fmt.Println(len(page.Items), "items after", srv.RequestCount(), "requests;", budget.Tokens(), "tokens left")
	// Output:
	// 3 items after 5 requests; 485 tokens left
}

// Stop a listing after some items, and check parameters before sending:
// a value outside the spec's rules is a *ParamError and nothing is sent.
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

	err := client.ValidateParams(client.ListParams{AccountID: "acc_1", Cursor: "pasted with a newline\n"})
	var pe *client.ParamError
	fmt.Println(errors.As(err, &pe), pe.Param, pe.Field)
	// Output:
	// 15 invitations in 2 requests
	// true cursor Cursor
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
