package cli

import (
	"reflect"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/internal/params"
)

// The checks the command makes before it sends anything, by the rules the
// spec gives (internal/params, the client's own) and the client's options:
// the only place that calls them.

// checkParams checks p, a pointer to op's parameters, as the client does
// before it sends them. A bad value is a *client.ParamError.
func checkParams(op *listOp, p any) error {
	return params.Check(p, op.rules)
}

// checkParamValue checks v as the value of op's query parameter param as
// it would be sent, even when v is its type's zero value (--page-size 0 is
// sent as 0, not left out). A bad value is a *client.ParamError.
func checkParamValue(op *listOp, param string, v any) error {
	return params.CheckValue(reflect.TypeOf(op.newParams()).Elem(), op.rules, param, v)
}

// checkOption returns the error client.New gives for opt, or nil.
func checkOption(opt client.Option) error {
	// A key and a base URL that New takes, so that only opt can fail.
	_, err := client.New(client.WithAPIKey(sandboxKey), client.WithBaseURL(client.DefaultBaseURL), opt)
	return err
}
