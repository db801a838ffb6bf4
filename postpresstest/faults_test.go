package postpresstest

import (
	"encoding/json"
	"testing"

	"github.com/postpress/postpress-go/gen"
)

// TestScriptedErrorDetail: a scripted error carries a detail, the one
// given by WithDetail when there is one.
func TestScriptedErrorDetail(t *testing.T) {
	s := NewServer(WithGeneratedAccount("acc", 3))
	defer s.Close()
	for given, want := range map[string]string{"": "Scripted by postpresstest.", "the provider is down": "the provider is down"} {
		f := Error(gen.InternalServerErrorTypeProviderError)
		if given != "" {
			f = f.WithDetail(given)
		}
		s.Enqueue(f)
		status, body := getUnchecked(t, s, "account_id=acc", DefaultAPIKey)
		var e struct {
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(body, &e); err != nil || status != 500 || e.Detail != want {
			t.Errorf("WithDetail(%q): status %d, detail %q, want %q (%v)", given, status, e.Detail, want, err)
		}
	}
}
