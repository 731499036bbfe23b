package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// CheckResult is the outcome of the last integrity check of the file.
type CheckResult struct {
	At  time.Time // zero: never checked (OpenShared)
	Err error     // nil: the file is sound
}

// checkState holds the last CheckResult; health reads it while the daily
// check writes it.
type checkState struct {
	mu   sync.Mutex
	last CheckResult
}

// LastCheck returns the result of the last integrity check: the one Open
// made, or a later Check.
func (db *DB) LastCheck() CheckResult {
	db.check.mu.Lock()
	defer db.check.mu.Unlock()
	return db.check.last
}

// Check runs SQLite's quick_check over the whole file (about a second per
// 100 MB) and records the result for LastCheck. It reads only, on a
// reader, beside the bot's writes. ctx ending is no result: the last one
// stays.
func (db *DB) Check(ctx context.Context) error {
	return db.quickCheck(ctx, db.reader)
}

// quickCheck runs PRAGMA quick_check on conn and records its result. A
// damaged file is ErrDamaged, naming the file and SQLite's first findings.
func (db *DB) quickCheck(ctx context.Context, conn *sql.DB) error {
	problems, err := quickCheck(ctx, conn)
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("check %s: %w", db.path, err) // cut short: no result
	case errors.Is(translate(err), ErrDamaged):
		// Too damaged for quick_check to list what it finds.
		err = fmt.Errorf("%w: %s: %w; restore it from a backup", ErrDamaged, db.path, err)
	case err != nil:
		err = fmt.Errorf("check %s: %w", db.path, translate(err))
	case len(problems) > 0:
		err = fmt.Errorf("%w: %s: %s; restore it from a backup", ErrDamaged, db.path, strings.Join(problems, "; "))
	}
	db.check.mu.Lock()
	db.check.last = CheckResult{At: time.Now(), Err: err}
	db.check.mu.Unlock()
	return err
}

// maxProblems is how many of quick_check's findings an error names.
const maxProblems = 3

// quickCheck returns quick_check's findings, none for a sound file, or
// SQLite's error as it is.
func quickCheck(ctx context.Context, conn *sql.DB) ([]string, error) {
	rows, err := conn.QueryContext(ctx, fmt.Sprintf("PRAGMA quick_check(%d)", maxProblems))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, strings.Join(strings.Fields(line), " "))
		}
	}
	return problems, rows.Err()
}

// LogKey returns this installation's secret for hashing user ids in the
// logs: 32 random bytes made when the database was created (or first
// opened by this version) and kept in it.
func (db *DB) LogKey() []byte { return db.logKey }

// installationKey returns the installation value name, storing 32 random
// bytes first if there is none.
func installationKey(ctx context.Context, writer *sql.DB, name string) ([]byte, error) {
	var v []byte
	err := writer.QueryRowContext(ctx, `SELECT value FROM installation WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read %s: %w", name, translate(err))
	}
	// Another process opening the same new file may store its own first:
	// the key kept is the one read back.
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails: it ends the program instead
	if _, err := writer.ExecContext(ctx, `INSERT INTO installation (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
		name, key); err != nil {
		return nil, fmt.Errorf("store %s: %w", name, translate(err))
	}
	if err := writer.QueryRowContext(ctx, `SELECT value FROM installation WHERE name = ?`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, translate(err))
	}
	return v, nil
}
