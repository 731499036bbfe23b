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
	const fileToken, envToken = "111:file-secret", "222:env-secret"
	t.Setenv(envTelegramToken, envToken)
	t.Setenv(envDiscordToken, "")
	cfg, err := LoadConfig(writeConfig(t, fmt.Sprintf("[telegram]\nenabled = true\ntoken = %q\n[discord]\nenabled = true\ntoken = %q\n", fileToken, fileToken)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != envToken {
		t.Error("the environment token does not override the file's")
	}
	if cfg.Discord.Token != fileToken {
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
