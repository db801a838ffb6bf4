package postpresstest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/postpress/postpress-go/gen"
)

// typeStatuses maps every error type in openapi.yaml to its status, read
// from the spec embedded in gen.
var typeStatuses = sync.OnceValue(func() map[string]int {
	doc := embeddedSpec()
	out := map[string]int{}
	for code, resp := range doc.Paths.Value("/users/invite/received").Get.Responses.Map() {
		status, _ := strconv.Atoi(code)
		if status < 400 {
			continue
		}
		schema := resp.Value.Content.Get("application/json").Schema.Value
		for _, v := range schema.AllOf[1].Value.Properties["type"].Value.Enum {
			out[v.(string)] = status
		}
	}
	return out
})

// StatusOf returns the HTTP status openapi.yaml documents errType under, or
// 0 when the spec does not list it.
func StatusOf(errType string) int { return typeStatuses()[errType] }

// apiError is an error response in the spec's envelope.
type apiError struct {
	status   int
	typ      string
	detail   string
	instance string
}

// response renders e as the generated strict-server response of its status.
// It returns nil for a status the spec does not document. The cases look
// alike but build different types: oapi-codegen makes a response type and
// an error-type type per status (the body under Body where the response
// declares headers), and Go can name a type only in source, so each status
// needs its own case.
func (e apiError) response() gen.ListInvitationsReceivedResponseObject {
	title := http.StatusText(e.status)
	detail, instance := &e.detail, &e.instance
	switch e.status {
	case 400:
		return gen.ListInvitationsReceived400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
			Title: title, Type: gen.BadRequestErrorType(e.typ), Status: 400, Detail: detail, Instance: instance}}
	case 401:
		return gen.ListInvitationsReceived401JSONResponse{UnauthorizedJSONResponse: gen.UnauthorizedJSONResponse{
			Title: title, Type: gen.UnauthorizedErrorType(e.typ), Status: 401, Detail: detail, Instance: instance}}
	case 403:
		return gen.ListInvitationsReceived403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse{
			Title: title, Type: gen.ForbiddenErrorType(e.typ), Status: 403, Detail: detail, Instance: instance}}
	case 429:
		return gen.ListInvitationsReceived429JSONResponse{TooManyRequestsJSONResponse: gen.TooManyRequestsJSONResponse{Body: gen.TooManyRequestsError{
			Title: title, Type: gen.TooManyRequestsErrorType(e.typ), Status: 429, Detail: detail, Instance: instance}}}
	case 500:
		return gen.ListInvitationsReceived500JSONResponse{InternalServerErrorJSONResponse: gen.InternalServerErrorJSONResponse{
			Title: title, Type: gen.InternalServerErrorType(e.typ), Status: 500, Detail: detail, Instance: instance}}
	case 501:
		return gen.ListInvitationsReceived501JSONResponse{NotImplementedJSONResponse: gen.NotImplementedJSONResponse{
			Title: title, Type: gen.NotImplementedErrorType(e.typ), Status: 501, Detail: detail, Instance: instance}}
	case 503:
		return gen.ListInvitationsReceived503JSONResponse{ServiceUnavailableJSONResponse: gen.ServiceUnavailableJSONResponse{Body: gen.ServiceUnavailableError{
			Title: title, Type: gen.ServiceUnavailableErrorType(e.typ), Status: 503, Detail: detail, Instance: instance}}}
	case 504:
		return gen.ListInvitationsReceived504JSONResponse{GatewayTimeoutJSONResponse: gen.GatewayTimeoutJSONResponse{
			Title: title, Type: gen.GatewayTimeoutErrorType(e.typ), Status: 504, Detail: detail, Instance: instance}}
	}
	return nil
}

// write sends e. An error the spec documents goes through the generated
// response type; anything else (an unknown type, an undocumented status) is
// written by hand in the same envelope and marked off-spec with
// FaultHeader, so that contract validation lets it through.
func (e apiError) write(w http.ResponseWriter) {
	if StatusOf(e.typ) == e.status {
		if r := e.response(); r != nil {
			_ = r.VisitListInvitationsReceivedResponse(w)
			return
		}
	}
	w.Header().Set(FaultHeader, "off-spec-error")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = fmt.Fprintf(w, `{"title":%q,"type":%q,"status":%d,"detail":%q,"instance":%q}`+"\n",
		http.StatusText(e.status), e.typ, e.status, e.detail, e.instance)
}

// invalidParameters is the 400 the fake answers a request it cannot serve
// with (see the package doc).
func invalidParameters(detail, instance string) apiError {
	return apiError{status: 400, typ: "errors/invalid_parameters", detail: detail, instance: instance}
}
