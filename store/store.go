// Package store is the bot's SQLite persistence: it opens the database with
// the pragmas the bot relies on, applies the embedded migrations, and holds
// the queries. It satisfies the interfaces declared by advisor and bot.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Domain errors for the SQLite conditions a caller can act on. The SQLite
// error stays wrapped alongside for the log.
var (
	// ErrSchemaTooNew means the database was migrated by a newer build.
	ErrSchemaTooNew = errors.New("database schema is newer than this build")
	// ErrBusy means the database stayed locked past the busy timeout.
	ErrBusy = errors.New("database busy")
	// ErrConstraint means a write broke a constraint of the schema.
	ErrConstraint = errors.New("database constraint violated")
	// ErrReadOnly means the database file cannot be written.
	ErrReadOnly = errors.New("database is read-only")
	// ErrFull means the disk (or the database's size limit) is full.
	ErrFull = errors.New("database or disk is full")
	// ErrDamaged means the database file is corrupt, or not a database.
	ErrDamaged = errors.New("database is damaged")
	// ErrCannotOpen means the database file cannot be opened or created:
	// the error names the path and the reason.
	ErrCannotOpen = errors.New("cannot open the database")
)

// readers is the size of the read pool: WAL lets reads run beside the one
// writer, and the bot's reads are short.
const readers = 4

// pragmas run on every new connection, so every pooled connection has them
// (a PRAGMA sent with Exec would reach only one). busy_timeout comes first so
// that it already covers the journal_mode change. secure_delete overwrites
// deleted rows with zeros, so that /forget and the retention sweep leave
// nothing readable in the file (the WAL is then truncated: see wipe in
// checkpoint.go).
const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)"

// DB is the bot's database: one writer connection and a pool of readers.
type DB struct {
	// writer has a single connection: SQLite allows one writer at a time.
	// The writes of messages reach it through writes (see write.go).
	writer   *sql.DB
	reader   *sql.DB
	path     string   // absolute
	lock     *os.File // holds the writer's lock (see lock.go); nil for OpenShared
	logKey   []byte   // see LogKey
	stmt     statements
	rem      reminderStmts // prepared at their first use (reminders.go)
	writes   *writeQueue
	profiles *profileCache
	ckpt     *checkpointer
	check    checkState

	closeOnce sync.Once
	closeErr  error
}

// Open opens the database at path for the bot, creating it (mode 0600) if
// missing, and migrates it. It is the file's one writer: it holds an
// operating-system lock on path+".lock" until Close, and a second Open of
// the same file, from this process or another, fails with ErrLocked (a bot
// keeps profiles in memory, so two writers would undo each other's
// changes). It refuses a damaged file (PRAGMA quick_check) with ErrDamaged.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true)
}

// OpenShared opens an existing database like Open, but without its lock
// and its integrity check, for the tools that run beside the bot on the
// same file (uscebot unanswered): they must not write users or profiles,
// which the bot keeps in memory.
func OpenShared(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, false)
}

func open(ctx context.Context, path string, exclusive bool) (_ *DB, err error) {
	migrations, err := loadMigrations()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// Every failure from here closes what was opened, in reverse order.
	var closers []func() error
	defer func() {
		if err != nil {
			for i := len(closers) - 1; i >= 0; i-- {
				err = errors.Join(err, closers[i]())
			}
		}
	}()
	if err := checkFile(abs, exclusive); err != nil {
		return nil, err
	}
	var lock *os.File
	if exclusive {
		if lock, err = acquireLock(abs); err != nil {
			return nil, err
		}
		closers = append(closers, lock.Close)
	}

	// The writer opens first so that a new file is switched to WAL before
	// any reader connects.
	writer, err := sql.Open("sqlite", dsn(abs, writerParams, checkpointParams))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	closers = append(closers, writer.Close)
	writer.SetMaxOpenConns(1)
	db := &DB{writer: writer, path: abs, lock: lock, writes: newWriteQueue(), profiles: newProfileCache(maxCached)}
	if exclusive {
		// Before migrating: a damaged file is not changed.
		if err := db.quickCheck(ctx, writer); err != nil {
			return nil, err
		}
	}
	from, err := schemaVersion(ctx, writer)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	if err := migrate(ctx, writer, migrations); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	if from > 0 && from < secureSince {
		if err := scrub(ctx, writer); err != nil {
			return nil, fmt.Errorf("open store %s: %w", abs, err)
		}
	}
	if db.logKey, err = installationKey(ctx, writer, "log_key"); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}

	db.reader, err = sql.Open("sqlite", dsn(abs, "_pragma=query_only(1)"))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	closers = append(closers, db.reader.Close)
	db.reader.SetMaxOpenConns(readers)
	// Keep them all: a new connection pays for opening the file and the pragmas.
	db.reader.SetMaxIdleConns(readers)
	if err := db.reader.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, translate(err))
	}
	// The checkpoints' connection is a writer's (a checkpoint writes the
	// database file), used for nothing else.
	ckptConn, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	closers = append(closers, ckptConn.Close)
	ckptConn.SetMaxOpenConns(1)
	closers = append(closers, db.stmt.close)
	if err := db.stmt.prepare(ctx, writer, db.reader); err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, translate(err))
	}
	db.ckpt = startCheckpointer(ckptConn)
	go db.writeLoop()
	return db, nil
}

