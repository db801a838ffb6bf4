package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
)

// TestMaxBodyBytesPerItemSetsTheBound: the bound is the option's bytes an
// item times the page size asked (here 20 KiB × 100 = 2000 KiB), not the
// default's (64 KiB × 100): a valid page of 2.5 MiB is refused with it and
// read without it; 1 byte an item is a valid setting (the bound is then
// the floor of 1 MiB).
func TestMaxBodyBytesPerItemSetsTheBound(t *testing.T) {
	page := `{"object":"InvitationList","items":[],"cursor":null}` + strings.Repeat(" ", 5<<19)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	list := func(opts ...client.Option) error {
		c, err := client.New(append([]client.Option{client.WithBaseURL(srv.URL), client.WithAPIKey("key"), client.WithMaxRetries(0)}, opts...)...)
		if err != nil {
			return err
		}
		_, err = c.ListReceivedInvitations(ctx, client.ListParams{AccountID: "acc", Limit: 100})
		return err
	}
	if err := list(); err != nil {
		t.Fatalf("a 2.5 MiB page under the default bound (6400 KiB): %v", err)
	}
	if err := list(client.WithMaxBodyBytesPerItem(20 << 10)); !errors.Is(err, client.ErrBodyTooLarge) {
		t.Fatalf("a 2.5 MiB page over WithMaxBodyBytesPerItem(20 KiB) × 100: %v, want ErrBodyTooLarge", err)
	}
	if err := list(client.WithMaxBodyBytesPerItem(1)); !errors.Is(err, client.ErrBodyTooLarge) {
		t.Fatalf("WithMaxBodyBytesPerItem(1): %v, want the option accepted and the 1 MiB floor to refuse the page", err)
	}
}

// TestBodyAtTheBoundIsRead: a body of exactly the bound (1 MiB here) is
// read, with a Content-Length or chunked; one byte more is refused.
func TestBodyAtTheBoundIsRead(t *testing.T) {
	const bound = 1 << 20 // WithMaxBodyBytesPerItem(1): the floor
	head := `{"object":"InvitationList","items":[],"cursor":null}`
	for _, chunked := range []bool{false, true} {
		for size, want := range map[int]error{bound: nil, bound + 1: client.ErrBodyTooLarge} {
			page := head + strings.Repeat(" ", size-len(head))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if chunked {
					_, _ = w.Write([]byte(page[:size/2]))
					w.(http.Flusher).Flush()
					_, _ = w.Write([]byte(page[size/2:]))
					return
				}
				w.Header().Set("Content-Length", strconv.Itoa(size))
				_, _ = w.Write([]byte(page))
			}))
			c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey("key"), client.WithMaxRetries(0), client.WithMaxBodyBytesPerItem(1))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			_, err = c.ListReceivedInvitations(ctx, client.ListParams{AccountID: "acc", Limit: 100})
			cancel()
			srv.Close()
			if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
				t.Errorf("chunked=%v, %d bytes against a bound of %d: %v, want %v", chunked, size, bound, err, want)
			}
		}
	}
}
