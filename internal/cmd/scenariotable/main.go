// Command scenariotable rewrites the table of postpresstest's scenarios in
// README.md (run by go generate, in the module's root, after specgen).
package main

import (
	"fmt"
	"os"

	"github.com/postpress/postpress-go/internal/scenariodoc"
)

func main() {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		fmt.Fprintln(os.Stderr, "scenariotable:", err)
		os.Exit(1)
	}
	out, err := scenariodoc.Update(string(raw))
	if err != nil {
		fmt.Fprintln(os.Stderr, "scenariotable: README.md:", err)
		os.Exit(1)
	}
	if out == string(raw) {
		return
	}
	if err := os.WriteFile("README.md", []byte(out), 0o644); err != nil { //nolint:gosec // README.md is world-readable
		fmt.Fprintln(os.Stderr, "scenariotable:", err)
		os.Exit(1)
	}
}
