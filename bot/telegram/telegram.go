// Package telegram is the Telegram adapter: it translates Telegram updates
// (messages, commands, button presses) into bot.Messages for the
// platform-neutral handler and renders its Replies as Telegram messages
// (HTML, inline keyboards, documents). It only translates: what to answer
// is the router's business.
//
// Updates come by long polling (the default, a getUpdates loop of our own)
// or by webhook. Either way Telegram is told an update was received only
// once it is handled (its reply sent), so after a crash Telegram sends
// the unhandled ones again: a late reply, not a lost one. Sending retries on 429 Too Many Requests (waiting
// retry_after), on 5xx and on network errors, within bounds; the token never
// appears in an error or a log line.
package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/uscebot/uscebot/bot"
)

// Platform is the platform name of Telegram users in the store.
const Platform = "telegram"

// Modes of receiving updates.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

const (
	// defaultPollTimeout is how long one getUpdates call waits for news.
	defaultPollTimeout = 30 * time.Second
	// defaultStuckAfter is how long a full window of updates may wait for
	// its oldest to be handled before the offset moves past it anyway: a
	// burst of a few hundred updates moves it within it, a flooding
	// user's queue (40 s at the default limit) may not.
	defaultStuckAfter = 5 * time.Second
	// defaultGrace bounds the wait for in-flight messages at shutdown.
	defaultGrace = 5 * time.Second
	// maxWebhookBody bounds one webhook request: an update is at most a
	// few kilobytes, even with a 4,096-character message.
	maxWebhookBody = 1 << 20
	// maxText bounds the text passed on: the router refuses anything
	// longer than bot.MaxMessageRunes anyway.
	maxText = 4*bot.MaxMessageRunes + 4
)

// allowedUpdates are the only updates the adapter reads.
var allowedUpdates = []string{"message", "callback_query"}

// Config configures the adapter.
type Config struct {
	Token         string        // never logged
	APIEndpoint   string        // "" = Telegram's; else "http://host:port/bot%s/%s"
	Mode          string        // "polling" (default) or "webhook"
	WebhookListen string        // e.g. "127.0.0.1:8443" (webhook mode)
	WebhookPath   string        // e.g. "/telegram"
	WebhookURL    string        // public https URL Telegram calls (webhook mode)
	WebhookSecret string        // required in webhook mode; never logged
	ShutdownGrace time.Duration // in-flight bound, default 5 s
	HTTPClient    *http.Client  // nil = one with a timeout longer than the long poll
	Logger        *slog.Logger

	// Tests set these; zero values are the production behaviour.
	sleep       func(ctx context.Context, d time.Duration) error // waits between retries
	pollTimeout time.Duration                                    // getUpdates timeout
	stuckAfter  time.Duration                                    // see defaultStuckAfter
	onListen    func(addr net.Addr)                              // called once the webhook server listens
}

// Bot is a running Telegram adapter.
type Bot struct {
	cfg      Config
	log      *slog.Logger
	handler  bot.Handler
	base     *tgbotapi.BotAPI // token, endpoint and Self; copied per request
	http     *http.Client
	username string
	sleep    func(ctx context.Context, d time.Duration) error
	pollSecs int

	ran  atomic.Bool
	work context.Context // handlers and sends; outlives Run's ctx by the grace period
	disp *bot.Dispatcher
	aux  sync.WaitGroup // sends outside the dispatcher: callback answers, deep links

	ledger *ledger // polled updates from fetch to done

	linkLimit limiter // deep links answering personal commands in groups
	// personal are the commands whose answers are about one user: in a
	// group they are moved to a private chat through a deep link.
	personal map[string]bool

	seenMu sync.Mutex // recent webhook updates, to drop redeliveries
	seen   map[int]chan struct{}
	seenQ  []int

	live liveness // when updates last came through, for Connected (health.go)
}

// tokenPattern is what a bot token looks like: the bot's id, a colon and
// a secret of URL-safe base64 characters.
var tokenPattern = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

