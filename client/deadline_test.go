package client

import (
	"context"
	"errors"
	"testing"
	"time"
)

// guardDeadline bounds a listing that only a guard of the client ends (the
// repeated-cursor check, the cap on a Retry-After): with the guard broken,
// the listing would run until go test's own timeout, so the test ends it
// and says which guard failed.
const guardDeadline = 10 * time.Second

// listIDsWithin is listIDs under a deadline (guardDeadline, or longer for
// a long listing): if the listing is still going when it passes, t fails
// with a message naming guard.
func listIDsWithin(t *testing.T, c *Client, p ListParams, deadline time.Duration, guard string, opts ...Option) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var ids []string
	for inv, err := range c.Invitations(ctx, p, opts...) {
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
				t.Fatalf("the listing did not end within %v (%d items): %s", deadline, len(ids), guard)
			}
			return ids, err
		}
		ids = append(ids, inv.ID)
	}
	return ids, nil
}
