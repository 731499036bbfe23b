// Package discord is the Discord adapter: it translates slash commands,
// autocomplete requests, button presses, select menus, modal submissions and
// direct messages into bot.Messages for the platform-neutral handler, and
// renders its Replies as Discord responses (embeds, buttons, select menus,
// modals, ephemeral messages, file attachments) within Discord's limits. It
// only translates: what to answer is the router's business.
//
// Every interaction is acknowledged within Discord's 3-second window: the
// answer itself when the handler is quick, else a deferred response and a
// follow-up. Personal replies in a server are ephemeral. The gateway asks
// only for direct-message events (no privileged intent): interactions
// arrive without any intent. Reconnects are left to discordgo. The token
// never appears in an error or a log line, nor does anything a user wrote.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/bot"
)

// Platform is the platform name of Discord users in the store.
const Platform = "discord"

const (
	// defaultDeferAfter is how long a handler may run before its
	// interaction is deferred: Discord drops an interaction left
	// unanswered for 3 s, and the answer itself needs a round trip.
	defaultDeferAfter = 2 * time.Second
	// defaultGrace bounds the wait for in-flight handling at shutdown.
	defaultGrace = 5 * time.Second
	// invitePermissions is the permissions integer of the invite link: none.
	// Interaction responses and follow-ups need no channel permission
	// (Discord grants apps Embed Links and Attach Files for them), and
	// direct messages need none either.
	invitePermissions = 0
)

// ErrTokenRejected is returned by New when Discord refuses the bot token.
var ErrTokenRejected = errors.New("discord: the bot token was rejected (401 Unauthorized); check USCEBOT_DISCORD_TOKEN")

// Config configures the adapter.
type Config struct {
	Token string // the bot token, with or without "Bot "; never logged
	// GuildIDs registers the commands in these servers (instantly) instead
	// of globally.
	GuildIDs []string
	// ShardID and ShardCount split the servers among several gateway
	// sessions; ShardCount 0 means 1.
	ShardID, ShardCount int
	// Topics are the topic titles /ask suggests as the user types.
	Topics []string
	// Rank, when set, orders titles by how well they match what is typed,
	// best first; suggestions it ranks come before the others.
	Rank          func(typed string) []string
	ShutdownGrace time.Duration // in-flight bound at shutdown, default 5 s
	Logger        *slog.Logger  // nil = slog.Default()

	// HTTPClient carries the REST calls; nil keeps discordgo's (20 s
	// timeout). Tests point it at a fake Discord.
	HTTPClient *http.Client
	// DeferAfter is how long a handler may run before the interaction is
	// deferred and answered by a follow-up; default 2 s. Keep it well
	// under Discord's 3 s.
	DeferAfter time.Duration
}

// Bot is a Discord adapter with its commands registered.
type Bot struct {
	s          *discordgo.Session
	log        *slog.Logger
	disp       *bot.Dispatcher
	appID      string
	botID      string
	topics     []string
	rank       func(string) []string
	public     map[string]bool // commands answered in the open in a server
	grace      time.Duration
	deferAfter time.Duration

	// ctx is the context of handlers and replies: it outlives Run's
	// context by the shutdown grace, so in-flight work can finish.
	ctx    context.Context
	cancel context.CancelFunc
	track  tracker
}

var (
	guildIDPattern = regexp.MustCompile(`^[0-9]{1,20}$`)
	// tokenPattern is what a token may contain: the three base64url parts
	// of a bot token, separated by dots.
	tokenPattern = regexp.MustCompile(`^[A-Za-z0-9._\-]+$`)
)

// New checks the token with Discord (GET /users/@me), looks up the
// application and registers the commands with one bulk overwrite, globally
// or in each configured server (shard 0 only: commands are the
// application's). h answers the messages; commands are the router's
// (bot.Router.Commands).
func New(ctx context.Context, cfg Config, h bot.Handler, commands []bot.CommandInfo) (*Bot, error) {
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	switch {
	case token == "":
		return nil, errors.New("discord: no bot token; set USCEBOT_DISCORD_TOKEN")
	case !tokenPattern.MatchString(token):
		return nil, errors.New("discord: the bot token is malformed (unexpected characters); check USCEBOT_DISCORD_TOKEN")
	}
	if cfg.ShardCount == 0 {
		cfg.ShardCount = 1
	}
	if cfg.ShardCount < 0 || cfg.ShardID < 0 || cfg.ShardID >= cfg.ShardCount {
		return nil, fmt.Errorf("discord: shard %d of %d is out of range (0 <= shard id < shard count)", cfg.ShardID, cfg.ShardCount)
	}
	for _, g := range cfg.GuildIDs {
		if !guildIDPattern.MatchString(g) {
			return nil, fmt.Errorf("discord: guild id %q is not a Discord id (digits only)", g)
		}
	}
	if h == nil {
		return nil, errors.New("discord: no handler")
	}
	commands = withStart(commands)

	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("discord: %s", describe(err))
	}
	if cfg.HTTPClient != nil {
		s.Client = cfg.HTTPClient
	}
	// Interactions arrive without any intent; direct messages need this
	// one, and their content is readable without the privileged Message
	// Content intent.
	s.Identify.Intents = discordgo.IntentsDirectMessages
	s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
	// Handlers run in gateway order, so Dispatch sees one user's events in
	// the order Discord sent them; they only queue work and return.
	s.SyncEvents = true
	s.StateEnabled = false // nothing here reads the cache

	me, err := s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return nil, tokenError(err)
	}
	// The application id is not always the bot user's id (older apps).
	app, err := s.Application("@me")
	if err != nil {
		return nil, fmt.Errorf("discord: look up the application: %s", describe(err))
	}

	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	b := &Bot{
		s:          s,
		log:        log,
		disp:       bot.NewDispatcher(h),
		appID:      app.ID,
		botID:      me.ID,
		topics:     cfg.Topics,
		rank:       cfg.Rank,
		public:     publicCommands(commands),
		grace:      cfg.ShutdownGrace,
		deferAfter: cfg.DeferAfter,
	}
	if b.grace <= 0 {
		b.grace = defaultGrace
	}
	if b.deferAfter <= 0 {
		b.deferAfter = defaultDeferAfter
	}
	b.ctx, b.cancel = context.WithCancel(context.WithoutCancel(ctx))

	// Commands belong to the application, not to a shard: shard 0
	// registers them for all.
	if cfg.ShardID == 0 {
		if err := b.register(ctx, commands, cfg.GuildIDs); err != nil {
			b.cancel()
			return nil, err
		}
	}

	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		b.log.Info("discord: gateway ready", "shard", cfg.ShardID, "shards", cfg.ShardCount, "guilds", len(r.Guilds))
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) {
		b.log.Info("discord: gateway connected", "shard", cfg.ShardID)
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		b.log.Info("discord: gateway disconnected", "shard", cfg.ShardID)
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		b.log.Info("discord: gateway session resumed", "shard", cfg.ShardID)
	})
	s.AddHandler(func(_ *discordgo.Session, rl *discordgo.RateLimit) {
		// rl.URL holds interaction tokens: never logged.
		if rl.TooManyRequests != nil {
			b.log.Warn("discord: rate limited; retrying", "retry_after", rl.RetryAfter)
		}
	})
	return b, nil
}

