package validation_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/validation"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/postpresstest"
)

// Check every response against openapi.yaml while listing: a response that
// breaks the contract (here a provider the spec does not list) is an error
// wrapping client.ErrContractViolation, and is not retried.
func ExampleWithResponseValidation() {
	items := postpresstest.GenerateInvitations(1, 3)
	items[2].Specifics = &gen.Specifics{Provider: gen.Provider("FAX"), SharedSecret: "s"}
	srv := postpresstest.NewServer(postpresstest.WithAccount("acc_1", items))
	defer srv.Close()

	c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey),
		validation.WithResponseValidation())
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for _, err := range c.Invitations(context.Background(), client.ListParams{AccountID: "acc_1"}) {
		if errors.Is(err, client.ErrContractViolation) {
			fmt.Println("the response breaks the spec after", n, "items")
			fmt.Println("requests sent:", srv.RequestCount())
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	// Output:
	// the response breaks the spec after 0 items
	// requests sent: 1
}
