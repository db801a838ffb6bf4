// Command postpress lists the invitations a postpress account received, and
// serves a sandbox of the API. Run `postpress -h` for usage.
//
//	go run ./cmd/postpress invitations received --sandbox
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/postpress/postpress-go/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal cancels the run (a listing reports where to resume,
	// the sandbox shuts down); a second one gets Go's default: exit now.
	context.AfterFunc(ctx, stop)
	code := cli.Run(ctx, cli.Env{
		Args:      os.Args[1:],
		Getenv:    os.Getenv,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		StdoutTTY: isTerminal(os.Stdout),
		StderrTTY: isTerminal(os.Stderr),
	})
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
