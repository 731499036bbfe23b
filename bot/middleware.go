package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/uscebot/uscebot/bot/rich"
)

// Chain applies middleware so that the first one listed is the outermost.
func Chain(h Handler, mw ...Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// Recover turns a panic in the handling of one message into a logged error
// (with the stack) and an apology to that user; other users' messages are
// not affected.
func Recover(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, m Message) (r Reply, err error) {
			defer func() {
				if p := recover(); p != nil {
					log.ErrorContext(ctx, "panic while handling a message",
						"platform", m.Platform, "user", HashID(m.UserID),
						"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					r, err = Reply{Text: rich.Plain("Sorry, something broke while I handled that message. " +
						"It has been logged; please try again or ask something else."), Failed: true}, nil
				}
			}()
			return next(ctx, m)
		}
	}
}

// ErrorReplies turns an error into the reply the user sees: an application
// error's own message, or a generic apology for an internal one (which Log,
// inside it, has already logged).
func ErrorReplies() Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, m Message) (Reply, error) {
			r, err := next(ctx, m)
			if err != nil {
				return Reply{Text: rich.Plain(ErrorMessage(err)), Failed: true}, nil
			}
			return r, nil
		}
	}
}

// Log logs one line per handled message: platform, hashed user, command,
// duration and outcome. It never logs message text.
func Log(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, m Message) (Reply, error) {
			start := time.Now()
			r, err := next(ctx, m)
			outcome := "ok"
			level := slog.LevelInfo
			switch {
			case err == nil:
			case Rejected(err):
				outcome = "rejected"
			default:
				outcome, level = "error", slog.LevelError
			}
			attrs := []any{"platform", m.Platform, "user", HashID(m.UserID), "command", commandOf(m),
				"duration", time.Since(start), "outcome", outcome}
			if level == slog.LevelError {
				attrs = append(attrs, "error", err)
			}
			log.Log(ctx, level, "message handled", attrs...)
			return r, err
		}
	}
}

// logKey is the secret of HashID. Until SetLogKey is called it is random,
// made at start: ids are then stable within one process only.
var logKey atomic.Pointer[[]byte]

func init() {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails: it ends the program instead
	logKey.Store(&key)
}

// SetLogKey sets the secret HashID keys its hashes with: the
// installation's, kept with its data (store.DB.LogKey), so that a user
// keeps one log id across restarts.
func SetLogKey(key []byte) {
	k := bytes.Clone(key)
	logKey.Store(&k)
}

// HashID returns a short hash of a platform user id, keyed with a secret
// (HMAC-SHA-256, see SetLogKey), so logs can follow one user without naming
// them. Unkeyed, a numeric id could be found again by hashing every
// possible id (the whole Telegram id space takes minutes); without the
// key, no log id can be tied to a user.
func HashID(id string) string {
	mac := hmac.New(sha256.New, *logKey.Load())
	mac.Write([]byte(id))
	return hex.EncodeToString(mac.Sum(nil)[:6])
}

// MaxConcurrent lets at most n messages be handled at once, across users
// and platforms; the others wait their turn, in arrival order (a channel
// lets its blocked senders through first in, first out). The bot's
// work is CPU and one SQLite writer: past a few handlers per core, more at
// once only makes each take longer (and holds more memory), so a message
// waits here, cheaply, rather than inside the handler. A message whose
// context ends while it waits gets a "try again" reply.
func MaxConcurrent(n int) Middleware {
	slots := make(chan struct{}, n)
	return func(next Handler) Handler {
		return func(ctx context.Context, m Message) (Reply, error) {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return Reply{Text: rich.Plain("I'm too busy to answer that just now; please send it again.")}, nil
			}
			defer func() { <-slots }()
			return next(ctx, m)
		}
	}
}
