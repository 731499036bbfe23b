package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// Checkpoints. By default SQLite copies the WAL back into the database
// file every 1,000 pages, in the connection that commits and while it
// still holds the write lock; with synchronous=NORMAL the copy ends with a
// sync of the database file. In the load benchmark some of those commits
// took 80-170 ms, with every user's write waiting behind them. So the
// writer's automatic checkpoints are off, and a goroutine of the store
// checkpoints on a connection of its own every checkpointEvery, PASSIVE:
// it never waits for the writer, nor the writer for it.
//
// A passive checkpoint copies the WAL as it was when it began; SQLite
// rewinds the WAL only once a checkpoint has caught up with its end, which
// under writes without a pause never happens. Past maxWALPages the
// checkpointer therefore runs RESTART, which waits for the writer to be
// between transactions and rewinds the WAL: a stall like the old ones, but
// only after about 100 MB of writes without a pause.
const (
	checkpointEvery = 500 * time.Millisecond
	maxWALPages     = 25_000
)

// checkpointParams turn the writer's automatic checkpoints off, and keep
// the WAL file from staying large after a burst once it is rewound.
const checkpointParams = "_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)"

// checkpointer runs the store's checkpoints until stopped.
type checkpointer struct {
	conn     *sql.DB
	maxPages int // maxWALPages; smaller in tests
	stop     chan struct{}
	done     chan struct{}

	// wipeMu makes a wipe and the record of whether one is owed one step,
	// so that a wipe begun before a deletion committed cannot clear the
	// wipe that deletion owes.
	wipeMu   sync.Mutex
	wipeOwed bool
}

func startCheckpointer(conn *sql.DB) *checkpointer {
	c := &checkpointer{conn: conn, maxPages: maxWALPages, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// A failure (a full disk) is retried at the next tick: SQLite
		// keeps the WAL until a checkpoint succeeds, and the writes' own
		// errors are what users and the metrics see.
		if c.owed() {
			_ = c.wipe(context.Background())
		} else {
			_, _, _ = c.checkpoint(context.Background())
		}
	}
}

// checkpoint runs one checkpoint and returns the WAL's size in pages and
// how many of them are copied into the database file.
func (c *checkpointer) checkpoint(ctx context.Context) (log, copied int, err error) {
	var busy int
	err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied)
	if err == nil && log > c.maxPages {
		err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &log, &copied)
	}
	return log, copied, translate(err)
}

// wipe copies the whole WAL into the database file and truncates the WAL
// to nothing, after a deletion: the database's copy of deleted rows is
// zeroed (secure_delete), but the WAL still holds the pages as they were
// before. A truncating checkpoint holds up every writer until the readers
// of older snapshots are done, which a backup in another process can make
// seconds; so a passive checkpoint goes first, and only when it copied the
// whole WAL (no reader holds an older snapshot) is the WAL truncated.
// Otherwise the wipe is owed, and the checkpointer tries again at every
// tick until it succeeds.
func (c *checkpointer) wipe(ctx context.Context) error {
	c.wipeMu.Lock()
	defer c.wipeMu.Unlock()
	var busy int
	log, copied, err := c.checkpoint(ctx)
	switch {
	case err != nil:
	case copied < log:
		err = ErrBusy // a reader of an older snapshot: later
	default:
		err = translate(c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &copied))
		if err == nil && busy != 0 {
			err = ErrBusy
		}
	}
	c.wipeOwed = err != nil
	if err != nil {
		return fmt.Errorf("truncate the WAL: %w", err)
	}
	return nil
}

// owed reports whether a wipe is still to be done.
func (c *checkpointer) owed() bool {
	c.wipeMu.Lock()
	defer c.wipeMu.Unlock()
	return c.wipeOwed
}

// close stops the checkpoints and closes their connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
