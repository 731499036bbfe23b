package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// DeleteInactive deletes every user last seen before before, with
// everything they own, and returns how many users it deleted. As with
// Forget, the deleted rows are overwritten and the WAL truncated.
func (db *DB) DeleteInactive(ctx context.Context, before time.Time) (int, error) {
	// Every per-user table cascades from users, as for Forget, so one
	// statement deletes each inactive user whole or not at all.
	res, err := db.writer.ExecContext(ctx, `DELETE FROM users WHERE last_seen_at < ?`, before.Unix())
	// Even a failed statement may have been committed (a context ended
	// after it), and the deleted users are not known one by one.
	db.profiles.reset()
	if err != nil {
		return 0, fmt.Errorf("delete inactive users: %w", translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete inactive users: %w", err)
	}
	if n > 0 {
		_ = db.ckpt.wipe(ctx) // as for Forget: when it fails, it is owed
	}
	return int(n), nil
}

// Sweep deletes the users inactive for longer than retention (see
// DeleteInactive) at once and then every every, until ctx is done. A
// retention (or every) of zero or less is off: Sweep returns at once. A
// failed sweep is logged and the next tried on time; the log has counts,
// never users.
func Sweep(ctx context.Context, db *DB, retention, every time.Duration, now func() time.Time, log *slog.Logger) {
	if retention <= 0 || every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	sweep(ctx, db, retention, t.C, now, log)
}

// sweep is Sweep with the ticks given, so a test can tell them one by one.
func sweep(ctx context.Context, db *DB, retention time.Duration, tick <-chan time.Time, now func() time.Time, log *slog.Logger) {
	for {
		n, err := db.DeleteInactive(ctx, now().Add(-retention))
		switch {
		case ctx.Err() != nil:
			return // shutting down: a cancelled sweep is not a failure
		case err != nil:
			log.Error("retention sweep failed", "error", err)
		case n > 0:
			log.Info("retention sweep", "deleted", n)
		default:
			log.Debug("retention sweep", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}
