package client

import (
	"context"
	"testing"

	pt "github.com/postpress/postpress-go/postpresstest"
)

func TestOnePageUsesTheAPIDefaultLimit(t *testing.T) {
	c, _, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 25)})
	page, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc"})
	if err != nil || len(page.Items) != 10 || !page.HasMore() || page.Cursor != "" {
		t.Fatalf("page %+v, err %v", page, err)
	}
	if q := requests()[0].Query; q.Has("limit") {
		t.Errorf("limit sent without being asked: %v", q)
	}
	next, err := c.ListReceivedInvitations(context.Background(), ListParams{AccountID: "acc", Cursor: page.NextCursor, Limit: 20})
	if err != nil || len(next.Items) != 15 || next.HasMore() || next.Cursor != page.NextCursor {
		t.Fatalf("next %+v, err %v", next, err)
	}
}
