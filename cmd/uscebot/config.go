package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/match"
)

// Config is the whole configuration file (see config.example.toml).
type Config struct {
	Bot      BotConfig      `toml:"bot"`
	HTTP     HTTPConfig     `toml:"http"`
	Store    StoreConfig    `toml:"store"`
	Advisor  AdvisorConfig  `toml:"advisor"`
	Discord  DiscordConfig  `toml:"discord"`
	Telegram TelegramConfig `toml:"telegram"`
	Log      LogConfig      `toml:"log"`
}

// BotConfig is the [bot] section: behaviour common to every platform.
type BotConfig struct {
	// FloodMessages per FloodWindowSeconds is each user's message rate
	// limit (a token bucket); beyond it the user waits their turn.
	FloodMessages      int `toml:"flood_messages"`
	FloodWindowSeconds int `toml:"flood_window_seconds"`
	// ShutdownGraceSeconds bounds how long shutdown waits for messages
	// being handled.
	ShutdownGraceSeconds int `toml:"shutdown_grace_seconds"`
	// MaxConcurrent is how many messages are handled at once, across users
	// and platforms; the rest wait their turn. 0 (the default) is
	// defaultConcurrentPerCPU per CPU.
	MaxConcurrent int `toml:"max_concurrent"`
}

// defaultConcurrentPerCPU sets the default of [bot] max_concurrent: enough
// handlers per core that the store's writer has writes to commit together
// while the others compute, few enough that a handler seldom waits long
// for a core. In the load benchmark 8, 16 and 32 per CPU gave about the
// same rate, with handling p99 near 6, 9 and 17 ms (README, Performance).
const defaultConcurrentPerCPU = 16

// maxConcurrent is MaxConcurrent with its default applied.
func (b BotConfig) maxConcurrent() int {
	if b.MaxConcurrent > 0 {
		return b.MaxConcurrent
	}
	return defaultConcurrentPerCPU * runtime.GOMAXPROCS(0)
}

// HTTPConfig is the [http] section: the operator's endpoints.
type HTTPConfig struct {
	// Listen serves /healthz and /metrics; "" (the default) is off.
	Listen string `toml:"listen"`
}

// StoreConfig is the [store] section.
type StoreConfig struct {
	Path string `toml:"path"`
	// RetentionDays deletes users inactive for longer, daily; 0 is off.
	RetentionDays int `toml:"retention_days"`
}

// AdvisorConfig is the [advisor] section.
type AdvisorConfig struct {
	// KnowledgeDir holds Markdown topics and out-of-scope categories that
	// add to or replace the built-in ones.
	KnowledgeDir string `toml:"knowledge_dir"`
	// Builtin serves the built-in topics and categories; false serves
	// only KnowledgeDir.
	Builtin bool `toml:"builtin"`
	// Clarify lets the bot ask which of two or three close topics was
	// meant; false makes it answer or decline every question, with the
	// thresholds learned for that.
	Clarify bool `toml:"clarify"`
	// LogUnanswered keeps the text of questions the advisor could not
	// answer, without any user id, for `uscebot unanswered`.
	LogUnanswered bool `toml:"log_unanswered"`
}

// DiscordConfig is the [discord] section.
type DiscordConfig struct {
	Enabled  bool     `toml:"enabled"`
	Token    Secret   `toml:"token"`
	GuildIDs []string `toml:"guild_ids"`
	// ShardID of ShardCount gateway sessions, for servers beyond what one
	// session serves; 0 of 1 (or 0) is a single session.
	ShardID    int `toml:"shard_id"`
	ShardCount int `toml:"shard_count"`
}

// TelegramConfig is the [telegram] section.
type TelegramConfig struct {
	Enabled     bool   `toml:"enabled"`
	Token       Secret `toml:"token"`
	APIEndpoint string `toml:"api_endpoint"`
	Mode        string `toml:"mode"`
	// Webhook mode: the address and path to serve, the public URL
	// Telegram calls, and the secret it must send back.
	WebhookListen string `toml:"webhook_listen"`
	WebhookPath   string `toml:"webhook_path"`
	WebhookURL    string `toml:"webhook_url"`
	WebhookSecret Secret `toml:"webhook_secret"`
}

// LogConfig is the [log] section.
type LogConfig struct {
	Level  string `toml:"level"`
	Format string `toml:"format"`
}

// Secret is a token: it prints as "[redacted]" in every format, so a
// config dump or a log line cannot leak it.
type Secret string

func (Secret) String() string   { return "[redacted]" }
func (Secret) GoString() string { return `"[redacted]"` }

// LogValue keeps the token out of slog output.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText keeps the token out of JSON and TOML output.
func (Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// Environment variables that override the file's tokens.
const (
	envDiscordToken  = "USCEBOT_DISCORD_TOKEN"
	envTelegramToken = "USCEBOT_TELEGRAM_TOKEN"
	envWebhookSecret = "USCEBOT_TELEGRAM_WEBHOOK_SECRET"
)

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{
		Bot:      BotConfig{FloodMessages: 8, FloodWindowSeconds: 10, ShutdownGraceSeconds: 5},
		Store:    StoreConfig{Path: "uscebot.db"},
		Advisor:  AdvisorConfig{Builtin: true, Clarify: true},
		Telegram: TelegramConfig{Mode: "polling", WebhookPath: "/telegram"},
		Log:      LogConfig{Level: "info", Format: "text"},
	}
}

