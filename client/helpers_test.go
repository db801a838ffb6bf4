package client

import (
	"github.com/postpress/postpress-go/internal/contract"
	"github.com/postpress/postpress-go/internal/contracttest"
	"testing"
	"time"
)

// nonAPIHeader marks a response that is not an API response (a redirect, a
// proxy page), so contract validation leaves it alone.
const nonAPIHeader = contract.FaultHeader

// testClient returns a client for baseURL with fast retries, its HTTP going
// through the contract-validating transport.
func testClient(t *testing.T, baseURL string, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithAPIKey("pp_test_key"),
		WithBaseURL(baseURL),
		WithBackoff(time.Millisecond),
		WithHTTPClient(contracttest.NewClient(t, nil)),
	}
	c, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
