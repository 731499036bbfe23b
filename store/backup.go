package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to the new file out.
func (db *DB) Backup(ctx context.Context, out string) error {
	// An absolute path: VACUUM INTO would read a name starting "file:" as a URI.
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// Claiming the name with O_EXCL refuses an existing file without a race,
	// and makes the copy, which holds personal data, private to its owner.
	// VACUUM INTO accepts an empty file.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: refusing to overwrite: %w", err)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return errors.Join(fmt.Errorf("backup: %w", err), os.Remove(abs))
	}
	if err := db.vacuumInto(ctx, abs); err != nil {
		return errors.Join(fmt.Errorf("backup: %w", err), os.Remove(abs))
	}
	return nil
}

// vacuumInto copies the database into the empty file abs.
func (db *DB) vacuumInto(ctx context.Context, abs string) error {
	// VACUUM INTO writes through the connection it runs on, which the
	// query_only readers refuse, and on the writer it would hold up every
	// write until done. A connection of its own reads one snapshot of the
	// WAL, so the copy is consistent while writes carry on.
	src, err := sql.Open("sqlite", dsn(db.path))
	if err != nil {
		return err
	}
	_, err = src.ExecContext(ctx, `VACUUM INTO ?`, abs)
	return errors.Join(translate(err), src.Close())
}
