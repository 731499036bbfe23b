package store

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

// The tests of what the store leaves on disk and how it treats the file:
// one writer per file, deleted data unreadable, a damaged or unusable file
// refused with its path and cause, backups that only read.

// TestOneWriterPerFile opens the same file twice in one process: flock
// belongs to the open file description, so a second open of the lock file
// conflicts exactly as a second process's would.
func TestOneWriterPerFile(t *testing.T) {
	db, path := openTemp(t)
	_, err := Open(t.Context(), path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open of %s = %v, want ErrLocked", path, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) || !strings.Contains(msg, "process "+strconv.Itoa(os.Getpid())) || strings.Contains(msg, "\n") {
		t.Errorf("second Open error = %q, want one line naming %s and process %d", msg, path, os.Getpid())
	}

	// The tools that run beside the bot still open it.
	shared, err := OpenShared(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenShared beside the writer: %v", err)
	}
	if _, err := shared.Unanswered(t.Context()); err != nil {
		t.Errorf("Unanswered beside the writer: %v", err)
	}
	if err := shared.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Backup(t.Context(), path, filepath.Join(t.TempDir(), "b.db")); err != nil {
		t.Errorf("Backup beside the writer: %v", err)
	}

	// Closed, the file takes a new writer.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open after the first writer closed: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenNamesPathAndCause checks the errors of a database path that
// cannot be used: SQLite's own is "unable to open database file (14)".
func TestOpenNamesPathAndCause(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, cause string
	}{
		{"missing folder", filepath.Join(dir, "no", "such", "x.db"), "the folder " + filepath.Join(dir, "no", "such") + " does not exist"},
		{"a directory", dir, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(t.Context(), tt.path)
			if !errors.Is(err, ErrCannotOpen) || !strings.Contains(err.Error(), tt.path) || !strings.Contains(err.Error(), tt.cause) {
				t.Errorf("Open(%s) = %v, want ErrCannotOpen naming the path and %q", tt.path, err, tt.cause)
			}
		})
	}
	t.Run("mode 000", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root opens a file of mode 000 anyway; the other cases cover the error's shape")
		}
		path := filepath.Join(dir, "locked.db")
		if err := os.WriteFile(path, nil, 0o000); err != nil {
			t.Fatal(err)
		}
		_, err := Open(t.Context(), path)
		if !errors.Is(err, ErrCannotOpen) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("Open of a mode 000 file = %v, want ErrCannotOpen naming the path and the permission", err)
		}
	})
}

// TestNewFilesArePrivate checks that a new database, its WAL files and its
// lock are created 0600: they hold personal data.
func TestNewFilesArePrivate(t *testing.T) {
	_, path := openTemp(t)
	for _, name := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(name), perm)
		}
	}
}

