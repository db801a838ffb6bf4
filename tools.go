//go:build tools

// Package postpress pins the code generator that go generate runs, so the
// version in go.mod is the one that produced gen/.
package postpress

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
