package bot

import (
	"context"
	"sync"
	"time"

	"github.com/uscebot/uscebot/bot/rich"
)

// RateLimit is per-user flood control: a token bucket of burst messages
// refilled at burst per window. A user over the limit gets one short
// notice, then silence (empty replies) until the bucket has a token again.
// now is the clock.
func RateLimit(burst int, window time.Duration, now func() time.Time) Middleware {
	l := &limiter{burst: float64(burst), perSec: float64(burst) / window.Seconds(), window: window, now: now, users: make(map[string]*bucket)}
	return func(next Handler) Handler {
		return func(ctx context.Context, m Message) (Reply, error) {
			switch l.take(m.Platform + "\x00" + m.UserID) {
			case allowed:
				return next(ctx, m)
			case warn:
				return Reply{Text: rich.Plain("You're sending messages faster than I can keep up with; I'll skip a few. Try again in a few seconds.")}, nil
			default:
				return Reply{}, nil
			}
		}
	}
}

type verdict int

const (
	allowed verdict = iota
	warn
	silent
)

type limiter struct {
	burst, perSec float64
	window        time.Duration
	now           func() time.Time
	mu            sync.Mutex
	users         map[string]*bucket
	lastSweep     time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
	warned bool
}

func (l *limiter) take(key string) verdict {
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
	if b.tokens >= 1 {
		b.tokens--
		b.warned = false
		return allowed
	}
	if b.warned {
		return silent
	}
	b.warned = true
	return warn
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
