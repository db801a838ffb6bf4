package multi_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/postpresstest"
)

// List many accounts at once; an account that fails does not stop the
// others, and its error carries the cursor that resumes it with nothing
// lost or repeated.
func ExampleLister_Invitations() {
	srv := postpresstest.NewServer(
		postpresstest.WithGeneratedAccount("acc_1", 150),
		postpresstest.WithGeneratedAccount("acc_2", 250),
		postpresstest.WithGeneratedAccount("acc_3", 30),
	)
	defer srv.Close()
	// Pages of 100: acc_2's second page fails for longer than the client
	// retries.
	srv.Enqueue(postpresstest.Error(gen.InternalServerErrorTypeProviderError).Times(2).OnAccount("acc_2").OnCursor(postpresstest.EncodeCursor(100)))

	c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey),
		client.WithMaxRetries(1), client.WithBackoff(1))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	count := map[string]int{}
	var failed []*multi.AccountError
	for ai, err := range (multi.Lister{Client: c, Concurrency: 2}).Invitations(ctx, []string{"acc_1", "acc_2", "acc_3"}, client.ListParams{Limit: 100}) {
		var ae *multi.AccountError
		switch {
		case errors.As(err, &ae):
			failed = append(failed, ae) // the others go on
		case err != nil:
			log.Fatal(err)
		default:
			count[ai.AccountID]++
		}
	}
	// Resume each failed account from its cursor (in a later run, say).
	for _, ae := range failed {
		fmt.Println(ae.AccountID, "stopped after", count[ae.AccountID], "items; resuming")
		for _, err := range c.Invitations(ctx, client.ListParams{AccountID: ae.AccountID, Cursor: ae.Cursor}) {
			if err != nil {
				log.Fatal(err)
			}
			count[ae.AccountID]++
		}
	}
	fmt.Println(count)
	// Output:
	// acc_2 stopped after 100 items; resuming
	// map[acc_1:150 acc_2:250 acc_3:30]
}
