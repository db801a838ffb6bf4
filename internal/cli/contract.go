package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/internal/contract"
)

// contractFlags are the flags of `contract check`.
type contractFlags struct {
	accountID string
	operation string
	ops       []*listOp // the operations to check
	pages     int
	record    string
	format    string
	connFlags
}

func parseContractFlags(env Env, args []string) (*contractFlags, error) {
	f := &contractFlags{}
	fs := flag.NewFlagSet("postpress contract check", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&f.accountID, accountFlag, env.Getenv("POSTPRESS_ACCOUNT_ID"), "account to list from (env POSTPRESS_ACCOUNT_ID); required, but with --sandbox")
	fs.StringVar(&f.operation, "operation", "", "check only the list operation `OP`, named by its operationId or by its command's words (one of "+opNames()+"); default: every list operation")
	fs.IntVar(&f.pages, "pages", 3, "pages to list and check, per operation; 0 = all")
	fs.StringVar(&f.record, "record", "", "write each exchange as a fixture (NNN.json and its expected disagreements NNN.want) into this empty directory")
	fs.StringVar(&f.format, "format", "text", "report format: text or json")
	f.connFlags.register(env, fs, "check the built-in sandbox, in-process (no key or account needed)", 0, "retries of a failed connection or a retryable error status (0: each request is sent once)")
	fs.BoolVar(&f.verbose, "verbose", false, "report every exchange and every disagreement, and log each request to stderr (API key redacted)")
	fs.Usage = func() {
		_, _ = fmt.Fprintf(fs.Output(), "Usage: postpress contract check [flags]\n\n"+
			"Lists up to --pages pages of every list operation of openapi.yaml (or of the one\n"+
			"--operation names) from the API, each request sent once, and reports every\n"+
			"place where a response disagrees with the spec: by default a summary by rule\n"+
			"and pointer pattern, with --verbose every occurrence, with --format json everything.\n"+
			"A page the client cannot decode is reported and the walk goes on from its cursor;\n"+
			"an error status ends that operation's walk. The API key comes from\n"+
			"POSTPRESS_API_KEY. Exit 0: everything conforms; 1: a disagreement, or a listing\n"+
			"failed; 2: usage error (nothing sent).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	f.ops = listOps
	if set["operation"] {
		o := findOp(f.operation)
		if o == nil {
			return nil, usagef("--operation %q names no list operation: one of %s", printable(f.operation), opNames())
		}
		f.ops = []*listOp{o}
	}
	accounts := false
	for _, o := range f.ops {
		accounts = accounts || o.hasParam(accountParam)
	}
	if f.accountID == "" && f.sandbox && !set[accountFlag] {
		f.accountID = sandboxAccount
	}
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	case f.accountID == "" && set[accountFlag]:
		return nil, usagef("--%s must not be empty", accountFlag)
	case f.accountID == "" && accounts:
		return nil, usagef("--%s is required (or set POSTPRESS_ACCOUNT_ID)", accountFlag)
	case f.pages < 0:
		return nil, usagef("--pages must be 0 (all) or more, got %d", f.pages)
	case set["record"] && f.record == "":
		return nil, usagef("--record must name a directory")
	case f.format != "text" && f.format != "json":
		return nil, usagef("--format must be text or json, got %q", f.format)
	}
	if err := f.exclusive(set); err != nil {
		return nil, err
	}
	if err := f.checkOptions(); err != nil {
		return nil, err
	}
	return f, nil
}

// opNames are the list operations' names, for messages: operationId or
// "command words".
func opNames() string {
	var names []string
	for _, o := range listOps {
		names = append(names, fmt.Sprintf("%s or %q", o.operationID, o.name()))
	}
	return strings.Join(names, "; ")
}

// contractParams returns the parameters op is checked with: the CLI's
// page size and the account; a bad one is an error before anything is
// sent.
func contractParams(op *listOp, account string) (any, error) {
	p := op.newParams()
	if op.limitParam != "" {
		if err := setParam(p, op.limitParam, strconv.Itoa(op.maxLimit)); err != nil {
			return nil, err
		}
	}
	if op.hasParam(accountParam) {
		if err := setParam(p, accountParam, account); err != nil {
			return nil, err
		}
	}
	return p, checkParams(op, p)
}

// contractCheck is `postpress contract check`.
func contractCheck(ctx context.Context, env Env, args []string) error {
	f, err := parseContractFlags(env, args)
	if err != nil {
		return err
	}
	key := sandboxKey
	if !f.sandbox {
		if key = env.Getenv(client.EnvAPIKey); key == "" {
			return noAPIKey()
		}
		if err := checkBaseURL(cmp.Or(f.baseURL, client.DefaultBaseURL)); err != nil {
			return err
		}
	}
	params := make([]any, len(f.ops))
	for i, op := range f.ops {
		if params[i], err = contractParams(op, f.accountID); err != nil {
			return err
		}
	}
	s, err := newCheckSession(env, key, f.format == "json", false)
	if err != nil {
		return err
	}
	s.stop, s.verbose = true, f.verbose
	if f.record != "" {
		if s.recording, err = s.v.NewRecording(f.record); err != nil {
			return usagef("--record: %v", err)
		}
	}
	c, stop, err := newClient(env, &f.connFlags, s.clientOptions()...)
	if err != nil {
		return err
	}
	defer stop()
	var failures []error
	for i, op := range f.ops {
		listErr := s.walk(ctx, c, op, params[i], f.pages)
		switch {
		case listErr == nil:
		case errors.Is(listErr, errWalkStopped):
			failures = append(failures, listErr)
		default:
			failures = append(failures, describe(ctx, listErr, s.items, failure{timeout: f.timeout, baseURL: f.baseURL, path: op.path}))
		}
		if ctx.Err() != nil {
			break
		}
	}
	failed := errors.Join(failures...)
	s.finish(nil)
	if f.format == "json" {
		if err := s.writeJSON(failed); err != nil {
			return fmt.Errorf("postpress: writing output: %w", err)
		}
	}
	var errs []error
	if failed != nil {
		errs = append(errs, failed)
	}
	if s.recErr != nil {
		errs = append(errs, fmt.Errorf("postpress contract check: recording fixtures: %w", s.recErr))
	}
	if n := len(s.all); n > 0 {
		errs = append(errs, fmt.Errorf("postpress contract check: the API and the spec disagree in %d places (see the summary)", n))
	}
	return errors.Join(errs...)
}

// errWalkStopped ends a walk at a response the report already names.
var errWalkStopped = errors.New("postpress contract check: the walk stopped")

// walk lists up to maxPages pages (0: all) of op over params through op's
// pager, one request each (the session's client options turn prefetching
// off). A 200 that the client refuses (it disagrees with the spec, or does
// not decode) is counted from its raw body and the walk goes on from the
// cursor in it, on a new pager; any other failure ends the walk.
func (s *checkSession) walk(ctx context.Context, c *client.Client, op *listOp, params any, maxPages int) error {
	seen := map[string]bool{}
	p := op.open(c, params)
	defer func() { p.Close() }()
	for pages := 0; p.HasMorePages() && (maxPages == 0 || pages < maxPages); {
		s.last = nil
		page, err := p.NextPage(ctx)
		var next string
		switch last := s.last; {
		case err == nil:
			s.page(page)
			next = page.next
		case last == nil || last.ex.Status != http.StatusOK:
			if last != nil && errors.Is(err, errDisagrees) {
				return fmt.Errorf("%w at HTTP %d on page %d of %s (see the report)", errWalkStopped, last.ex.Status, pages+1, op.operationID)
			}
			return err
		default:
			var raw map[string]any
			if json.Unmarshal(last.ex.Body, &raw) != nil {
				return fmt.Errorf("%w on page %d of %s: its body is not a JSON object, so it has no cursor to go on from", errWalkStopped, pages+1, op.operationID)
			}
			if !errors.Is(err, errDisagrees) { // the client refused a body that conforms
				d := contract.Disagreement{Rule: contract.RuleDecoding, Spec: "decodable by the client", Got: "refused: " + s.redact(err.Error())}
				last.Disagreements = append(last.Disagreements, d)
				s.all = append(s.all, d)
			}
			items, _ := raw[op.itemsMember].([]any)
			var isString bool
			if next, isString = raw[op.cursorMember].(string); !isString && raw[op.cursorMember] != nil {
				return fmt.Errorf("%w on page %d of %s: its cursor is not a string, so there is none to go on from", errWalkStopped, pages+1, op.operationID)
			}
			s.pages++
			s.items += len(items)
		}
		pages++
		if next == "" {
			return nil
		}
		if seen[next] {
			return fmt.Errorf("%w on page %d of %s: the API sent a cursor it had sent before (the walk would loop)", errWalkStopped, pages, op.operationID)
		}
		seen[next] = true
		if err != nil { // the pager ended at the refused page: a new one goes on from its cursor
			p.Close()
			q := cloneParams(params)
			if err := setParam(q, op.cursorParam, next); err != nil {
				return err
			}
			p = op.open(c, q)
		}
	}
	return nil
}

// checkSession checks every response of one listing against the spec as the
// client receives it (it is the client's ResponseValidator). It serves
// `contract check` (text or JSON on stdout) and `invitations received
// --validate` (the summary on stderr, only when something disagrees).
type checkSession struct {
	v         *contract.Validator
	redact    func(string) string
	recording *contract.Recording
	recErr    error
	out       io.Writer
	json      bool // collect for one JSON report instead of writing text
	quiet     bool // --validate: only a summary of what disagrees
	verbose   bool // every exchange and every disagreement
	stop      bool // a response that disagrees fails the client's call (not retried)

	mu           sync.Mutex
	pages, items int
	exchanges    []*exchangeReport
	last         *exchangeReport
	all          []contract.Disagreement
}

// exchangeReport is one exchange in the report.
type exchangeReport struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	contract.Result
	ex *contract.Exchange
}

