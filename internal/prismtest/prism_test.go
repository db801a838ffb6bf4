//go:build prism

package prismtest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contract"
)

// prismClient returns the generated client pointed at Prism, through the
// contract-validating transport. Without PRISM_URL the test fails: this
// file is only built when Prism is meant to run.
func prismClient(t *testing.T) *gen.ClientWithResponses {
	t.Helper()
	url := os.Getenv("PRISM_URL")
	if url == "" {
		t.Fatal("PRISM_URL is not set: run this through `make prism-test`")
	}
	c, err := gen.NewClientWithResponses(url, gen.WithHTTPClient(contract.NewClient(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func apiKey(_ context.Context, req *http.Request) error {
	req.Header.Set("X-API-KEY", "pp_test_prism")
	return nil
}

func prefer(v string) gen.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Prefer", v)
		return nil
	}
}

func TestPrismPage(t *testing.T) {
	c := prismClient(t)
	limit := 10
	resp, err := c.ListInvitationsReceivedWithResponse(context.Background(),
		&gen.ListInvitationsReceivedParams{AccountID: "acc_linkedin_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", Limit: &limit}, apiKey)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 200 || resp.JSON200 == nil {
		t.Fatalf("status %d: %s", resp.StatusCode(), resp.Body)
	}
	page := resp.JSON200
	if len(page.Items) != 1 || page.Items[0].ID != "inv_01HXYZ4QK3WJ8FN3M6QH7TZ8GR" || page.Cursor == nil || *page.Cursor != "eyJvIjoxMH0" {
		t.Fatalf("Prism should serve the docs' example page, got %+v", page)
	}
	last, err := c.ListInvitationsReceivedWithResponse(context.Background(),
		&gen.ListInvitationsReceivedParams{AccountID: "acc_1", Cursor: page.Cursor}, apiKey, prefer("example=lastPage"))
	if err != nil || last.JSON200 == nil || last.JSON200.Cursor != nil {
		t.Fatalf("last page: %v %+v", err, last)
	}
}

// TestPrismErrorStatuses asks Prism for each documented error status and
// checks that the generated client decodes it into its typed field.
func TestPrismErrorStatuses(t *testing.T) {
	c := prismClient(t)
	for _, status := range []int{400, 401, 403, 429, 500, 501, 503, 504} {
		resp, err := c.ListInvitationsReceivedWithResponse(context.Background(),
			&gen.ListInvitationsReceivedParams{AccountID: "acc_1"}, apiKey, prefer(fmt.Sprintf("code=%d", status)))
		if err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		if resp.StatusCode() != status {
			t.Errorf("asked for %d, got %d: %s", status, resp.StatusCode(), resp.Body)
			continue
		}
		var typ string
		var st int
		switch status {
		case 400:
			typ, st = string(resp.JSON400.Type), int(resp.JSON400.Status)
		case 401:
			typ, st = string(resp.JSON401.Type), int(resp.JSON401.Status)
		case 403:
			typ, st = string(resp.JSON403.Type), int(resp.JSON403.Status)
		case 429:
			typ, st = string(resp.JSON429.Type), int(resp.JSON429.Status)
		case 500:
			typ, st = string(resp.JSON500.Type), int(resp.JSON500.Status)
		case 501:
			typ, st = string(resp.JSON501.Type), int(resp.JSON501.Status)
		case 503:
			typ, st = string(resp.JSON503.Type), int(resp.JSON503.Status)
		case 504:
			typ, st = string(resp.JSON504.Type), int(resp.JSON504.Status)
		}
		if st != status || typ == "" {
			t.Errorf("%d decoded as status %d type %q", status, st, typ)
		}
	}
}

// TestPrismRefusesAMissingKey: Prism checks security like the API does. The
// request breaks the spec on purpose, so only the response is validated.
func TestPrismRefusesAMissingKey(t *testing.T) {
	url := os.Getenv("PRISM_URL")
	if url == "" {
		t.Fatal("PRISM_URL is not set: run this through `make prism-test`")
	}
	c, err := gen.NewClientWithResponses(url)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.ListInvitationsReceivedWithResponse(context.Background(), &gen.ListInvitationsReceivedParams{AccountID: "acc_1"})
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
