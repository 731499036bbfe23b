package bot

import (
	"context"
	"sync"
	"time"
)

// workerIdle is how long a worker whose user has nothing more waits for
// another user's messages before it exits. Handing a user to a live worker
// keeps the stack it has grown: a new goroutine grows its own again, by
// copying, for every message (the store's SQLite calls run deep), which
// was 4% of the load benchmark's CPU.
const workerIdle = time.Second

// Dispatcher runs a Handler for messages from any number of users: the
// messages of one user are handled one at a time in the order Dispatch was
// called, different users in parallel, and Dispatch itself never waits for
// a handler, so an adapter's receive loop is never blocked by a slow one.
// A message that finds MaxQueued of its user's messages waiting is marked
// in its context, for RateLimit.
type Dispatcher struct {
	handler Handler
	mu      sync.Mutex
	queues  map[string][]job // pending messages per user; present while a worker has the user
	handoff chan string      // a user's key, to an idle worker
	pending sync.WaitGroup   // messages not yet delivered
}

type job struct {
	ctx     context.Context
	msg     Message
	deliver func(Reply, error)
}

// NewDispatcher returns a Dispatcher over h.
func NewDispatcher(h Handler) *Dispatcher {
	return &Dispatcher{handler: h, queues: make(map[string][]job), handoff: make(chan string)}
}

// MaxQueued is how many of one user's messages may wait behind the one
// being handled before a new one is marked as over the queue: RateLimit
// skips a typed message so marked if its turn comes while the user is
// still over the limit. At the default limit (8 messages per 10 s) the
// last of them waits 40 s; a person answering the intake, even pasting
// every answer at once, stays below it.
const MaxQueued = 32

type overQueuedKey struct{}

// overQueued reports whether the Dispatcher found MaxQueued of the user's
// messages waiting when this one came.
func overQueued(ctx context.Context) bool {
	v, _ := ctx.Value(overQueuedKey{}).(bool)
	return v
}

// Dispatch queues m behind the user's earlier messages; deliver is called
// with the handler's result on the user's worker goroutine.
func (d *Dispatcher) Dispatch(ctx context.Context, m Message, deliver func(Reply, error)) {
	key := m.Platform + "\x00" + m.UserID
	d.pending.Add(1)
	d.mu.Lock()
	q, active := d.queues[key]
	if len(q) >= MaxQueued {
		ctx = context.WithValue(ctx, overQueuedKey{}, true)
	}
	d.queues[key] = append(q, job{ctx, m, deliver})
	d.mu.Unlock()
	if active {
		return
	}
	// The user is ours to give to one worker: an idle one if any waits.
	select {
	case d.handoff <- key:
	default:
		go d.work(key)
	}
}

// work drains its user's queue, then waits up to workerIdle for another
// user to drain, and exits when none comes.
func (d *Dispatcher) work(key string) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		d.drain(key)
		idle.Reset(workerIdle)
		select {
		case key = <-d.handoff:
		case <-idle.C:
			return
		}
	}
}

// drain handles key's messages until its queue is empty, and gives the
// user up.
func (d *Dispatcher) drain(key string) {
	for {
		d.mu.Lock()
		q := d.queues[key]
		if len(q) == 0 {
			delete(d.queues, key)
			d.mu.Unlock()
			return
		}
		j := q[0]
		d.queues[key] = q[1:]
		d.mu.Unlock()

		r, err := d.handler(j.ctx, j.msg)
		j.deliver(r, err)
		d.pending.Done()
	}
}

// Wait blocks until every queued message has been handled or ctx ends.
func (d *Dispatcher) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		d.pending.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
