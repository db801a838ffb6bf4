// Package regentest holds TestRegeneration: a spec change reaches users
// through `go generate ./...` alone. It edits openapi.yaml in a scratch
// copy of the repository, regenerates there and checks, through the public
// API and the CLI, that every new fact arrived.
package regentest
