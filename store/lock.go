package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// ErrLocked means another process (or another Open in this one) is the
// database's writer.
var ErrLocked = errors.New("database in use")

// errLockHeld is lockFile's answer when another open file holds the lock.
var errLockHeld = errors.New("lock held")

// acquireLock takes the writer's lock beside the database at abs: an
// advisory lock on abs+".lock" (flock on Unix), held by the returned file
// until it is closed, and released by the system when the process dies, so
// a killed bot never leaves a stale lock. It is a file of its own, not the
// database: SQLite locks byte ranges of the database with fcntl, which
// flock must not meet (on NFS, flock is emulated with fcntl). The file
// says who holds the lock, for the next one to name; it stays after Close,
// since removing it could let two processes lock two different files.
func acquireLock(abs string) (*os.File, error) {
	path := abs + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, cannotOpen(abs, fmt.Errorf("lock file %s: %w", path, reason(err)))
	}
	if err := lockFile(f); err != nil {
		holder := lockHolder(f)
		cerr := f.Close()
		if errors.Is(err, errLockHeld) {
			return nil, fmt.Errorf("%w: %s is open in %s; run one bot per database file (uscebot backup and unanswered work beside it)", ErrLocked, abs, holder)
		}
		return nil, errors.Join(cannotOpen(abs, fmt.Errorf("lock file %s: %w", path, reason(err))), cerr)
	}
	if err := f.Truncate(0); err != nil {
		return nil, errors.Join(fmt.Errorf("lock %s: %w", path, err), f.Close())
	}
	if _, err := f.WriteAt([]byte(lockOwner()), 0); err != nil {
		return nil, errors.Join(fmt.Errorf("lock %s: %w", path, err), f.Close())
	}
	return f, nil
}

// lockOwner describes this process: "process 1234 (uscebot run)".
func lockOwner() string {
	cmd := filepath.Base(os.Args[0])
	if len(os.Args) > 1 {
		cmd += " " + os.Args[1]
	}
	return fmt.Sprintf("process %d (%s)", os.Getpid(), cmd)
}

// lockHolder reads who holds the lock from its file, as one short line of
// printable text: anyone who can write the file could have written it.
func lockHolder(f *os.File) string {
	b, _ := io.ReadAll(io.LimitReader(io.NewSectionReader(f, 0, 200), 200))
	s := strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, string(b)))
	if s == "" {
		return "another process"
	}
	return s
}

// checkFile opens the database file at abs itself before SQLite does, so
// that a path SQLite cannot use fails with the path and the reason ("no
// such folder", "is a directory", "permission denied") instead of
// SQLite's "unable to open database file". With create it opens the file
// for writing and creates a missing one with mode 0600: it holds personal
// data (SQLite would create it 0644, and its -wal and -shm files take the
// database file's mode).
func checkFile(abs string, create bool) error {
	flag := os.O_RDONLY
	if create {
		flag = os.O_RDWR | os.O_CREATE
	}
	f, err := os.OpenFile(abs, flag, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, derr := os.Stat(filepath.Dir(abs)); errors.Is(derr, os.ErrNotExist) {
				return cannotOpen(abs, fmt.Errorf("the folder %s does not exist", filepath.Dir(abs)))
			}
		}
		return cannotOpen(abs, reason(err))
	}
	fi, err := f.Stat()
	cerr := f.Close()
	switch {
	case err != nil:
		return cannotOpen(abs, err)
	case fi.IsDir():
		return cannotOpen(abs, errors.New("it is a directory"))
	}
	return cerr
}

func cannotOpen(abs string, why error) error {
	return fmt.Errorf("%w %s: %w", ErrCannotOpen, abs, why)
}

// reason is the system's reason of a path error ("permission denied"),
// without the path, which the caller names once.
func reason(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
