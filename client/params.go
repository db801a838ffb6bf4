package client

import "github.com/postpress/postpress-go/internal/params"

// ParamError is a parameter refused before anything was sent: Param is its
// API name (account_id, limit, cursor, ...), Field the parameter struct's
// field it comes from (the parameter type as gen names it, and the field:
// ListInvitationsReceivedParams.Limit), Reason what is wrong with it.
type ParamError = params.Error

// checkParams checks p, a pointer to an operation's parameter struct, by
// the spec's rules for the operation's query parameters (listops_gen.go):
// each parameter that would be sent (a required one always; an optional
// one when its pointer is not nil or its value not zero) within its bounds,
// lengths and enum, and a string free of white space and control
// characters. It returns a *ParamError naming the first bad parameter.
func checkParams(p any, rules params.Rules) error { return params.Check(p, rules) }