// secretPattern is what Telegram accepts as a webhook secret token.
var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// New connects to the Bot API: getMe checks the token (an error names the
// problem in one line and never contains the token), then setMyCommands
// publishes the commands.
func New(ctx context.Context, cfg Config, h bot.Handler, commands []bot.CommandInfo) (*Bot, error) {
	// A token pasted with its line end still works; anything else that
	// is not a token is refused without being repeated, before it can
	// reach a URL (an error quoting the URL would show it).
	cfg.Token = strings.TrimSpace(cfg.Token)
	switch {
	case cfg.Token == "":
		return nil, errors.New("telegram: no bot token; set USCEBOT_TELEGRAM_TOKEN")
	case !tokenPattern.MatchString(cfg.Token):
		return nil, errors.New("telegram: the bot token is malformed (it looks like 123456:ABC-DEF1234ghIkl, with no other characters); check USCEBOT_TELEGRAM_TOKEN")
	}
	if h == nil {
		return nil, errors.New("telegram: no handler")
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = ModePolling
	case ModePolling:
	case ModeWebhook:
		switch {
		case cfg.WebhookListen == "":
			return nil, errors.New("telegram: webhook mode needs a listen address")
		case len(cfg.WebhookPath) == 0 || cfg.WebhookPath[0] != '/':
			return nil, errors.New("telegram: webhook path must start with /")
		case cfg.WebhookURL == "":
			return nil, errors.New("telegram: webhook mode needs the public webhook URL")
		case !secretPattern.MatchString(cfg.WebhookSecret):
			return nil, errors.New("telegram: webhook mode needs a secret of 1-256 characters A-Z a-z 0-9 _ -")
		}
	default:
		return nil, fmt.Errorf("telegram: unknown mode %q (polling or webhook)", cfg.Mode)
	}
	if cfg.APIEndpoint == "" {
		cfg.APIEndpoint = tgbotapi.APIEndpoint
	}
	// The library fills the endpoint with fmt.Sprintf(endpoint, token,
	// method): anything but two %s would put the token in odd places.
	if strings.Count(cfg.APIEndpoint, "%s") != 2 || strings.Count(cfg.APIEndpoint, "%") != 2 {
		return nil, fmt.Errorf("telegram: api_endpoint %q must contain %%s twice, like http://127.0.0.1:8081/bot%%s/%%s", cfg.APIEndpoint)
	}
	// Checked with a stand-in token: a URL that cannot be parsed fails
	// every request with an error quoting it, token included.
	if _, err := url.Parse(fmt.Sprintf(cfg.APIEndpoint, "0:token", "getMe")); err != nil {
		return nil, fmt.Errorf("telegram: api_endpoint %q is not a URL", cfg.APIEndpoint)
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = defaultGrace
	}
	if cfg.pollTimeout <= 0 {
		cfg.pollTimeout = defaultPollTimeout
	}
	if cfg.stuckAfter <= 0 {
		cfg.stuckAfter = defaultStuckAfter
	}
	b := &Bot{
		cfg:      cfg,
		log:      cfg.Logger,
		handler:  h,
		http:     cfg.HTTPClient,
		sleep:    cfg.sleep,
		seen:     make(map[int]chan struct{}),
		ledger:   newLedger(),
		personal: make(map[string]bool),
	}
	for _, c := range commands {
		b.personal[c.Name] = c.Personal
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.http == nil {
		b.http = &http.Client{Timeout: cfg.pollTimeout + 30*time.Second}
	}
	if b.sleep == nil {
		b.sleep = bot.Sleep
	}
	// The long poll must end before the client gives up on it.
	poll := cfg.pollTimeout
	if t := b.http.Timeout; t > 0 && poll > t-5*time.Second {
		poll = t - 5*time.Second
	}
	b.pollSecs = max(int(poll/time.Second), 1)

	var api *tgbotapi.BotAPI
	err := b.call(ctx, 0, "getMe", func(c tgbotapi.HTTPClient) error {
		var err error
		api, err = tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.APIEndpoint, c)
		return err
	})
	if err != nil {
		return nil, b.startError(err)
	}
	b.base = api
	b.username = api.Self.UserName
	b.setCommands(ctx, commands)
	b.log.Info("telegram: connected", "bot", b.username, "mode", cfg.Mode)
	return b, nil
}

// startError turns a failed getMe into one line that says what to do.
func (b *Bot) startError(err error) error {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		switch te.Code {
		case http.StatusUnauthorized:
			return b.safe(err, "telegram: the bot token was rejected (401 Unauthorized); check USCEBOT_TELEGRAM_TOKEN")
		case http.StatusNotFound:
			return b.safe(err, "telegram: getMe returned 404 Not Found; the bot token is malformed or api_endpoint is wrong")
		}
		return b.safe(err, "telegram: getMe failed: "+b.describe(err))
	}
	var ne *netError
	if errors.As(err, &ne) {
		return b.safe(err, "telegram: cannot reach the Bot API: "+b.describe(err))
	}
	return b.safe(err, "telegram: getMe failed: "+b.describe(err))
}

