// Package postpresstest serves a fake postpress API that follows
// openapi.yaml, for tests of code that uses the SDK, the way
// net/http/httptest serves HTTP tests:
//
//	srv := postpresstest.NewServer(postpresstest.WithGeneratedAccount("acc_1", 250))
//	defer srv.Close()
//	c, _ := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey(postpresstest.DefaultAPIKey))
//
// It is built on the strict server interface generated into package gen and
// serves GET /api/v1/users/invite/received.
//
// # Behaviour
//
//   - Paging as the docs say: limit within the bounds and with the default
//     of openapi.yaml's limit parameter; an opaque cursor
//     shaped like the API's (base64url of {"o":10}); cursor null on the last
//     page.
//   - Auth: X-API-KEY is required. Missing: 401 errors/missing_credentials;
//     wrong: 401 errors/invalid_credentials.
//   - A request the API cannot serve (limit out of range or not a number,
//     an empty or malformed cursor, a cursor this server never issued for
//     that account, a missing account_id) gets 400 errors/invalid_parameters.
//     The docs list no 400; openapi.yaml adds it, for the reasons written
//     there: no documented status fits, and 5xx would invite retries of a
//     request that can never succeed.
//   - An unknown account_id gets 403 errors/resource_access_restricted: a
//     documented type, and one that does not reveal whether the account
//     exists.
//   - Every error carries the full envelope, with a request id in instance;
//     any status and error type openapi.yaml declares is served the same
//     way (the error table generated from the spec), so one it adds needs
//     no edit here.
//
// # Data
//
// GenerateInvitations (and WithGeneratedAccount, WithAnyAccount) make
// deterministic, seedable invitations shaped like the docs' example, with
// every other property of the generated types (one added to openapi.yaml,
// say) filled within the spec's constraints; WithAccount loads explicit
// ones.
//
// # Faults
//
// Enqueue scripts the next responses: Error (any error type, at the status
// the spec gives it), ErrorStatus (any type at any status), Latency, Reset,
// TruncatedBody and ProxyHTML, refined with WithRetryAfter, After and
// Times, and narrowed, in any order, with OnAccount, OnCursor, OnAttempt and
// When (all must hold; a combination no request can meet panics when built).
// Responses that are not API responses as the spec describes them are
// marked with FaultHeader.
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
