// Package validation checks every response of the API against openapi.yaml
// (the copy embedded in package gen/spec): the status must be documented
// for the operation and the body must match that status's schema.
//
// It is a package of its own because the spec and what loads it
// (kin-openapi, a YAML parser, a JSON-schema library) are most of what a
// program would otherwise link and initialise for it; a program that does
// not validate does not import this package and pays nothing.
//
//	c, err := client.New(validation.WithResponseValidation())
//
// A response that breaks the contract becomes an error wrapping
// client.ErrContractViolation that names every disagreement (the same
// validator as `postpress contract check`, internal/contract, on
// kin-openapi), and is not retried. Members the spec does not document are
// accepted: the spec leaves additionalProperties open. Validation costs CPU per
// page (about three times what serving the page costs the fake server), and
// the live API may send what the docs do not say: the spec's enums are
// closed, so a new provider or error type fails validation although the
// client without it keeps such values.
package validation

import (
	"net/http"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/internal/contract"
)

// load returns the validator; the embedded spec is parsed once, on first
// use.
var load = contract.NewValidator

// specValidator checks responses against the embedded spec.
type specValidator struct{}

// ValidateResponse checks one response; the spec failing to load is
// reported as its error.
func (specValidator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	v, err := load()
	if err != nil {
		return err
	}
	return v.ValidateResponse(req, status, header, body)
}

// Validator returns the client.ResponseValidator that checks responses
// against openapi.yaml, for use with client.WithResponseValidator.
func Validator() client.ResponseValidator { return specValidator{} }

// WithResponseValidation is the client option (usable per client or per
// call) that checks every response against openapi.yaml; see the package
// documentation.
func WithResponseValidation() client.Option { return client.WithResponseValidator(specValidator{}) }
