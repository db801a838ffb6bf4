package client

import "testing"

func TestInvalidOptionsRefused(t *testing.T) {
	for name, o := range map[string]Option{
		"retries": WithMaxRetries(-1),
		"backoff": WithBackoff(0),
		"delay":   WithMaxRetryDelay(-1),
		"timeout": WithAttemptTimeout(0),
		"client":  WithHTTPClient(nil),
	} {
		if _, err := New(WithAPIKey("k"), o); err == nil {
			t.Errorf("%s: invalid option accepted", name)
		}
	}
}
