package store

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// Group commit. The writes a user's message makes (Touch, SaveProfile,
// Forget, SaveUnanswered) go to one goroutine, which runs the writes
// waiting at that moment in one transaction and commits them together:
// SQLite allows one writer at a time anyway, and a commit costs about as
// much as the statements before it, so under load most of that cost is
// shared by many users. An idle store commits a write at once, alone. A
// caller still gets its answer only after the commit: nothing acknowledged
// is lost in a crash.
//
// A failing write must not fail the others. When one does (a constraint,
// a full disk), the transaction is rolled back and every write of the
// batch is run again in a transaction of its own, so each gets its own
// result and a failed one leaves nothing behind.

// maxBatch bounds the writes committed together, so that one transaction
// (and the write lock another process may be waiting for) stays short.
const maxBatch = 256

// ErrClosed means the store was closed before the write could run.
var ErrClosed = errors.New("store is closed")

// writeOp is one caller's write: run executes its statements in tx, and
// committed, if set, runs on the writer goroutine once they are committed.
type writeOp struct {
	run       func(tx *sql.Tx) error
	committed func()
	state     atomic.Int32 // opQueued, then opTaken by the writer or opAbandoned by the caller
	done      chan error   // the result, once taken; buffered
}

const (
	opQueued int32 = iota
	opTaken
	opAbandoned
)

// writeQueue holds the writes waiting for the writer goroutine.
type writeQueue struct {
	mu     sync.Mutex
	ops    []*writeOp
	closed bool
	wake   chan struct{} // capacity 1: "there may be work"
	exited chan struct{} // closed when the writer goroutine returns
}

func newWriteQueue() *writeQueue {
	return &writeQueue{wake: make(chan struct{}, 1), exited: make(chan struct{})}
}

func (q *writeQueue) push(op *writeOp) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	q.ops = append(q.ops, op)
	q.mu.Unlock()
	q.signal()
	return nil
}

func (q *writeQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// next waits for writes and returns up to maxBatch of them, oldest
// first; ok is false once the queue is closed and empty.
func (q *writeQueue) next() (batch []*writeOp, ok bool) {
	q.mu.Lock()
	for len(q.ops) == 0 {
		if q.closed {
			q.mu.Unlock()
			return nil, false
		}
		q.mu.Unlock()
		<-q.wake
		q.mu.Lock()
	}
	if len(q.ops) < maxBatch {
		// Let the goroutines ready to run go first: under load, those
		// about to write queue their writes into this batch (without the
		// yield the writer, woken by the first, commits about one write at
		// a time); on an idle store nothing else is ready and the yield
		// returns at once.
		q.mu.Unlock()
		runtime.Gosched()
		q.mu.Lock()
	}
	n := min(len(q.ops), maxBatch)
	batch = q.ops[:n:n]
	q.ops = q.ops[n:]
	if len(q.ops) == 0 {
		q.ops = nil // let the backing array go
	}
	q.mu.Unlock()
	return batch, true
}

// close stops new writes and waits for the queued ones to be run.
func (q *writeQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
	<-q.exited
}

// write runs fn in a write transaction, committed with the other writes
// waiting at the time, and returns once it is committed. fn may run twice
// (see above), each time in a new transaction; it must do nothing but
// statements in tx. Statements in fn run without ctx: a write, once
// taken, finishes (bounded by the busy timeout), and one cancelled
// before it is taken does not run. committed (may be nil) runs after the
// commit, before write returns, in the order of the commits: it keeps
// the profile cache in step with the file.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error, committed func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &writeOp{run: fn, committed: committed, done: make(chan error, 1)}
	if err := db.writes.push(op); err != nil {
		return err
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		if op.state.CompareAndSwap(opQueued, opAbandoned) {
			return ctx.Err()
		}
		return <-op.done // taken: it runs to its end
	}
}

// writeLoop is the writer goroutine.
func (db *DB) writeLoop() {
	defer close(db.writes.exited)
	for {
		batch, ok := db.writes.next()
		if !ok {
			return
		}
		taken := batch[:0]
		for _, op := range batch {
			if op.state.CompareAndSwap(opQueued, opTaken) {
				taken = append(taken, op)
			}
		}
		db.commit(taken)
	}
}

// commit runs ops in one transaction, or each in its own when that fails.
func (db *DB) commit(ops []*writeOp) {
	if len(ops) == 0 {
		return
	}
	began, err := db.inTx(func(tx *sql.Tx) error {
		for _, op := range ops {
			if err := op.run(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || !began || len(ops) == 1 {
		// Committed, or a lone write's own failure, or not even begun
		// (the file locked past the busy timeout, say), where one at a
		// time would only wait as long again for each.
		for _, op := range ops {
			op.finish(err)
		}
		return
	}
	for _, op := range ops {
		_, err := db.inTx(op.run)
		op.finish(err)
	}
}

// finish gives the caller its result, after the committed hook on success.
func (op *writeOp) finish(err error) {
	if err == nil && op.committed != nil {
		op.committed()
	}
	op.done <- err
}

// inTx runs fn in a transaction on the writer and commits it; began
// reports whether the transaction started.
func (db *DB) inTx(fn func(tx *sql.Tx) error) (began bool, err error) {
	// No caller's context: see write.
	ctx := context.Background()
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, translate(err)
	}
	if err := fn(tx); err != nil {
		// The statement's error is the one to report; SQLite may already
		// have rolled back (it does on a full disk), failing this.
		_ = tx.Rollback()
		return true, translate(err)
	}
	return true, translate(tx.Commit())
}