func newCheckSession(env Env, key string, asJSON, quiet bool) (*checkSession, error) {
	v, err := contract.NewValidator()
	if err != nil {
		return nil, err
	}
	v = v.WithSecret(key)
	out := env.Stdout
	if quiet {
		out = env.Stderr
	}
	redact := func(s string) string { return s }
	if key != "" {
		redact = func(s string) string { return strings.ReplaceAll(s, key, "[API key]") }
	}
	return &checkSession{v: v, redact: redact, out: out, json: asJSON, quiet: quiet}, nil
}

// clientOptions make the session the client's response validator, one page
// at a time (no prefetch): the report follows the listing's order.
func (s *checkSession) clientOptions() []client.Option {
	return []client.Option{client.WithResponseValidator(s), client.WithPrefetch(false)}
}

// errDisagrees fails the client's call on a response that disagrees with
// the spec (contract check only): the client does not retry it.
var errDisagrees = errors.New("the response disagrees with the spec (see the report)")

// ValidateResponse checks one response (client.ResponseValidator).
func (s *checkSession) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	ex := &contract.Exchange{Method: req.Method, URL: s.redact(req.URL.RequestURI()), Status: status, Header: header.Clone(), Body: bytes.Clone(body)}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &exchangeReport{Method: ex.Method, URL: ex.URL, Status: ex.Status, Result: s.v.Check(ex), ex: ex}
	if r.Disagreements == nil {
		r.Disagreements = []contract.Disagreement{} // [] in JSON
	}
	s.all = append(s.all, r.Disagreements...)
	s.exchanges = append(s.exchanges, r)
	s.last = r
	if s.recording != nil && s.recErr == nil {
		s.recErr = s.recording.Add(ex)
	}
	if s.stop && len(r.Disagreements) > 0 {
		return errDisagrees
	}
	return nil
}

