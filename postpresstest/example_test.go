package postpresstest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/postpresstest"
)

// A test serves a fake account, scripts a rate limit on the second page,
// and lists through the real client, which retries it.
func ExampleNewServer() {
	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 250))
	defer srv.Close()
	srv.Enqueue(postpresstest.Error(gen.TooManyRequestsErrorTypeTooManyRequests).WithRetryAfter("0").OnCursor(postpresstest.EncodeCursor(100)))

	c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
	if err != nil {
		panic(err)
	}
	n := 0
	for _, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "acc_1", Limit: 100}) {
		if err != nil {
			panic(err)
		}
		n++
	}
	fmt.Println(n, "invitations in", srv.RequestCount(), "requests")

	_, err = c.InvitationPager(client.ListParams{AccountID: "acc_2"}).NextPage(context.Background())
	fmt.Println(errors.Is(err, client.ErrorTypeResourceAccessRestricted))
	// Output:
	// 250 invitations in 4 requests
	// true
}

// A magic account id fails every request with its error type; the
// scenario list says which ids there are.
func ExampleScenarios() {
	srv := postpresstest.NewServer(postpresstest.WithAnyAccount(25))
	defer srv.Close()
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
	if err != nil {
		panic(err)
	}
	for _, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "acc_error_expired_credentials"}) {
		fmt.Println(errors.Is(err, client.ErrorTypeExpiredCredentials))
		break
	}
	for _, sc := range postpresstest.Scenarios() {
		if sc.Account == "acc_error_expired_credentials" {
			fmt.Println(sc.Status, sc.Type, sc.Header)
		}
	}
	// Output:
	// true
	// 401 errors/expired_credentials Prefer: code=401, example=ExpiredCredentials
}
