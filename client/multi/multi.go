// Package multi lists the invitations of several accounts at once through
// one client.Client: a Lister runs a client.Pager per account, at most
// Concurrency of them at a time, so retries, Retry-After and the loop
// guards work per account, and a failed account (an *AccountError with its
// resume cursor) does not stop the others. It is built only on client's
// exported API and kept out of package client, so a program that lists
// one account links none of it. client.WithRateLimiter caps the total
// request rate of the client the accounts share.
package multi

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"sync"

	"github.com/postpress/postpress-go/client"
)

// DefaultConcurrency is how many accounts a Lister lists at once unless
// its Concurrency says otherwise.
const DefaultConcurrency = 8

// Lister lists several accounts at once through Client.
type Lister struct {
	// Client sends every request; its options (retries, rate limiter, ...)
	// apply to every account.
	Client *client.Client
	// Concurrency is how many accounts are listed at once; 0 means
	// DefaultConcurrency. Each account listed at once has one request in
	// flight, and one more ahead while its caller works on a page when
	// prefetching is on (see client.WithPrefetch); client.WithRateLimiter
	// caps the total rate.
	Concurrency int
}

// AccountPage is a page of one account's listing, from Lister.Pages.
type AccountPage struct {
	// AccountID is the account the page was listed from.
	AccountID string
	// Page is the page. Its NextCursor is "" on the account's last page.
	Page *client.Page[client.Invitation]
}

// AccountInvitation is an invitation with the account it was listed from,
// from Lister.Invitations.
type AccountInvitation struct {
	// AccountID is the account the invitation was listed from.
	AccountID string
	// Invitation is the invitation.
	Invitation client.Invitation
}

// AccountError is the failure of one account's listing in Lister.Pages or
// Lister.Invitations; the other accounts go on. Resume the account with
// client.Client.Invitations (or Pages) and client.ListParams{AccountID:
// AccountID, Cursor: Cursor}: every item not yet delivered comes exactly
// once.
type AccountError struct {
	// AccountID is the account whose listing stopped.
	AccountID string
	// Cursor is where to resume the account's listing; "" means from the
	// start (it failed on its first page, or never started because the
	// context ended).
	Cursor string
	// Err is the *client.PagingError of the account's listing (its Cursor
	// is Cursor; Unwrap it for the *client.APIError, *client.RequestError,
	// ...).
	Err error
}

// Error names the account and says what failed and where to resume.
func (e *AccountError) Error() string {
	return fmt.Sprintf("postpress: account %s: %v", e.AccountID, e.Err)
}

// Unwrap returns the account's *client.PagingError.
func (e *AccountError) Unwrap() error { return e.Err }

