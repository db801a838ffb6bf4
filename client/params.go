package client

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/postpress/postpress-go/gen"
)

// ListParams selects what to list: the parameters openapi.yaml declares
// for the listing, as oapi-codegen generates them, so that every query
// parameter of the spec is settable. AccountID is required. An optional
// parameter left at its zero value (Limit 0, Cursor "") is not sent: the
// listing calls then use DefaultPageSize, ListReceivedInvitations the
// API's default (APIDefaultPageSize). Cursor starts the listing at a
// NextCursor of a page, or the Cursor of a *PagingError, to resume.
// WithMaxItems stops a listing early.
type ListParams = gen.ListInvitationsReceivedParams

// ParamError is a parameter refused before anything was sent.
type ParamError struct {
	// Param is the parameter's API name (account_id, limit, cursor, ...).
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

// ValidateParams checks p as the client does before sending anything: each
// parameter that would be sent (a required one always; an optional one when
// its pointer is not nil or its value not zero) by the rules openapi.yaml
// gives it (see params_gen.go: bounds, lengths, enum). A string parameter
// must also be free of white space and control characters (a cursor or id
// pasted with a stray newline would otherwise be sent and refused by the
// server). It returns a *ParamError naming the first bad parameter.
func ValidateParams(p ListParams) error {
	v := reflect.ValueOf(p)
	for _, f := range reflect.VisibleFields(v.Type()) {
		fv := v.FieldByIndex(f.Index)
		if err := checkParam(f, reflect.Indirect(fv), !fv.IsZero()); err != nil {
			return err
		}
	}
	return nil
}

// CheckParam checks v as the value of the query parameter named param (its
// API name, the form tag of its ListParams field) as it would be sent, even
// when v is its type's zero value. The CLI checks its flags with it.
func CheckParam(param string, v any) error {
	for _, f := range reflect.VisibleFields(reflect.TypeFor[ListParams]()) {
		if name, _, _ := strings.Cut(f.Tag.Get("form"), ","); name == param {
			return checkParam(f, reflect.ValueOf(v), true)
		}
	}
	return &ParamError{param, "(none)", "not a query parameter of the API"}
}

// paramRule is what the spec says of one query parameter.
type paramRule struct {
	required  bool
	min, max  *float64
	minLength int64
	maxLength *int64
	enum      []string
}

func ptr[T any](n T) *T { return &n }

// checkParam checks the value v of the ListParams field f; sent is whether
// it would be sent.
func checkParam(f reflect.StructField, v reflect.Value, sent bool) error {
	param, _, _ := strings.Cut(f.Tag.Get("form"), ",")
	r, ok := queryParams[param]
	fail := func(format string, args ...any) error {
		return &ParamError{param, f.Name, fmt.Sprintf(format, args...)}
	}
	switch {
	case !ok:
		return fail("openapi.yaml gives no rules for it (regenerate: make generate)")
	case !sent && r.required:
		return fail("required, must not be empty")
	case !sent:
		return nil
	}
	if v.Kind() == reflect.String {
		s := v.String()
		n := int64(utf8.RuneCountInString(s))
		switch {
		case s == "" && r.required:
			return fail("required, must not be empty")
		case n < r.minLength:
			return fail("must be at least %d characters", r.minLength)
		case r.maxLength != nil && n > *r.maxLength:
			return fail("must be at most %d characters", *r.maxLength)
		case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar }):
			return fail("must not contain white space or control characters (pass it exactly as the API gave it)")
		}
	} else if v.CanFloat() || v.CanInt() {
		x := v.Convert(reflect.TypeFor[float64]()).Float()
		if (r.min != nil && x < *r.min) || (r.max != nil && x > *r.max) {
			return fail("%v is out of range: must be %s..%s", v.Interface(), bound(r.min), bound(r.max))
		}
	}
	if s := fmt.Sprint(v.Interface()); len(r.enum) > 0 && !slices.Contains(r.enum, s) {
		return fail("%q is not one of %s", s, strings.Join(r.enum, ", "))
	}
	return nil
}

// bound prints a bound of a range; "" when there is none.
func bound(b *float64) string {
	if b == nil {
		return ""
	}
	return fmt.Sprint(*b)
}
