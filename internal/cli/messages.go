package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen/spec"
)

// The CLI's words. Every message starts with one "postpress: ", speaks of
// flags (not of the Go names behind them), and says how to fix what it
// reports where there is a fix.

// prefix starts every message of the command.
const prefix = "postpress: "

// onePrefix leaves one prefix at the start of each line of msg: the
// client's errors carry their own (a library's errors name the library),
// which the command's would otherwise repeat.
func onePrefix(msg string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lead := strings.HasPrefix(l, prefix)
		l = strings.ReplaceAll(l, prefix, "")
		if lead {
			l = prefix + l
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// usageHint is the line under a usage error: where the command's usage is.
func usageHint(cmd string) string {
	return fmt.Sprintf("Run '%s -h' for usage.", strings.TrimSpace("postpress "+cmd))
}

// commands are the command lines Run knows, for "did you mean" and the
// completion: a listing command for each list operation, then the others.
var commands = func() []string {
	var out []string
	for _, o := range listOps {
		out = append(out, o.name())
	}
	return append(out, syncCommand(), "sandbox", "contract check", "version", "completion")
}()

// unknownCommand is the usage error for args that name no command, with
// the command meant when one is near.
func unknownCommand(args []string) error {
	msg := fmt.Sprintf("unknown command %q", printable(strings.Join(args, " ")))
	best, dist := "", 4
	for _, c := range commands {
		n := len(strings.Fields(c))
		if len(args) < n {
			continue
		}
		if d := editDistance(strings.Join(args[:n], " "), c); d < dist {
			best, dist = c, d
		}
	}
	if best != "" {
		msg += fmt.Sprintf("; did you mean 'postpress %s'?", best)
	}
	return &usageError{msg}
}

// flagOf returns the flag of an API query parameter: its x-cli-flag (limit
// is --page-size: a limit of items a page, not of the listing, which is
// --max-items), else its name with dashes.
func flagOf(param string) string {
	for _, pf := range paramFlags {
		if pf.param == param {
			return "--" + pf.flag
		}
	}
	return "--" + strings.ReplaceAll(param, "_", "-")
}

// paramMessage is a *client.ParamError in the CLI's words (without the
// prefix): the flag, the value when known, the reason, and that nothing was
// sent.
func paramMessage(pe *client.ParamError, value string) string {
	v := ""
	if value != "" {
		v = fmt.Sprintf(" %q", printable(value))
	}
	return fmt.Sprintf("%s%s: %s; nothing was sent", flagOf(pe.Param), v, pe.Reason)
}

// flagAliases are names a user may reach for, and the flag that does it:
// the API's name of each parameter whose flag is named otherwise (limit:
// --page-size), and a few more.
var flagAliases = func() map[string]string {
	m := map[string]string{
		"account": accountFlag,
		"key":     "", // the key is never a flag
		"api-key": "",
	}
	for _, pf := range paramFlags {
		if name := strings.ReplaceAll(pf.param, "_", "-"); name != pf.flag {
			m[name] = pf.flag
		}
	}
	return m
}()

// listOnly are the flags of a listing command that a sync has not, and
// why.
var listOnly = map[string]string{
	flagOf(syncOp().cursorParam)[2:]: "a sync has no cursor: each run lists every account from the start and prints what its --state has not seen",
	"max-items":                      "a sync lists every account whole, to know what is new and what is gone",
	"validate":                       "use it with 'postpress " + syncOp().name() + "', or run 'postpress contract check'",
}

// parseFlags parses args into fs. -h prints the command's usage; any other
// mistake is one line (with a "did you mean" for an unknown flag) and a
// pointer to -h, not the whole usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard) // flag prints its error there; ours is below
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return &usageError{unknownFlag(fs, strings.TrimLeft(name, "-"))}
	}
	if m := badValue.FindStringSubmatch(msg); m != nil {
		return &usageError{fmt.Sprintf("--%s %q: %s", m[2], m[1], wants(fs.Lookup(m[2])))}
	}
	// flag's own words name a flag with one dash; the CLI's use two.
	for _, s := range []string{"for flag -", "needs an argument: -"} {
		msg = strings.Replace(msg, s, s+"-", 1)
	}
	return &usageError{msg}
}