// page counts a page the client delivered.
func (s *checkSession) page(p *page) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages++
	s.items += len(p.items)
}

// finish writes the text report: every exchange with --verbose (else
// those with an error status), then the summary; with --validate only the
// summary, and only when something disagrees.
func (s *checkSession) finish(error) {
	if s == nil || s.json || (s.quiet && len(s.all) == 0) {
		return
	}
	var b strings.Builder
	for _, r := range s.exchanges {
		if s.quiet || !s.verbose && r.Status == http.StatusOK {
			continue
		}
		fmt.Fprintf(&b, "%s %s → %d", r.Method, printable(r.URL), r.Status)
		if r.ErrorType != "" {
			fmt.Fprintf(&b, " %s", printable(r.ErrorType))
			if d := client.ErrorType(r.ErrorType).Description(); d != "" && r.Documented {
				fmt.Fprintf(&b, " (%s)", d)
			}
		}
		if n := len(r.Disagreements); n == 0 {
			b.WriteString(": conforms\n")
		} else {
			b.WriteString(": " + plural(n, "disagreement") + "\n")
		}
		for _, d := range r.Disagreements {
			if s.verbose {
				fmt.Fprintf(&b, "  %s\n", printable(d.String()))
			}
		}
	}
	disagreeing := 0
	for _, r := range s.exchanges {
		if len(r.Disagreements) > 0 {
			disagreeing++
		}
	}
	fmt.Fprintf(&b, "summary: %s, %s, %s checked", plural(len(s.exchanges), "exchange"), plural(s.pages, "page"), plural(s.items, "item"))
	if len(s.all) == 0 {
		b.WriteString("; everything conforms to the spec\n")
	} else {
		fmt.Fprintf(&b, "; %s in %s:\n", plural(len(s.all), "disagreement"), plural(disagreeing, "exchange"))
		for _, g := range contract.Summarize(s.all) {
			fmt.Fprintf(&b, "  %5d  %-24s %s\n", g.Count, g.Rule, printable(g.Where))
			fmt.Fprintf(&b, "         spec: %s; first: %s", printable(g.Spec), printable(g.First))
			if len(g.Examples) > 0 && g.Examples[0] != g.Where {
				fmt.Fprintf(&b, "; e.g. %s", printable(strings.Join(g.Examples, " ")))
			}
			b.WriteByte('\n')
		}
	}
	_, _ = io.WriteString(s.out, b.String())
}

// contractReport is the JSON report of `contract check --format json`.
type contractReport struct {
	Conforms  bool              `json:"conforms"`
	Pages     int               `json:"pages"`
	Items     int               `json:"items"`
	Exchanges []*exchangeReport `json:"exchanges"`
	Summary   []contract.Group  `json:"summary"`
	// ListingError describes why the listing stopped early, if it did.
	ListingError string `json:"listing_error,omitempty"`
}

func (s *checkSession) writeJSON(failed error) error {
	r := contractReport{
		Conforms:  len(s.all) == 0 && failed == nil,
		Pages:     s.pages,
		Items:     s.items,
		Exchanges: s.exchanges,
		Summary:   contract.Summarize(s.all),
	}
	if r.Exchanges == nil {
		r.Exchanges = []*exchangeReport{}
	}
	if failed != nil {
		r.ListingError = failed.Error()
	}
	enc := json.NewEncoder(s.out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// plural is "1 page", "2 pages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
