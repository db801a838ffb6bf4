package invsync_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/boltstore"
	"github.com/postpress/postpress-go/postpresstest"
)

// printer is an Output that prints each event; Flush has nothing to do
// (for a file: flush and sync it, then return).
type printer struct{}

func (printer) Write(ev *invsync.Event) error {
	fmt.Println(ev.Kind, ev.AccountID, ev.Invitation.ID)
	return nil
}

func (printer) Flush() error { return nil }

// Run a sync twice, as cron would: the first run reports every invitation,
// the second only what changed since (one new, one gone).
func ExampleSyncer() {
	dir, err := os.MkdirTemp("", "invsync-example")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	state := filepath.Join(dir, "invitations.state")
	items := postpresstest.GenerateInvitations(1, 4)
	ctx := context.Background()

	run := func(served []gen.InvitationReceived) {
		srv := postpresstest.NewServer(postpresstest.WithAccount("acc_1", served))
		defer srv.Close()
		c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
		if err != nil {
			log.Fatal(err)
		}
		st, err := boltstore.Open(state) // one run at a time holds it
		if err != nil {
			log.Fatal(err)
		}
		defer func() { _ = st.Close() }()
		s := &invsync.Syncer{Store: st, Removed: true}
		res, err := s.Run(ctx, (multi.Lister{Client: c}).Pages(ctx, []string{"acc_1"}, client.ListParams{}), printer{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("-- %d new, %d removed, %d failed accounts\n", res.New, res.Removed, len(res.Failed))
	}
	run(items[1:3]) // the account lists two invitations
	run(items[:2])  // one more came (items[0]); items[2] was accepted
	// Output:
	// new acc_1 inv_01HXYZ4QK3WJ8FN3M641KN0001
	// new acc_1 inv_01HXYZ5RM4XK9GP4N79GWC0002
	// -- 2 new, 0 removed, 0 failed accounts
	// new acc_1 inv_01HXYZ5RM4XK9GP4N7YK970000
	// removed acc_1 inv_01HXYZ5RM4XK9GP4N79GWC0002
	// -- 1 new, 1 removed, 0 failed accounts
}
