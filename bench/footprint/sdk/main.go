// Command sdk lists one account's received invitations with the SDK's
// client package and prints their ids (POSTPRESS_API_KEY,
// POSTPRESS_BASE_URL and POSTPRESS_ACCOUNT_ID from the environment).
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/postpress/postpress-go/client"
)

func main() {
	c, err := client.New()
	if err != nil {
		log.Fatal(err)
	}
	params := client.ListParams{AccountID: os.Getenv("POSTPRESS_ACCOUNT_ID")}
	for inv, err := range c.Invitations(context.Background(), params) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(inv.ID)
	}
}
