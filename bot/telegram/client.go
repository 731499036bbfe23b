package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Retry bounds: a message is tried at most maxAttempts times and waits at
// most maxTotalWait in all; then the failure is logged.
const (
	maxAttempts  = 5
	maxTotalWait = 2 * time.Minute
	firstBackoff = time.Second
	maxBackoff   = 30 * time.Second
)

// ctxClient gives the library's context-free requests a context (the
// library builds them with http.NewRequest), so a long poll in flight is
// cancelled at shutdown. It also keeps the request URL, which contains
// the token, out of its errors, and turns 5xx answers into statusErrors
// (their body may not even be JSON).
type ctxClient struct {
	ctx   context.Context
	c     *http.Client
	scrub func(string) string
}

func (c *ctxClient) Do(req *http.Request) (*http.Response, error) {
	method := path.Base(req.URL.Path)
	resp, err := c.c.Do(req.WithContext(c.ctx))
	if err != nil {
		inner := err
		var ue *url.Error
		if errors.As(err, &ue) {
			inner = ue.Err
		}
		return nil, &netError{msg: oneLine(c.scrub(method + ": " + inner.Error())), err: inner}
	}
	if resp.StatusCode >= 500 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		return nil, &statusError{method: method, code: resp.StatusCode}
	}
	return resp, nil
}

// netError is a request that got no answer. Its message has no URL.
type netError struct {
	msg string
	err error
}

func (e *netError) Error() string { return e.msg }
func (e *netError) Unwrap() error { return e.err }

// statusError is a 5xx answer: the server is having trouble.
type statusError struct {
	method string
	code   int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: %d %s", e.method, e.code, http.StatusText(e.code))
}

// client returns an HTTP client for the library whose requests end with
// ctx.
func (b *Bot) client(ctx context.Context) tgbotapi.HTTPClient {
	return &ctxClient{ctx: ctx, c: b.http, scrub: b.scrub}
}

// api returns a copy of the library's bot over the given client: the
// library keeps no other state, and one copy per request is how a request
// gets its own context.
func (b *Bot) api(c tgbotapi.HTTPClient) *tgbotapi.BotAPI {
	api := *b.base
	api.Client = c
	return &api
}

// call runs one Bot API request, retrying what can be retried: after a
// 429 it waits retry_after, after a 5xx or a network error it backs off
// exponentially; both within maxAttempts and maxTotalWait. The last error
// is returned for the caller to log.
func (b *Bot) call(ctx context.Context, chat int64, method string, f func(c tgbotapi.HTTPClient) error) error {
	waited := time.Duration(0)
	for attempt := 1; ; attempt++ {
		err := f(b.client(ctx))
		if err == nil {
			return nil
		}
		d, ok := retryDelay(err, attempt)
		if !ok || attempt >= maxAttempts || ctx.Err() != nil || waited+d > maxTotalWait {
			return err
		}
		b.log.Info("telegram: retrying", "method", method, "chat", hashChat(chat), "attempt", attempt, "in", d, "error", b.describe(err))
		if b.sleep(ctx, d) != nil {
			return err
		}
		waited += d
	}
}

// retryDelay says whether err is worth another try and after how long.
func retryDelay(err error, attempt int) (time.Duration, bool) {
	backoff := backoff(attempt)
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		switch {
		case te.RetryAfter > 0:
			// Telegram's flood control; the library leaves Code 0 on
			// uploads, so retry_after alone decides.
			return time.Duration(te.RetryAfter) * time.Second, true
		case te.Code == http.StatusTooManyRequests, te.Code >= 500:
			return backoff, true
		}
		return 0, false
	}
	var se *statusError
	var ne *netError
	if errors.As(err, &se) || errors.As(err, &ne) {
		return backoff, true
	}
	return 0, false
}

// backoff is the wait before the given attempt: 1 s, 2 s, 4 s... up to
// maxBackoff.
func backoff(attempt int) time.Duration {
	return min(firstBackoff<<(min(max(attempt, 1), 10)-1), maxBackoff)
}

// scrub removes the token from s, in every form an error may carry it:
// as is, escaped in a URL, quoted by %q (url.Error quotes its URL), and
// trimmed. It runs before anything folds white space, which would leave
// a token that ends in a line break unrecognised.
func (b *Bot) scrub(s string) string {
	tok := b.cfg.Token
	if tok == "" {
		return s
	}
	quoted := strconv.Quote(tok)
	for _, form := range []string{tok, url.PathEscape(tok), url.QueryEscape(tok), quoted[1 : len(quoted)-1], strings.TrimSpace(tok)} {
		if form != "" {
			s = strings.ReplaceAll(s, form, "<token>")
		}
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// describe says what went wrong, for a log line or an error: the status
// and the start of Telegram's description (its tail may quote the text we
// sent), never the token.
func (b *Bot) describe(err error) string {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		desc := te.Message
		// "Bad Request: can't parse entities: Unsupported start tag..."
		// keeps its first two parts.
		if parts := strings.SplitN(desc, ": ", 3); len(parts) == 3 {
			desc = parts[0] + ": " + parts[1]
		}
		if len(desc) > 120 {
			desc = desc[:120]
		}
		s := fmt.Sprintf("%d %s", te.Code, desc)
		if te.Code == 0 {
			s = desc
		}
		return oneLine(b.scrub(s))
	}
	// A url.Error names the URL, which holds the token: only what
	// happened is kept.
	var ue *url.Error
	if errors.As(err, &ue) {
		return oneLine(b.scrub(ue.Op + " request failed: " + ue.Err.Error()))
	}
	return oneLine(b.scrub(err.Error()))
}

// safeError is an error whose message was written for a person. It
// unwraps to its cause only when the cause's own message has no token.
type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.err }

func (b *Bot) safe(cause error, msg string) error {
	e := &safeError{msg: oneLine(b.scrub(msg))}
	if b.scrub(cause.Error()) == cause.Error() {
		e.err = cause
	}
	return e
}

// isParseError reports whether Telegram refused our HTML.
func isParseError(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && te.Code == http.StatusBadRequest &&
		strings.Contains(te.Message, "can't parse entities")
}

// isNotModified reports whether an edit changed nothing (a double press).
func isNotModified(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && te.Code == http.StatusBadRequest &&
		strings.Contains(te.Message, "message is not modified")
}

// migratedTo returns the supergroup a group became, if err says so.
func migratedTo(err error) int64 {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te.MigrateToChatID
	}
	return 0
}
