package cli

import "github.com/postpress/postpress-go/client"

// The checks the command makes before it sends anything, by the rules the
// client and the spec give: the only place that calls them.

// checkParams checks p, a pointer to an operation's parameters, as the
// client does before it sends them. A bad value is a *client.ParamError.
func checkParams(p any) error {
	return client.ValidateParams(*p.(*client.ListParams))
}

// checkParamValue checks v as the value of the query parameter param as
// it would be sent, even when v is its type's zero value (--page-size 0 is
// sent as 0, not left out). A bad value is a *client.ParamError.
func checkParamValue(param string, v any) error {
	return client.CheckParam(param, v)
}

// checkOption returns the error client.New gives for opt, or nil.
func checkOption(opt client.Option) error {
	// A key and a base URL that New takes, so that only opt can fail.
	_, err := client.New(client.WithAPIKey(sandboxKey), client.WithBaseURL(client.DefaultBaseURL), opt)
	return err
}
