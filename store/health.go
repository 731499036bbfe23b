package store

import (
	"context"
	"fmt"
)

// Ping checks that both pools reach the database file: a reader reads the
// schema and the writer's connection is free to take. It waits for no
// longer than ctx allows, so a health check can bound it.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	// A read of the file itself: a ping alone only checks that a pooled
	// connection exists.
	if err := db.reader.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return fmt.Errorf("ping store: %w", translate(err))
	}
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", translate(err))
	}
	return nil
}