// badValue is flag's message for a value that does not parse.
var badValue = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -([^:]+): `)

// wants says what kind of value f takes.
func wants(f *flag.Flag) string {
	if f == nil {
		return "not a valid value"
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return "not a valid value"
	}
	switch g.Get().(type) {
	case int, int64, uint, uint64:
		return "not a whole number"
	case float64:
		return "not a number"
	case time.Duration:
		return "not a duration (such as 30s or 2m)"
	case bool:
		return "not true or false"
	}
	return "not a valid value"
}

// unknownFlag says that --name is not a flag of fs, and which is meant.
func unknownFlag(fs *flag.FlagSet, name string) string {
	msg := "unknown flag --" + name
	norm := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	if alias, ok := flagAliases[norm]; ok {
		if alias == "" {
			return msg + fmt.Sprintf(": the API key comes from the environment variable %s, never a flag", client.EnvAPIKey)
		}
		if fs.Lookup(alias) != nil {
			return msg + "; did you mean --" + alias + "?"
		}
	}
	if only, ok := listOnly[norm]; ok && fs.Name() == "postpress "+syncCommand() {
		return msg + ": " + only
	}
	best, dist := "", 3 // at most two edits away
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(norm, f.Name); d < dist || (d == dist && f.Name < best) {
			best, dist = f.Name, d
		}
	})
	if best != "" {
		return msg + "; did you mean --" + best + "?"
	}
	return msg
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// configError is a configuration the client refused (no API key, a base
// URL it will not send the key to): bad input, nothing sent.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

// noAPIKey is the error for a run without POSTPRESS_API_KEY.
func noAPIKey() error {
	return &configError{fmt.Sprintf("%sno API key: set %s (the key is never a flag)", prefix, client.EnvAPIKey)}
}

// apiBasePath is the path every base URL of the API ends with, from the
// default base URL (/api/v1).
var apiBasePath = func() string {
	u, err := url.Parse(client.DefaultBaseURL)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}()

// serverBasePaths are the paths of the base URLs the spec's servers list
// (for example /api/v1 and /v1), apiBasePath among them.
var serverBasePaths = sync.OnceValue(func() []string {
	paths := []string{apiBasePath}
	doc, err := spec.GetSpec()
	if err != nil {
		return paths
	}
	for _, s := range doc.Servers {
		if u, err := url.Parse(s.URL); err == nil {
			if p := strings.TrimSuffix(u.Path, "/"); p != "" && !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	return paths
})

// apiBaseURL is the base URL base probably meant, ending with apiBasePath:
// base with the base path of another of the spec's servers it ends with
// (the longest) replaced, or base with apiBasePath appended. ok is false when
// base already ends with apiBasePath.
func apiBaseURL(base string) (suggested string, ok bool) {
	trimmed := strings.TrimRight(base, "/")
	if strings.HasSuffix(trimmed, apiBasePath) {
		return "", false
	}
	longest := ""
	for _, p := range serverBasePaths() {
		if len(p) > len(longest) && strings.HasSuffix(trimmed, p) {
			longest = p
		}
	}
	return strings.TrimSuffix(trimmed, longest) + apiBasePath, true
}

// shownURL is raw as a message may show it: without user info (which may
// hold a password), printable.
func shownURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return printable(u.Redacted())
	}
	if strings.Contains(raw, "@") {
		return "(not shown: it holds an @)"
	}
	return printable(raw)
}

// checkBaseURL refuses a --base-url that has no scheme or host, with the
// URL it probably meant.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err == nil && u.Host != "" && u.Scheme != "" {
		return nil
	}
	rest := strings.TrimPrefix(raw, "//")
	host, _, _ := strings.Cut(rest, "/")
	scheme := "https://"
	if h, _, _ := strings.Cut(host, ":"); h == "localhost" || strings.HasPrefix(h, "127.") || strings.HasPrefix(host, "[::1]") {
		scheme = "http://"
	}
	return &configError{fmt.Sprintf("%s--base-url %s has no scheme: add https:// (or http:// for a server on this machine): --base-url %s",
		prefix, shownURL(raw), shownURL(scheme+rest))}
}

// baseURLError is the client's refusal of base (or of the API key) in the
// CLI's words.
func baseURLError(base string, err error) error {
	reason := strings.ReplaceAll(err.Error(), prefix, "")
	if !strings.Contains(reason, "base URL") {
		return &configError{prefix + reason}
	}
	if u, perr := url.Parse(base); perr == nil && u.Scheme == "http" && u.User == nil && strings.Contains(reason, "clear text") {
		return &configError{fmt.Sprintf("%s--base-url %s: plain http:// goes only to this machine, or the API key would travel in clear text: use https://%s",
			prefix, shownURL(base), shownURL(strings.TrimPrefix(base, "http://")))}
	}
	return &configError{fmt.Sprintf("%s--base-url %s refused: %s", prefix, shownURL(base), reason)}
}

// failure is what describe needs to know of the command that failed.
type failure struct {
	// timeout is --timeout.
	timeout time.Duration
	// baseURL is the base URL requests went to ("" for the default).
	baseURL string
	// path is the operation's path, under the base URL.
	path string
	// account names the account in a listing of several ("" for one).
	account string
	// resume is the query parameter of the cursor, whose flag resumes the
	// listing ("": the command cannot resume one).
	resume string
	// sync: the command is a sync, whose next run picks up.
	sync bool
}

// describe turns a listing error into the message the user sees: what
// failed, the HTTP status, the API error type, the request id, how many
// items were written, and how to go on: the cursor to resume from (unless
// the server refused it), or why the base URL is likely wrong.
func describe(ctx context.Context, err error, written int, fl failure) error {
	var pe *client.ParamError
	if errors.As(err, &pe) {
		return &usageError{paramMessage(pe, "")}
	}
	var b strings.Builder
	cause := err
	var paging *client.PagingError
	if errors.As(err, &paging) {
		cause = paging.Err // the resume point gets its own line below
	}
	b.WriteString(prefix)
	if fl.account != "" {
		fmt.Fprintf(&b, "account %s: ", printable(fl.account))
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		b.WriteString("interrupted")
	} else {
		fmt.Fprintf(&b, "listing failed: %s", strings.ReplaceAll(printable(cause.Error()), prefix, ""))
	}
	refused := false // the server refused the request: its cursor is no way on
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Fprintf(&b, "\n  HTTP status: %d", apiErr.StatusCode)
		if apiErr.Type != "" {
			fmt.Fprintf(&b, "\n  error type:  %s", printable(string(apiErr.Type)))
			if d := apiErr.Type.Description(); d != "" {
				fmt.Fprintf(&b, " (%s)", d)
			}
		}
		if apiErr.Instance != "" {
			fmt.Fprintf(&b, "\n  request id:  %s", printable(apiErr.Instance))
		}
		refused = apiErr.StatusCode == 400
		if apiErr.Type == "" {
			b.WriteString(notTheAPI(apiErr.StatusCode, fl.baseURL, fl.path))
		}
	}
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(&b, "\n  timeout:     an attempt may take at most %v (--timeout)", fl.timeout)
	}
	if paging != nil {
		fmt.Fprintf(&b, "\n  written:     %d items", written)
		// Cursor is "" when the listing failed on its first page and was
		// not started from a cursor: run the same command again.
		switch {
		case fl.sync:
			b.WriteString("\n  next run:    lists this account again; what this run printed is recorded, and is not printed again")
		case paging.Cursor == "" || fl.resume == "":
		case refused:
			fmt.Fprintf(&b, "\n  cursor:      the server refused the request for the page at %s, so it is not a way to resume; a cursor resumes only the account and listing that returned it", printable(paging.Cursor))
		case fl.account != "":
			fmt.Fprintf(&b, "\n  resume with: --%s %s %s %s", accountFlag, printable(fl.account), flagOf(fl.resume), printable(paging.Cursor))
		default:
			fmt.Fprintf(&b, "\n  resume with: %s %s", flagOf(fl.resume), printable(paging.Cursor))
		}
	}
	return &listError{msg: b.String(), err: err}
}

// notTheAPI is the hint for an error response that is not the API's
// envelope: a 404 or 405 says the base URL does not point at the API; any
// other says it may not.
func notTheAPI(status int, base, path string) string {
	if base == "" {
		base = client.DefaultBaseURL
	}
	where := fmt.Sprintf("--base-url %s; requests go to it + %s", shownURL(base), path)
	if suggested, ok := apiBaseURL(base); ok {
		where += fmt.Sprintf("; try --base-url %s", shownURL(suggested))
	}
	if slices.Contains([]int{404, 405}, status) {
		return fmt.Sprintf("\n  hint:        the base URL is likely wrong: it should end with %s (%s)", apiBasePath, where)
	}
	return fmt.Sprintf("\n  hint:        the body is not the API's error envelope: a proxy answered, or the base URL does not point at the API; it should end with %s (%s)", apiBasePath, where)
}

// listError is a described listing failure.
type listError struct {
	msg string
	err error
}

func (e *listError) Error() string { return e.msg }
func (e *listError) Unwrap() error { return e.err }
