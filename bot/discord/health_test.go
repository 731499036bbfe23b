package discord_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/uscebot/uscebot/bot/discord"
)

// waitConnected waits until b.Connected() is want.
func waitConnected(t *testing.T, b *discord.Bot, want bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for b.Connected() != want {
		if time.Now().After(deadline) {
			t.Fatalf("Connected() stayed %v, want %v", !want, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// droppingGateway serves a first session that Discord drops when drop is
// closed, then sessions that resume once resume is closed.
func droppingGateway(t *testing.T, drop, resume <-chan struct{}) http.HandlerFunc {
	var conns atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		first := conns.Add(1) == 1
		up := websocket.Upgrader{}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("gateway upgrade: %v", err)
			return
		}
		defer c.Close()
		if err := c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}}); err != nil {
			t.Errorf("gateway hello: %v", err)
			return
		}
		if first {
			go func() {
				<-drop
				c.Close() // a network failure: no close frame
			}()
		}
		seq := 0
		send := func(typ, d string) {
			seq++
			if err := c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"op": 0, "s": %d, "t": %q, "d": %s}`, seq, typ, d)); err != nil {
				t.Logf("gateway %s: %v", typ, err)
			}
		}
		for {
			var m struct {
				Op int `json:"op"`
			}
			if err := c.ReadJSON(&m); err != nil {
				return
			}
			switch m.Op {
			case 1:
				_ = c.WriteJSON(map[string]any{"op": 11})
			case 2:
				send("READY", `{"v": 10, "user": {"id": "`+botID+`", "username": "uscebot", "bot": true, "discriminator": "4521"},
					"session_id": "9f2c1b7e0a3d4c5b6a7988776655aabb", "resume_gateway_url": "ws://`+r.Host+`/gateway-ws",
					"guilds": [], "application": {"id": "`+appID+`", "flags": 0}, "private_channels": []}`)
			case 6:
				<-resume
				send("RESUMED", `{}`)
			}
		}
	}
}

func TestConnected(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	drop, resume := make(chan struct{}), make(chan struct{})
	h.f.ws = droppingGateway(t, drop, resume)
	if h.b.Connected() {
		t.Error("Connected() before Run = true, want false")
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.b.Run(ctx) }()
	defer func() {
		cancel()
		<-errc
	}()
	waitConnected(t, h.b, true)

	// Discord drops the connection: discordgo reconnects and resumes, and
	// while its Open waits for Discord (holding the session's lock) the
	// bot is not connected, and Connected does not wait with it.
	close(drop)
	waitConnected(t, h.b, false)
	close(resume)
	waitConnected(t, h.b, true)

	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Run = %v", err)
	}
	errc <- nil // for the deferred wait
	if h.b.Connected() {
		t.Error("Connected() after Run = true, want false")
	}
}
