// Package prismtest is the contract test of the generated client
// (gen.ClientWithResponses) against Prism, Stoplight's mock server, serving
// openapi.yaml: an implementation of the spec that shares no code with this
// repository.
//
// Its test is behind the build tag prism and needs PRISM_URL, the root of a
// running `prism mock openapi.yaml` (Prism serves the paths without the
// servers' /api/v1 base path). `make prism-test` (.ci/prism-test.sh) installs
// Prism from package-lock.json, starts it, runs
//
//	PRISM_URL=http://127.0.0.1:PORT go test -tags prism ./internal/prismtest
//
// and stops it. Built with the tag but without PRISM_URL, the test fails:
// it is never skipped.
//
// For the 200 response and for every error example of every documented
// status, the test asks Prism for that example (Prefer: code=NNN,
// example=NAME), decodes it with the generated client, and checks that the
// decoded value is exactly the example in the spec; every exchange goes
// through contracttest.NewTransport, and Prism's own request validation
// (its sl-violations header) must find nothing wrong with the generated
// client's requests, which ask for a first page (an editor takes out the
// empty cursor that the generated client sends, as it sends any plain
// optional parameter, even when zero). Further tests check the docs' example page and
// cursor, the typed decoding of each status (found by name in the generated
// response, so a status the spec adds needs no edit here; the statuses and
// each type's status come from the error table, internal/errtable), and
// Prism's 401 for a missing key.
package prismtest
