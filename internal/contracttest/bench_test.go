package contracttest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/postpress/postpress-go/internal/contract"
)

// BenchmarkValidateResponse measures validating one page of 100 items,
// the cost client.WithResponseValidation adds per response.
func BenchmarkValidateResponse(b *testing.B) {
	v, err := contract.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	items := strings.TrimSuffix(strings.Repeat(validItem+",", 100), ",")
	body := []byte(`{"object":"InvitationList","items":[` + items + `],"cursor":"eyJvIjoxMH0"}`)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/api/v1/users/invite/received?account_id=acc&limit=100", nil)
	req.Header.Set("X-API-KEY", "k")
	h := http.Header{"Content-Type": {"application/json"}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateResponse(req, 200, h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateRequest measures validating one request.
func BenchmarkValidateRequest(b *testing.B) {
	v, err := contract.NewValidator()
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/api/v1/users/invite/received?account_id=acc&limit=100&cursor=eyJvIjoxMH0", nil)
	req.Header.Set("X-API-KEY", "k")
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateRequest(req); err != nil {
			b.Fatal(err)
		}
	}
}
