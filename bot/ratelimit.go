package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// FloodNotice is what a user is told when flood control skips one of
// their messages.
const FloodNotice = "You're sending messages faster than I can read them, so I skipped some. " +
	"Wait a few seconds, then send again."

// DroppedError is the error of a message that flood control skipped
// without handling it. Notify is set on the first one skipped in a flood
// (until the user's bucket is full again): a chat adapter tells the user then
// (FloodNotice) and says nothing for the rest; an interaction that must
// be answered gets the notice every time. An adapter never shows a
// skipped message as done.
type DroppedError struct {
	Notify bool
}

func (e *DroppedError) Error() string { return "skipped by flood control" }

// FloodOption configures RateLimit.
type FloodOption func(*limiter)

// FloodSleep makes RateLimit wait with sleep instead of a timer (tests
// pass a fake clock's). sleep returns early with ctx's error.
func FloodSleep(sleep func(ctx context.Context, d time.Duration) error) FloodOption {
	return func(l *limiter) { l.sleep = sleep }
}

// FloodDropped makes RateLimit tell f of every message it skips, for
// metrics (metrics.Metrics.Dropped). f must be quick.
func FloodDropped(f func(Message)) FloodOption {
	return func(l *limiter) { l.dropped = f }
}

// FloodLog makes RateLimit log every message it skips: platform, hashed
// user and command, never the text.
func FloodLog(log *slog.Logger) FloodOption {
	return func(l *limiter) { l.log = log }
}

// RateLimit is per-user flood control: a token bucket of burst messages
// refilled at burst per window, which keeps a user's replies within what
// the platforms let a bot send to one chat. A message beyond the limit
// waits its turn: a flooding user's replies come slower, in order, and
// other users' not at all (the wait holds only that user's worker, and
// no MaxConcurrent slot). Nothing the user answers is lost: a button
// press or a form's answer always waits. Only a typed message or command
// that arrived with MaxQueued of the user's messages already waiting
// (Dispatcher marks it), and whose turn comes with the bucket still
// empty, is skipped: the handler returns a *DroppedError. now is the
// clock.
func RateLimit(burst int, window time.Duration, now func() time.Time, opts ...FloodOption) Middleware {
	l := &limiter{burst: float64(burst), perSec: float64(burst) / window.Seconds(), window: window, now: now,
		users: make(map[string]*bucket), sleep: Sleep}
	for _, o := range opts {
		o(l)
	}
	return func(next Handler) Handler {
		return func(ctx context.Context, m Message) (Reply, error) {
			key := m.Platform + "\x00" + m.UserID
			droppable := m.Choice == "" && overQueued(ctx)
			for {
				wait, drop, notify := l.take(key, droppable)
				if drop {
					l.drop(ctx, m)
					return Reply{}, &DroppedError{Notify: notify}
				}
				if wait == 0 {
					return next(ctx, m)
				}
				if err := l.sleep(ctx, wait); err != nil {
					return Reply{}, err
				}
			}
		}
	}
}

type limiter struct {
	burst, perSec float64
	window        time.Duration
	now           func() time.Time
	sleep         func(context.Context, time.Duration) error
	dropped       func(Message)
	log           *slog.Logger
	mu            sync.Mutex
	users         map[string]*bucket
	lastSweep     time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
	warned bool // told of a skipped message since the bucket was last full
}

// take spends a token of key's bucket if it has one (wait 0); else it
// says how long until it will, or, for a droppable message, to drop it
// (and whether to tell the user).
func (l *limiter) take(key string, droppable bool) (wait time.Duration, drop, notify bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) > l.window {
		l.sweep(now)
	}
	b := l.users[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.users[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
	b.last = now
	if b.tokens >= l.burst {
		b.warned = false // the flood is over
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, false, false
	}
	if droppable {
		notify = !b.warned
		b.warned = true
		return 0, true, notify
	}
	// Rounded up, so the token is there when the wait is over.
	return time.Duration((1-b.tokens)/l.perSec*float64(time.Second)) + time.Millisecond, false, false
}

func (l *limiter) drop(ctx context.Context, m Message) {
	if l.dropped != nil {
		l.dropped(m)
	}
	if l.log != nil {
		l.log.WarnContext(ctx, "message skipped by flood control", "platform", m.Platform,
			"user", HashID(m.UserID), "command", commandOf(m))
	}
}

// sweep drops the buckets of users idle long enough to be full again, at
// most once a window, so the map holds only recently active users.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.users {
		if b.tokens+now.Sub(b.last).Seconds()*l.perSec >= l.burst {
			delete(l.users, k)
		}
	}
}

// Sleep waits d or until ctx is done, whichever comes first; it returns
// ctx's error when ctx ended the wait.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
