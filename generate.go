// Package postpress is the root of the postpress Go SDK module. It holds no
// code of its own: import github.com/postpress/postpress-go/client to call the
// API, and github.com/postpress/postpress-go/gen for the types and the raw
// client generated from openapi.yaml.
package postpress

// Regenerate gen/ from openapi.yaml with the oapi-codegen version pinned in go.mod.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml openapi.yaml

// The spec itself, embedded in gen/spec for the code that loads it.
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.spec.yaml openapi.yaml

// Then generate what the hand-written layer would otherwise restate from the
// spec: the decoders into gen's types, the error types, the parameter rules.
//go:generate go run ./internal/specgen

// Last, the README's table of postpresstest's scenarios, which needs the
// postpresstest specgen just wrote.
//go:generate go run ./internal/cmd/scenariotable
