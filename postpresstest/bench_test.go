package postpresstest

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkPage measures one full page (limit 100) from a Server over
// loopback HTTP, without contract validation.
func BenchmarkPage(b *testing.B) {
	s := NewServer(WithGeneratedAccount("acc", 1000))
	defer s.Close()
	hc := s.Client()
	url := s.URL + "/users/invite/received?account_id=acc&limit=100"
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("X-API-KEY", DefaultAPIKey)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}

// BenchmarkGenerateInvitations measures the generator.
func BenchmarkGenerateInvitations(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = GenerateInvitations(1, 1000)
	}
}
