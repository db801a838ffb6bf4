package client

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"iter"
)

// Page is one page of a listing of items of type T.
type Page[T any] struct {
	// Items are the items on this page, in the server's order.
	Items []T
	// NextCursor fetches the next page; "" on the last page (the API sent
	// a null cursor).
	NextCursor string
	// Cursor is the cursor this page was fetched with; "" for the first page.
	Cursor string

	raw json.RawMessage
}

// RawJSON returns the page's body exactly as the server sent it (nil for a
// Page not decoded from a response). Do not modify it.
func (p *Page[T]) RawJSON() json.RawMessage { return p.raw }

// HasMore reports whether there is a next page.
func (p *Page[T]) HasMore() bool { return p.NextCursor != "" }

// items is the iterator of every item of a listing (the generated
// iterator methods, such as Invitations, return it).
func items[T any](ctx context.Context, p *Pager[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		defer p.Close()
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				var zero T
				yield(zero, err)
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

// Pager walks a listing a page at a time under the caller's control. Each
// list operation has a method that returns one (InvitationPager, ...):
//
//	p := c.InvitationPager(client.ListParams{AccountID: id})
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
type Pager[T any] struct {
	cfg *config
	// fetch gets the page at cursor, asking for at most limit items
	// (0: the listing's page size).
	fetch    func(ctx context.Context, cursor string, limit int) (*Page[T], error)
	pageSize int   // the page size asked for (0: the operation has none)
	err      error // a parameter or option error, reported by NextPage
	failed   error // the error that ended the listing
	cursor   string
	seen     map[string]bool // the cursors of the listing, to detect a loop
	pages    int
	items    int
	done     bool
	ahead    *prefetch[T]
	closeCtx context.Context
	close    context.CancelFunc
}

// prefetch is a page being fetched ahead.
type prefetch[T any] struct {
	cursor string
	result chan fetchResult[T]
}

type fetchResult[T any] struct {
	page *Page[T]
	err  error
	// stopped is whether the prefetch's context (the one it was started
	// under, or Close) had ended when the fetch returned. It is read
	// then, not later: the prefetch goroutine cancels its context on its
	// way out, so by the time take looks, it has always ended.
	stopped bool
}

// newPager returns a Pager over op's listing with params: it starts at
// params' cursor and asks for the page size params give, or else the
// spec's maximum. Invalid params or options are reported by the first
// NextPage, before anything is sent.
func newPager[P, T any](c *Client, op *listOp[P, T], params P, opts []Option) *Pager[T] {
	p := &Pager[T]{cursor: *op.cursor(&params), seen: map[string]bool{}}
	p.closeCtx, p.close = context.WithCancel(context.Background()) //nolint:gosec // Close and fail call p.close
	if p.err = checkParams(&params, op.rules); p.err == nil {
		p.cfg, p.err = c.with(opts)
	}
	if op.limit != nil {
		if l := op.limit(&params); *l == 0 {
			*l = op.maxLimit
		}
		p.pageSize = *op.limit(&params)
	}
	if p.cursor != "" {
		p.seen[p.cursor] = true
	}
	p.fetch = func(ctx context.Context, cursor string, limit int) (*Page[T], error) {
		q := params
		*op.cursor(&q) = cursor
		if op.limit != nil && limit > 0 {
			*op.limit(&q) = limit
		}
		return fetch(ctx, p.cfg, op, q)
	}
	return p
}

// HasMorePages reports whether NextPage has a page (or an error) to give.
func (p *Pager[T]) HasMorePages() bool { return !p.done }

// Cursor returns the cursor of the next page NextPage will fetch: after an
// error, the resume point; "" before the first page of a listing started
// from the beginning, and after the last page.
func (p *Pager[T]) Cursor() string { return p.cursor }

// Err returns the error that ended the listing, or nil. Invalid parameters
// or options are known before anything is sent: Err returns their
// *ParamError or option error as soon as the Pager is made, and the first
// NextPage returns it.
func (p *Pager[T]) Err() error { return cmp.Or(p.err, p.failed) }

// Close stops a prefetch in flight and waits for it to end, so that no
// goroutine or connection of the Pager outlives it. The Pager gives no more
// pages.
func (p *Pager[T]) Close() {
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
func (p *Pager[T]) NextPage(ctx context.Context) (*Page[T], error) {
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
func (p *Pager[T]) fail(err error) error {
	p.done = true
	p.close()
	p.failed = &PagingError{Cursor: p.cursor, Pages: p.pages, Items: p.items, Err: err}
	return p.failed
}

// take returns the page at p.cursor: the prefetched one when there is one,
// else fetched now. A prefetch that failed only because the context it was
// started under ended is fetched again under ctx.
func (p *Pager[T]) take(ctx context.Context) (*Page[T], error) {
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
	return p.fetch(ctx, p.cursor, p.limit())
}

// start fetches the page at cursor in the background, under ctx and Close.
func (p *Pager[T]) start(ctx context.Context, cursor string) {
	fctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(p.closeCtx, cancel)
	a := &prefetch[T]{cursor: cursor, result: make(chan fetchResult[T], 1)}
	p.ahead = a
	limit := p.limit()
	go func() {
		defer stop()
		defer cancel()
		page, err := p.fetch(fctx, cursor, limit)
		a.result <- fetchResult[T]{page, err, fctx.Err() != nil}
	}()
}

// limit is the page size of the next page, 0 for the one the params give.
// With WithMaxItems, it asks for no more than the listing still needs, so
// that the page that reaches the count ends exactly there and its
// NextCursor resumes right after its last item. An operation without a
// page size (pageSize 0) gets 0 either way: the listing still needs at
// least one item whenever a page is fetched.
func (p *Pager[T]) limit() int {
	if p.cfg.maxItems == 0 {
		return 0
	}
	return min(p.pageSize, p.cfg.maxItems-p.items)
}
