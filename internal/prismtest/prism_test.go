//go:build prism

package prismtest

import (
	"context"
	"os"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contract"
)

// TestPrismRefusesAMissingKey: Prism checks security like the API does. The
// request breaks the spec on purpose (no key; nothing else), so only the
// response is validated.
func TestPrismRefusesAMissingKey(t *testing.T) {
	url := os.Getenv("PRISM_URL")
	if url == "" {
		t.Fatal("PRISM_URL is not set: run this through `make prism-test`")
	}
	c, err := gen.NewClientWithResponses(url, gen.WithRequestEditorFn(firstPage))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.ListInvitationsReceivedWithResponse(context.Background(), &gen.ListInvitationsReceivedParams{AccountID: "acc_1", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 401 {
		t.Fatalf("no key: status %d, want 401", resp.StatusCode())
	}
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ValidateResponse(resp.HTTPResponse.Request, resp.StatusCode(), resp.HTTPResponse.Header, resp.Body); err != nil {
		t.Errorf("Prism's 401 breaks the contract: %v", err)
	}
}
