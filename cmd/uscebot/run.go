package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
	"github.com/uscebot/uscebot/bot/metrics"
	"github.com/uscebot/uscebot/bot/remind"
	"github.com/uscebot/uscebot/bot/telegram"
	"github.com/uscebot/uscebot/store"
)

// platform is a running chat platform adapter.
type platform interface {
	// Run serves the platform until ctx is done, then finishes the
	// messages in flight (bounded) and returns.
	Run(ctx context.Context) error
}

// Main is the whole bot process: the store, the knowledge base, the router
// and every enabled platform. A test can start the whole bot with NewMain
// and Run, and stop it by cancelling Run's context.
type Main struct {
	log       *slog.Logger
	db        *store.DB
	platforms map[string]platform
	retention time.Duration               // 0: users are kept until /forget
	reminders *remind.Scheduler           // sends the plan reminders as they fall due
	stopHTTP  func(context.Context) error // nil when [http] listen is off
	closeOnce sync.Once
	closeErr  error
}

// NewMain opens the store, loads the knowledge base and connects every
// enabled platform. A platform that fails to start (a bad token) is an
// error, and nothing is left running.
func NewMain(ctx context.Context, cfg Config, log *slog.Logger) (_ *Main, err error) {
	if !cfg.Telegram.Enabled && !cfg.Discord.Enabled {
		return nil, errors.New("no platform is enabled: set enabled = true in [telegram] or [discord] (or try uscebot console)")
	}
	kb, err := loadKnowledge(cfg.Advisor)
	if err != nil {
		return nil, err
	}
	db, err := openDB(ctx, cfg.Store.Path, "store.path")
	if err != nil {
		return nil, err
	}
	m := &Main{log: log, db: db, platforms: make(map[string]platform),
		retention: time.Duration(cfg.Store.RetentionDays) * 24 * time.Hour}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	met := metrics.New()
	router := bot.NewRouter(kb, db, time.Now)
	router.OnEvent(met.Observe)
	if cfg.Advisor.LogUnanswered {
		router.LogUnanswered(db)
	}
	// Reminders come before the adapters, which publish the commands.
	m.reminders = remind.New(remind.Config{Store: db, Compose: router.ReminderReply, Log: log,
		Observer: met, Unreachable: router.RemindersStopped})
	if err := router.EnableReminders(ctx, db, m.reminders.Wake); err != nil {
		return nil, err
	}
	handler := bot.Chain(router.Handler(log, met.Middleware(router.Commands())), admission(cfg.Bot, bot.FloodDropped(met.Dropped), bot.FloodLog(log))...)
	grace := time.Duration(cfg.Bot.ShutdownGraceSeconds) * time.Second

	if cfg.Telegram.Enabled {
		tg, err := telegram.New(ctx, telegram.Config{
			Token:         string(cfg.Telegram.Token),
			APIEndpoint:   cfg.Telegram.APIEndpoint,
			Mode:          cfg.Telegram.Mode,
			WebhookListen: cfg.Telegram.WebhookListen,
			WebhookPath:   cfg.Telegram.WebhookPath,
			WebhookURL:    cfg.Telegram.WebhookURL,
			WebhookSecret: string(cfg.Telegram.WebhookSecret),
			ShutdownGrace: grace,
			Logger:        log.With("platform", "telegram"),
		}, handler, router.Commands())
		if err != nil {
			return nil, err
		}
		log.Info("telegram connected", "bot", tg.Username())
		m.platforms["telegram"] = tg
		m.reminders.AddSender(telegram.Platform, tg, telegramRemindersPerSecond)
	}
	if cfg.Discord.Enabled {
		titles := make([]string, 0, len(kb.Topics()))
		for _, t := range kb.Topics() {
			titles = append(titles, t.Title)
		}
		dc, err := discord.New(ctx, discord.Config{
			Token:      string(cfg.Discord.Token),
			GuildIDs:   cfg.Discord.GuildIDs,
			ShardID:    cfg.Discord.ShardID,
			ShardCount: cfg.Discord.ShardCount,
			Topics:     titles,
			Rank: func(typed string) []string {
				var out []string
				for _, t := range kb.Closest(typed) {
					out = append(out, t.Title)
				}
				return out
			},
			ShutdownGrace: grace,
			Logger:        log.With("platform", "discord"),
		}, handler, router.Commands())
		if err != nil {
			return nil, err
		}
		log.Info("discord connected; invite the bot with this link", "invite", dc.InviteURL())
		m.platforms["discord"] = dc
		m.reminders.AddSender(discord.Platform, dc, discordRemindersPerSecond)
	}
	if cfg.HTTP.Listen != "" {
		addr, stop, err := startHTTP(ctx, cfg.HTTP.Listen, newHTTPServer(met, m.healthChecks(), log), log)
		if err != nil {
			return nil, err
		}
		m.stopHTTP = stop
		log.Info("serving /healthz and /metrics", "listen", addr.String())
	}
	return m, nil
}

