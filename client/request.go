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

// fetch gets one page, retrying failures as cfg's Retryer says.
func fetch(ctx context.Context, cfg *config, p ListParams) (*Page, error) {
	var last *http.Request // the last request sent
	retryer, maxBody := retryerOf(cfg), cfg.maxBody(p.Limit)
	release := retryer.GetInitialToken()
	for attempt := 1; ; attempt++ {
		if cfg.limiter != nil {
			if err := cfg.limiter.Wait(ctx); err != nil {
				return nil, &RequestError{Op: "wait for the rate limiter", URL: urlOf(last), Attempts: attempt - 1, Err: err}
			}
		}
		page, err := send(ctx, cfg, &p, attempt, &last, maxBody)
		_ = release(err)
		if err == nil {
			page.Cursor = p.Cursor
			return page, nil
		}
		if ctx.Err() != nil || !retryer.IsErrorRetryable(err) || attempt >= retryer.MaxAttempts() {
			return nil, err
		}
		var why error
		if release, why = retryer.GetRetryToken(ctx, err); why != nil {
			return nil, noRetry(err, why)
		}
		wait, why := retryer.RetryDelay(attempt, err)
		if why != nil {
			return nil, noRetry(err, why)
		}
		if cfg.logger != nil {
			cfg.logger.LogAttrs(ctx, slog.LevelWarn, "postpress: retrying",
				slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", err.Error()))
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, &RequestError{Op: "wait to retry", URL: urlOf(last), Attempts: attempt, Err: err}
		}
	}
}

// urlOf is the URL of req for an error; "" for no request.
func urlOf(req *http.Request) string {
	if req == nil {
		return ""
	}
	return req.URL.String()
}

// send makes one attempt through the generated client, under the attempt
// timeout, reading at most maxBody bytes of the body, and stores the
// request it sent in last. It returns the page or the error, which counts
// the attempts made (attempt, the number of this one).
func send(ctx context.Context, cfg *config, p *ListParams, attempt int, last **http.Request, maxBody int64) (*Page, error) {
	actx, cancel := context.WithTimeout(ctx, cfg.attemptTimeout)
	defer cancel()
	var req *http.Request // the request sent, once every editor passed
	start := time.Now()
	// The generated client sends an optional plain-valued parameter even
	// when zero: the first editor, before the client's and the caller's,
	// takes those out.
	api := *cfg.api
	api.RequestEditors = append([]gen.RequestEditorFn{func(_ context.Context, r *http.Request) error {
		omitZeroOptional(r.URL, p)
		return nil
	}}, cfg.api.RequestEditors...)
	resp, err := api.ListInvitationsReceived(actx, p, func(_ context.Context, r *http.Request) error { //nolint:bodyclose // readBody closes it
		req, *last = r, r
		return nil
	})
	if req == nil {
		return nil, fmt.Errorf("postpress: request not sent: %w", err)
	}
	if err != nil {
		logAttempt(ctx, cfg, req, attempt, 0, start, err)
		return nil, &RequestError{Op: "send", URL: urlOf(req), Attempts: attempt, Err: timedOut(ctx, actx, cfg, unwrapURLError(err))}
	}
	body, err := readBody(resp, maxBody)
	logAttempt(ctx, cfg, req, attempt, resp.StatusCode, start, err)
	if err != nil {
		return nil, &RequestError{Op: "read body", URL: urlOf(req), Attempts: attempt, Err: timedOut(ctx, actx, cfg, err)}
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
	page, err := decodePage(body)
	if err != nil {
		return nil, &RequestError{Op: "decode", URL: urlOf(req), Attempts: attempt, Err: redactDecodeError(err, cfg.apiKey)}
	}
	return page, nil
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
