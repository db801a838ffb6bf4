package client

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/postpress/postpress-go/internal/contract"
)

// ErrContractViolation is wrapped by the error of a response that does not
// match openapi.yaml, when WithResponseValidation is on. It is not retried.
var ErrContractViolation = errors.New("postpress: response breaks the API contract")

// validator is loaded once, on first use.
var validator = sync.OnceValues(contract.NewValidator)

// validateResponse checks a response against the embedded spec.
func validateResponse(req *http.Request, resp *http.Response, body []byte) error {
	v, err := validator()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrContractViolation, err)
	}
	if err := v.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil {
		return fmt.Errorf("%w: %w", ErrContractViolation, err)
	}
	return nil
}
