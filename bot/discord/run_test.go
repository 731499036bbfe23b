package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
)

// gateway serves one gateway session the way Discord does: Hello, then
// READY after Identify, then the given dispatches; heartbeats are
// acknowledged. The Identify payload is sent on identified.
func gateway(t *testing.T, identified chan<- json.RawMessage, dispatch ...[]byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("gateway upgrade: %v", err)
			return
		}
		defer c.Close()
		if err := c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}, "s": nil, "t": nil}); err != nil {
			t.Errorf("gateway hello: %v", err)
			return
		}
		seq := 0
		send := func(typ string, d []byte) {
			seq++
			msg := fmt.Sprintf(`{"op": 0, "s": %d, "t": %q, "d": %s}`, seq, typ, d)
			if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
				t.Errorf("gateway %s: %v", typ, err)
			}
		}
		for {
			var m struct {
				Op int             `json:"op"`
				D  json.RawMessage `json:"d"`
			}
			if err := c.ReadJSON(&m); err != nil {
				return
			}
			switch m.Op {
			case 1:
				c.WriteJSON(map[string]any{"op": 11})
			case 2:
				identified <- m.D
				send("READY", []byte(`{"v": 10, "user": {"id": "`+botID+`", "username": "uscebot", "bot": true, "discriminator": "4521", "avatar": null},
					"session_id": "9f2c1b7e0a3d4c5b6a7988776655aabb", "resume_gateway_url": "ws://`+r.Host+`/gateway-ws",
					"guilds": [{"id": "`+guildID+`", "unavailable": true}], "shard": [1, 2],
					"application": {"id": "`+appID+`", "flags": 8953856}, "private_channels": [], "relationships": [],
					"presences": [], "guild_join_requests": [], "geo_ordered_rtc_regions": ["us-east"], "user_settings": {},
					"session_type": "normal", "auth": {}, "_trace": ["[\"gateway-prd-us-east1-b-abcd\",{\"micros\":0}]"]}`))
				for _, d := range dispatch {
					send("INTERACTION_CREATE", d)
				}
			}
		}
	}
}

// runGated runs the bot on the fake gateway with one slash command whose
// handler waits for release; it returns once the handler has started,
// with a function that stops the bot and waits for Run.
func runGated(t *testing.T, grace time.Duration, release <-chan struct{}, logs logTap) (*harness, vars, json.RawMessage, func() error) {
	started := make(chan struct{}, 1)
	h := newHarness(t, options{
		cfg: discord.Config{ShardID: 1, ShardCount: 2, ShutdownGrace: grace, Logger: slog.New(logs)},
		wrap: func(next bot.Handler) bot.Handler {
			return func(ctx context.Context, m bot.Message) (bot.Reply, error) {
				started <- struct{}{}
				select {
				case <-release:
				case <-ctx.Done():
					return bot.Reply{}, ctx.Err()
				}
				return next(ctx, m)
			}
		},
	})
	v := h.vars(true)
	v.Type, v.Name = int(discordgo.InteractionApplicationCommand), "topics"
	identified := make(chan json.RawMessage, 1)
	h.f.ws = gateway(t, identified, payload(t, "command_guild.json", v))

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.b.Run(ctx) }()
	var id json.RawMessage
	select {
	case id = <-identified:
	case err := <-errc:
		t.Fatalf("Run returned before identifying: %v", err)
	}
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("the interaction sent on the gateway never reached the handler")
	}
	return h, v, id, func() error {
		cancel()
		return <-errc
	}
}

func TestRunServesGatewayAndDrains(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	logs := make(logTap, 100)
	h, v, identify, stop := runGated(t, time.Minute, release, logs)

	var id struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
		Shard   []int  `json:"shard"`
	}
	if err := json.Unmarshal(identify, &id); err != nil {
		t.Fatal(err)
	}
	if id.Intents != int(discordgo.IntentsDirectMessages) {
		t.Errorf("identify intents = %d, want only direct messages (%d): no privileged intent", id.Intents, discordgo.IntentsDirectMessages)
	}
	if len(id.Shard) != 2 || id.Shard[0] != 1 || id.Shard[1] != 2 {
		t.Errorf("identify shard = %v, want [1 2]", id.Shard)
	}

	// Shut down while the interaction is in flight: once the gateway is
	// closed, Run waits for it.
	done := make(chan error, 1)
	go func() { done <- stop() }()
	for msg := range logs {
		if msg == "discord: gateway disconnected" {
			break
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
	reqs := h.f.all(isCallback(v.ID))
	if len(reqs) != 1 {
		t.Fatalf("Run returned with %d responses to the in-flight interaction, want 1", len(reqs))
	}
	if r := decodeResponse(t, reqs[0]); r.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || len(r.Data.Embeds) == 0 {
		t.Errorf("in-flight /topics answered with type %d, %d embeds", r.Type, len(r.Data.Embeds))
	}
}

func TestRunShutdownIsBounded(t *testing.T) {
	t.Parallel()
	never := make(chan struct{}) // the handler finishes only when its context ends
	h, v, _, stop := runGated(t, time.Millisecond, never, make(logTap, 100))
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if n := len(h.f.all(isCallback(v.ID))); n != 0 {
		t.Errorf("%d responses after the grace ran out, want none", n)
	}
}