// commandName is what setMyCommands accepts as a command.
var commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// setCommands publishes the command menu. A failure only costs the menu,
// so it is logged, not fatal.
func (b *Bot) setCommands(ctx context.Context, commands []bot.CommandInfo) {
	list := []tgbotapi.BotCommand{} // not nil: nil is sent as null
	for _, c := range commands {
		if !commandName.MatchString(c.Name) {
			b.log.Warn("telegram: command not published: invalid name", "command", c.Name)
			continue
		}
		desc := []rune(strings.Join(strings.Fields(strings.ToValidUTF8(c.Description, "\uFFFD")), " "))
		if len(desc) > 256 {
			desc = append(desc[:255], '…')
		}
		if len(desc) < 3 {
			desc = []rune("/" + c.Name)
		}
		list = append(list, tgbotapi.BotCommand{Command: c.Name, Description: string(desc)})
	}
	err := b.call(ctx, 0, "setMyCommands", func(c tgbotapi.HTTPClient) error {
		_, err := b.api(c).Request(tgbotapi.NewSetMyCommands(list...))
		return err
	})
	if err != nil {
		b.log.Warn("telegram: setMyCommands failed; the command menu may be out of date", "error", b.describe(err))
	}
}

// Username returns the bot's username, without the @.
func (b *Bot) Username() string { return b.username }

// Run receives updates until ctx is done, then waits (at most the
// shutdown grace) for the messages in flight to be answered, and returns.
// It returns early with an error only when updates cannot be received at
// all (a revoked token, a webhook that cannot listen or be registered).
// Run must be called once.
func (b *Bot) Run(ctx context.Context) error {
	if !b.ran.CompareAndSwap(false, true) {
		return errors.New("telegram: Run called twice")
	}
	work, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	b.work = work
	b.disp = bot.NewDispatcher(b.handler)

	var err error
	if b.cfg.Mode == ModeWebhook {
		err = b.serveWebhook(ctx)
	} else {
		err = b.poll(ctx)
	}
	b.live.stop()
	b.drain(stop)
	if b.cfg.Mode != ModeWebhook && err == nil {
		// Past what was handled, in the grace period too; what was
		// abandoned is delivered again to the next process.
		b.confirm(b.ledger.offset())
	}
	if err == nil {
		b.log.Info("telegram: stopped")
	}
	return err
}

// drain waits for the messages in flight, at most the shutdown grace; then
// it cancels what is left and gives it a moment to notice.
func (b *Bot) drain(stop context.CancelFunc) {
	grace, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownGrace)
	defer cancel()
	if b.wait(grace) == nil {
		return
	}
	b.log.Warn("telegram: shutdown grace expired; abandoning messages in flight", "grace", b.cfg.ShutdownGrace)
	stop()
	last, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	_ = b.wait(last)
}

// wait waits for the dispatcher and the other sends.
func (b *Bot) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		b.aux.Wait()
		close(done)
	}()
	if err := b.disp.Wait(ctx); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// polled is one update of a getUpdates batch, read only as far as its id:
// the ones in flight or done come back with every poll.
type polled struct {
	id  int
	raw json.RawMessage
}

// While updates are in flight Telegram answers a long poll at once (with
// the unconfirmed ones), so the waits between polls are ours: when a poll
// brings nothing new, the next waits until the offset can move, at most
// stallPoll, and at least pollGap after it (a poll re-reads every update
// in flight).
const (
	stallPoll = 500 * time.Millisecond
	pollGap   = 10 * time.Millisecond
)

