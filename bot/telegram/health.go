package telegram

import (
	"sync/atomic"
	"time"
)

// staleMargin is how much longer than one long poll a getUpdates may take
// before the adapter counts as disconnected: a healthy long poll answers
// within its timeout, and the HTTP client gives up 30 s after that.
const staleMargin = 30 * time.Second

// liveness is when the Bot API last showed that updates reach the adapter.
type liveness struct {
	at atomic.Int64 // unix nanoseconds; 0 while not receiving updates
}

func (l *liveness) mark(t time.Time) { l.at.Store(t.UnixNano()) }
func (l *liveness) stop()            { l.at.Store(0) }

// Connected reports whether updates reach the bot: in polling mode the
// receive loop runs and a getUpdates succeeded within one long poll and a
// margin (failures are retried meanwhile, so a brief one does not count);
// in webhook mode the webhook was registered and is being served.
func (b *Bot) Connected() bool { return b.connectedAt(time.Now()) }

func (b *Bot) connectedAt(now time.Time) bool {
	at := b.live.at.Load()
	if at == 0 {
		return false
	}
	if b.cfg.Mode == ModeWebhook {
		// Telegram calls us; silence is just a quiet hour.
		return true
	}
	return now.Sub(time.Unix(0, at)) <= time.Duration(b.pollSecs)*time.Second+staleMargin
}