// Run serves every platform until ctx is done. A platform that stops with
// an error is logged without stopping the others; Run returns their
// errors once all have stopped.
func (m *Main) Run(ctx context.Context) error {
	// The retention sweep (a no-op when retention is 0) and the reminders'
	// scheduler stop when the platforms do, so Run returns even if every
	// platform fails, and before Close closes the store.
	sweepCtx, stopSweep := context.WithCancel(ctx)
	var sweep sync.WaitGroup
	sweep.Go(func() { store.Sweep(sweepCtx, m.db, m.retention, 24*time.Hour, time.Now, m.log) })
	sweep.Go(func() { checkDaily(sweepCtx, m.db, m.log) })
	sweep.Go(func() { m.reminders.Run(sweepCtx) })
	defer func() { stopSweep(); sweep.Wait() }()
	var wg sync.WaitGroup
	errs := make([]error, 0, len(m.platforms))
	var mu sync.Mutex
	for name, p := range m.platforms {
		wg.Go(func() {
			if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				m.log.Error("platform stopped", "platform", name, "error", err)
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// checkDaily checks the database file (quick_check) every day until ctx is
// done: damage found while the bot runs shows in /healthz (store_check)
// and in the log, which a start would only find at the next restart.
func checkDaily(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := db.Check(ctx); err != nil && ctx.Err() == nil {
			log.Error("database check failed", "error", err)
		}
	}
}

// Close stops serving /healthz and /metrics, then closes the store; safe
// to call twice.
func (m *Main) Close() error {
	m.closeOnce.Do(func() {
		var httpErr error
		if m.stopHTTP != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			httpErr = m.stopHTTP(ctx)
			cancel()
		}
		m.closeErr = errors.Join(httpErr, m.db.Close())
	})
	return m.closeErr
}

func runRun(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	const synopsis = "uscebot run [--config FILE]"
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (usage: %s)", fs.Arg(0), synopsis)
	}
	cfg, err := LoadConfig(*cfgPath)
	if err != nil {
		return usagef("%v", err)
	}
	log := cfg.Log.Logger(stderr)
	tuneGC()
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		return err
	}
	log.Info("uscebot running; stop with Ctrl-C or SIGTERM")
	runErr := m.Run(ctx)
	log.Info("uscebot stopped")
	return errors.Join(runErr, m.Close())
}

// The pace of reminders: below the platforms' limits, so that a day when
// thousands fall due leaves room for the replies to live messages.
// Telegram allows about 30 messages a second in all; a Discord reminder
// is two requests (open the DM, send) against a global 50 a second.
const (
	telegramRemindersPerSecond = 20
	discordRemindersPerSecond  = 10
)

// admission is the middleware in front of the router on every platform:
// flood control first (a flooding user waits their turn; skips are counted
// and logged), then the bound on messages handled at once.
func admission(b BotConfig, flood ...bot.FloodOption) []bot.Middleware {
	return []bot.Middleware{
		bot.RateLimit(b.FloodMessages, time.Duration(b.FloodWindowSeconds)*time.Second, time.Now, flood...),
		bot.MaxConcurrent(b.maxConcurrent()),
	}
}

// gcPercent is the garbage collector's target (GOGC) for uscebot run,
// unless the environment sets GOGC. The bot's live heap is small, about
// 25 MB with 2,000 users in flight, and at Go's default of 100 collecting
// it took a sixth of the CPU under load; at 200 the load benchmark handles
// about 15% more messages a second, and its peak heap is about 75 MB
// instead of 50 (README, Performance).
const gcPercent = 200

// tuneGC applies gcPercent unless GOGC is set.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}