// poll is the getUpdates loop: the request in flight is cancelled with
// ctx, and errors wait retry_after or back off. The offset it sends never
// passes an update still being handled (see ledger); Run confirms the
// last one at shutdown.
func (b *Bot) poll(ctx context.Context) error {
	// getUpdates fails with 409 Conflict while a webhook is set.
	err := b.call(ctx, 0, "deleteWebhook", func(c tgbotapi.HTTPClient) error {
		_, err := b.api(c).Request(tgbotapi.DeleteWebhookConfig{})
		return err
	})
	if err != nil && ctx.Err() == nil {
		b.log.Warn("telegram: deleteWebhook failed", "error", b.describe(err))
	}
	b.live.mark(time.Now()) // getMe has answered: connected, until getUpdates fails for too long
	stall, gap := time.NewTimer(stallPoll), time.NewTimer(pollGap)
	defer stall.Stop()
	defer gap.Stop()
	failures := 0
	for ctx.Err() == nil {
		timeout := b.pollSecs
		if busy, _ := b.ledger.busy(); busy {
			timeout = 0 // Telegram would answer at once with the unconfirmed ones
		}
		batch, err := b.getUpdates(ctx, b.ledger.offset(), timeout, pollWindow)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if fatalPollError(err) {
				return b.safe(err, "telegram: getUpdates: "+b.describe(err))
			}
			failures++
			d, ok := retryDelay(err, failures)
			if !ok {
				// 409 Conflict (another instance polls, or a webhook
				// was set meanwhile) and the like: never a busy loop.
				d = backoff(failures)
			}
			b.log.Warn("telegram: getUpdates failed; retrying", "error", b.describe(err), "in", d)
			if b.sleep(ctx, d) != nil {
				break
			}
			continue
		}
		failures = 0
		b.live.mark(time.Now())
		fresh := 0
		for _, p := range batch {
			if !b.ledger.admit(p.id) {
				continue // in flight or done: a redelivery
			}
			fresh++
			id := p.id
			done := func() { b.ledger.finish(id) }
			u := b.read(p)
			if u == nil {
				done()
				continue
			}
			b.handleUpdate(*u, done)
		}
		if fresh > 0 {
			continue // more may have come meanwhile
		}
		if len(batch) >= pollWindow && b.ledger.stuckFor() >= b.cfg.stuckAfter {
			n := b.ledger.skipAhead()
			b.log.Warn("telegram: confirming updates still being handled, to keep reading new ones; a crash now would lose them", "in_flight", n)
			continue
		}
		// Telegram has sent all it has (or all of a window still being
		// handled). Ask again once the offset can move (usually within
		// milliseconds), so the confirmation goes with the next request,
		// or after stallPoll for news.
		busy, moved := b.ledger.busy()
		if !busy {
			continue
		}
		stall.Reset(stallPoll)
		gap.Reset(pollGap)
		select {
		case <-moved:
		case <-stall.C:
		case <-ctx.Done():
		}
		select {
		case <-gap.C:
		case <-ctx.Done():
		}
	}
	return nil
}

// fatalPollError reports whether getUpdates can never succeed: the token
// was revoked.
func fatalPollError(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && (te.Code == http.StatusUnauthorized || te.Code == http.StatusNotFound)
}

// getUpdates fetches one batch, each update read only for its id.
func (b *Bot) getUpdates(ctx context.Context, offset, timeout, limit int) ([]polled, error) {
	resp, err := b.api(b.client(ctx)).Request(tgbotapi.UpdateConfig{
		Offset: offset, Limit: limit, Timeout: timeout, AllowedUpdates: allowedUpdates,
	})
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("decode getUpdates result: %w", err)
	}
	out := make([]polled, 0, len(raws))
	for _, raw := range raws {
		out = append(out, polled{id: updateID(raw), raw: raw})
	}
	return out, nil
}

// updateIDKey starts the one field of an update read before it is known
// to be new. Inside a string a quote is escaped, so these bytes can only
// be a key, and no object in an update has a field of that name.
var updateIDKey = []byte(`"update_id":`)

// updateID reads an update's id without decoding the update: a poll
// re-reads every update still in flight, and decoding them all again was
// a tenth of the load benchmark's CPU.
func updateID(raw []byte) int {
	if i := bytes.Index(raw, updateIDKey); i >= 0 {
		rest := bytes.TrimLeft(raw[i+len(updateIDKey):], " \t\r\n")
		end := 0
		for end < len(rest) && '0' <= rest[end] && rest[end] <= '9' {
			end++
		}
		if id, err := strconv.Atoi(string(rest[:end])); err == nil {
			return id
		}
	}
	var u struct {
		UpdateID int `json:"update_id"`
	}
	_ = json.Unmarshal(raw, &u) // unreadable: read fails and says so
	return u.UpdateID
}

// read decodes a polled update, one by one, so one that this library
// version cannot read is skipped (its id still moves the offset on)
// rather than blocking the rest forever; nil means skipped.
func (b *Bot) read(p polled) *tgbotapi.Update {
	var u tgbotapi.Update
	if err := json.Unmarshal(p.raw, &u); err != nil {
		b.log.Warn("telegram: skipped an update that could not be read", "update", p.id)
		return nil
	}
	return &u
}

