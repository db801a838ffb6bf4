package cli

import (
	"context"

	"github.com/postpress/postpress-go/client"
)

// pagerOf makes p, the client's pager of items T, a pager. The generated
// table instantiates it for each operation's item type.
func pagerOf[T any, PT interface {
	*T
	item
}](p *client.Pager[T]) pager {
	return clientPager[T, PT]{p}
}

type clientPager[T any, PT interface {
	*T
	item
}] struct{ p *client.Pager[T] }

func (c clientPager[T, PT]) NextPage(ctx context.Context) (*page, error) {
	pg, err := c.p.NextPage(ctx)
	if err != nil {
		return nil, err
	}
	out := &page{items: make([]item, len(pg.Items)), next: pg.NextCursor}
	for i := range pg.Items {
		out.items[i] = PT(&pg.Items[i])
	}
	return out, nil
}

func (c clientPager[T, PT]) HasMorePages() bool { return c.p.HasMorePages() }
func (c clientPager[T, PT]) Cursor() string     { return c.p.Cursor() }
func (c clientPager[T, PT]) Close()             { c.p.Close() }
