package telegram

import (
	"slices"
	"sync"
	"time"
)

// pollWindow is the most updates one getUpdates call returns: Telegram
// answers with the first pollWindow updates at or above the offset.
const pollWindow = 100

// ledger follows polled updates from fetch to done. Telegram forgets an
// update only when a getUpdates call names a higher offset, and delivers
// it again otherwise, so the offset sent is always the lowest update not
// yet done: a crash then costs a late reply, never a lost one. Updates
// are handled out of order (users in parallel), and the ones done above
// the offset come back with every poll: the ledger knows them, so each is
// handled once per process.
type ledger struct {
	mu       sync.Mutex
	next     int              // one past the highest id fetched; 0 before the first
	inflight []int            // fetched and not done, ascending
	done     map[int]struct{} // done at or above the offset, to skip redeliveries
	floor    int              // confirmed past: ids below are never handled again
	moved    chan struct{}    // closed and replaced when the offset moves
	lastMove time.Time        // since when the offset has waited for the oldest in flight
}

func newLedger() *ledger {
	return &ledger{done: make(map[int]struct{}), moved: make(chan struct{}), lastMove: time.Now()}
}

// admit reports whether id is new, and if so records it as in flight.
func (l *ledger) admit(id int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id < l.floor {
		return false
	}
	if _, ok := l.done[id]; ok {
		return false
	}
	i, found := slices.BinarySearch(l.inflight, id)
	if found {
		return false
	}
	if len(l.inflight) == 0 {
		l.lastMove = time.Now() // the offset waits from now on
	}
	l.inflight = slices.Insert(l.inflight, i, id)
	l.next = max(l.next, id+1)
	return true
}

// finish records that id is done: answered, or deliberately not.
func (l *ledger) finish(id int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, found := slices.BinarySearch(l.inflight, id)
	if !found {
		return
	}
	l.inflight = slices.Delete(l.inflight, i, i+1)
	l.done[id] = struct{}{}
	if i == 0 {
		close(l.moved)
		l.moved = make(chan struct{})
		l.lastMove = time.Now()
	}
}

// offset returns the offset to poll with: the lowest update in flight,
// or one past the last fetched when none is. Updates below it are done
// and forgotten.
func (l *ledger) offset() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	off := l.next
	if len(l.inflight) > 0 {
		off = l.inflight[0]
	}
	off = max(off, l.floor)
	for id := range l.done {
		if id < off {
			delete(l.done, id)
		}
	}
	return off
}

// busy reports whether updates are in flight, and returns a channel closed
// when the offset next moves.
func (l *ledger) busy() (bool, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.inflight) > 0, l.moved
}

// stuckFor returns how long the offset has waited for the oldest update
// in flight.
func (l *ledger) stuckFor() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Since(l.lastMove)
}

// skipAhead confirms every update fetched, even those in flight: called
// when whole windows have come back with nothing new for a while, because
// the oldest updates are still being handled (a flooding user's messages
// wait their turn). Waiting longer would keep every other user's messages
// unread; the ones skipped are still handled, but a crash before they are
// would lose them. It returns how many were in flight.
func (l *ledger) skipAhead() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.floor = l.next
	l.lastMove = time.Now()
	return len(l.inflight)
}
