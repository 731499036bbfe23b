package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
)

// fakeClock is a clock whose sleeps make the time pass at once.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	return nil
}

// reach moves the clock on to t, if it is not there yet: a message sent
// at t arrives then, or later if the time went by waiting.
func (c *fakeClock) reach(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.Before(t) {
		c.now = t
	}
}

// A user tapping buttons faster than the limit has every tap handled,
// slowed down to the limit's rate; at a relaxed pace nothing waits.
func TestRateLimitSlowsTapsDown(t *testing.T) {
	for _, pace := range []time.Duration{100 * time.Millisecond, 400 * time.Millisecond, 1500 * time.Millisecond} {
		t.Run(pace.String(), func(t *testing.T) {
			clock := newFakeClock()
			start := clock.Now()
			var handled []time.Time
			var dropped int
			h := bot.RateLimit(8, 10*time.Second, clock.Now, bot.FloodSleep(clock.Sleep),
				bot.FloodDropped(func(bot.Message) { dropped++ }))(func(context.Context, bot.Message) (bot.Reply, error) {
				handled = append(handled, clock.Now())
				return bot.Reply{Text: rich.Plain("ok")}, nil
			})
			for i := range 27 {
				clock.reach(start.Add(time.Duration(i) * pace))
				r, err := h(context.Background(), bot.Message{Platform: "t", UserID: "a", Choice: fmt.Sprintf("intake:step%d:yes", i)})
				if err != nil || r.Empty() {
					t.Fatalf("tap %d: %v, %v; want it handled", i+1, r, err)
				}
			}
			if len(handled) != 27 || dropped != 0 {
				t.Fatalf("%d taps handled, %d dropped; want 27 and 0", len(handled), dropped)
			}
			// Never faster than the bucket allows: 8 at once, then one
			// every 1.25 s.
			for k := 8; k < 27; k++ {
				if earliest := start.Add(time.Duration(k-7) * 1250 * time.Millisecond); handled[k].Before(earliest.Add(-time.Millisecond)) {
					t.Errorf("tap %d handled at +%v, before +%v", k+1, handled[k].Sub(start), earliest.Sub(start))
				}
			}
			if pace >= 1250*time.Millisecond && clock.slept != 0 {
				t.Errorf("at one tap every %v the taps waited %v in all; want no wait", pace, clock.slept)
			}
			if pace < 1250*time.Millisecond && clock.slept == 0 {
				t.Errorf("at one tap every %v nothing waited", pace)
			}
		})
	}
}

// floodThroughDispatcher sends n messages from one user at once through a
// Dispatcher and the rate limit (8 per 10 s), the first one held in the
// handler until all are queued, and returns what each got.
func floodThroughDispatcher(t *testing.T, n int, msg func(i int) bot.Message) (handled int, drops []*bot.DroppedError, counted int) {
	t.Helper()
	clock := newFakeClock()
	gate, entered := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	first := true
	h := bot.RateLimit(8, 10*time.Second, clock.Now, bot.FloodSleep(clock.Sleep),
		bot.FloodDropped(func(bot.Message) { mu.Lock(); counted++; mu.Unlock() }))(func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		mu.Lock()
		wait := first
		first = false
		mu.Unlock()
		if wait {
			close(entered)
			<-gate
		}
		return bot.Reply{Text: rich.Plain("ok")}, nil
	})
	d := bot.NewDispatcher(h)
	results := make(chan error, n)
	for i := range n {
		d.Dispatch(context.Background(), msg(i), func(r bot.Reply, err error) {
			if err == nil && r.Empty() {
				err = errors.New("empty reply")
			}
			results <- err
		})
		if i == 0 {
			<-entered // the rest queue behind it
		}
	}
	close(gate)
	for range n {
		err := <-results
		if de, ok := errors.AsType[*bot.DroppedError](err); ok {
			drops = append(drops, de)
		} else if err != nil {
			t.Fatalf("unexpected result: %v", err)
		} else {
			handled++
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return handled, drops, counted
}

// Fifty typed messages at once: the burst and the queue are handled,
// slowed down; what comes beyond the queue is skipped, counted, and
// the user told once.
func TestRateLimitSkipsBeyondTheQueue(t *testing.T) {
	const n = 50
	handled, drops, counted := floodThroughDispatcher(t, n, func(i int) bot.Message {
		return bot.Message{Platform: "t", UserID: "a", Text: fmt.Sprintf("message %d", i)}
	})
	// The first is being handled and MaxQueued wait behind it: the rest
	// came over the queue.
	if want := 1 + bot.MaxQueued; handled != want || len(drops) != n-want {
		t.Errorf("%d handled, %d skipped; want %d and %d", handled, len(drops), want, n-want)
	}
	if counted != len(drops) {
		t.Errorf("%d skipped messages counted, want %d", counted, len(drops))
	}
	notified := 0
	for _, d := range drops {
		if d.Notify {
			notified++
		}
	}
	if notified != 1 {
		t.Errorf("the user was told %d times, want once", notified)
	}
}

// Button presses and form answers are never skipped, however many.
func TestRateLimitNeverSkipsChoices(t *testing.T) {
	const n = 50
	handled, drops, counted := floodThroughDispatcher(t, n, func(i int) bot.Message {
		return bot.Message{Platform: "t", UserID: "a", Choice: bot.AnswerChoice("stage", fmt.Sprint(i))}
	})
	if handled != n || len(drops) != 0 || counted != 0 {
		t.Errorf("%d presses handled, %d skipped (%d counted); want all %d handled", handled, len(drops), counted, n)
	}
}

// Each user has a bucket of their own, and a message waiting for a token
// gives up when its context ends, unhandled.
func TestRateLimitPerUserAndCancel(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	calls := 0
	h := bot.RateLimit(2, 10*time.Second, func() time.Time { return now })(func(context.Context, bot.Message) (bot.Reply, error) {
		calls++
		return bot.Reply{Text: rich.Plain("ok")}, nil
	})
	for range 2 {
		if _, err := h(context.Background(), bot.Message{Platform: "t", UserID: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h(context.Background(), bot.Message{Platform: "t", UserID: "b"}); err != nil || calls != 3 {
		t.Errorf("another user: %v, %d calls; want handled at once", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h(ctx, bot.Message{Platform: "t", UserID: "a"}); !errors.Is(err, context.Canceled) || calls != 3 {
		t.Errorf("over the limit with its context ended: %v, %d calls; want context.Canceled, unhandled", err, calls)
	}
}
