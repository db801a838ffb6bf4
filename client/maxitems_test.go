package client_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/postpresstest"
)

// TestMaxItemsAsksOnlyForWhatItNeeds: the page that reaches MaxItems is
// requested with the limit still needed, so its NextCursor (and the
// Pager's Cursor) continue the listing with nothing skipped or repeated.
func TestMaxItemsAsksOnlyForWhatItNeeds(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%v", prefetch), func(t *testing.T) {
			srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc", 23))
			defer srv.Close()
			c := newClient(t, srv, client.WithPrefetch(prefetch))
			ctx := context.Background()

			p := c.NewPager(client.ListParams{AccountID: "acc", Limit: 5, MaxItems: 7})
			defer p.Close()
			var ids []string
			var last *client.Page
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, inv := range page.Items {
					ids = append(ids, inv.ID)
				}
				last = page
			}
			if len(ids) != 7 {
				t.Fatalf("%d items, want 7", len(ids))
			}
			var limits []string
			for _, r := range srv.Requests() {
				limits = append(limits, r.Query.Get("limit"))
			}
			if fmt.Sprint(limits) != "[5 2]" {
				t.Errorf("limits sent %v, want [5 2] (nothing fetched beyond MaxItems)", limits)
			}
			if last.NextCursor == "" || p.Cursor() != last.NextCursor {
				t.Fatalf("last NextCursor %q, Pager.Cursor %q: want the same non-empty cursor", last.NextCursor, p.Cursor())
			}

			for inv, err := range c.Invitations(ctx, client.ListParams{AccountID: "acc", Cursor: p.Cursor()}) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, inv.ID)
			}
			checkSameIDs(t, "stopped at MaxItems, then resumed", ids, serverIDs(srv, "acc"))
		})
	}
}
