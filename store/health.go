package store

import (
	"context"
	"fmt"
)

// Ping checks that the store can read and write its file: a reader reads
// the schema, and the writer begins a write, changes a row and rolls it
// back, which fails when the file or the file system is read-only (SQLite
// opens a file it may not write read-only, and only its writes fail). It
// waits for no longer than ctx allows, so a health check can bound it.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	// A read of the file itself: a ping alone only checks that a pooled
	// connection exists.
	if err := db.reader.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return fmt.Errorf("ping store: %w", translate(err))
	}
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("ping store: %w", translate(err))
	}
	defer tx.Rollback() // never committed: nothing reaches the file
	if _, err := tx.ExecContext(ctx, `UPDATE installation SET value = value WHERE name = 'log_key'`); err != nil {
		return fmt.Errorf("ping store: cannot write: %w", translate(err))
	}
	return nil
}