// statements are the queries every message makes, prepared once: parsing
// one costs about as much as running it.
type statements struct {
	// On the writer.
	touch, upsertUser, saveProfile, forget, addUnanswered, trimUnanswered *sql.Stmt
	// On the readers.
	loadProfile *sql.Stmt
}

// upsertUserSQL creates the user (platform, id, created, last seen) or
// updates when they were last seen.
const upsertUserSQL = `
	INSERT INTO users (platform, platform_user_id, created_at, last_seen_at)
	VALUES (?, ?, ?, ?)
	ON CONFLICT (platform, platform_user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`

func (s *statements) prepare(ctx context.Context, writer, reader *sql.DB) error {
	for _, p := range []struct {
		db    *sql.DB
		stmt  **sql.Stmt
		query string
	}{
		{writer, &s.touch, upsertUserSQL},
		{writer, &s.upsertUser, upsertUserSQL + " RETURNING id"},
		{writer, &s.saveProfile, `
			INSERT INTO profiles (user_id, profile, intake, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile, intake = excluded.intake, updated_at = excluded.updated_at`},
		// Every per-user table cascades from users, so this one statement
		// deletes all of the user or nothing.
		{writer, &s.forget, `DELETE FROM users WHERE platform = ? AND platform_user_id = ?`},
		{writer, &s.addUnanswered, `INSERT INTO unanswered (question, asked_at) VALUES (?, ?) RETURNING id`},
		{writer, &s.trimUnanswered, `DELETE FROM unanswered WHERE id <= ?`},
		{reader, &s.loadProfile, `
			SELECT p.profile, p.intake FROM profiles p JOIN users u ON u.id = p.user_id
			WHERE u.platform = ? AND u.platform_user_id = ?`},
	} {
		st, err := p.db.PrepareContext(ctx, p.query)
		if err != nil {
			return err
		}
		*p.stmt = st
	}
	return nil
}

// close closes the prepared statements; those never prepared are nil.
func (s *statements) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.touch, s.upsertUser, s.saveProfile, s.forget, s.addUnanswered, s.trimUnanswered, s.loadProfile} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// WriterDSN returns the driver's name for the database at path as the
// store's writer opens it, with its pragmas: for measuring SQLite itself on
// the store's settings, as the load benchmark's storage floor does. It
// leaves SQLite's automatic checkpoints on: the store turns them off for
// its writer because it checkpoints from a goroutine of its own (see
// checkpoint.go), which a bare connection lacks.
func WriterDSN(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return dsn(abs, writerParams), nil
}

// writerParams are the writer's parameters beyond pragmas. Deferred
// transactions that read and then write fail at once with SQLITE_BUSY
// when upgrading their lock (SQLite skips the busy handler there);
// immediate ones wait.
const writerParams = "_txlock=immediate"

// dsn returns the driver's name for the database at the absolute path abs.
// It is a file: URI with the path escaped: in a plain name the driver would
// cut the path at its first '?', and SQLite decodes %XX in a URI's path.
func dsn(abs string, extra ...string) string {
	return fileURI(abs, strings.Join(append([]string{pragmas}, extra...), "&"))
}

// fileURI returns the file: URI of the absolute path abs with the query.
func fileURI(abs, query string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: query}
	return u.String()
}

// Close closes the database, after the writes already queued have run;
// later ones fail with ErrClosed. Calling it again returns the first result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.writes.close()
		db.profiles.close()
		ckptErr := db.ckpt.close()
		// Checkpoint explicitly: SQLite checkpoints on the last close only,
		// and another process (a backup) may hold the file open. Busy is no
		// failure here, the WAL is simply checkpointed later.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, cpErr := db.writer.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		cancel()
		if errors.Is(translate(cpErr), ErrBusy) {
			cpErr = nil
		}
		db.closeErr = errors.Join(cpErr, ckptErr, db.stmt.close(), db.rem.close(), db.reader.Close(), db.writer.Close())
		if db.lock != nil {
			// Last: the next writer may start once the file is closed.
			db.closeErr = errors.Join(db.closeErr, db.lock.Close())
		}
		if db.closeErr != nil {
			db.closeErr = fmt.Errorf("close store: %w", db.closeErr)
		}
	})
	return db.closeErr
}

// translate turns the SQLite errors a caller can act on into domain errors,
// keeping the SQLite error wrapped for the log; others pass unchanged.
func translate(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	var domain error
	// Extended result codes are on; the primary code is the low byte.
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		domain = ErrBusy
	case sqlite3.SQLITE_CONSTRAINT:
		domain = ErrConstraint
	case sqlite3.SQLITE_READONLY:
		domain = ErrReadOnly
	case sqlite3.SQLITE_FULL:
		domain = ErrFull
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		domain = ErrDamaged
	case sqlite3.SQLITE_CANTOPEN:
		domain = ErrCannotOpen
	default:
		return err
	}
	return fmt.Errorf("%w: %w", domain, err)
}
