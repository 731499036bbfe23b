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

// ErrChanged means the database changed while a backup read it without
// SQLite's locks (see Backup); trying again is safe.
var ErrChanged = errors.New("the database changed during the backup; try again")

// Backup writes a consistent copy of the database at src to the new file
// out (mode 0600). It opens src read-only, and neither locks, migrates nor
// checks it: it works beside a running bot, for a user who may only read
// the file, and on a database of any schema version.
func Backup(ctx context.Context, src, out string) error {
	absSrc, err := filepath.Abs(src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := checkFile(absSrc, false); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
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
	if err := vacuumInto(ctx, absSrc, abs); err != nil {
		return errors.Join(fmt.Errorf("backup %s: %w", absSrc, err), os.Remove(abs))
	}
	return nil
}

// vacuumInto copies the database at src into the empty file out, on a
// connection of its own that reads one snapshot, so the copy is consistent
// while the bot's writes carry on.
func vacuumInto(ctx context.Context, src, out string) error {
	// mode=ro: nothing is written to src, not even the journal mode; a
	// user who may only read the files can copy a database in use (SQLite
	// reads its -shm read-only).
	err := vacuum(ctx, fileURI(src, "mode=ro&_pragma=busy_timeout(5000)"), out)
	if !errors.Is(err, ErrReadOnly) && !errors.Is(err, ErrCannotOpen) {
		return err
	}
	// A database in WAL mode with no -wal and -shm files beside it (no
	// bot has it open) cannot be opened read-only by a user who cannot
	// create them (SQLITE_READONLY_DIRECTORY). Without a -wal file, the database file alone is the
	// whole database, which immutable=1 reads without SQLite's locks; a
	// bot that started meanwhile and checkpointed would change the file,
	// which its size and time tell, and the copy is then refused.
	if _, werr := os.Stat(src + "-wal"); !errors.Is(werr, fs.ErrNotExist) {
		return err
	}
	before, serr := os.Stat(src)
	if serr != nil {
		return serr
	}
	if err := vacuum(ctx, fileURI(src, "immutable=1"), out); err != nil {
		return err
	}
	after, serr := os.Stat(src)
	if serr != nil {
		return serr
	}
	if !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		return ErrChanged
	}
	return nil
}

// vacuum runs VACUUM INTO out on a new connection to uri.
func vacuum(ctx context.Context, uri, out string) error {
	conn, err := sql.Open("sqlite", uri)
	if err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, out)
	return errors.Join(translate(err), conn.Close())
}
