package client

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ListParams selects what to list. AccountID is required; the rest have
// defaults.
type ListParams struct {
	// AccountID is the id of the linked account to list from (account_id).
	// Required.
	AccountID string
	// Limit is the page size (limit), 1..MaxPageSize. 0 means the default:
	// DefaultPageSize for the listing calls (Invitations, Pages, Pager),
	// and the API's own default (10) for ListReceivedInvitations.
	Limit int
	// Cursor starts the listing at this cursor (a NextCursor from a page, or
	// the Cursor of a *PagingError, to resume). "" starts at the beginning.
	Cursor string
	// MaxItems stops a listing after this many items; 0 means no limit.
	// The listing asks for no more than it needs (the page that reaches
	// MaxItems is requested with a smaller limit), so that page's
	// NextCursor, and Pager.Cursor after it, continue the listing right
	// after the last item given. A server that sends more than asked is
	// cut short to MaxItems. ListReceivedInvitations ignores it.
	MaxItems int
}

// ParamError is a parameter refused before anything was sent.
type ParamError struct {
	// Param is the parameter's API name (account_id, limit, cursor), or
	// max_items for ListParams.MaxItems.
	Param string
	// Field is the ListParams field it comes from.
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error names the parameter, the reason, and that nothing was sent.
func (e *ParamError) Error() string {
	return fmt.Sprintf("postpress: invalid %s (ListParams.%s): %s; no request was sent", e.Param, e.Field, e.Reason)
}

// Validate checks p as the client does before sending anything, by the
// rules openapi.yaml gives each query parameter (required-ness, bounds,
// lengths: see params_gen.go), with 0 and "" meaning "not sent" for Limit
// and Cursor; MaxItems must not be negative, and AccountID and Cursor must
// be free of white space and control characters (a cursor or id pasted
// with a stray newline would otherwise be sent and refused by the server).
// It returns a *ParamError naming the first bad field.
func (p ListParams) Validate() error {
	if err := queryParams["account_id"].checkString("account_id", "AccountID", p.AccountID); err != nil {
		return err
	}
	if p.Limit != 0 {
		if err := queryParams["limit"].checkInt("limit", "Limit", int64(p.Limit)); err != nil {
			return err
		}
	}
	if p.Cursor != "" {
		if err := queryParams["cursor"].checkString("cursor", "Cursor", p.Cursor); err != nil {
			return err
		}
	}
	if p.MaxItems < 0 {
		return &ParamError{"max_items", "MaxItems", fmt.Sprintf("%d is negative (0 means no limit)", p.MaxItems)}
	}
	return nil
}

// paramRule is what the spec says of one query parameter.
type paramRule struct {
	required  bool
	min, max  *int64
	minLength int64
	maxLength *int64
}

func ptr(n int64) *int64 { return &n }

// checkString checks a string parameter; "" is "not sent" unless the
// parameter is required.
func (r paramRule) checkString(param, field, v string) error {
	n := int64(utf8.RuneCountInString(v))
	switch {
	case v == "" && r.required:
		return &ParamError{param, field, "required, must not be empty"}
	case v == "":
		return nil
	case n < r.minLength:
		return &ParamError{param, field, fmt.Sprintf("must be at least %d characters", r.minLength)}
	case r.maxLength != nil && n > *r.maxLength:
		return &ParamError{param, field, fmt.Sprintf("must be at most %d characters", *r.maxLength)}
	case hasSpaceOrControl(v):
		return &ParamError{param, field, "must not contain white space or control characters (pass it exactly as the API gave it)"}
	}
	return nil
}

// checkInt checks an integer parameter against the spec's bounds.
func (r paramRule) checkInt(param, field string, v int64) error {
	if (r.min != nil && v < *r.min) || (r.max != nil && v > *r.max) {
		lo, hi := "", ""
		if r.min != nil {
			lo = fmt.Sprint(*r.min)
		}
		if r.max != nil {
			hi = fmt.Sprint(*r.max)
		}
		return &ParamError{param, field, fmt.Sprintf("%d is out of range: must be %s..%s (or 0 for the default)", v, lo, hi)}
	}
	return nil
}

func hasSpaceOrControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar
	}) >= 0
}
