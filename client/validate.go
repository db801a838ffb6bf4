package client

import "errors"

// ErrContractViolation is wrapped by the error of a response that the
// ResponseValidator set with WithResponseValidator refused. It is not
// retried.
var ErrContractViolation = errors.New("postpress: response breaks the API contract")
