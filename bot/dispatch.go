package bot

import (
	"context"
	"sync"
)

// Dispatcher runs a Handler for messages from any number of users: the
// messages of one user are handled one at a time in the order Dispatch was
// called, different users in parallel, and Dispatch itself never waits for
// a handler, so an adapter's receive loop is never blocked by a slow one.
type Dispatcher struct {
	handler Handler
	mu      sync.Mutex
	queues  map[string][]job // pending messages per user; present while a worker runs
	running sync.WaitGroup
}

type job struct {
	ctx     context.Context
	msg     Message
	deliver func(Reply, error)
}

// NewDispatcher returns a Dispatcher over h.
func NewDispatcher(h Handler) *Dispatcher {
	return &Dispatcher{handler: h, queues: make(map[string][]job)}
}

// Dispatch queues m behind the user's earlier messages; deliver is called
// with the handler's result on the user's worker goroutine.
func (d *Dispatcher) Dispatch(ctx context.Context, m Message, deliver func(Reply, error)) {
	key := m.Platform + "\x00" + m.UserID
	d.mu.Lock()
	defer d.mu.Unlock()
	q, active := d.queues[key]
	d.queues[key] = append(q, job{ctx, m, deliver})
	if !active {
		d.running.Add(1)
		go d.work(key)
	}
}

// work drains one user's queue and exits when it is empty.
func (d *Dispatcher) work(key string) {
	defer d.running.Done()
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
	}
}

// Wait blocks until every queued message has been handled or ctx ends.
func (d *Dispatcher) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		d.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
