package client

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"sync"
)

// DefaultConcurrency is how many accounts PagesForAccounts and
// InvitationsForAccounts list at once unless WithConcurrency says otherwise.
const DefaultConcurrency = 8

// WithConcurrency sets how many accounts PagesForAccounts and
// InvitationsForAccounts list at once (default DefaultConcurrency; at least
// 1). Each account listed at once has one request in flight, and one more
// ahead while its caller works on a page when prefetching is on (see
// WithPrefetch); WithRateLimiter caps the total rate.
func WithConcurrency(n int) Option {
	return atLeast("WithConcurrency", n, 1, "is less than 1", func(c *config) *int { return &c.concurrency })
}

// A Limiter paces requests: Wait blocks until one more request may be sent,
// or returns an error (the context ended, or the wait could never end).
// *rate.Limiter from golang.org/x/time/rate is one.
type Limiter interface {
	Wait(ctx context.Context) error
}

// WithRateLimiter makes every attempt (first tries and retries, on every
// account and every goroutine that uses the client) wait on l before it is
// sent, so that one limiter caps the client's total request rate:
//
//	c, err := client.New(client.WithRateLimiter(rate.NewLimiter(20, 1))) // 20 requests/s
//
// The wait counts against the call's context, not against the attempt
// timeout. Default: none. A nil l means none.
func WithRateLimiter(l Limiter) Option {
	return func(c *config) { c.limiter = l }
}

// AccountPage is a page of one account's listing, from PagesForAccounts.
type AccountPage struct {
	// AccountID is the account the page was listed from.
	AccountID string
	// Page is the page. Its NextCursor is "" on the account's last page.
	Page *Page
}

// AccountInvitation is an invitation with the account it was listed from,
// from InvitationsForAccounts.
type AccountInvitation struct {
	// AccountID is the account the invitation was listed from.
	AccountID string
	// Invitation is the invitation.
	Invitation Invitation
}

// AccountError is the failure of one account's listing in PagesForAccounts
// or InvitationsForAccounts; the other accounts go on. Resume the account
// with Invitations (or Pages) and ListParams{AccountID: AccountID, Cursor:
// Cursor}: every item not yet delivered comes exactly once.
type AccountError struct {
	// AccountID is the account whose listing stopped.
	AccountID string
	// Cursor is where to resume the account's listing; "" means from the
	// start (it failed on its first page, or never started because the
	// context ended).
	Cursor string
	// Err is the *PagingError of the account's listing (its Cursor is
	// Cursor; Unwrap it for the *APIError, *RequestError, ...).
	Err error
}

// Error names the account and says what failed and where to resume.
func (e *AccountError) Error() string {
	return fmt.Sprintf("postpress: account %s: %v", e.AccountID, e.Err)
}

// Unwrap returns the account's *PagingError.
func (e *AccountError) Unwrap() error { return e.Err }

// PagesForAccounts lists several accounts at once, at most WithConcurrency
// of them at a time (default DefaultConcurrency), each on its own Pager: a
// page at a time, with retries, Retry-After and the loop guards working per
// account as in Pages. params applies to every account (Limit, ...; WithMaxItems per account);
// its AccountID and Cursor must be "" (the accounts come from accounts; a
// cursor belongs to one account: resume an account with Pages).
//
// Pages of different accounts interleave in the order they arrive; the
// pages of one account come in order. An account's listing is complete
// when its page has NextCursor "" (or, with WithMaxItems, when it reached
// that count).
//
// When an account's listing fails, the sequence yields its AccountID and an
// *AccountError carrying the resume cursor, and goes on with the other
// accounts. When ctx ends, every account not yet complete gets an
// *AccountError, so that the errors name every account to resume. A
// *ParamError (bad params, an empty, invalid or repeated account id) or an
// option error is yielded alone, before anything is sent. Breaking out of
// the loop stops every listing and waits for them to end.
func (c *Client) PagesForAccounts(ctx context.Context, accounts []string, params ListParams, opts ...Option) iter.Seq2[AccountPage, error] {
	return func(yield func(AccountPage, error) bool) {
		cfg, err := c.with(opts)
		if err == nil {
			err = checkAccounts(accounts, params)
		}
		if err != nil {
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
		for range min(cmp.Or(cfg.concurrency, DefaultConcurrency), len(accounts)) {
			wg.Go(func() {
				for id := range work {
					q := params
					q.AccountID = id
					p := c.NewPager(q, opts...)
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

// InvitationsForAccounts lists several accounts at once like
// PagesForAccounts, an invitation at a time with the account it came from.
// A failed account yields a zero AccountInvitation with its AccountID and
// an *AccountError (the other accounts go on); a *ParamError or an option
// error is yielded alone, before anything is sent.
//
//	var failed []*client.AccountError
//	for ai, err := range c.InvitationsForAccounts(ctx, []string{"acc_1", "acc_2"}, client.ListParams{}) {
//		var ae *client.AccountError
//		if errors.As(err, &ae) {
//			failed = append(failed, ae) // ae.Cursor resumes ae.AccountID
//			continue
//		} else if err != nil {
//			return err
//		}
//		fmt.Println(ai.AccountID, ai.Invitation.InvitedUser)
//	}
func (c *Client) InvitationsForAccounts(ctx context.Context, accounts []string, params ListParams, opts ...Option) iter.Seq2[AccountInvitation, error] {
	return func(yield func(AccountInvitation, error) bool) {
		for ap, err := range c.PagesForAccounts(ctx, accounts, params, opts...) {
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

// checkAccounts checks the arguments of PagesForAccounts: at least one
// account, each a valid and distinct AccountID, and params without
// AccountID or Cursor.
func checkAccounts(accounts []string, params ListParams) error {
	switch {
	case len(accounts) == 0:
		return &ParamError{"account_id", "AccountID", "no accounts given"}
	case params.AccountID != "":
		return &ParamError{"account_id", "AccountID", "must be empty in the params of a listing of several accounts (pass the accounts instead)"}
	case params.Cursor != "":
		return &ParamError{"cursor", "Cursor", "must be empty in the params of a listing of several accounts (a cursor belongs to one account: resume it with Invitations or Pages)"}
	}
	seen := make(map[string]bool, len(accounts))
	for _, id := range accounts {
		q := params
		q.AccountID = id
		if err := ValidateParams(q); err != nil {
			return err
		}
		if seen[id] {
			return &ParamError{"account_id", "AccountID", fmt.Sprintf("%q is given more than once", id)}
		}
		seen[id] = true
	}
	return nil
}
