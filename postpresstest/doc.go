// Package postpresstest serves a fake postpress API that follows
// openapi.yaml, for tests of code that uses the SDK, the way
// net/http/httptest serves HTTP tests:
//
//	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 250))
//	defer srv.Close()
//	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
//
// It is built on the strict server interface generated into package gen,
// and serves every operation of openapi.yaml: the strict-server methods
// are generated (operations_gen.go, by internal/specgen), so an operation
// added to the spec is served after `go generate` with no edit here.
//
// # Behaviour
//
//   - A list operation (one with the x-speakeasy-pagination extension) is
//     paged as the docs say: limit within the bounds and with the default
//     of the operation's limit parameter; an opaque cursor shaped like the
//     API's (base64url of {"o":10}); cursor null on the last page. Its
//     items are the account's: the query parameter that names the account
//     is the operation's first required one besides cursor and limit.
//   - Any other operation answers with the documented example of its first
//     2xx response, or 501 errors/feature_not_implemented when the spec
//     documents none.
//   - Auth: X-API-KEY is required. Missing: 401 errors/missing_credentials;
//     wrong: 401 errors/invalid_credentials.
//   - A request the API cannot serve (limit out of range or not a number,
//     an empty or malformed cursor, a cursor this server never issued for
//     that operation and account, a missing account) gets 400
//     errors/invalid_parameters. The docs list no 400; openapi.yaml adds
//     it, for the reasons written there: no documented status fits, and
//     5xx would invite retries of a request that can never succeed.
//   - An unknown account gets 403 errors/resource_access_restricted: a
//     documented type, and one that does not reveal whether the account
//     exists.
//   - Every error carries the full envelope, with a request id in instance;
//     any status and error type openapi.yaml declares is served the same
//     way (the error table generated from the spec), so one it adds needs
//     no edit here. The types of these refusals are gen's constants, picked
//     by the generator.
//
// # Data
//
// Data is kept per list operation and account. WithGeneratedAccount and
// WithAnyAccount give an account generated items from every list
// operation, each from its own item schema (fill.go): deterministic,
// seedable, every property filled within the spec's constraints, texts
// and ids distinct from item to item. WithAccount loads explicit items of
// a gen type into the list operations whose items are of that type.
// Generate<Method> (GenerateInvitations, say) generates the items of one
// list operation; ItemsOf returns those an account is served, and Items
// those of the spec's first list operation.
//
// # Faults
//
// Enqueue scripts the next responses, of any operation: Error (one of
// gen's error-type constants, at the status the spec gives it; the
// ErrorType constraint admits no bare string, so a misspelled type does
// not compile), ErrorStatus (any type at any status), Latency, Reset,
// TruncatedBody and ProxyHTML, refined with WithRetryAfter, After and
// Times, and narrowed, in any order, with OnAccount, OnCursor, OnAttempt and
// When (all must hold; a combination no request can meet panics when built).
// Responses that are not API responses as the spec describes them are
// marked with FaultHeader.
//
// # Scenarios
//
// A request that names a scenario gets the failure it names, from the
// generated error table and the spec (scenarios.go): a magic account id
// (ErrorAccountPrefix and an error type, RetryOnceAccountPrefix and a
// status, FailPage2Account, SlowAccount, CutBodyAccount) or Prism's Prefer
// header (code=NNN, example=NAME). Scenarios lists them, and the fake
// serves the list as JSON at ScenariosPath. WithLiveShapedData makes list
// pages carry the members the spec records in x-live-extra-members and
// null in nullable strings.
//
// # Request log
//
// Requests returns what was asked, in order, with headers, and the fault
// applied to each; RequestCount counts them and ResetLog forgets them. A
// Fake is safe for concurrent clients.
//
// # Sandbox
//
// A Fake is an http.Handler: NewFake(WithAnyAPIKey(), WithAnyAccount(n),
// WithLenientCursors(), WithSeed(s)) serves any non-empty key and any
// account on a listener of your own.
package postpresstest
