// Package contract validates HTTP exchanges with the postpress API against
// openapi.yaml (the copy embedded in package gen/spec), with kin-openapi's
// openapi3filter: request parameters and security, and the response's
// status (it must be documented) and body (it must match its schema).
//
// Validator is the core, behind client/validation's
// WithResponseValidation; internal/contracttest wraps it in an
// http.RoundTripper for tests: every test in this repository that talks
// HTTP goes through it, so a response that breaks the spec fails the test
// that saw it.
package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/postpress/postpress-go/gen/spec"
)

// FaultHeader marks a response that is deliberately not an API response: a
// connection cut mid-body, an HTML page from a proxy, a redirect. The
// transport passes such responses through unvalidated. Its value names the
// fault.
const FaultHeader = "X-Postpresstest-Fault"

// operationPath is the path of the one operation, relative to any base.
const operationPath = "/users/invite/received"

// Validator checks requests and responses against the embedded spec. It is
// safe for concurrent use.
type Validator struct {
	route *routers.Route
}

// NewValidator returns a validator over the spec embedded in package gen/spec.
// The spec is loaded once and shared: validation only reads it.
func NewValidator() (*Validator, error) { return shared() }

var shared = sync.OnceValues(load)

func load() (*Validator, error) {
	doc, err := spec.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("contract: load embedded spec: %w", err)
	}
	item := doc.Paths.Value(operationPath)
	if item == nil || item.Get == nil {
		return nil, fmt.Errorf("contract: spec has no GET %s", operationPath)
	}
	return &Validator{route: &routers.Route{
		Spec:      doc,
		Path:      operationPath,
		PathItem:  item,
		Method:    http.MethodGet,
		Operation: item.Get,
	}}, nil
}

// ErrUnknownOperation is returned for a request that is not
// GET …/users/invite/received under any base path.
var ErrUnknownOperation = errors.New("contract: not an operation of the spec")

// input builds the openapi3filter input for req. Routing is by path suffix,
// so any host and base path (an httptest port, /api/v1, Prism's bare path)
// is accepted.
func (v *Validator) input(req *http.Request) (*openapi3filter.RequestValidationInput, error) {
	if req.Method != http.MethodGet || !strings.HasSuffix(strings.TrimRight(req.URL.Path, "/"), operationPath) {
		return nil, fmt.Errorf("%w: %s %s", ErrUnknownOperation, req.Method, req.URL.Path)
	}
	return &openapi3filter.RequestValidationInput{
		Request: req,
		Route:   v.route,
		Options: &openapi3filter.Options{
			MultiError:              true,
			SkipSettingDefaults:     true,
			AuthenticationFunc:      requireAPIKey,
			SchemaValidationOptions: schemaOptions,
		},
	}, nil
}

// schemaOptions keep schema errors to the path and the reason (`Error at
// "/items/0/id": minimum string length is 1`): without them kin-openapi
// appends the whole schema and the offending value, which buries the
// reason and would copy response data (a shared_secret, say) into errors
// that response validation returns to callers.
var schemaOptions = []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()}

// requireAPIKey is the security check: the apiKey scheme's header must be
// present and non-empty.
func requireAPIKey(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "apiKey" || s.In != "header" {
		return fmt.Errorf("unsupported security scheme %v", s)
	}
	if in.RequestValidationInput.Request.Header.Get(s.Name) == "" {
		return fmt.Errorf("header %s missing or empty", s.Name)
	}
	return nil
}

// ValidateRequest checks req's parameters and security against the spec.
// It does not read or change the request.
func (v *Validator) ValidateRequest(req *http.Request) error {
	in, err := v.input(req)
	if err != nil {
		return err
	}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		return fmt.Errorf("contract: request %s: %w", req.URL.RequestURI(), err)
	}
	return nil
}

// ValidateResponse checks that status is documented for req's operation and
// that body matches the schema the spec gives for it.
func (v *Validator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	in, err := v.input(req)
	if err != nil {
		return err
	}
	err = openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			MultiError:              true,
			SchemaValidationOptions: schemaOptions,
		},
	})
	if err != nil {
		return fmt.Errorf("contract: response %d to %s: %w", status, req.URL.RequestURI(), err)
	}
	return nil
}

// Spec returns the spec the validator checks against.
func (v *Validator) Spec() *openapi3.T { return v.route.Spec }
