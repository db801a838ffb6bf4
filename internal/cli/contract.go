package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/postpress/postpress-go/client"
	"github.com/postpress/postpress-go/gen"
	"github.com/postpress/postpress-go/internal/contract/check"
)

// contractFlags are the flags of `contract check`.
type contractFlags struct {
	accountID string
	pages     int
	record    string
	format    string
	baseURL   string
	timeout   time.Duration
	retries   int
	verbose   bool
}

func parseContractFlags(env Env, args []string) (*contractFlags, error) {
	f := &contractFlags{}
	fs := flag.NewFlagSet("postpress contract check", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&f.accountID, "account-id", env.Getenv("POSTPRESS_ACCOUNT_ID"), "account to list from (env POSTPRESS_ACCOUNT_ID); required")
	fs.IntVar(&f.pages, "pages", 3, "pages to list and check; 0 = all")
	fs.StringVar(&f.record, "record", "", "write each exchange as a fixture (NNN.json and its expected disagreements NNN.want) into this empty directory")
	fs.StringVar(&f.format, "format", "text", "report format: text or json")
	fs.StringVar(&f.baseURL, "base-url", env.Getenv("POSTPRESS_BASE_URL"), "API base URL (env POSTPRESS_BASE_URL; default "+client.DefaultBaseURL+")")
	fs.DurationVar(&f.timeout, "timeout", client.DefaultAttemptTimeout, "per-attempt timeout")
	fs.IntVar(&f.retries, "retries", client.DefaultMaxRetries, "max retries")
	fs.BoolVar(&f.verbose, "verbose", false, "debug log of each request to stderr (API key redacted)")
	fs.Usage = func() {
		_, _ = fmt.Fprintf(fs.Output(), "Usage: postpress contract check [flags]\n\n"+
			"Lists up to --pages pages from the API and reports every place where a response\n"+
			"disagrees with openapi.yaml or with the client's decoding. The API key comes from\n"+
			"POSTPRESS_API_KEY. Exit 0: everything conforms; 1: a disagreement, or the listing\n"+
			"failed; 2: usage error (nothing sent).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	case f.accountID == "" && set["account-id"]:
		return nil, usagef("--account-id must not be empty")
	case f.accountID == "":
		return nil, usagef("--account-id is required (or set POSTPRESS_ACCOUNT_ID)")
	case f.pages < 0:
		return nil, usagef("--pages must be 0 (all) or more, got %d", f.pages)
	case set["record"] && f.record == "":
		return nil, usagef("--record must name a directory")
	case f.format != "text" && f.format != "json":
		return nil, usagef("--format must be text or json, got %q", f.format)
	case f.retries < 0:
		return nil, usagef("--retries must be 0 or more, got %d", f.retries)
	case f.timeout <= 0:
		return nil, usagef("--timeout must be positive, got %v", f.timeout)
	}
	return f, nil
}

// contractCheck is `postpress contract check`.
func contractCheck(ctx context.Context, env Env, args []string) error {
	f, err := parseContractFlags(env, args)
	if err != nil {
		return err
	}
	key := env.Getenv(client.EnvAPIKey)
	if key == "" {
		return fmt.Errorf("%w: no API key: set %s", errConfig, client.EnvAPIKey)
	}
	base := f.baseURL
	if base == "" {
		base = client.DefaultBaseURL
	}
	s, err := newCheckSession(env, key, f.format == "json", false)
	if err != nil {
		return err
	}
	if f.record != "" {
		if s.recording, err = s.chk.NewRecording(f.record); err != nil {
			return usagef("--record: %v", err)
		}
	}
	opts := append(s.clientOptions(env),
		client.WithAPIKey(key),
		client.WithBaseURL(base),
		client.WithAttemptTimeout(f.timeout),
		client.WithMaxRetries(f.retries),
		client.WithUserAgent("postpress-cli/"+client.Version),
	)
	if f.verbose {
		opts = append(opts, client.WithLogger(slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	c, err := client.New(opts...)
	if err != nil {
		return fmt.Errorf("%w: %w", errConfig, err)
	}
	params := client.ListParams{AccountID: f.accountID}
	if err := params.Validate(); err != nil {
		return err
	}

	var listErr error
	for page, err := range c.Pages(ctx, params) {
		if err != nil {
			listErr = err
			break
		}
		s.page(page)
		if f.pages > 0 && s.pages >= f.pages {
			break
		}
	}
	var failed error
	if listErr != nil {
		failed = describe(ctx, listErr, s.items, f.timeout)
	}
	s.finish(listErr)
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

// checkSession checks the exchanges of one listing as it goes: every
// response against the spec, every page against the client's decoding. It
// serves `contract check` (text or JSON on stdout) and `invitations
// received --validate` (text on stderr, only what disagrees).
type checkSession struct {
	chk       *check.Checker
	rec       *check.Recorder
	recording *check.Recording
	recErr    error
	out       io.Writer
	json      bool // collect for one JSON report instead of writing text
	quiet     bool // write only exchanges that disagree (--validate)

	pages, items int
	exchanges    []exchangeReport
	all          []check.Disagreement
}

// exchangeReport is one exchange in the report.
type exchangeReport struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	check.Result
}

func newCheckSession(env Env, key string, asJSON, quiet bool) (*checkSession, error) {
	chk, err := check.New(check.WithSecret(key))
	if err != nil {
		return nil, err
	}
	var base http.RoundTripper
	if env.HTTPClient != nil {
		base = env.HTTPClient.Transport
	}
	out := env.Stdout
	if quiet {
		out = env.Stderr
	}
	return &checkSession{chk: chk, rec: &check.Recorder{Base: base}, out: out, json: asJSON, quiet: quiet}, nil
}

// clientOptions route the client's requests through the recorder, one page
// at a time (no prefetch), so that the exchanges recorded when a page is
// delivered end with the one that carried it.
func (s *checkSession) clientOptions(env Env) []client.Option {
	hc := &http.Client{Transport: s.rec}
	if env.HTTPClient != nil {
		hc.Jar, hc.Timeout = env.HTTPClient.Jar, env.HTTPClient.Timeout
	}
	return []client.Option{client.WithHTTPClient(hc), client.WithPrefetch(false)}
}

// page checks the exchanges that led to page: the last carried it; a 200
// before it is one the client refused and retried.
func (s *checkSession) page(page *client.Page) {
	if s == nil {
		return
	}
	s.pages++
	s.items += len(page.Items)
	exs := s.rec.Take()
	for i, ex := range exs {
		var decoded []check.Disagreement
		switch {
		case i == len(exs)-1:
			decoded = s.chk.Decoding(ex, clientList(page), nil)
		case ex.Status == http.StatusOK:
			decoded = s.chk.Decoding(ex, nil, errClientRefused)
		}
		s.report(ex, decoded)
	}
}

// errClientRefused stands for the client's refusal of a 200 body.
var errClientRefused = errors.New("refused by the client")

// clientList is the client's decoding of a page as the generated list
// type, for check.Decoding. client.Page carries no `object`, which
// Decoding does not compare.
func clientList(page *client.Page) *gen.InvitationList {
	l := &gen.InvitationList{Items: make([]gen.InvitationReceived, len(page.Items))}
	for i := range page.Items {
		l.Items[i] = page.Items[i].InvitationReceived
	}
	if page.NextCursor != "" {
		l.Cursor = &page.NextCursor
	}
	return l
}

// finish checks the exchanges after the last page (those of a failed
// listing) and writes the text summary.
func (s *checkSession) finish(listErr error) {
	if s == nil {
		return
	}
	for _, ex := range s.rec.Take() {
		var decoded []check.Disagreement
		if ex.Status == http.StatusOK && errors.Is(listErr, client.ErrMalformedResponse) {
			decoded = s.chk.Decoding(ex, nil, errClientRefused)
		}
		s.report(ex, decoded)
	}
	if s.json || (s.quiet && len(s.all) == 0) {
		return
	}
	s.writeSummary()
}

// report checks one exchange, records it as a fixture when asked, and
// writes it (text) or keeps it (JSON).
func (s *checkSession) report(ex *check.Exchange, decoded []check.Disagreement) {
	res := s.chk.Check(ex)
	res.Disagreements = append(res.Disagreements, decoded...)
	s.all = append(s.all, res.Disagreements...)
	if s.recording != nil && s.recErr == nil {
		s.recErr = s.recording.Add(ex)
	}
	if res.Disagreements == nil {
		res.Disagreements = []check.Disagreement{} // [] in JSON
	}
	s.exchanges = append(s.exchanges, exchangeReport{Method: ex.Method, URL: ex.URL, Status: ex.Status, Result: res})
	if s.json || s.quiet && len(res.Disagreements) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s → %d", ex.Method, printable(ex.URL), ex.Status)
	if res.ErrorType != "" {
		fmt.Fprintf(&b, " %s", printable(res.ErrorType))
		if d := client.ErrorType(res.ErrorType).Description(); d != "" && res.Documented {
			fmt.Fprintf(&b, " (%s)", d)
		}
	}
	if n := len(res.Disagreements); n == 0 {
		b.WriteString(": conforms")
	} else {
		b.WriteString(": " + plural(n, "disagreement"))
	}
	b.WriteByte('\n')
	for _, d := range res.Disagreements {
		fmt.Fprintf(&b, "  %s\n", printable(d.String()))
	}
	_, _ = io.WriteString(s.out, b.String())
}

// writeSummary writes the counts by rule and place.
func (s *checkSession) writeSummary() {
	var b strings.Builder
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
		for _, c := range check.Summarize(s.all) {
			fmt.Fprintf(&b, "  %5d  %-24s %s\n", c.Count, c.Rule, printable(c.Where))
		}
	}
	_, _ = io.WriteString(s.out, b.String())
}

// contractReport is the JSON report of `contract check --format json`.
type contractReport struct {
	Conforms  bool             `json:"conforms"`
	Pages     int              `json:"pages"`
	Items     int              `json:"items"`
	Exchanges []exchangeReport `json:"exchanges"`
	Summary   []check.Count    `json:"summary"`
	// ListingError describes why the listing stopped early, if it did.
	ListingError string `json:"listing_error,omitempty"`
}

func (s *checkSession) writeJSON(failed error) error {
	r := contractReport{
		Conforms:  len(s.all) == 0 && failed == nil,
		Pages:     s.pages,
		Items:     s.items,
		Exchanges: s.exchanges,
		Summary:   check.Summarize(s.all),
	}
	if r.Exchanges == nil {
		r.Exchanges = []exchangeReport{}
	}
	if r.Summary == nil {
		r.Summary = []check.Count{}
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