// LoadConfig reads the TOML file at path over the defaults (an empty path
// means defaults only), applies the token environment variables, and
// validates the result. An unknown key is an error that names it.
func LoadConfig(path string) (Config, error) {
	cfg := Default()
	if path != "" {
		md, err := toml.DecodeFile(path, &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		if undecoded := md.Undecoded(); len(undecoded) > 0 {
			keys := make([]string, len(undecoded))
			for i, k := range undecoded {
				keys[i] = k.String()
			}
			return Config{}, fmt.Errorf("config %s: unknown key %s", path, strings.Join(keys, ", "))
		}
	}
	if v := os.Getenv(envDiscordToken); v != "" {
		cfg.Discord.Token = Secret(v)
	}
	if v := os.Getenv(envTelegramToken); v != "" {
		cfg.Telegram.Token = Secret(v)
	}
	if v := os.Getenv(envWebhookSecret); v != "" {
		cfg.Telegram.WebhookSecret = Secret(v)
	}
	// Env files and pasted values often end in a newline, CR or tab, which
	// the token would carry into every request URL (and Go's URL parser
	// into an error quoting it): trimmed here, once, before they are used.
	for _, s := range []*Secret{&cfg.Discord.Token, &cfg.Telegram.Token, &cfg.Telegram.WebhookSecret} {
		*s = Secret(strings.TrimSpace(string(*s)))
	}
	if err := cfg.Validate(); err != nil {
		if path != "" {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// Bounds of the numbers in the config: beyond them a value is a mistake
// (213504 retention days overflow a duration and wrap to minutes; a flood
// window of years silences a user for good).
const (
	maxFloodMessages  = 1000
	maxFloodWindow    = 86400 // a day, in seconds
	maxShutdownGrace  = 600   // seconds
	maxConcurrentCap  = 100_000
	maxRetentionDays  = 36500 // a hundred years
	maxDiscordShards  = 100_000
	telegramTokenHint = "want the token BotFather gave, digits, a colon and letters like 123456:ABC-DEF; check for quotes or stray characters"
)

// Validate checks every key and names the first bad one. It never quotes a
// token.
func (c Config) Validate() error {
	for _, n := range []struct {
		key           string
		value, lo, hi int
		note          string
	}{
		{"bot.flood_messages", c.Bot.FloodMessages, 1, maxFloodMessages, ""},
		{"bot.flood_window_seconds", c.Bot.FloodWindowSeconds, 1, maxFloodWindow, " (a day)"},
		{"bot.shutdown_grace_seconds", c.Bot.ShutdownGraceSeconds, 0, maxShutdownGrace, ""},
		{"bot.max_concurrent", c.Bot.MaxConcurrent, 0, maxConcurrentCap, " (0 is the default, 16 per CPU)"},
		{"store.retention_days", c.Store.RetentionDays, 0, maxRetentionDays, " (0 keeps data until /forget)"},
		{"discord.shard_count", c.Discord.ShardCount, 0, maxDiscordShards, ""},
	} {
		if n.value < n.lo || n.value > n.hi {
			return fmt.Errorf("%s: %d must be from %d to %d%s", n.key, n.value, n.lo, n.hi, n.note)
		}
	}
	if strings.TrimSpace(c.Store.Path) == "" {
		return errors.New("store.path: must not be empty")
	}
	if !c.Advisor.Builtin && strings.TrimSpace(c.Advisor.KnowledgeDir) == "" {
		return errors.New("advisor.builtin: false serves only advisor.knowledge_dir, which is empty: set the folder or builtin = true")
	}
	if d := c.Advisor.KnowledgeDir; d != "" {
		fi, err := os.Stat(d)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("advisor.knowledge_dir: %s does not exist", d)
		case err != nil:
			return fmt.Errorf("advisor.knowledge_dir: %w", err)
		case !fi.IsDir():
			return fmt.Errorf("advisor.knowledge_dir: %s is not a folder", d)
		}
	}
	if err := checkListen("http.listen", c.HTTP.Listen, "127.0.0.1:9090"); err != nil {
		return err
	}
	if c.Discord.Enabled && c.Discord.Token == "" {
		return fmt.Errorf("discord.token: required when discord is enabled (or set %s)", envDiscordToken)
	}
	// A token's shape is checked where it is used: a stray one in the
	// environment does not stop the console or ask.
	if t := strings.TrimPrefix(string(c.Discord.Token), "Bot "); c.Discord.Enabled && !tokenChars(t, ".") {
		return errors.New("discord.token: not a Discord bot token (want the letters, digits, dots, - and _ of the developer portal's token; check for quotes or stray characters)")
	}
	for _, id := range c.Discord.GuildIDs {
		if id == "" || strings.Trim(id, "0123456789") != "" {
			return fmt.Errorf("discord.guild_ids: %q is not a Discord id (digits only)", id)
		}
	}
	if c.Discord.ShardID < 0 || c.Discord.ShardID >= max(c.Discord.ShardCount, 1) {
		return fmt.Errorf("discord.shard_id: %d must be from 0 to shard_count-1 (shard_count %d)", c.Discord.ShardID, c.Discord.ShardCount)
	}
	if c.Telegram.Enabled && c.Telegram.Token == "" {
		return fmt.Errorf("telegram.token: required when telegram is enabled (or set %s)", envTelegramToken)
	}
	if t := string(c.Telegram.Token); c.Telegram.Enabled {
		id, rest, ok := strings.Cut(t, ":")
		if !ok || id == "" || strings.Trim(id, "0123456789") != "" || !tokenChars(rest, "") {
			return errors.New("telegram.token: not a Telegram bot token (" + telegramTokenHint + ")")
		}
	}
	if err := checkEndpoint(c.Telegram.APIEndpoint); err != nil {
		return err
	}
	if m := c.Telegram.Mode; m != "polling" && m != "webhook" {
		return fmt.Errorf("telegram.mode: %q must be \"polling\" or \"webhook\"", m)
	}
	if err := checkListen("telegram.webhook_listen", c.Telegram.WebhookListen, "127.0.0.1:8443"); err != nil {
		return err
	}
	if c.Telegram.Enabled && c.Telegram.Mode == "webhook" {
		switch {
		case c.Telegram.WebhookListen == "":
			return errors.New("telegram.webhook_listen: required in webhook mode, like \"127.0.0.1:8443\"")
		case !strings.HasPrefix(c.Telegram.WebhookPath, "/"):
			return fmt.Errorf("telegram.webhook_path: %q must start with /", c.Telegram.WebhookPath)
		case !strings.HasPrefix(c.Telegram.WebhookURL, "https://"):
			return errors.New("telegram.webhook_url: required in webhook mode, the public https:// URL Telegram calls")
		case len(c.Telegram.WebhookSecret) == 0 || !tokenChars(string(c.Telegram.WebhookSecret), "") || len(c.Telegram.WebhookSecret) > 256:
			return errors.New("telegram.webhook_secret: required in webhook mode, 1-256 characters of A-Z a-z 0-9 _ -")
		}
	}
	if _, err := c.Log.level(); err != nil {
		return err
	}
	if f := c.Log.Format; f != "text" && f != "json" {
		return fmt.Errorf("log.format: %q must be \"text\" or \"json\"", f)
	}
	return nil
}

// tokenChars reports whether s is 1 to 512 of A-Z a-z 0-9 _ - and the
// characters of extra: the alphabet of bot tokens and webhook secrets,
// which has no control character, space or quote.
func tokenChars(s, extra string) bool {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	return s != "" && len(s) <= 512 && strings.Trim(s, alphabet+extra) == ""
}

// checkListen checks that addr, the value of key, is empty (off) or a
// host:port to listen on, as net.Listen would take it.
func checkListen(key, addr, example string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err == nil {
		if p, perr := strconv.Atoi(port); perr != nil || p < 0 || p > 65535 {
			err = errors.New("bad port")
		}
	}
	if err == nil && host != "" && net.ParseIP(host) == nil && strings.Trim(strings.ToLower(host), "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" {
		err = errors.New("bad host")
	}
	if err != nil {
		return fmt.Errorf("%s: %q is not a host:port to listen on, like %q", key, addr, example)
	}
	return nil
}

// checkEndpoint checks telegram.api_endpoint: empty (Telegram's own) or a
// format with exactly two %s, the token and the method, and no other
// verb, making an http(s) URL.
func checkEndpoint(e string) error {
	if e == "" {
		return nil
	}
	bad := fmt.Errorf("telegram.api_endpoint: %q must be an http(s) URL with %%s twice and no other %%, like http://127.0.0.1:8081/bot%%s/%%s", e)
	if strings.Count(e, "%s") != 2 || strings.Count(e, "%") != 2 {
		return bad
	}
	u, err := url.Parse(fmt.Sprintf(e, "123:token", "getMe"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad
	}
	return nil
}

func (l LogConfig) level() (slog.Level, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(l.Level)); err != nil {
		return 0, fmt.Errorf("log.level: %q must be debug, info, warn or error", l.Level)
	}
	return lv, nil
}

// Logger returns the logger the configuration asks for, writing to w.
func (l LogConfig) Logger(w io.Writer) *slog.Logger {
	lv, _ := l.level() // checked by Validate
	opts := &slog.HandlerOptions{Level: lv}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loadKnowledge loads the knowledge base the [advisor] section serves.
func loadKnowledge(c AdvisorConfig) (*advisor.KB, error) {
	kb, err := advisor.LoadWith(c.KnowledgeDir, c.Builtin, match.Options{NoClarify: !c.Clarify})
	if err != nil {
		return nil, fmt.Errorf("load knowledge: %w", err)
	}
	return kb, nil
}
