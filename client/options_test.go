package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	pt "github.com/postpress/postpress-go/postpresstest"
)

// TestInvalidOptionsAreRefusedByNew: New refuses each invalid option with
// an error naming it.
func TestInvalidOptionsAreRefusedByNew(t *testing.T) {
	for name, o := range map[string]Option{
		"WithMaxRetries":     WithMaxRetries(-1),
		"WithBackoff":        WithBackoff(0),
		"WithMaxRetryDelay":  WithMaxRetryDelay(-1),
		"WithAttemptTimeout": WithAttemptTimeout(0),
		"WithHTTPClient":     WithHTTPClient(nil),
		"WithMaxItems":       WithMaxItems(-1),
	} {
		if _, err := New(WithAPIKey("k"), o); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: New = %v, want an error naming the option", name, err)
		}
	}
	for name, o := range map[string]Option{
		"WithMaxRetries(0)": WithMaxRetries(0),
		"WithMaxItems(0)":   WithMaxItems(0),
		"nil":               nil,
	} {
		if _, err := New(WithAPIKey("k"), o); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
}

// TestInvalidPerCallOptionsSendNothing: an invalid option given to one
// listing is refused before anything is sent; Pager.Err reports it as soon
// as the Pager is made, and the first NextPage returns it.
func TestInvalidPerCallOptionsSendNothing(t *testing.T) {
	c, _, requests := setup(t, []pt.Option{pt.WithGeneratedAccount("acc", 1)})
	ctx := context.Background()
	p := ListParams{AccountID: "acc"}
	for name, o := range map[string]Option{
		"WithMaxRetries":     WithMaxRetries(-1),
		"WithMaxItems":       WithMaxItems(-1),
		"WithAttemptTimeout": WithAttemptTimeout(0),
		"WithHTTPClient":     WithHTTPClient(nil),
		"plain http base":    WithBaseURL("http://example.com"),
		"bad key":            WithAPIKey("pp_secret_key\n"),
	} {
		pager := c.InvitationPager(p, o)
		early := pager.Err()
		_, err := pager.NextPage(ctx)
		if err == nil || !errors.Is(early, err) {
			t.Errorf("%s: Pager.Err() = %v, NextPage = %v; want the same error from both", name, early, err)
		}
		if _, err := listIDs(c, p, o); err == nil {
			t.Errorf("%s: Invitations accepted it", name)
		}
		if strings.Contains(fmt.Sprint(err), "pp_secret") {
			t.Errorf("%s: the error shows the key: %v", name, err)
		}
	}
	if _, err := listIDs(c, p, WithAPIKey("")); !errors.Is(err, errNoAPIKey) {
		t.Errorf("an empty per-call key: %v, want errNoAPIKey", err)
	}
	if n := len(requests()); n != 0 {
		t.Fatalf("%d requests were sent for invalid options", n)
	}
}
