package client

import (
	"context"
	"encoding/json"
	"errors"
	"iter"

	"github.com/postpress/postpress-go/gen"
)

// Invitation is one invitation received by the account: the generated type
// (its fields and docs come straight from openapi.yaml, and are promoted),
// and the exact bytes the server sent for it.
type Invitation struct {
	gen.InvitationReceived
	raw json.RawMessage
}

// RawJSON returns the invitation exactly as the server sent it, members the
// spec does not list included (nil for an Invitation not decoded from a
// page). It is a slice of the page's body, shared by the page's items and
// its own RawJSON: do not modify it, and note that keeping any item's
// RawJSON keeps the whole page's body in memory.
func (i Invitation) RawJSON() json.RawMessage { return i.raw }

// Page is one page of a listing.
type Page struct {
	// Items are the invitations on this page, in the server's order.
	Items []Invitation
	// NextCursor fetches the next page; "" on the last page (the API sent
	// `cursor: null`).
	NextCursor string
	// Cursor is the cursor this page was fetched with; "" for the first page.
	Cursor string

	raw json.RawMessage
}

// RawJSON returns the page's body exactly as the server sent it (nil for a
// Page not decoded from a response). Do not modify it.
func (p *Page) RawJSON() json.RawMessage { return p.raw }

// HasMore reports whether there is a next page.
func (p *Page) HasMore() bool { return p.NextCursor != "" }

// Invitations lists every invitation the account received, fetching pages
// as needed (DefaultPageSize a page unless params.Limit is set), starting
// at params.Cursor and stopping after WithMaxItems's count when given.
//
// Each step yields an invitation and a nil error, or once, at the end, a
// zero Invitation and the error that stopped the listing: a *ParamError
// (nothing was sent) or a *PagingError whose Cursor resumes the listing
// with nothing lost and nothing twice. Breaking out of the loop stops it.
//
//	for inv, err := range c.Invitations(ctx, client.ListParams{AccountID: id}) {
//		if err != nil {
//			return err // a *client.PagingError: resume from its Cursor
//		}
//		fmt.Println(inv.InvitedUser)
//	}
func (c *Client) Invitations(ctx context.Context, params ListParams, opts ...Option) iter.Seq2[Invitation, error] {
	return func(yield func(Invitation, error) bool) {
		for page, err := range c.Pages(ctx, params, opts...) {
			if err != nil {
				yield(Invitation{}, err)
				return
			}
			for i := range page.Items {
				if !yield(page.Items[i], nil) {
					return
				}
			}
		}
	}
}

// Pages lists the account's invitations a page at a time, like Invitations;
// a caller that checkpoints can store each page's NextCursor. With
// WithMaxItems, the last page is requested with the limit the listing
// still needs, so its NextCursor continues the listing with nothing skipped.
func (c *Client) Pages(ctx context.Context, params ListParams, opts ...Option) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		p := c.NewPager(params, opts...)
		defer p.Close()
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) {
				return
			}
		}
	}
}

// Pager walks a listing a page at a time under the caller's control:
//
//	p := c.NewPager(client.ListParams{AccountID: id})
//	defer p.Close()
//	for p.HasMorePages() {
//		page, err := p.NextPage(ctx)
//		if err != nil {
//			return err // a *client.PagingError; p.Cursor() is the resume point too
//		}
//		save(page.Items, page.NextCursor)
//	}
//
// A Pager is for one goroutine at a time. With prefetch on (the default),
// NextPage starts fetching the following page before it returns; Close
// stops such a fetch when the caller gives up early.
type Pager struct {
	cfg      *config
	params   ListParams
	err      error // a parameter or option error, reported by NextPage
	cursor   string
	seen     map[string]bool // the cursors of the listing, to detect a loop
	pages    int
	items    int
	done     bool
	ahead    *prefetch
	closeCtx context.Context
	close    context.CancelFunc
}

// prefetch is a page being fetched ahead.
type prefetch struct {
	cursor string
	result chan fetchResult
}

type fetchResult struct {
	page *Page
	err  error
	// stopped is whether the prefetch's context (the one it was started
	// under, or Close) had ended when the fetch returned. It is read
	// then, not later: the prefetch goroutine cancels its context on its
	// way out, so by the time take looks, it has always ended.
	stopped bool
}

