package discord

import "time"

// lockTries bounds how long Connected waits for the session's lock, one
// millisecond a try: discordgo takes it briefly for each heartbeat, and for
// the whole of a (re)connection or a close.
const lockTries = 20

// Connected reports whether the gateway session is up: identified, with
// its heartbeats acknowledged (discordgo's DataReady, cleared when the
// session closes; a missed acknowledgement closes it and reconnects).
// Interactions reach the bot only then. It never blocks on a session that
// is opening or closing, which holds the lock for as long as the network
// takes: such a session is not connected.
func (b *Bot) Connected() bool {
	for range lockTries {
		if b.s.TryRLock() {
			ready := b.s.DataReady
			b.s.RUnlock()
			return ready
		}
		time.Sleep(time.Millisecond)
	}
	return false
}
