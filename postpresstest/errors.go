package postpresstest

import (
	"encoding/json"
	"net/http"

	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/errtable"
)

// StatusOf returns the HTTP status openapi.yaml documents errType under, or
// 0 when the spec does not list it.
func StatusOf(errType string) int {
	t, _ := errtable.Lookup(errType)
	return t.Status
}

// apiError is an error response in the spec's envelope.
type apiError struct {
	status   int
	typ      string
	detail   string
	instance string
}

// response returns e as a response of the generated strict server.
func (e apiError) response() gen.ListInvitationsReceivedResponseObject { return e }

// VisitListInvitationsReceivedResponse writes e in the envelope every error
// of the spec follows (gen.ErrorEnvelope), whatever its status and type, so
// that a status or type added to openapi.yaml is served with no edit here.
// An error the spec does not document (an unknown type, or a type at
// another status than its own) is marked off-spec with FaultHeader, so that
// contract validation lets it through.
func (e apiError) VisitListInvitationsReceivedResponse(w http.ResponseWriter) error {
	if StatusOf(e.typ) != e.status {
		w.Header().Set(FaultHeader, "off-spec-error")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	return json.NewEncoder(w).Encode(gen.ErrorEnvelope{
		Title: http.StatusText(e.status), Type: e.typ, Status: e.status, Detail: &e.detail, Instance: &e.instance,
	})
}

// write sends e.
func (e apiError) write(w http.ResponseWriter) { _ = e.VisitListInvitationsReceivedResponse(w) }

// invalidParameters is the 400 the fake answers a request it cannot serve
// with (see the package doc).
func invalidParameters(detail, instance string) apiError {
	return apiError{status: 400, typ: string(gen.BadRequestErrorTypeInvalidParameters), detail: detail, instance: instance}
}