// NewPager returns a Pager over params (see Invitations for their meaning).
// Invalid params or options are reported by the first NextPage, before
// anything is sent.
func (c *Client) NewPager(params ListParams, opts ...Option) *Pager {
	p := &Pager{params: params, cursor: params.Cursor, seen: map[string]bool{}}
	p.closeCtx, p.close = context.WithCancel(context.Background())
	if p.err = ValidateParams(params); p.err == nil {
		p.cfg, p.err = c.with(opts)
	}
	if p.params.Limit == 0 {
		p.params.Limit = DefaultPageSize
	}
	if params.Cursor != "" {
		p.seen[params.Cursor] = true
	}
	return p
}

// HasMorePages reports whether NextPage has a page (or an error) to give.
func (p *Pager) HasMorePages() bool { return !p.done }

// Cursor returns the cursor of the next page NextPage will fetch: after an
// error, the resume point; "" before the first page of a listing started
// from the beginning, and after the last page.
func (p *Pager) Cursor() string { return p.cursor }

// Close stops a prefetch in flight and waits for it to end, so that no
// goroutine or connection of the Pager outlives it. The Pager gives no more
// pages.
func (p *Pager) Close() {
	p.done = true
	p.close()
	if a := p.ahead; a != nil {
		p.ahead = nil
		<-a.result
	}
}

// errPagerDone is the cause NextPage gives when called after the end.
var errPagerDone = errors.New("postpress: no more pages")

// NextPage returns the next page. After the last page HasMorePages is false.
// An error ends the listing: it is a *ParamError (nothing sent) or a
// *PagingError whose Cursor is where to resume.
func (p *Pager) NextPage(ctx context.Context) (*Page, error) {
	if p.err != nil {
		p.done = true
		return nil, p.err
	}
	if p.done {
		return nil, p.fail(errPagerDone)
	}
	page, err := p.take(ctx)
	if err != nil {
		return nil, p.fail(err)
	}
	next := page.NextCursor
	if next != "" {
		if p.seen[next] {
			return nil, p.fail(ErrCursorLoop)
		}
		if len(page.Items) == 0 {
			return nil, p.fail(ErrEmptyPageWithCursor)
		}
		p.seen[next] = true
	}
	if m := p.cfg.maxItems; m > 0 && p.items+len(page.Items) >= m {
		page.Items = page.Items[:m-p.items]
		p.done = true
	}
	p.pages++
	p.items += len(page.Items)
	p.cursor = next
	if next == "" {
		p.done = true
	}
	if !p.done && p.cfg.prefetch {
		p.start(ctx, p.cursor)
	}
	return page, nil
}

// fail ends the listing with err, wrapped in a *PagingError that says where
// to resume.
func (p *Pager) fail(err error) error {
	p.done = true
	p.close()
	return &PagingError{Cursor: p.cursor, Pages: p.pages, Items: p.items, Err: err}
}

// take returns the page at p.cursor: the prefetched one when there is one,
// else fetched now. A prefetch that failed only because the context it was
// started under ended is fetched again under ctx.
func (p *Pager) take(ctx context.Context) (*Page, error) {
	if a := p.ahead; a != nil && a.cursor == p.cursor {
		p.ahead = nil
		select {
		case r := <-a.result:
			if r.err == nil || !r.stopped || ctx.Err() != nil {
				return r.page, r.err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return fetch(ctx, p.cfg, p.pageParams(p.cursor))
}

// start fetches the page at cursor in the background, under ctx and Close.
func (p *Pager) start(ctx context.Context, cursor string) {
	fctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(p.closeCtx, cancel)
	a := &prefetch{cursor: cursor, result: make(chan fetchResult, 1)}
	p.ahead = a
	params := p.pageParams(cursor)
	go func() {
		defer stop()
		defer cancel()
		page, err := fetch(fctx, p.cfg, params)
		a.result <- fetchResult{page, err, fctx.Err() != nil}
	}()
}

// pageParams are the parameters of the page at cursor. With WithMaxItems,
// the limit asks for no more than the listing still needs, so that the page
// that reaches the count ends exactly there and its NextCursor resumes right
// after its last item.
func (p *Pager) pageParams(cursor string) ListParams {
	q := p.params
	q.Cursor = cursor
	if m := p.cfg.maxItems; m > 0 {
		q.Limit = min(q.Limit, m-p.items)
	}
	return q
}
