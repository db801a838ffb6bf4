//go:build tools

// Package tools pins the code generator of the ogen comparison client, so
// that `go generate ./...` in bench/ uses the version in go.mod.
package tools

import _ "github.com/ogen-go/ogen/cmd/ogen"