// Pages lists several accounts at once, at most Concurrency of them at a
// time, each on its own client.Pager: a page at a time, with retries,
// Retry-After and the loop guards working per account as in
// client.Client.Pages. params and opts apply to every account (Limit, ...;
// client.WithMaxItems per account); params' AccountID and Cursor must be ""
// (the accounts come from accounts; a cursor belongs to one account: resume
// an account with client.Client.Pages).
//
// Pages of different accounts interleave in the order they arrive; the
// pages of one account come in order. An account's listing is complete
// when its page has NextCursor "" (or, with client.WithMaxItems, when it
// reached that count).
//
// When an account's listing fails, the sequence yields its AccountID and an
// *AccountError carrying the resume cursor, and goes on with the other
// accounts. When ctx ends, every account not yet complete gets an
// *AccountError, so that the errors name every account to resume. A
// *client.ParamError (bad params, an empty, invalid or repeated account
// id), an option error or a negative Concurrency is
// yielded alone, before anything is sent (a per-call client.WithAPIKey or
// client.WithBaseURL that client.New would refuse fails each account with
// its error, still sending nothing). Breaking out of the loop stops every
// listing and waits for them to end.
func (l Lister) Pages(ctx context.Context, accounts []string, params client.ListParams, opts ...client.Option) iter.Seq2[AccountPage, error] {
	return func(yield func(AccountPage, error) bool) {
		var err error
		if l.Concurrency < 0 {
			err = fmt.Errorf("postpress: Lister.Concurrency: %d is negative (0 means DefaultConcurrency)", l.Concurrency)
		}
		if err == nil {
			err = checkAccounts(accounts, params)
		}
		pagers := make(map[string]*client.Pager[client.Invitation], len(accounts))
		for _, id := range accounts {
			if err != nil {
				break
			}
			q := params
			q.AccountID = id
			pagers[id] = l.Client.InvitationPager(q, opts...)
			err = pagers[id].Err()
		}
		if err != nil {
			for _, p := range pagers {
				p.Close()
			}
			yield(AccountPage{}, err)
			return
		}
		type result struct {
			page AccountPage
			err  error
		}
		lctx, cancel := context.WithCancel(ctx)
		results := make(chan result)
		work := make(chan string, len(accounts))
		for _, id := range accounts {
			work <- id
		}
		close(work)
		var wg sync.WaitGroup
		for range min(cmp.Or(l.Concurrency, DefaultConcurrency), len(accounts)) {
			wg.Go(func() {
				for id := range work {
					p := pagers[id]
					for p.HasMorePages() {
						page, err := p.NextPage(lctx)
						r := result{page: AccountPage{AccountID: id, Page: page}}
						if err != nil {
							r = result{page: AccountPage{AccountID: id}, err: &AccountError{AccountID: id, Cursor: p.Cursor(), Err: err}}
						}
						// Every result is taken: by the loop below, or by
						// the drain after it.
						results <- r
					}
					p.Close()
				}
			})
		}
		go func() {
			wg.Wait()
			close(results)
		}()
		defer func() {
			cancel()
			// Drain: each worker ends once its sends are taken.
			for range results {
			}
		}()
		for r := range results {
			if !yield(r.page, r.err) {
				return
			}
		}
	}
}

// Invitations lists several accounts at once like Pages, an invitation at
// a time with the account it came from. A failed account yields a zero
// AccountInvitation with its AccountID and an *AccountError (the other
// accounts go on); a *client.ParamError or an option error is yielded
// alone, before anything is sent.
//
//	var failed []*multi.AccountError
//	for ai, err := range multi.Lister{Client: c}.Invitations(ctx, []string{"acc_1", "acc_2"}, client.ListParams{}) {
//		var ae *multi.AccountError
//		if errors.As(err, &ae) {
//			failed = append(failed, ae) // ae.Cursor resumes ae.AccountID
//			continue
//		} else if err != nil {
//			return err
//		}
//		fmt.Println(ai.AccountID, ai.Invitation.InvitedUser)
//	}
func (l Lister) Invitations(ctx context.Context, accounts []string, params client.ListParams, opts ...client.Option) iter.Seq2[AccountInvitation, error] {
	return func(yield func(AccountInvitation, error) bool) {
		for ap, err := range l.Pages(ctx, accounts, params, opts...) {
			if err != nil {
				if !yield(AccountInvitation{AccountID: ap.AccountID}, err) {
					return
				}
				continue
			}
			for i := range ap.Page.Items {
				if !yield(AccountInvitation{AccountID: ap.AccountID, Invitation: ap.Page.Items[i]}, nil) {
					return
				}
			}
		}
	}
}

// checkAccounts checks the arguments of Pages: at least one account, each
// a valid and distinct AccountID, and params without AccountID or Cursor.
func checkAccounts(accounts []string, params client.ListParams) error {
	switch {
	case len(accounts) == 0:
		return &client.ParamError{Param: "account_id", Field: "AccountID", Reason: "no accounts given"}
	case params.AccountID != "":
		return &client.ParamError{Param: "account_id", Field: "AccountID", Reason: "must be empty in the params of a listing of several accounts (pass the accounts instead)"}
	case params.Cursor != "":
		return &client.ParamError{Param: "cursor", Field: "Cursor", Reason: "must be empty in the params of a listing of several accounts (a cursor belongs to one account: resume it with Invitations or Pages)"}
	}
	seen := make(map[string]bool, len(accounts))
	for _, id := range accounts {
		if seen[id] {
			return &client.ParamError{Param: "account_id", Field: "AccountID", Reason: fmt.Sprintf("%q is given more than once", id)}
		}
		seen[id] = true
	}
	return nil
}
