// Package cli is the postpress command: `postpress invitations received`,
// `postpress invitations sync`, `postpress sandbox`, `postpress contract
// check`, `postpress version` and `postpress completion`. cmd/postpress is
// a thin main around Run, which tests call directly.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"

	"github.com/postpress/postpress-go/client"
)

// Exit codes.
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitFailure: anything else went wrong (the API, the network, a
	// listing cut short).
	ExitFailure = 1
	// ExitUsage: a usage error or bad input; nothing was sent.
	ExitUsage = 2
)

// Env is what a run of the command sees of the world.
type Env struct {
	// Args are the arguments after the program name.
	Args []string
	// Getenv reads the environment (os.Getenv in main).
	Getenv func(string) string
	// Stdout and Stderr receive output and diagnostics.
	Stdout, Stderr io.Writer
	// StdoutTTY and StderrTTY say whether they are terminals (the default
	// format and the progress line depend on it).
	StdoutTTY, StderrTTY bool
	// HTTPClient, when set, carries every request of the client (tests
	// set a validating transport).
	HTTPClient *http.Client
	// Ready, when set, is called by `sandbox` with its base URL once it
	// listens.
	Ready func(baseURL string)
}

const usage = `postpress lists the invitations a postpress account received.

Usage:
  postpress invitations received [flags]   list (and export) received invitations
  postpress invitations sync --state FILE [flags]
                                           print only the invitations new since the last run
  postpress sandbox [--addr HOST:PORT] [--items N] [--seed S]
                                           serve a fake postpress API for any client
  postpress contract check --account-id ID [--pages N] [--record DIR]
                                           report where the live API disagrees with the spec
  postpress version                        print the SDK version
  postpress completion bash|zsh|fish       print a shell completion script

The API key comes from the environment variable POSTPRESS_API_KEY (never a flag).
Run 'postpress invitations received -h' (or sync -h) for the listing flags.

Exit codes: 0 success; 2 usage error or bad input (nothing sent); 1 any other failure.
`

// usageError is a mistake in the command line; it exits with ExitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// Run runs the command and returns its exit code.
func Run(ctx context.Context, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	env.Stderr = &lockedWriter{w: env.Stderr}
	args := env.Args
	var err error
	cmd := ""
	switch {
	case len(args) == 0:
		_, _ = io.WriteString(env.Stderr, usage)
		return ExitUsage
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		_, _ = io.WriteString(env.Stdout, usage)
		return ExitOK
	case args[0] == "version" && len(args) == 1:
		_, _ = fmt.Fprintln(env.Stdout, "postpress-go", client.Version)
		return ExitOK
	case args[0] == "invitations" && len(args) >= 2 && args[1] == "received":
		cmd, err = "invitations received", listReceived(ctx, env, args[2:])
	case args[0] == "invitations" && len(args) >= 2 && args[1] == "sync":
		cmd, err = "invitations sync", syncInvitations(ctx, env, args[2:])
	case args[0] == "sandbox":
		cmd, err = "sandbox", sandbox(ctx, env, args[1:])
	case args[0] == "completion":
		cmd, err = "completion", completion(ctx, env, args[1:])
	case args[0] == "contract" && len(args) >= 2 && args[1] == "check":
		cmd, err = "contract check", contractCheck(ctx, env, args[2:])
	default:
		err = unknownCommand(args)
	}
	return report(env, err, cmd)
}

// report prints err (if any) in the CLI's words (one "postpress: "
// prefix a line; a usage error points at the usage of cmd, the command
// run) and returns the exit code for it.
func report(env Env, err error, cmd string) int {
	var ue *usageError
	var ce *configError
	var pe *client.ParamError
	code := ExitFailure
	msg := ""
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		code, msg = ExitUsage, prefix+ue.msg+"\n"+usageHint(cmd)
	case errors.As(err, &pe):
		code, msg = ExitUsage, prefix+paramMessage(pe, "")
	case errors.As(err, &ce):
		code, msg = ExitUsage, ce.msg
	default:
		msg = err.Error()
	}
	_, _ = fmt.Fprintln(env.Stderr, onePrefix(msg))
	return code
}
