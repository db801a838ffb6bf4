// Package errtable is the error table of openapi.yaml, generated once by
// internal/specgen (errtable_gen.go): every error type with its status,
// description and retry decision, the statuses that carry types, and the
// statuses a request is retried at. The client (its ErrorType methods and
// retry policy), postpresstest (which serves any status and type listed
// here), Prism's test, the CLI and the tests read it; none restates it.
package errtable

import "slices"

// Type is one error type openapi.yaml lists.
type Type struct {
	// Value is the type as the API spells it, e.g. "errors/expired_credentials".
	Value string
	// Status is the HTTP status the spec lists it under.
	Status int
	// Description is its x-enumDescriptions text.
	Description string
	// Retryable is the retry decision: the status's (x-retryable-statuses)
	// unless the type schema's x-retryable says otherwise.
	Retryable bool
}

// Lookup returns the type spelled v, and whether the spec lists it.
func Lookup(v string) (Type, bool) {
	i := slices.IndexFunc(Types, func(t Type) bool { return t.Value == v })
	if i < 0 {
		return Type{}, false
	}
	return Types[i], true
}

// RetryableStatus reports whether a response with this status is retried
// when its type does not decide (no envelope, or a type the spec does not
// list): the spec's x-retryable-statuses.
func RetryableStatus(status int) bool { return slices.Contains(RetryableStatuses, status) }
