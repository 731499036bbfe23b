package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"modernc.org/sqlite"

	"github.com/uscebot/uscebot/advisor"
)

var (
	alice = advisor.UserKey{Platform: "telegram", ID: "1001"}
	bob   = advisor.UserKey{Platform: "discord", ID: "1001"} // same id, other platform
	t0    = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
)

// openAt opens the store at path and closes it when the test ends.
func openAt(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// openTemp opens a new store in a temporary directory and returns its path too.
func openTemp(tb testing.TB) (*DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "uscebot.db")
	return openAt(tb, path), path
}

func touch(tb testing.TB, db *DB, u advisor.UserKey, now time.Time) {
	tb.Helper()
	if err := db.Touch(context.Background(), u, now); err != nil {
		tb.Fatalf("Touch(%v): %v", u, err)
	}
}

// exported returns Export's JSON for u, decoded.
func exported(tb testing.TB, db *DB, u advisor.UserKey) map[string]any {
	tb.Helper()
	b, err := db.Export(context.Background(), u)
	if err != nil {
		tb.Fatalf("Export(%v): %v", u, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("Export(%v) is not JSON: %v\n%s", u, err, b)
	}
	return m
}

// wantUser is the Export JSON of a user, as json.Unmarshal decodes it.
func wantUser(u advisor.UserKey, created, seen time.Time) map[string]any {
	return map[string]any{"user": map[string]any{
		"platform":     u.Platform,
		"id":           u.ID,
		"created_at":   created.UTC().Format(time.RFC3339),
		"last_seen_at": seen.UTC().Format(time.RFC3339),
	}}
}

var wantNobody = map[string]any{"user": nil}

func TestReopenKeepsData(t *testing.T) {
	db, path := openTemp(t)
	touch(t, db, alice, t0)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = openAt(t, path)
	if diff := cmp.Diff(wantUser(alice, t0, t0), exported(t, db, alice)); diff != "" {
		t.Errorf("Export after reopen (-want +got):\n%s", diff)
	}
	var versions []int
	rows, err := db.reader.Query(`SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.version)
	}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("schema_version after two opens (-want +got):\n%s", diff)
	}
}

func TestCloseTwice(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := db.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
}

func TestSchemaTooNew(t *testing.T) {
	db, path := openTemp(t)
	touch(t, db, alice, t0)
	if _, err := db.writer.Exec(`INSERT INTO schema_version (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	db, err = Open(t.Context(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open of a database at version 999 succeeded")
	}
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open error = %v, want ErrSchemaTooNew", err)
	}
	for _, n := range []string{"999", fmt.Sprint(len(mustMigrations(t)))} {
		if !bytes.Contains([]byte(err.Error()), []byte(n)) {
			t.Errorf("Open error %q does not name version %s", err, n)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("failed Open changed the database file")
	}
}

func mustMigrations(t *testing.T) []migration {
	t.Helper()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestTouch(t *testing.T) {
	db, _ := openTemp(t)
	touch(t, db, alice, t0)
	if diff := cmp.Diff(wantUser(alice, t0, t0), exported(t, db, alice)); diff != "" {
		t.Errorf("Export after first Touch (-want +got):\n%s", diff)
	}
	later := t0.Add(36 * time.Hour)
	touch(t, db, alice, later)
	if diff := cmp.Diff(wantUser(alice, t0, later), exported(t, db, alice)); diff != "" {
		t.Errorf("Export after second Touch (-want +got):\n%s", diff)
	}
	var n int
	if err := db.reader.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("users has %d rows after touching one user twice, want 1", n)
	}
}

func TestExport(t *testing.T) {
	db, _ := openTemp(t)
	// A zone other than UTC: the JSON must be in UTC whatever the caller's clock says.
	east := time.FixedZone("UTC+5", 5*3600)
	touch(t, db, alice, t0.In(east))
	touch(t, db, bob, t0.Add(time.Minute))

	tests := []struct {
		name string
		u    advisor.UserKey
		want map[string]any
	}{
		{"known", alice, wantUser(alice, t0, t0)},
		{"same id on another platform", bob, wantUser(bob, t0.Add(time.Minute), t0.Add(time.Minute))},
		{"never seen", advisor.UserKey{Platform: "telegram", ID: "42"}, wantNobody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, exported(t, db, tt.u)); diff != "" {
				t.Errorf("Export(%v) (-want +got):\n%s", tt.u, diff)
			}
		})
	}

	b, err := db.Export(t.Context(), alice)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"created_at": "2025-03-01T09:30:00Z"`)) {
		t.Errorf("Export(%v) is not indented RFC3339 UTC:\n%s", alice, b)
	}
}

func TestForget(t *testing.T) {
	db, _ := openTemp(t)
	touch(t, db, alice, t0)
	touch(t, db, bob, t0)

	for i, want := range []bool{true, false} {
		got, err := db.Forget(t.Context(), alice)
		if err != nil {
			t.Fatalf("Forget #%d: %v", i+1, err)
		}
		if got != want {
			t.Errorf("Forget #%d = %t, want %t", i+1, got, want)
		}
	}
	if diff := cmp.Diff(wantNobody, exported(t, db, alice)); diff != "" {
		t.Errorf("Export of a forgotten user (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantUser(bob, t0, t0), exported(t, db, bob)); diff != "" {
		t.Errorf("Export of another user after Forget (-want +got):\n%s", diff)
	}
}

// TestConcurrent mixes writes and reads on the same users from many
// goroutines and two handles on the file, as the bot and a tool beside it
// (OpenShared) have: the writer queue and busy_timeout must keep every
// SQLITE_BUSY from the caller.
func TestConcurrent(t *testing.T) {
	first, path := openTemp(t)
	second, err := OpenShared(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	handles := []*DB{first, second}
	const goroutines, ops, users = 32, 50, 8
	var wg sync.WaitGroup
	for g := range goroutines {
		db := handles[g%len(handles)]
		wg.Go(func() {
			for i := range ops {
				u := advisor.UserKey{Platform: "telegram", ID: fmt.Sprint((g + i) % users)}
				var err error
				switch i % 3 {
				case 0:
					err = db.Touch(t.Context(), u, t0.Add(time.Duration(i)*time.Second))
				case 1:
					_, err = db.Export(t.Context(), u)
				case 2:
					_, err = db.Forget(t.Context(), u)
				}
				if err != nil {
					t.Errorf("goroutine %d op %d: %v", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestBackupWhileWriting(t *testing.T) {
	db, _ := openTemp(t)
	touch(t, db, alice, t0)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				u := advisor.UserKey{Platform: "discord", ID: fmt.Sprint(g*1_000_000 + i)}
				if err := db.Touch(t.Context(), u, t0); err != nil {
					t.Errorf("Touch during Backup: %v", err)
					return
				}
			}
		})
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	err := Backup(t.Context(), db.path, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}

	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup mode = %v, want 0600", perm)
	}
	restored := openAt(t, out)
	if diff := cmp.Diff(wantUser(alice, t0, t0), exported(t, restored, alice)); diff != "" {
		t.Errorf("Export from the backup (-want +got):\n%s", diff)
	}
	var check string
	if err := restored.reader.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Errorf("integrity_check of the backup = %q, want ok", check)
	}
}

func TestBackupRefusesExisting(t *testing.T) {
	db, _ := openTemp(t)
	for _, content := range []string{"", "precious"} {
		out := filepath.Join(t.TempDir(), "existing.db")
		if err := os.WriteFile(out, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		err := Backup(t.Context(), db.path, out)
		if !errors.Is(err, fs.ErrExist) {
			t.Errorf("Backup over a file holding %q: error = %v, want fs.ErrExist", content, err)
		}
		if got, _ := os.ReadFile(out); string(got) != content {
			t.Errorf("Backup over a file holding %q left %q", content, got)
		}
	}
}

// TestOddPath checks the escaping of the path in the DSN: in a plain name the
// driver cuts at '?', and in a URI '#' and '%' are special.
func TestOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "with space")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "a b?c#d%20e&f=g.db")
	db := openAt(t, path)
	touch(t, db, alice, t0)
	out := filepath.Join(dir, "back up?#.db")
	if err := Backup(t.Context(), db.path, out); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// The WAL files exist while the store is open.
	want := []string{"a b?c#d%20e&f=g.db", "a b?c#d%20e&f=g.db-shm", "a b?c#d%20e&f=g.db-wal", "a b?c#d%20e&f=g.db.lock", "back up?#.db"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("files in %q (-want +got):\n%s", dir, diff)
	}
	if diff := cmp.Diff(wantUser(alice, t0, t0), exported(t, openAt(t, out), alice)); diff != "" {
		t.Errorf("Export from the backup (-want +got):\n%s", diff)
	}
}

// TestPragmas checks that every connection of both pools got the DSN's pragmas.
func TestPragmas(t *testing.T) {
	db, _ := openTemp(t)
	tests := []struct {
		pool *sql.DB
		name string
		want map[string]string
	}{
		{db.writer, "writer", map[string]string{"busy_timeout": "5000", "journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "query_only": "0", "wal_autocheckpoint": "0"}},
		{db.reader, "reader", map[string]string{"busy_timeout": "5000", "journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "query_only": "1"}},
	}
	for _, tt := range tests {
		// Hold as many connections as the pool allows, so none is left unchecked.
		n := tt.pool.Stats().MaxOpenConnections
		for i := range n {
			conn, err := tt.pool.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			got := map[string]string{}
			for p := range tt.want {
				var v string
				if err := conn.QueryRowContext(t.Context(), "PRAGMA "+p).Scan(&v); err != nil {
					t.Fatalf("%s conn %d: PRAGMA %s: %v", tt.name, i, p, err)
				}
				got[p] = v
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s conn %d pragmas (-want +got):\n%s", tt.name, i, diff)
			}
		}
	}
}

func TestTranslate(t *testing.T) {
	db, _ := openTemp(t)
	touch(t, db, alice, t0)
	tests := []struct {
		name string
		pool *sql.DB
		want error
	}{
		{"duplicate user", db.writer, ErrConstraint},
		{"write through a reader", db.reader, ErrReadOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.pool.Exec(`INSERT INTO users (platform, platform_user_id, created_at, last_seen_at) VALUES (?, ?, 0, 0)`,
				alice.Platform, alice.ID)
			err = translate(err)
			if !errors.Is(err, tt.want) {
				t.Errorf("translate(%v) does not match %v", err, tt.want)
			}
			if se := (*sqlite.Error)(nil); !errors.As(err, &se) {
				t.Errorf("translate(%v) lost the SQLite error", err)
			}
		})
	}
}

// TestBusy holds the write lock on the store's writer and writes from another
// connection, as another process would, with no busy timeout to wait out.
func TestBusy(t *testing.T) {
	db, path := openTemp(t)
	tx, err := db.writer.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	_, err = other.Exec(`DELETE FROM users`)
	if err = translate(err); !errors.Is(err, ErrBusy) {
		t.Errorf("translate(%v) does not match ErrBusy", err)
	}
}

// BenchmarkTouch measures one upsert of one row, the store's commonest write,
// cycling over enough users that both the insert and the update path run.
func BenchmarkTouch(b *testing.B) {
	db, _ := openTemp(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		u := advisor.UserKey{Platform: "telegram", ID: fmt.Sprint(i % 1000)}
		if err := db.Touch(ctx, u, t0.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func TestCloseCheckpointsTheWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if err := db.Touch(context.Background(), advisor.UserKey{Platform: "t", ID: fmt.Sprint(i)}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// A second handle, like a tool running beside the bot, keeps the
	// file open: the checkpoint must not wait for the last close.
	other, err := OpenShared(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("after Close the WAL holds %d bytes, want it checkpointed", fi.Size())
	}
}
