package postpresstest

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/postpress/postpress-go/internal/errtable"
)

// StatusOf returns the HTTP status openapi.yaml documents errType under, or
// 0 when the spec does not list it.
func StatusOf(errType string) int {
	t, _ := errtable.Lookup(errType)
	return t.Status
}

// reply is every response the fake's strict server gives other than a
// page: an error, an operation's example. operations_gen.go gives it each
// operation's Visit method, so that it is a response of every operation.
type reply struct {
	status      int
	contentType string
	body        []byte
	offSpec     string // the FaultHeader value; "" for a response the spec describes
}

// write sends r.
func (r *reply) write(w http.ResponseWriter) error {
	if r.offSpec != "" {
		w.Header().Set(FaultHeader, r.offSpec)
	}
	if r.contentType != "" {
		w.Header().Set("Content-Type", r.contentType)
	}
	w.WriteHeader(r.status)
	_, err := w.Write(r.body) //nolint:gosec // a JSON body the fake built (a request's text only inside JSON strings), sent with its content type
	return err
}

// apiError is an error response in the spec's envelope.
type apiError struct {
	status   int
	typ      string
	detail   string
	instance string
}

// reply returns e in the envelope every error of the spec follows
// (errorBody), whatever its status and type, so that a status or type added
// to openapi.yaml is served with no edit here. An error the spec
// does not document (an unknown type, or a type at another status than its
// own) is marked off-spec with FaultHeader, so that contract validation
// lets it through.
func (e apiError) reply() *reply {
	body, _ := json.Marshal(errorBody(e.status, e.typ, e.detail, e.instance))
	r := &reply{status: e.status, contentType: "application/json", body: append(body, '\n')}
	if StatusOf(e.typ) != e.status {
		r.offSpec = "off-spec-error"
	}
	return r
}

// write sends e.
func (e apiError) write(w http.ResponseWriter) { _ = e.reply().write(w) }

// invalidParameters is the 400 the fake answers a request it cannot serve
// with (see the package doc).
func invalidParameters(detail, instance string) *reply {
	return apiError{http.StatusBadRequest, typeBadParameters, detail, instance}.reply()
}

// example answers with an operation's documented example: its status,
// content type and body.
func (f *Fake) example(_ context.Context, status int, contentType, body string) *reply {
	return &reply{status: status, contentType: contentType, body: []byte(body)}
}

// notImplemented answers an operation the fake has nothing to serve for
// (the spec documents no example of its success) with 501.
func (f *Fake) notImplemented(ctx context.Context, operationID string) *reply {
	return apiError{http.StatusNotImplemented, typeNotImplemented, "postpresstest does not serve " + operationID + ": openapi.yaml documents no example of its success.", requestID(ctx)}.reply()
}
