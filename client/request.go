package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/postpress/postpress-go/gen"
)

// maxErrorBodyKept bounds APIError.Body.
const maxErrorBodyKept = 64 << 10

// fetch gets one page of op with parameters p. The generated client builds
// the request once (gen's request builder and editors: the client's
// headers, the caller's editors, the API key last) and hands it to a
// sender, which makes the attempts.
func fetch[P, T any](ctx context.Context, cfg *config, op *listOp[P, T], p P) (*Page[T], error) {
	limit := 0
	if op.limit != nil {
		limit = *op.limit(&p)
	}
	if limit <= 0 {
		limit = op.apiLimit
	}
	s := &sender{cfg: cfg, maxBody: cfg.maxBody(limit)}
	editors := append([]gen.RequestEditorFn{omitZero(&p)}, cfg.editors...)
	api := gen.Client{Server: cfg.server, Client: s, RequestEditors: editors}
	_, err := op.send(&api, ctx, &p) //nolint:bodyclose // the sender read and closed it
	if err != nil {
		if !s.sent {
			return nil, fmt.Errorf("postpress: request not sent: %w", err)
		}
		return nil, err
	}
	page, err := decodePage(op, s.body)
	if err != nil {
		return nil, &RequestError{Op: "decode", URL: s.url, Attempts: s.attempts, Err: redactDecodeError(err, cfg.apiKey)}
	}
	page.Cursor = *op.cursor(&p)
	return page, nil
}

// omitZero is the first request editor of every request, before the
// client's and the caller's: it leaves out the optional query parameters
// the caller left at their zero value, so that the editors after it see the
// URL that is sent.
func omitZero(p any) gen.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		omitZeroOptional(req.URL, p)
		return nil
	}
}

// sender is the generated client's HttpRequestDoer for one request: it
// sends it as often as the Retryer says, each attempt under the attempt
// timeout and the rate limiter, and keeps the body of the 200 that ends it.
// Every other outcome is an error: an *APIError, a *RequestError, or
// ErrContractViolation.
type sender struct {
	cfg      *config
	maxBody  int64
	sent     bool   // whether Do was called (every editor passed)
	url      string // the request's URL, for errors
	attempts int
	body     []byte // the 200's body
}

// Do makes the attempts. Its *http.Response carries no body: the sender
// keeps it.
func (s *sender) Do(req *http.Request) (*http.Response, error) {
	s.sent, s.url = true, req.URL.String()
	ctx, cfg, retryer := req.Context(), s.cfg, retryerOf(s.cfg)
	var prev error // the failure of the attempt before
	for attempt := 1; ; attempt++ {
		s.attempts = attempt
		if cfg.limiter != nil {
			if err := cfg.limiter.Wait(ctx); err != nil {
				return nil, &RequestError{Op: "wait for the rate limiter", URL: s.url, Attempts: attempt - 1, Err: err}
			}
		}
		resp, err := s.attempt(ctx, req, attempt)
		if err == nil {
			retryer.Succeeded(attempt, prev)
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		wait, final := retryer.Retry(attempt, err)
		if final != nil {
			return nil, final
		}
		if cfg.logger != nil {
			cfg.logger.LogAttrs(ctx, slog.LevelWarn, "postpress: retrying",
				slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", err.Error()))
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, &RequestError{Op: "wait to retry", URL: s.url, Attempts: attempt, Err: err}
		}
		prev = err
	}
}

// attempt sends req once under the attempt timeout and reads at most
// maxBody bytes of the body.
func (s *sender) attempt(ctx context.Context, req *http.Request, attempt int) (*http.Response, error) {
	cfg := s.cfg
	actx, cancel := context.WithTimeout(ctx, cfg.attemptTimeout)
	defer cancel()
	start := time.Now()
	resp, err := cfg.httpClient.Do(req.WithContext(actx))
	if err != nil {
		logAttempt(ctx, cfg, req, attempt, 0, start, err)
		return nil, &RequestError{Op: "send", URL: s.url, Attempts: attempt, Err: timedOut(ctx, actx, cfg, unwrapURLError(err))}
	}
	body, err := readBody(resp, s.maxBody)
	logAttempt(ctx, cfg, req, attempt, resp.StatusCode, start, err)
	if err != nil {
		return nil, &RequestError{Op: "read body", URL: s.url, Attempts: attempt, Err: timedOut(ctx, actx, cfg, err)}
	}
	if cfg.validator != nil {
		if err := cfg.validator.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrContractViolation, err)
		}
	}
	if resp.StatusCode != http.StatusOK {
		apiErr := decodeAPIError(resp.StatusCode, resp.Header, body)
		apiErr.Attempts = attempt
		redactKey(apiErr, cfg.apiKey)
		return nil, apiErr
	}
	s.body = body
	resp.Body = http.NoBody
	return resp, nil
}

// timedOut names the per-attempt timeout in err when that timeout, and not
// the caller's ctx, ended the attempt actx. The result still matches
// context.DeadlineExceeded with errors.Is (WithAttemptTimeout sets it).
func timedOut(ctx, actx context.Context, cfg *config, err error) error {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("attempt timed out after %v: %w", cfg.attemptTimeout, err)
	}
	return err
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the
// method and URL that RequestError already gives.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// logAttempt writes the debug record of one attempt. The URL carries no
// secret (the key travels in a header, never logged).
func logAttempt(ctx context.Context, cfg *config, req *http.Request, attempt, status int, start time.Time, err error) {
	if cfg.logger == nil || !cfg.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", req.URL.Redacted()),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.Int("attempt", attempt),
		slog.Any("api_key", cfg.apiKey),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	cfg.logger.LogAttrs(ctx, slog.LevelDebug, "postpress: request", attrs...)
}
