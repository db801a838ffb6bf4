package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// maxBodyBytes bounds how much of a response body is read.
const maxBodyBytes = 64 << 20

// maxErrorBodyKept bounds APIError.Body.
const maxErrorBodyKept = 64 << 10

// fetch gets one page, retrying retryable failures as cfg says.
func fetch(ctx context.Context, cfg *config, p ListParams) (*Page, error) {
	var last *http.Request // the last request sent
	for attempt := 1; ; attempt++ {
		if cfg.limiter != nil {
			if err := cfg.limiter.Wait(ctx); err != nil {
				return nil, withAttempts(&RequestError{Op: "wait for the rate limiter", URL: urlOf(last), Err: err}, attempt-1)
			}
		}
		page, retryAfter, err := send(ctx, cfg, &p, attempt, &last)
		if err == nil {
			page.Cursor = p.Cursor
			return page, nil
		}
		if ctx.Err() != nil || !retryable(err) || attempt > cfg.maxRetries {
			return nil, withAttempts(err, attempt)
		}
		wait := backoff(cfg, attempt, retryAfter)
		if cfg.logger != nil {
			cfg.logger.LogAttrs(ctx, slog.LevelWarn, "postpress: retrying",
				slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", err.Error()))
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, withAttempts(&RequestError{Op: "wait to retry", URL: urlOf(last), Err: err}, attempt)
		}
	}
}

// withAttempts records on err how many attempts were made.
func withAttempts(err error, n int) error {
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case errors.As(err, &apiErr):
		apiErr.Attempts = n
	case errors.As(err, &reqErr):
		reqErr.Attempts = n
	}
	return err
}

// urlOf is the URL of req for an error; "" for no request.
func urlOf(req *http.Request) string {
	if req == nil {
		return ""
	}
	return req.URL.String()
}

// send makes one attempt through the generated client, under the attempt
// timeout, and stores the request it sent in last. It returns the page, or
// the error and the Retry-After the server asked for.
func send(ctx context.Context, cfg *config, p *ListParams, attempt int, last **http.Request) (*Page, time.Duration, error) {
	actx, cancel := context.WithTimeout(ctx, cfg.attemptTimeout)
	defer cancel()
	var req *http.Request // the request sent, once every editor passed
	start := time.Now()
	resp, err := cfg.api.ListInvitationsReceived(actx, p, func(_ context.Context, r *http.Request) error { //nolint:bodyclose // readBody closes it
		req, *last = r, r
		return nil
	})
	if req == nil {
		return nil, 0, fmt.Errorf("postpress: request not sent: %w", err)
	}
	if err != nil {
		logAttempt(ctx, cfg, req, attempt, 0, start, err)
		return nil, 0, &RequestError{Op: "send", URL: urlOf(req), Err: timedOut(ctx, actx, cfg, unwrapURLError(err))}
	}
	body, err := readBody(resp)
	logAttempt(ctx, cfg, req, attempt, resp.StatusCode, start, err)
	if err != nil {
		return nil, 0, &RequestError{Op: "read body", URL: urlOf(req), Err: timedOut(ctx, actx, cfg, err)}
	}
	if cfg.validator != nil {
		if err := cfg.validator.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil {
			return nil, 0, fmt.Errorf("%w: %w", ErrContractViolation, err)
		}
	}
	if resp.StatusCode != http.StatusOK {
		apiErr := decodeAPIError(resp.StatusCode, resp.Header, body)
		redactKey(apiErr, cfg.apiKey)
		return nil, apiErr.RetryAfter, apiErr
	}
	page, err := decodePage(body)
	if err != nil {
		return nil, 0, &RequestError{Op: "decode", URL: urlOf(req), Err: redactDecodeError(err, cfg.apiKey)}
	}
	return page, 0, nil
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

// readBody reads the whole body (at most maxBodyBytes) and closes it. When
// the server sent a Content-Length and the transport did not decompress the
// body, the buffer is sized from it. Otherwise (the transport decompressed a
// gzip body, whose Content-Length it drops since it counted gzip bytes, or
// the body was chunked) the buffer starts at the size of the last such 200
// body (bodySizeHint), so that a listing of same-sized pages reads each page
// into one buffer instead of growing it from 512 bytes as io.ReadAll does.
func readBody(resp *http.Response) ([]byte, error) {
	defer func() { _ = resp.Body.Close() }()
	n := resp.ContentLength
	sized := n > 0 && n <= maxBodyBytes && !resp.Uncompressed
	capacity := int(min(bodySizeHint.Load(), maxBodyHint)) + bodySlack
	if sized {
		capacity = int(n) + 1 // +1: room for the read that meets EOF
	}
	body, err := readAllInto(make([]byte, 0, capacity), io.LimitReader(resp.Body, maxBodyBytes+1))
	if err == nil && len(body) > maxBodyBytes {
		return nil, fmt.Errorf("body larger than %d bytes", maxBodyBytes)
	}
	if err == nil && !sized && resp.StatusCode == http.StatusOK {
		bodySizeHint.Store(int64(len(body)))
	}
	return body, err
}

// bodySizeHint is the size of the last 200 body read without a usable
// Content-Length: the first guess for the next one.
var bodySizeHint atomic.Int64

const (
	// maxBodyHint caps bodySizeHint's guess (a page of 100 invitations is
	// about 60 KB).
	maxBodyHint = 1 << 20
	// bodySlack is room past the guess, so that a body of the guessed size
	// reaches EOF without growing the buffer.
	bodySlack = 1 << 10
)

// readAllInto is io.ReadAll reading into buf (from len(buf) on), growing it
// only when full.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
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