// onDisk returns the bytes of the database file and its WAL.
func onDisk(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, name := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(name)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// forgettable is a user whose id and profile text are easy to find in the
// file's bytes.
func forgettable(i int) (advisor.UserKey, rules.Profile, []string) {
	id := fmt.Sprintf("73910466%02d", i)
	p := faultProfile() // overflow pages too
	p.Specialty = fmt.Sprintf("zebrology-%02d-specialty", i)
	return advisor.UserKey{Platform: "telegram", ID: id}, p, []string{id, p.Specialty}
}

// TestForgetLeavesNothingOnDisk looks for a forgotten user's id and
// profile in the bytes of the database and its WAL, while the store runs
// and after it is closed; then the same for the retention sweep.
func TestForgetLeavesNothingOnDisk(t *testing.T) {
	db, path := openTemp(t)
	gone, p, marks := forgettable(1)
	kept, keptProfile, keptMarks := forgettable(2)
	for range 3 { // rewritten rows leave their old versions behind too
		saveProfile(t, db, gone, p, midLoopState(), t0)
		saveProfile(t, db, kept, keptProfile, midLoopState(), t0)
	}
	// Wait for the checkpointer, so that the rows are in the database
	// file as well as in the WAL.
	if _, _, err := db.ckpt.checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, m := range append(marks, keptMarks...) {
		if !bytes.Contains(onDisk(t, path), []byte(m)) {
			t.Fatalf("%q is not on disk before Forget: the test finds nothing", m)
		}
	}

	if existed, err := db.Forget(t.Context(), gone); err != nil || !existed {
		t.Fatalf("Forget = %t, %v", existed, err)
	}
	for _, m := range marks {
		if bytes.Contains(onDisk(t, path), []byte(m)) {
			t.Errorf("after Forget, %q is still in the database file or its WAL", m)
		}
	}
	if !bytes.Contains(onDisk(t, path), []byte(keptMarks[1])) {
		t.Errorf("Forget of one user lost another's profile")
	}

	// The retention sweep, then a clean close.
	if n, err := db.DeleteInactive(t.Context(), t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("DeleteInactive = %d, %v, want 1 user deleted", n, err)
	}
	for _, m := range keptMarks {
		if bytes.Contains(onDisk(t, path), []byte(m)) {
			t.Errorf("after the retention sweep, %q is still in the database file or its WAL", m)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, m := range append(marks, keptMarks...) {
		if bytes.Contains(onDisk(t, path), []byte(m)) {
			t.Errorf("after Close, %q is still in the database file", m)
		}
	}
}

// TestWipeOwedWhileReaderHoldsWAL keeps a read transaction open (as a
// backup in another process would) so that the WAL cannot be truncated at
// Forget (nor is it tried: a truncating checkpoint would hold up every
// writer meanwhile); the checkpointer must finish the job once the reader
// is done.
func TestWipeOwedWhileReaderHoldsWAL(t *testing.T) {
	db, path := openTemp(t)
	gone, p, marks := forgettable(3)
	saveProfile(t, db, gone, p, midLoopState(), t0)

	other, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(10)"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM profiles`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Forget(t.Context(), gone); err != nil {
		t.Fatal(err)
	}
	if !db.ckpt.owed() {
		t.Fatal("with a reader holding the WAL, the wipe after Forget is not owed")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// What the checkpointer's next tick does.
	if err := db.ckpt.wipe(t.Context()); err != nil {
		t.Fatalf("wipe once the reader is done: %v", err)
	}
	for _, m := range marks {
		if bytes.Contains(onDisk(t, path), []byte(m)) {
			t.Errorf("after the owed wipe, %q is still on disk", m)
		}
	}
}

// TestDamagedFileRefused overwrites one page of the profiles table, as
// in the attack that turned 31 users into new users without a word.
func TestDamagedFileRefused(t *testing.T) {
	db, path := openTemp(t)
	if res := db.LastCheck(); res.Err != nil || res.At.IsZero() {
		t.Errorf("LastCheck of a new file = %+v, want a passed check", res)
	}
	if err := db.Check(t.Context()); err != nil {
		t.Errorf("Check of a sound file: %v", err)
	}
	for i := range 31 {
		saveProfile(t, db, advisor.UserKey{Platform: "telegram", ID: fmt.Sprint(i)}, fullProfile(), midLoopState(), t0)
	}
	off, size := profilesPage(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	writeJunk(t, path, off, size)
	_, err := Open(t.Context(), path)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Open of a damaged file = %v, want one line of ErrDamaged naming the file", err)
	}
}

// TestPingChecksWrites makes the writer's connection read-only, as SQLite
// makes it when the file may not be written (a file mode cannot stand in
// as root, see fault_test.go): health must say so.
func TestPingChecksWrites(t *testing.T) {
	db, _ := openTemp(t)
	if err := db.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	writerExec(t, db, "PRAGMA query_only = 1")
	if err := db.Ping(t.Context()); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Ping of a read-only store = %v, want ErrReadOnly", err)
	}
	writerExec(t, db, "PRAGMA query_only = 0")
	if err := db.Ping(t.Context()); err != nil {
		t.Errorf("Ping once writable again: %v", err)
	}
}

func TestLogKey(t *testing.T) {
	db, path := openTemp(t)
	key := bytes.Clone(db.LogKey())
	if len(key) != 32 {
		t.Fatalf("LogKey has %d bytes, want 32", len(key))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if again := openAt(t, path).LogKey(); !bytes.Equal(again, key) {
		t.Error("LogKey changed across a reopen")
	}
	if other, _ := openTemp(t); bytes.Equal(other.LogKey(), key) {
		t.Error("two installations have the same LogKey")
	}
}

// versionAt creates a database at path with only the first n migrations,
// as an older build left it.
func versionAt(t *testing.T, path string, n int) {
	t.Helper()
	raw, err := sql.Open("sqlite", dsn(path, writerParams))
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	if err := migrate(t.Context(), raw, mustMigrations(t)[:n]); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO users (platform, platform_user_id, created_at, last_seen_at) VALUES ('telegram', '1001', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
}

func versionOf(t *testing.T, path string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", fileURI(path, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	v, err := schemaVersion(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBackupOnlyReads backs up databases of an older and a newer schema:
// the source is left byte for byte as it was, and the copy has its schema.
func TestBackupOnlyReads(t *testing.T) {
	for _, tt := range []struct {
		name    string
		version int
	}{{"older schema", 2}, {"newer schema", 999}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "src.db")
			versionAt(t, src, 2)
			if tt.version > 2 {
				raw, err := sql.Open("sqlite", dsn(src))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := raw.Exec(`INSERT INTO schema_version (version, applied_at) VALUES (?, 0)`, tt.version); err != nil {
					t.Fatal(err)
				}
				if err := raw.Close(); err != nil {
					t.Fatal(err)
				}
			}
			before, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.db")
			if err := Backup(t.Context(), src, out); err != nil {
				t.Fatalf("Backup: %v", err)
			}
			after, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Error("Backup changed its source")
			}
			if _, err := os.Stat(src + ".lock"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Backup created a lock file (%v)", err)
			}
			if got := versionOf(t, out); got != tt.version {
				t.Errorf("backup's schema version = %d, want %d", got, tt.version)
			}
		})
	}
}

func TestExportHasProfileUpdatedAt(t *testing.T) {
	db, _ := openTemp(t)
	later := t0.Add(time.Hour)
	saveProfile(t, db, alice, fullProfile(), midLoopState(), later)
	got := exported(t, db, alice)["profile_updated_at"]
	if got != later.Format(time.RFC3339) {
		t.Errorf("Export profile_updated_at = %v, want %s", got, later.Format(time.RFC3339))
	}
}

// TestUpgradeScrubsOldCopies opens a database that an older build (before
// secure_delete) wrote: a profile deleted there left its text in the
// page's free space, which the upgrade must remove.
func TestUpgradeScrubsOldCopies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	versionAt(t, path, secureSince-1)
	// The older build's settings: no secure_delete.
	raw, err := sql.Open("sqlite", fileURI(path, "_pragma=journal_mode(WAL)"))
	if err != nil {
		t.Fatal(err)
	}
	const old = "forgotten-zebrology-specialty"
	for _, q := range []string{
		`INSERT INTO users (platform, platform_user_id, created_at, last_seen_at) VALUES ('telegram', '1002', 0, 0)`,
		`INSERT INTO profiles (user_id, profile, intake, updated_at) VALUES (1, '{"specialty":"kept"}', '{}', 0)`,
		`INSERT INTO profiles (user_id, profile, intake, updated_at) VALUES (2, '{"specialty":"` + old + `"}', '{}', 0)`,
		`DELETE FROM profiles WHERE user_id = 2`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(onDisk(t, path), []byte(old)) {
		t.Fatal("the old build's delete left nothing behind: the test finds nothing")
	}
	db := openAt(t, path)
	if bytes.Contains(onDisk(t, path), []byte(old)) {
		t.Error("after the upgrade, the deleted profile's text is still in the file")
	}
	if got := exported(t, db, advisor.UserKey{Platform: "telegram", ID: "1001"})["profile"]; fmt.Sprint(got) != "map[specialty:kept]" {
		t.Errorf("profile after the upgrade = %v, want the kept one", got)
	}
}

// profilesPage returns where the profiles table's root page is in the
// file, and its size.
func profilesPage(t *testing.T, db *DB) (off, size int64) {
	t.Helper()
	var root int64
	if err := db.reader.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = 'profiles'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := db.reader.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	return (root - 1) * size, size
}

// writeJunk overwrites size bytes of the file at off with random ones.
func writeJunk(t *testing.T, path string, off, size int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, size)
	_, _ = rand.Read(junk)
	if _, err := f.WriteAt(junk, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckFindsDamageWhileOpen damages the file under a running store:
// Check (the daily one) must find it and LastCheck say so.
func TestCheckFindsDamageWhileOpen(t *testing.T) {
	db, path := openTemp(t)
	for i := range 31 {
		saveProfile(t, db, advisor.UserKey{Platform: "telegram", ID: fmt.Sprint(i)}, fullProfile(), midLoopState(), t0)
	}
	if err := db.ckpt.wipe(t.Context()); err != nil { // every page in the file
		t.Fatal(err)
	}
	off, size := profilesPage(t, db)
	writeJunk(t, path, off, size)
	// The readers' page caches still hold the sound page: new connections
	// read the file.
	db.reader.SetMaxIdleConns(0)
	err := db.Check(t.Context())
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
		t.Errorf("Check of a damaged file = %v, want ErrDamaged naming the file", err)
	}
	if res := db.LastCheck(); !errors.Is(res.Err, ErrDamaged) {
		t.Errorf("LastCheck after finding damage = %+v, want ErrDamaged", res)
	}
}
