// Package client is the postpress Go SDK, built on the types and request
// builders that package gen generates from openapi.yaml. Every
// cursor-paged list operation of the spec (one marked x-speakeasy-pagination,
// such as GET /users/invite/received, the invitations a linked account
// received) has two methods on Client, generated from the spec: an
// iterator of its items (Invitations) and a Pager (InvitationPager), both
// on one paging engine.
//
// # Getting started
//
// New reads the API key from POSTPRESS_API_KEY (or WithAPIKey) and the base
// URL from POSTPRESS_BASE_URL (or WithBaseURL; default DefaultBaseURL).
// Invitations walks every page for you:
//
//	c, err := client.New()
//	if err != nil {
//		log.Fatal(err) // no API key, bad base URL, bad option: nothing was sent
//	}
//	for inv, err := range c.Invitations(ctx, client.ListParams{AccountID: "acc_..."}) {
//		if err != nil {
//			log.Fatal(err) // a *client.PagingError: its Cursor resumes the listing
//		}
//		fmt.Println(inv.InvitedUser, inv.InvitationText)
//	}
//
// # Paging
//
// The API pages by cursor. Two ways to walk a list operation:
//   - its iterator (Invitations): an iter.Seq2 of items, fetching pages as
//     needed;
//   - its pager (InvitationPager): a *Pager with HasMorePages, NextPage and
//     Cursor, under the caller's control, for callers who checkpoint each
//     page's NextCursor or want one page.
//
// A listing asks for the spec's maximum page size unless the parameters
// set one (ListParams.Limit), so N items take as few requests as the API
// allows. The cursor parameter (ListParams.Cursor) resumes a listing;
// WithMaxItems stops it early.
//
// While the caller works on one page the next is already being fetched
// (WithPrefetch, on by default); at most one page is fetched ahead, and
// order and content are unchanged.
//
// A listing never loops: a cursor the server already returned in this
// listing ends it with ErrCursorLoop, and an empty page that still carries a
// cursor ends it with ErrEmptyPageWithCursor. A 200 response without its
// next-cursor member is ErrMalformedResponse (ending quietly could lose
// items).
//
// # What the server sent
//
// Each item is the generated type (its fields promoted) plus the exact
// bytes the server sent for it: RawJSON, so a member the spec does not list
// is one json.Unmarshal away. Page.RawJSON is the whole body. Both are
// slices of the page's body, not copies; holding either keeps that body in
// memory. Pages are decoded by encoding/json into gen's types: unknown
// members are kept in RawJSON, and null in a string field decodes as "".
//
// # Nothing is lost
//
// Every error that stops a listing is a *PagingError. Its Cursor is the
// cursor of the first page not delivered; start again with it in
// ListParams.Cursor and you get every remaining item exactly once. Pages and
// Items say how far the listing got; Unwrap gives the cause.
//
// # Many accounts
//
// Package multi lists several accounts at once through one Client, each on
// its own Pager, so retries, Retry-After and the loop guards work per
// account; a failed account carries its resume cursor and the others go on.
// WithRateLimiter paces every attempt of the client (any Limiter, such as
// *rate.Limiter) to cap the total rate. Package invsync builds "only what is
// new" on top of them.
//
// # Errors
//
// Each operation's parameter type is the one generated from openapi.yaml
// (ListParams is gen's, under a shorter name), so every query parameter the
// spec declares is a field. Before sending, parameters are checked by the
// spec's rules: a bad one is a *ParamError naming the parameter and its
// field, and no request is sent (Pager.Err reports it at once). The request
// is then built by the generated client (gen.Client) once a page, the API
// key added by a request editor, and sent as often as the retry policy
// says.
//
// An error response is an *APIError with the status, the error Type, Title,
// Detail, Instance (the request id for support), RetryAfter and the raw
// Body. Type is an ErrorType; every type openapi.yaml lists is a constant
// (ErrorTypeExpiredCredentials, ...; ErrorTypes lists them) with the docs'
// explanation, HTTP status and retry decision (Description, HTTPStatus,
// Retryable), all generated from the spec. An unknown type is kept as sent. The constants double as errors.Is sentinels:
//
//	if errors.Is(err, client.ErrorTypeExpiredCredentials) { /* reconnect the account */ }
//
// A body that is not an error envelope (an HTML page from a proxy) still
// becomes an *APIError, with the status and a short excerpt in Detail.
// Connection failures, timeouts, unreadable bodies and undecodable pages are
// *RequestError.
//
// # Retries
//
// One Retryer decides every retry (WithRetryer replaces it as a whole; the
// default is NewStandardRetryer, whose doc lists its rules). By default a
// request is retried up to WithMaxRetries times (default 2) when it failed
// with a retryable error type, or without a known type at one of the
// statuses openapi.yaml's x-retryable-statuses lists (RetryableStatuses; a
// type the spec marks x-retryable: false is not: ErrorType.Retryable says
// it for each type), a connection error, a
// per-attempt timeout (WithAttemptTimeout, default 30s) or a truncated body.
// What cannot succeed on a retry is not retried: any other 4xx, a body over
// its bound (ErrBodyTooLarge, see WithMaxBodyBytesPerItem), a 200 read whole
// that does not decode (ErrMalformedResponse), a contract violation. The
// wait is exponential backoff with full jitter from WithBackoff, or the
// server's Retry-After (seconds or an HTTP date), capped by
// WithMaxRetryDelay. Retries draw on a budget shared by the client's
// requests (ErrRetryBudgetExhausted when spent). Cancelling the context
// stops a wait at once. The final error says how many attempts were made
// (APIError.Attempts, RequestError.Attempts).
//
// # Security
//
// The API key is added by a request editor, only to requests for the
// configured host. Redirects to another host, or from https to http, are
// refused (ErrRedirectRefused): Go's http.Client would otherwise forward
// X-API-KEY to them. A plain http:// base URL is refused unless its host is
// loopback or WithInsecureHTTP is given. The key never appears in an error,
// a log record (WithLogger logs method, URL, status, duration and attempt
// at debug level) or the printed form of a Client.
//
// # Options
//
// Options configure a Client in New, or one call, on top of the client's
// settings: c.Invitations(ctx, params, client.WithMaxRetries(5)).
//
// # Testing
//
// Package postpresstest serves a fake postpress API that follows the spec,
// with scripted faults, for tests of code that uses this package.
package client
