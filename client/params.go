package client

import (
	"fmt"
	"strings"
	"unicode"
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

// Validate checks p as the client does before sending anything: AccountID
// set, Limit 0 or 1..MaxPageSize, MaxItems not negative, and AccountID and
// Cursor free of white space and control characters (a cursor or id pasted
// with a stray newline would otherwise be sent and refused by the server).
// It returns a *ParamError naming the first bad field.
func (p ListParams) Validate() error {
	switch {
	case p.AccountID == "":
		return &ParamError{"account_id", "AccountID", "required, must not be empty"}
	case hasSpaceOrControl(p.AccountID):
		return &ParamError{"account_id", "AccountID", "must not contain white space or control characters"}
	case p.Limit < 0 || p.Limit > MaxPageSize:
		return &ParamError{"limit", "Limit", fmt.Sprintf("%d is out of range: must be 1..%d (or 0 for the default)", p.Limit, MaxPageSize)}
	case hasSpaceOrControl(p.Cursor):
		return &ParamError{"cursor", "Cursor", "must not contain white space or control characters (pass a cursor exactly as the API returned it, or \"\" to start)"}
	case p.MaxItems < 0:
		return &ParamError{"max_items", "MaxItems", fmt.Sprintf("%d is negative (0 means no limit)", p.MaxItems)}
	}
	return nil
}

func hasSpaceOrControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar
	}) >= 0
}
