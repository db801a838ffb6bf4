// Package contract is the one validator of the postpress API's exchanges
// against openapi.yaml (the copy embedded in package gen/spec). kin-openapi
// judges: openapi3filter checks requests, response statuses and headers,
// and each body is visited with openapi3.MultiErrors, so that every
// violation is reported, each *openapi3.SchemaError becoming a
// Disagreement at its JSONPointer named by its SchemaField. On top of it,
// small: members the spec does not document (the spec leaves
// additionalProperties open, so kin-openapi accepts them; a strict copy of
// the schemas, additionalProperties false, finds them), undocumented
// statuses and error types, and the content type.
//
// It serves client/validation, the test transport internal/contracttest,
// `postpress invitations received --validate` and `postpress contract
// check`, and replays the fixtures under testdata/contract/ in go test.
// No importer of package client links it.
package contract

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/postpress/postpress-go/gen/spec"
)

// FaultHeader marks a response that is deliberately not an API response
// (postpresstest's faults: a connection cut mid-body, an HTML page from a
// proxy): internal/contracttest passes it through unvalidated.
// postpresstest declares the same name; its tests keep the two equal.
const FaultHeader = "X-Postpresstest-Fault"

// Validator checks exchanges against the spec. It is safe for concurrent
// use.
type Validator struct {
	doc, strict *openapi3.T
	redact      func(string) string
}

// WithSecret returns a copy of v that hides s (the API key) wherever a
// value shown could contain it.
func (v *Validator) WithSecret(s string) *Validator {
	c := *v
	if s != "" {
		c.redact = func(x string) string { return strings.ReplaceAll(v.redact(x), s, "[API key]") }
	}
	return &c
}

// NewValidator returns the validator over the embedded spec, loaded once
// and shared (validation only reads it).
func NewValidator() (*Validator, error) { return shared() }

var shared = sync.OnceValues(func() (*Validator, error) { return New() })

// New returns a validator over the spec embedded in package gen/spec.
func New() (*Validator, error) {
	doc, err := spec.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("contract: load embedded spec: %w", err)
	}
	return NewFor(doc)
}

// NewFor returns a validator over doc (tests use edited copies of the spec).
func NewFor(doc *openapi3.T) (*Validator, error) {
	strict, err := strictCopy(doc)
	if err != nil {
		return nil, err
	}
	return &Validator{doc: doc, strict: strict, redact: func(s string) string { return s }}, nil
}

// strictCopy loads a second copy of doc in which every object schema that
// leaves additionalProperties unsaid forbids undocumented members, allOf
// branches merged so that members one branch documents are not undocumented
// for another.
func strictCopy(doc *openapi3.T) (*openapi3.T, error) {
	var strict *openapi3.T
	b, err := json.Marshal(doc)
	if err == nil {
		strict, err = openapi3.NewLoader().LoadFromData(b)
	}
	if err != nil {
		return nil, fmt.Errorf("contract: copy the spec: %w", err)
	}
	seen := map[*openapi3.Schema]bool{}
	for _, item := range strict.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				for _, mt := range r.Value.Content {
					if mt.Schema != nil {
						strictify(mt.Schema.Value, seen)
					}
				}
			}
		}
	}
	return strict, nil
}

func strictify(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	for _, r := range s.AllOf {
		strictify(r.Value, seen)
	}
	if s.Items != nil {
		strictify(s.Items.Value, seen)
	}
	for _, p := range s.Properties {
		strictify(p.Value, seen)
	}
	if len(s.AllOf) > 0 {
		props := openapi3.Schemas{}
		for _, r := range append(s.AllOf, &openapi3.SchemaRef{Value: s}) {
			maps.Copy(props, r.Value.Properties)
		}
		s.Properties = props
	}
	s.AllOf = nil
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		s.AdditionalProperties.Has = openapi3.Ptr(false)
	}
}

// ErrUnknownOperation is returned for a request that is no operation of the
// spec under any base path.
var ErrUnknownOperation = errors.New("contract: not an operation of the spec")

// route finds the operation for method and the URL's path in doc. The path
// matches by suffix, so any host and base path (an httptest port, /api/v1,
// Prism's bare path) is accepted.
func route(doc *openapi3.T, method string, u *url.URL) (*routers.Route, error) {
	path := strings.TrimRight(u.Path, "/")
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		if op := item.GetOperation(method); op != nil && strings.HasSuffix(path, p) {
			return &routers.Route{Spec: doc, Path: p, PathItem: item, Method: method, Operation: op}, nil
		}
	}
	return nil, fmt.Errorf("%w: %s %s", ErrUnknownOperation, method, u.Path)
}

// options are kin-openapi's: every violation, and schema errors kept to
// the path and the reason (the value could be a shared_secret).
func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:              true,
		IncludeResponseStatus:   true,
		ExcludeResponseBody:     true, // visited by Check, with every error
		SkipSettingDefaults:     true,
		AuthenticationFunc:      requireAPIKey,
		SchemaValidationOptions: schemaOptions,
	}
}

