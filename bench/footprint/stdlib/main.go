// Command stdlib lists one account's received invitations with net/http and
// encoding/json alone and prints their ids (POSTPRESS_API_KEY,
// POSTPRESS_BASE_URL and POSTPRESS_ACCOUNT_ID from the environment): the
// baseline the SDK's footprint is measured against.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
)

type page struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
	Cursor *string `json:"cursor"`
}

func main() {
	q := url.Values{"account_id": {os.Getenv("POSTPRESS_ACCOUNT_ID")}, "limit": {"100"}}
	for {
		req, err := http.NewRequest(http.MethodGet, os.Getenv("POSTPRESS_BASE_URL")+"/users/invite/received?"+q.Encode(), nil)
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("X-API-KEY", os.Getenv("POSTPRESS_API_KEY"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		var p page
		err = json.NewDecoder(resp.Body).Decode(&p)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			log.Fatal(resp.Status, err)
		}
		for _, it := range p.Items {
			fmt.Println(it.ID)
		}
		if p.Cursor == nil {
			return
		}
		q.Set("cursor", *p.Cursor)
	}
}
