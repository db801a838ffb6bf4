package invsync_test

import (
	"context"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/invsync"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestInvitationWithoutIDIsNewEveryRun: an invitation without an id cannot
// be recorded, so every run reports it, and no Change carries it.
func TestInvitationWithoutIDIsNewEveryRun(t *testing.T) {
	items := pt.GenerateInvitations(2, 3)
	items[1].ID = ""
	srv := pt.NewServer(pt.WithAccount("acc", items))
	defer srv.Close()
	c, err := client.New(client.WithAPIKey(pt.DefaultAPIKey), client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	out := &flushOutput{delivered: map[string]bool{}}
	st := &flushCheckingStore{t: t, out: out, ids: map[string]map[string]bool{}}
	s := &invsync.Syncer{Store: st}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for run, want := range []int{3, 1} {
		res, err := s.Run(ctx, (multi.Lister{Client: c}).Pages(ctx, []string{"acc"}, client.ListParams{}), out)
		if err != nil {
			t.Fatal(err)
		}
		if res.New != want || !out.delivered[eventKey(invsync.New, "acc", "")] {
			t.Fatalf("run %d: %d new (want %d; the one without an id each time), delivered %v", run+1, res.New, want, out.delivered)
		}
		if _, ok := st.ids["acc"][""]; ok || len(st.ids["acc"]) != 2 {
			t.Fatalf("run %d: the state holds %v, want the two ids and not the empty one", run+1, st.ids["acc"])
		}
	}
}
