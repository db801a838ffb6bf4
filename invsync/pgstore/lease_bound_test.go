package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/postpress/postpress-go/invsync/pgstore"
)

// TestLeaseTimeAtLeast100ms: a lease of 100ms is accepted (Open goes on to
// the server, here one that is not there), 99ms is refused before any
// connection. It needs no PostgreSQL.
func TestLeaseTimeAtLeast100ms(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const nowhere = "postgres://postpress@127.0.0.1:1/none?connect_timeout=2"
	for lease, refused := range map[time.Duration]bool{99 * time.Millisecond: true, 100 * time.Millisecond: false} {
		st, err := pgstore.Open(ctx, nowhere, pgstore.Options{LeaseTime: lease})
		if st != nil {
			_ = st.Close()
		}
		if err == nil {
			t.Fatalf("lease %v: Open of a server that is not there succeeded", lease)
		}
		if got := strings.Contains(err.Error(), "too short"); got != refused {
			t.Errorf("lease %v: %v; want it refused as too short: %v", lease, err, refused)
		}
	}
}
