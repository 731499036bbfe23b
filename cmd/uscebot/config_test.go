package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Default(), cfg); diff != "" {
		t.Errorf("config.example.toml differs from the defaults (-want +got):\n%s", diff)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"unknown key", "[store]\npathh = \"x\"\n", "store.pathh"},
		{"unknown section", "[stor]\npath = \"x\"\n", "stor"},
		{"empty path", "[store]\npath = \"\"\n", "store.path"},
		{"negative concurrency", "[bot]\nmax_concurrent = -1\n", "bot.max_concurrent"},
		{"builtin off without a folder", "[advisor]\nbuiltin = false\n", "advisor.builtin"},
		{"bad level", "[log]\nlevel = \"loud\"\n", "log.level"},
		{"bad format", "[log]\nformat = \"xml\"\n", "log.format"},
		{"bad mode", "[telegram]\nmode = \"push\"\n", "telegram.mode"},
		{"bad endpoint", "[telegram]\napi_endpoint = \"http://x/bot\"\n", "telegram.api_endpoint"},
		{"bad guild", "[discord]\nguild_ids = [\"abc\"]\n", "discord.guild_ids"},
		{"shard beyond count", "[discord]\nshard_id = 2\nshard_count = 2\n", "discord.shard_id"},
		{"negative shard", "[discord]\nshard_id = -1\n", "discord.shard_id"},
		{"enabled without token", "[telegram]\nenabled = true\n", "telegram.token"},
		{"wrong type", "[discord]\nenabled = \"yes\"\n", "enabled"},
		// Every number is bounded (issue 12: 213504 retention days wrapped
		// to 25 minutes; a flood window of centuries silenced users).
		{"retention beyond bounds", "[store]\nretention_days = 213504\n", "store.retention_days"},
		{"negative retention", "[store]\nretention_days = -1\n", "store.retention_days"},
		{"flood window beyond bounds", "[bot]\nflood_window_seconds = 9300000000\n", "bot.flood_window_seconds"},
		{"flood messages beyond bounds", "[bot]\nflood_messages = 1000000\n", "bot.flood_messages"},
		{"zero flood messages", "[bot]\nflood_messages = 0\n", "bot.flood_messages"},
		{"grace beyond bounds", "[bot]\nshutdown_grace_seconds = 100000\n", "bot.shutdown_grace_seconds"},
		{"concurrency beyond bounds", "[bot]\nmax_concurrent = 10000000\n", "bot.max_concurrent"},
		{"shards beyond bounds", "[discord]\nshard_count = 10000000\n", "discord.shard_count"},
		{"webhook_listen not an address", "[telegram]\nwebhook_listen = \"not an address\"\n", "telegram.webhook_listen"},
		{"webhook_listen bad host", "[telegram]\nwebhook_listen = \"not an address:8443\"\n", "telegram.webhook_listen"},
		{"webhook_listen bad port", "[telegram]\nwebhook_listen = \"127.0.0.1:99999\"\n", "telegram.webhook_listen"},
		{"http.listen bad port", "[http]\nlisten = \"127.0.0.1:http-alt\"\n", "http.listen"},
		{"endpoint with an extra verb", "[telegram]\napi_endpoint = \"http://x/bot%s/%s/%d\"\n", "telegram.api_endpoint"},
		{"endpoint with another verb", "[telegram]\napi_endpoint = \"http://x/bot%s/%v\"\n", "telegram.api_endpoint"},
		{"endpoint not http", "[telegram]\napi_endpoint = \"ftp://x/bot%s/%s\"\n", "telegram.api_endpoint"},
		{"endpoint without host", "[telegram]\napi_endpoint = \"/bot%s/%s\"\n", "telegram.api_endpoint"},
		{"missing knowledge_dir", "[advisor]\nknowledge_dir = \"/no/such/folder\"\n", "advisor.knowledge_dir: /no/such/folder does not exist"},
		{"not toml", "[store\n", "config"},
	}
	t.Setenv(envTelegramToken, "")
	t.Setenv(envDiscordToken, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tt.content))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestTokensFromEnvironmentAndNeverPrinted(t *testing.T) {
	const fileToken, envToken, discordToken = "111:file-secret", "222:env-secret", "MTEx.file-secret.Gx"
	t.Setenv(envTelegramToken, envToken)
	t.Setenv(envDiscordToken, "")
	cfg, err := LoadConfig(writeConfig(t, fmt.Sprintf("[telegram]\nenabled = true\ntoken = %q\n[discord]\nenabled = true\ntoken = %q\n", fileToken, discordToken)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != envToken {
		t.Error("the environment token does not override the file's")
	}
	if cfg.Discord.Token != discordToken {
		t.Error("the file's token is lost when the environment has none")
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", cfg, "token", cfg.Telegram.Token)
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, dump := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), string(js), logged.String()} {
		if strings.Contains(dump, "secret") {
			t.Errorf("a token leaks in %q", dump)
		}
	}
}

// TestConfigBoundsAccepted: the largest values in bounds load.
func TestConfigBoundsAccepted(t *testing.T) {
	t.Setenv(envTelegramToken, "")
	t.Setenv(envDiscordToken, "")
	_, err := LoadConfig(writeConfig(t, fmt.Sprintf(`[bot]
flood_messages = %d
flood_window_seconds = %d
shutdown_grace_seconds = %d
max_concurrent = %d
[store]
retention_days = %d
[http]
listen = "localhost:0"
[telegram]
webhook_listen = "[::1]:8443"
api_endpoint = "https://api.example.org/bot%%s/%%s"
`, maxFloodMessages, maxFloodWindow, maxShutdownGrace, maxConcurrentCap, maxRetentionDays)))
	if err != nil {
		t.Errorf("LoadConfig at the bounds: %v", err)
	}
}

// TestTokensTrimmedAndChecked: tokens from an env file or a config often
// end in a newline, CR or tab; they are trimmed. A control character
// inside is an error naming the key, never quoting the token, when the
// platform is enabled.
func TestTokensTrimmedAndChecked(t *testing.T) {
	const tg, dc = "123456:ABC-secret_tok", "MTEx.Gsecret.tok-en_x"
	for _, c := range []string{"\n", "\r", "\t", "\r\n", " "} {
		t.Run(fmt.Sprintf("trailing %q", c), func(t *testing.T) {
			t.Setenv(envTelegramToken, tg+c)
			t.Setenv(envDiscordToken, c+dc+c)
			cfg, err := LoadConfig(writeConfig(t, "[telegram]\nenabled = true\n[discord]\nenabled = true\n"))
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if cfg.Telegram.Token != tg || cfg.Discord.Token != dc {
				t.Errorf("tokens not trimmed of %q", c)
			}
			// The same from the file.
			t.Setenv(envTelegramToken, "")
			t.Setenv(envDiscordToken, "")
			cfg, err = LoadConfig(writeConfig(t, fmt.Sprintf("[telegram]\nenabled = true\ntoken = %q\n[discord]\nenabled = true\ntoken = %q\n", tg+c, dc+c)))
			if err != nil {
				t.Fatalf("LoadConfig from the file: %v", err)
			}
			if cfg.Telegram.Token != tg || cfg.Discord.Token != dc {
				t.Errorf("tokens in the file not trimmed of %q", c)
			}
		})
	}
	// Every control character (but NUL, which no environment variable
	// holds), and a few others no token has.
	inner := []string{"\x7f", " ", "\"", "\u202e"}
	for r := rune(1); r < 0x20; r++ {
		inner = append(inner, string(r))
	}
	for _, c := range inner {
		t.Run(fmt.Sprintf("inner %q", c), func(t *testing.T) {
			for _, k := range []struct{ env, key, token, other string }{
				{envTelegramToken, "telegram.token", "123456:ABC" + c + "secret", envDiscordToken},
				{envDiscordToken, "discord.token", "MTEx.G" + c + "secret", envTelegramToken},
			} {
				t.Setenv(k.env, k.token)
				t.Setenv(k.other, "")
				section, _, _ := strings.Cut(k.key, ".")
				_, err := LoadConfig(writeConfig(t, "["+section+"]\nenabled = true\n"))
				if err == nil || !strings.Contains(err.Error(), k.key) || strings.Contains(err.Error(), "secret") {
					t.Errorf("%s with %q inside: error %v, want one naming %s without the token", k.env, c, err, k.key)
				}
			}
		})
	}
}

// TestUnusedTokenNotChecked: a bad token of a disabled platform (a shared
// env file) does not stop the console or ask.
func TestUnusedTokenNotChecked(t *testing.T) {
	t.Setenv(envTelegramToken, "123456:ABC\x1bsecret")
	t.Setenv(envDiscordToken, "MTEx \"secret")
	if _, err := LoadConfig(""); err != nil {
		t.Errorf("LoadConfig with both platforms off: %v", err)
	}
}
