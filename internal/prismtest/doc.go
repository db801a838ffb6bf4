// Package prismtest holds the contract test of the generated client against
// Stoplight Prism serving openapi.yaml as a mock. It is built only with the
// "prism" tag, by `make prism-test` (.ci/prism-test.sh), which starts Prism
// on 127.0.0.1, passes its URL in PRISM_URL, and stops it afterwards.
package prismtest
