package bot_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
)

// TestMaxConcurrent sends many messages at once through a handler that
// records how many run together: as many as the bound, never more, and
// every message is handled.
func TestMaxConcurrent(t *testing.T) {
	const limit, users = 3, 30
	var running, peak atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, users)
	h := bot.Chain(func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		started <- struct{}{}
		<-release
		running.Add(-1)
		return bot.Reply{Text: rich.Plain("ok " + m.UserID)}, nil
	}, bot.MaxConcurrent(limit))

	var wg sync.WaitGroup
	replies := make([]bot.Reply, users)
	for i := range users {
		wg.Go(func() {
			r, err := h(t.Context(), bot.Message{Platform: "telegram", UserID: strconv.Itoa(i), Chat: bot.Direct, Text: "hi"})
			if err != nil {
				t.Errorf("user %d: %v", i, err)
			}
			replies[i] = r
		})
	}
	for range limit {
		<-started
	}
	// Every handler now waits for release: a fourth could only start
	// past the bound.
	select {
	case <-started:
		t.Errorf("a message started while %d were running, past the bound", limit)
	default:
	}
	close(release)
	wg.Wait()

	if p := peak.Load(); p != limit {
		t.Errorf("at most %d ran at once, want %d", p, limit)
	}
	for i, r := range replies {
		if got, want := r.Text.String(), "ok "+strconv.Itoa(i); got != want {
			t.Errorf("user %d got %q, want %q", i, got, want)
		}
	}
}

// TestMaxConcurrentGivesUp: a message whose context ends while it waits
// for a turn gets a "try again" reply and never reaches the handler.
func TestMaxConcurrentGivesUp(t *testing.T) {
	release := make(chan struct{})
	inside := make(chan struct{})
	var calls atomic.Int32
	h := bot.Chain(func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		if calls.Add(1) == 1 {
			close(inside)
			<-release
		}
		return bot.Reply{Text: rich.Plain("ok")}, nil
	}, bot.MaxConcurrent(1))
	go h(t.Context(), bot.Message{Platform: "telegram", UserID: "1", Text: "hi"})
	<-inside

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r, err := h(ctx, bot.Message{Platform: "telegram", UserID: "2", Text: "hi"})
	close(release)
	if err != nil || r.Text.String() == "" {
		t.Errorf("a message given up while waiting = %q, %v; want a one-line reason", r.Text.String(), err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the handler ran %d times, want 1: the message given up must not reach it", n)
	}
}
