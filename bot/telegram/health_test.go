package telegram

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// waitConnected waits until b.Connected() is want.
func waitConnected(t *testing.T, b *Bot, want bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for b.Connected() != want {
		if time.Now().After(deadline) {
			t.Fatalf("Connected() stayed %v, want %v", !want, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestConnectedPolling(t *testing.T) {
	e := newEnv(t)
	cfg := e.config()
	// Failed polls wait here; each notes whether it refreshed liveness.
	var (
		mu      sync.Mutex
		atFails []int64
		b       *Bot
	)
	cfg.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		atFails = append(atFails, b.live.at.Load())
		mu.Unlock()
		return ctx.Err()
	}
	b, err := New(context.Background(), cfg, e.handler, e.router.Commands())
	if err != nil {
		t.Fatal(err)
	}
	if b.Connected() {
		t.Error("Connected() before Run = true, want false")
	}
	e.f.failNext("getUpdates", 3, apiFailure{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	// Updates flow once the conflicts are over.
	e.convo(t, ana, privateChat(ana)).say("/start")
	waitConnected(t, b, true)
	mu.Lock()
	if len(atFails) != 3 {
		t.Errorf("%d failed polls, want 3", len(atFails))
	}
	for i, at := range atFails {
		if at != atFails[0] {
			t.Errorf("failed poll %d refreshed liveness", i+1)
		}
	}
	started := atFails[0]
	mu.Unlock()
	last := b.live.at.Load()
	if last <= started {
		t.Errorf("a successful getUpdates did not refresh liveness")
	}

	// No successful poll for longer than a long poll and the margin:
	// disconnected.
	window := time.Duration(b.pollSecs)*time.Second + staleMargin
	if !b.connectedAt(time.Unix(0, last).Add(window)) {
		t.Errorf("not connected %v after the last poll, want connected", window)
	}
	if b.connectedAt(time.Unix(0, last).Add(window + time.Second)) {
		t.Errorf("connected %v after the last poll, want disconnected", window+time.Second)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	done <- nil // for the deferred wait
	if b.Connected() {
		t.Error("Connected() after Run = true, want false")
	}
}

func TestConnectedTokenRevoked(t *testing.T) {
	e := newEnv(t)
	e.f.failNext("getUpdates", 1, apiFailure{code: 401, desc: "Unauthorized"})
	r := e.start(t, e.config(), nil)
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		if err == nil {
			t.Fatal("Run = nil after the token was revoked, want an error")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run went on after the token was revoked")
	}
	if r.Connected() {
		t.Error("Connected() = true after the token was revoked, want false")
	}
}

func TestConnectedWebhook(t *testing.T) {
	e := newEnv(t)
	cfg := e.config()
	cfg.Mode = ModeWebhook
	cfg.WebhookListen = "127.0.0.1:0"
	cfg.WebhookPath = "/telegram"
	cfg.WebhookURL = "https://bot.example.org/telegram"
	cfg.WebhookSecret = "s3cret_Value-1"
	cfg.onListen = func(net.Addr) {}
	// setWebhook fails once: not connected while it is retried.
	e.f.failNext("setWebhook", 1, apiFailure{code: 429, desc: "Too Many Requests: retry after 1", retryAfter: 1})
	var (
		mu       sync.Mutex
		retrying []bool
		bt       *Bot
	)
	cfg.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		retrying = append(retrying, bt.Connected())
		mu.Unlock()
		return ctx.Err()
	}
	bt, err := New(context.Background(), cfg, e.handler, e.router.Commands())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &running{Bot: bt, cancel: cancel, done: make(chan error, 1)}
	go func() { b.done <- bt.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-b.done
	})
	e.f.waitFor(t, "setWebhook", func() bool { return e.f.webhook != nil })
	waitConnected(t, b.Bot, true)
	mu.Lock()
	if len(retrying) != 1 || retrying[0] {
		t.Errorf("Connected() while setWebhook was retried: %v, want [false]", retrying)
	}
	mu.Unlock()
	// Telegram calls when it has news: a quiet day is not a fault.
	if !b.connectedAt(time.Now().Add(24 * time.Hour)) {
		t.Error("webhook: disconnected after a day without updates, want connected")
	}
	if err := b.stop(t); err != nil {
		t.Errorf("Run = %v", err)
	}
	if b.Connected() {
		t.Error("Connected() after Run = true, want false")
	}
}