var schemaOptions = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails()}

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
	r, err := route(v.doc, req.Method, req.URL)
	if err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{Request: req, Route: r, Options: options()}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		return fmt.Errorf("contract: request %s: %w", req.URL.RequestURI(), err)
	}
	return nil
}

// ValidateResponse returns an error naming every disagreement of the
// response with the spec, except undocumented members, which the spec
// allows (its additionalProperties are open): the live API sends them.
func (v *Validator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	res := v.Check(&Exchange{Method: req.Method, URL: req.URL.RequestURI(), Status: status, Header: header, Body: body})
	ds := slices.DeleteFunc(res.Disagreements, func(d Disagreement) bool { return d.Rule == RuleUndocumentedProperty })
	if len(ds) == 0 {
		return nil
	}
	return fmt.Errorf("contract: response %d to %s: %s", status, v.redact(req.URL.RequestURI()), strings.TrimSuffix(WantText(ds), "\n"))
}

// Check checks one exchange: the status documented for the operation, the
// declared headers, the media type, the body against its schema, no
// undocumented member, an error response's type among those its status
// lists. Disagreements come sorted by pointer.
func (v *Validator) Check(ex *Exchange) (res Result) {
	var ds []Disagreement
	defer func() { res.Disagreements = sorted(ds) }()
	u, err := url.Parse(ex.URL)
	if err != nil {
		u = &url.URL{Path: ex.URL}
	}
	r, err := route(v.doc, ex.Method, u)
	if err != nil {
		ds = append(ds, Disagreement{Rule: RuleUndocumentedOperation, Spec: "an operation of the spec", Got: v.redact(ex.Method + " " + u.Path)})
		return res
	}
	var body any
	bodyErr := json.Unmarshal(ex.Body, &body)
	if m, ok := body.(map[string]any); ok && ex.Status >= 400 {
		res.ErrorType, _ = m[errorTypeMember].(string)
		res.ErrorType = v.redact(res.ErrorType)
	}
	req := &http.Request{Method: ex.Method, URL: u, Header: http.Header{}}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: r},
		Status:                 ex.Status, Header: ex.Header, Body: io.NopCloser(bytes.NewReader(nil)), Options: options(),
	})
	var rerr *openapi3filter.ResponseError
	switch {
	case errors.As(err, &rerr) && rerr.Reason == "status is not supported":
		codes := slices.Sorted(maps.Keys(r.Operation.Responses.Map()))
		ds = append(ds, Disagreement{Rule: RuleUndocumentedStatus, Spec: "one of " + strings.Join(codes, ", "), Got: strconv.Itoa(ex.Status)})
		return res
	case err != nil: // a response header
		d := Disagreement{Rule: RuleHeader, Spec: v.redact(err.Error()), Got: "absent"}
		if rerr != nil && rerr.Err != nil {
			d.Got = shorten(v.redact(rerr.Err.Error()), 80)
		}
		ds = append(ds, d)
	}
	res.Documented = true
	resp := cmp.Or(r.Operation.Responses.Status(ex.Status), r.Operation.Responses.Default()).Value
	if len(resp.Content) == 0 {
		return res
	}
	ct := ex.Header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(ct)
	if resp.Content.Get(media) == nil {
		declared := slices.Sorted(maps.Keys(resp.Content))
		if ct == "" {
			ct = "absent"
		}
		ds = append(ds, Disagreement{Rule: RuleContentType, Spec: strings.Join(declared, " or "), Got: shorten(v.redact(ct), 60)})
		if len(declared) != 1 {
			return res
		}
		media = declared[0] // check the body anyway: the header may be what is wrong
	}
	schema := schemaFor(v.doc, r, ex.Status, media)
	if schema == nil {
		return res
	}
	if bodyErr != nil {
		ds = append(ds, Disagreement{Rule: RuleInvalidJSON, Spec: "a JSON body", Got: shorten(bodyErr.Error(), 80)})
		return res
	}
	s := &show{body: body, redact: v.redact, errorResponse: ex.Status >= 400}
	s.schemaErrors(schema.VisitJSON(body, append(schemaOptions, openapi3.VisitAsResponse())...), false)
	if strict := schemaFor(v.strict, r, ex.Status, media); strict != nil {
		s.schemaErrors(strict.VisitJSON(body, append(schemaOptions, openapi3.VisitAsResponse())...), true)
	}
	ds = append(ds, s.out...)
	return res
}

// schemaFor is the schema doc gives the body of a response with status and
// media type to r's operation, or nil.
func schemaFor(doc *openapi3.T, r *routers.Route, status int, media string) *openapi3.Schema {
	rs := doc.Paths.Value(r.Path).GetOperation(r.Method).Responses
	if ref := cmp.Or(rs.Status(status), rs.Default()); ref != nil {
		if mt := ref.Value.Content.Get(media); mt != nil && mt.Schema != nil {
			return mt.Schema.Value
		}
	}
	return nil
}
