package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema changes, NNNN_name.sql, numbered from 0001
// without gaps. A file, once released, is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the embedded migrations in order. Their names are
// checked here rather than trusted, since a gap or a duplicate number would
// silently skip or repeat a schema change.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	// ReadDir sorts by name, and the four-digit prefix makes that numeric order.
	ms := make([]migration, 0, len(entries))
	for i, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 || v != i+1 {
			return nil, fmt.Errorf("migration %s: want a name starting %04d_", e.Name(), i+1)
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	return ms, nil
}

// migrate applies the migrations the database does not have yet, each in its
// own transaction.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	for _, m := range ms {
		if err := apply(ctx, db, m, len(ms)); err != nil {
			return err
		}
	}
	return nil
}

// apply runs m unless the database already has it. The version is read inside
// the (immediate) transaction, so two processes opening the same new file
// cannot both apply m. A database newer than latest is refused before anything
// is written.
func apply(ctx context.Context, db *sql.DB, m migration, latest int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", translate(err))
	}
	defer tx.Rollback() // a no-op once committed

	// Creating the table is a no-op on any database that has one, so it leaves
	// a too-new file untouched.
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("migrate: create schema_version: %w", translate(err))
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", translate(err))
	}
	if current > latest {
		return fmt.Errorf("%w: database is at version %d, this build knows up to %d", ErrSchemaTooNew, current, latest)
	}
	if current >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migrate: apply %s: %w", m.name, translate(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`,
		m.version, time.Now().Unix()); err != nil {
		return fmt.Errorf("migrate: record %s: %w", m.name, translate(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit %s: %w", m.name, translate(err))
	}
	return nil
}

// schemaVersion returns the database's schema version, 0 for a new file.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	if err != nil {
		var n int
		// No table (a new file) is version 0; any other failure is one.
		if cerr := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'schema_version'`).Scan(&n); cerr == nil && n == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("read schema version: %w", translate(err))
	}
	return v, nil
}

// secureSince is the first schema version whose builds write with
// secure_delete on. An older database may keep copies of deleted and
// rewritten rows in its free space, which scrub removes once, on upgrade.
const secureSince = 4

// scrub rebuilds the database file without its free space (VACUUM) and
// truncates the WAL that held the rebuild.
func scrub(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("scrub free space: %w", translate(err))
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("scrub free space: %w", translate(err))
	}
	return nil
}
