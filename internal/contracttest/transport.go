// Package contracttest is the test side of internal/contract: an
// http.RoundTripper that validates every request and response it carries
// against openapi.yaml and reports violations to a testing.TB. It lives
// apart from internal/contract so that code importing the validator does
// not link package testing.
package contracttest

import (
	"bytes"
	"cmp"
	"io"
	"net/http"
	"testing"

	"github.com/postpress/postpress-go/internal/contract"
)

// Transport is an http.RoundTripper for tests that validates every request
// and response it carries and reports a violation with T.Errorf. It passes
// everything through unchanged: the client under test sees exactly what it
// would without the validator.
type Transport struct {
	// T receives violations.
	T testing.TB
	// Base carries the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	v    *contract.Validator
}

// NewTransport returns a validating transport over base (nil:
// http.DefaultTransport), reporting to t.
func NewTransport(t testing.TB, base http.RoundTripper) *Transport {
	t.Helper()
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return &Transport{T: t, Base: base, v: v}
}

// NewClient returns an *http.Client over NewTransport(t, base).
func NewClient(t testing.TB, base http.RoundTripper) *http.Client {
	t.Helper()
	return &http.Client{Transport: NewTransport(t, base)}
}

// RoundTrip validates req, sends it, and checks the response (every
// disagreement contract.Validator.Check finds, undocumented members
// included) unless it is marked with FaultHeader. A body that cannot be read in full is handed
// on as it came: the bytes that arrived, then the same read error; that is
// a violation unless the request's context had ended (the client stopped
// waiting, which says nothing about the server).
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := tr.v.ValidateRequest(req); err != nil {
		tr.T.Errorf("contract violation: %v", err)
	}
	resp, err := cmp.Or(tr.Base, http.DefaultTransport).RoundTrip(req)
	if err != nil || resp.Header.Get(contract.FaultHeader) != "" {
		return resp, err
	}
	body, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if readErr != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{readErr}))
		if req.Context().Err() != nil {
			// The client gave up on the request (a listing stopped
			// early, a timeout): the server did nothing wrong.
			return resp, nil
		}
		tr.T.Errorf("contract violation: response %d to %s: body unreadable (%v) without a %s mark", resp.StatusCode, req.URL.RequestURI(), readErr, contract.FaultHeader)
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	// Check, not ValidateResponse: a test server must not send members
	// the spec does not document either.
	ex := &contract.Exchange{Method: req.Method, URL: req.URL.RequestURI(), Status: resp.StatusCode, Header: resp.Header, Body: body}
	if ds := tr.v.Check(ex).Disagreements; len(ds) > 0 {
		tr.T.Errorf("contract violation: response %d to %s:\n%s", resp.StatusCode, req.URL.RequestURI(), contract.WantText(ds))
	}
	return resp, nil
}

// errReader returns its error on every read.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