// register overwrites the application's commands, globally or per guild.
func (b *Bot) register(ctx context.Context, commands []bot.CommandInfo, guilds []string) error {
	if len(guilds) == 0 {
		cmds := buildCommands(commands, true, b.log)
		if _, err := b.s.ApplicationCommandBulkOverwrite(b.appID, "", cmds, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("discord: register the commands: %s", describe(err))
		}
		b.log.Info("discord: commands registered globally", "commands", len(cmds))
		return nil
	}
	cmds := buildCommands(commands, false, b.log)
	for _, g := range guilds {
		if _, err := b.s.ApplicationCommandBulkOverwrite(b.appID, g, cmds, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("discord: register the commands in guild %s: %s", g, describe(err))
		}
	}
	b.log.Info("discord: commands registered", "commands", len(cmds), "guilds", len(guilds))
	return nil
}

// InviteURL returns the link that adds the bot to a server.
func (b *Bot) InviteURL() string {
	return fmt.Sprintf("https://discord.com/oauth2/authorize?client_id=%s&scope=bot+applications.commands&permissions=%d",
		url.QueryEscape(b.appID), invitePermissions)
}

// Run opens the gateway and serves until ctx is done; then it closes the
// session, waits for in-flight handling (at most ShutdownGrace) and
// returns. Call it once.
func (b *Bot) Run(ctx context.Context) error {
	defer b.cancel()
	if err := ctx.Err(); err != nil {
		return nil
	}
	if err := b.s.Open(); err != nil {
		return fmt.Errorf("discord: open the gateway: %s", describe(err))
	}
	b.log.Info("discord: running", "invite", b.InviteURL())
	<-ctx.Done()

	b.log.Info("discord: shutting down")
	if err := b.s.Close(); err != nil {
		b.log.Warn("discord: close the gateway", "error", describe(err))
	}
	if n := b.track.drain(b.grace); n > 0 {
		b.log.Warn("discord: shutdown grace over; abandoning in-flight interactions", "count", n)
	}
	return nil
}

// tracker counts in-flight handling and refuses new work once draining.
type tracker struct {
	mu     sync.Mutex
	closed bool
	n      int
	idle   chan struct{} // closed when n drops to 0 while draining
}

func (t *tracker) begin() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.n++
	return true
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 && t.idle != nil {
		close(t.idle)
		t.idle = nil
	}
}

// drain refuses new work and waits up to grace for the rest; it returns
// how many were still running.
func (t *tracker) drain(grace time.Duration) int {
	t.mu.Lock()
	t.closed = true
	if t.n == 0 {
		t.mu.Unlock()
		return 0
	}
	idle := make(chan struct{})
	t.idle = idle
	t.mu.Unlock()

	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-idle:
		return 0
	case <-timer.C:
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.n
	}
}

// tokenError turns the failure of the token check into one clear line.
func tokenError(err error) error {
	if re, ok := errors.AsType[*discordgo.RESTError](err); ok && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return ErrTokenRejected
	}
	return fmt.Errorf("discord: check the bot token: %s", describe(err))
}

// describe says what went wrong with a REST call without the request's
// URL, which holds interaction tokens, or the body of what was sent.
func describe(err error) string {
	if re, ok := errors.AsType[*discordgo.RESTError](err); ok {
		s := "HTTP error"
		if re.Response != nil {
			s = "HTTP " + re.Response.Status
		}
		if re.Message != nil && (re.Message.Code != 0 || re.Message.Message != "") {
			s += fmt.Sprintf(" (Discord code %d: %s)", re.Message.Code, re.Message.Message)
		}
		return s
	}
	if rl, ok := errors.AsType[*discordgo.RateLimitError](err); ok && rl.TooManyRequests != nil {
		return "rate limited, retry after " + rl.RetryAfter.String()
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Op + " request failed: " + ue.Err.Error()
	}
	return err.Error()
}
