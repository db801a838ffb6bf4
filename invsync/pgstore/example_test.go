package pgstore_test

import (
	"context"
	"fmt"
	"iter"
	"os"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/client/multi"
	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/pgstore"
)

// printer writes each new invitation as a line.
type printer struct{}

func (printer) Write(ev *invsync.Event) error {
	_, err := fmt.Println(ev.AccountID, ev.Invitation.ID)
	return err
}
func (printer) Flush() error { return nil }

// Several processes run this with the same accounts and database: each
// account is listed by one of them, and each new invitation printed once
// (and upserted into table invitations in the transaction that records it).
func Example() {
	ctx := context.Background()
	st, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"), pgstore.Options{
		LeaseTime: time.Minute,
		Table:     "invitations",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer func() { _ = st.Close() }()
	c, err := client.New() // the API key from POSTPRESS_API_KEY
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	accounts := []string{"acct_1", "acct_2", "acct_3"}
	s := &invsync.Syncer{Store: st, Invitations: true}
	res, err := s.RunShared(ctx, accounts, func(claimed []string) iter.Seq2[multi.AccountPage, error] {
		return (multi.Lister{Client: c}).Pages(ctx, claimed, client.ListParams{})
	}, printer{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Fprintf(os.Stderr, "%d new from %d accounts\n", res.New, res.Accounts)
}