// confirm tells Telegram that every update before offset was handled:
// Telegram only forgets updates when a later getUpdates names a higher
// offset, and without this the last ones handled would be handled again
// after a restart.
func (b *Bot) confirm(offset int) {
	if offset == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := b.getUpdates(ctx, offset, 0, 1); err != nil {
		b.log.Warn("telegram: could not confirm the last updates; they may be delivered again", "error", b.describe(err))
	}
}

// serveWebhook serves Telegram's webhook calls on our own mux until ctx
// is done. It speaks plain HTTP: TLS ends at the proxy in front of it.
func (b *Bot) serveWebhook(ctx context.Context) error {
	ln, err := net.Listen("tcp", b.cfg.WebhookListen)
	if err != nil {
		return fmt.Errorf("telegram: webhook: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(b.cfg.WebhookPath, b.serveUpdate)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(b.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if b.cfg.onListen != nil {
		b.cfg.onListen(ln.Addr())
	}

	err = b.call(ctx, 0, "setWebhook", func(c tgbotapi.HTTPClient) error {
		allowed, _ := json.Marshal(allowedUpdates)
		// WebhookConfig has no secret_token in this library version.
		_, err := b.api(c).MakeRequest("setWebhook", tgbotapi.Params{
			"url":             b.cfg.WebhookURL,
			"secret_token":    b.cfg.WebhookSecret,
			"allowed_updates": string(allowed),
		})
		return err
	})
	if err != nil {
		_ = srv.Close()
		if ctx.Err() != nil {
			return nil
		}
		return b.safe(err, "telegram: setWebhook: "+b.describe(err))
	}
	b.log.Info("telegram: webhook registered", "listen", ln.Addr().String(), "path", b.cfg.WebhookPath)
	b.live.mark(time.Now())

	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("telegram: webhook server: %w", err)
	}
	shut, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		b.log.Warn("telegram: webhook server shutdown", "error", err)
		_ = srv.Close()
	}
	return nil
}

// serveUpdate handles one webhook call: only POSTs carrying the secret
// token Telegram was given are read.
func (b *Bot) serveUpdate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(b.cfg.WebhookSecret)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxWebhookBody)
	u, err := b.base.HandleUpdate(r)
	if err != nil {
		// It came from Telegram (it knows the secret): an update this
		// library cannot read is skipped, as in polling, because an
		// error status would only make Telegram send it again and again.
		b.log.Warn("telegram: skipped a webhook update that could not be read", "error", b.describe(err))
		w.WriteHeader(http.StatusOK)
		return
	}
	handled, first := b.delivery(u.UpdateID)
	if first {
		b.handleUpdate(*u, sync.OnceFunc(func() { close(handled) }))
	}
	// Telegram forgets an update once answered 200: like the polling
	// offset, the answer waits until the update is handled (a redelivery
	// waits for the first), so a crash means Telegram sends it again. A
	// slow one (a flooding user's queue) is acknowledged after
	// stuckAfter anyway, so as not to hold Telegram's connections.
	wait := time.NewTimer(b.cfg.stuckAfter)
	defer wait.Stop()
	select {
	case <-handled:
	case <-wait.C:
	case <-r.Context().Done():
		// The server is closing: no answer at all (a handler that just
		// returned would answer 200), so Telegram sends it again.
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(http.StatusOK)
}

// delivery returns the channel closed once webhook update id is handled,
// and whether this is its first delivery: Telegram sends an update again
// when it did not see our answer.
func (b *Bot) delivery(id int) (handled chan struct{}, first bool) {
	b.seenMu.Lock()
	defer b.seenMu.Unlock()
	if c, ok := b.seen[id]; ok {
		return c, false
	}
	c := make(chan struct{})
	b.seen[id] = c
	b.seenQ = append(b.seenQ, id)
	if len(b.seenQ) > 1024 {
		delete(b.seen, b.seenQ[0])
		b.seenQ = b.seenQ[1:]
	}
	return c, true
}

// goAux runs f on its own goroutine, counted for shutdown.
func (b *Bot) goAux(f func(ctx context.Context)) {
	b.aux.Add(1)
	go func() {
		defer b.aux.Done()
		f(b.work)
	}()
}

func chatID(id int64) string { return strconv.FormatInt(id, 10) }
