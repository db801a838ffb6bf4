package multi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contracttest"
	pt "github.com/postpress/postpress-go/postpresstest"
)

// testKey is the API key of every test client and of the fake it talks to.
const testKey = "pp_live_CANARY_7f3a9c1e5b_do_not_print"

// setup starts the fake API (postpresstest) with the fake options, accepting
// testKey, and returns a testClient for it with opts, the fake, and the
// fake's request log. The fake is closed when t ends.
func setup(t *testing.T, fake []pt.Option, opts ...client.Option) (*client.Client, *pt.Server, func() []pt.Request) {
	t.Helper()
	srv := pt.NewServer(append([]pt.Option{pt.WithAPIKey(testKey)}, fake...)...)
	t.Cleanup(srv.Close)
	return testClient(t, srv.URL, opts...), srv, srv.Requests
}

// testClient is a client of baseURL with testKey, fast retries, and its
// HTTP going through the contract-validating transport
// (internal/contracttest). opts go last and win.
func testClient(t testing.TB, baseURL string, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{
		client.WithAPIKey(testKey),
		client.WithBaseURL(baseURL),
		client.WithBackoff(time.Millisecond),
		client.WithMaxRetryDelay(20 * time.Millisecond),
		client.WithHTTPClient(contracttest.NewClient(t, nil)),
	}
	c, err := client.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listIDs runs c.Invitations to its end or first error and returns the ids
// delivered.
func listIDs(c *client.Client, p client.ListParams) ([]string, error) {
	var ids []string
	for inv, err := range c.Invitations(context.Background(), p) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, inv.ID)
	}
	return ids, nil
}

// idsOf returns the ids of items, in order.
func idsOf(items []gen.InvitationReceived) []string {
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	return ids
}

func accountName(i int) string { return fmt.Sprintf("acc_conc_%02d", i) }
