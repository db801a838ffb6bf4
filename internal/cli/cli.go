// Package cli is the postpress command: a listing command for each list
// operation of openapi.yaml (`postpress invitations received`; the table of
// them, listops_gen.go, is generated), `postpress invitations sync`,
// `postpress sandbox`, `postpress contract check`, `postpress version` and
// `postpress completion`. cmd/postpress is a thin main around Run, which
// tests call directly.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"

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

// usage is the command's usage: the listing commands from the spec, then
// the others.
func usage() string {
	var b strings.Builder
	b.WriteString("postpress lists what a postpress account holds, through the postpress API.\n\nUsage:\n")
	line := func(cmd, what string) {
		if len(cmd) > 39 {
			fmt.Fprintf(&b, "  %s\n  %-39s  %s\n", cmd, "", what)
			return
		}
		fmt.Fprintf(&b, "  %-39s  %s\n", cmd, what)
	}
	for _, o := range listOps {
		line("postpress "+o.name()+" [flags]", strings.ToLower(o.summary[:1])+o.summary[1:]+" (and export them)")
	}
	line("postpress "+syncCommand()+" --state FILE [flags]", "print only the invitations new since the last run")
	line("postpress sandbox [--addr HOST:PORT] [--items N] [--seed S] [--live-shaped] [--scenarios]", "serve a fake postpress API for any client")
	line("postpress contract check --account-id ID [--operation OP] [--pages N] [--record DIR]", "report where the live API disagrees with the spec")
	line("postpress version", "print the SDK version")
	line("postpress completion bash|zsh|fish", "print a shell completion script")
	b.WriteString("\nThe API key comes from the environment variable POSTPRESS_API_KEY (never a flag).\n")
	b.WriteString("Run 'postpress COMMAND -h' for a command's flags.\n")
	b.WriteString("\nExit codes: 0 success; 2 usage error or bad input (nothing sent); 1 any other failure.\n")
	return b.String()
}

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
	listing, rest := opOf(args)
	switch {
	case len(args) == 0:
		_, _ = io.WriteString(env.Stderr, usage())
		return ExitUsage
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		_, _ = io.WriteString(env.Stdout, usage())
		return ExitOK
	case args[0] == "version" && len(args) == 1:
		_, _ = fmt.Fprintln(env.Stdout, "postpress-go", client.Version)
		return ExitOK
	case listing != nil:
		cmd, err = listing.name(), listCommand(ctx, env, listing, rest)
	case len(args) >= 2 && strings.Join(args[:2], " ") == syncCommand():
		cmd, err = syncCommand(), syncInvitations(ctx, env, args[2:])
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
