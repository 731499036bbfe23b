package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/store"
)

// heldConsole starts `uscebot console --db path` in-process and returns
// once it has answered, holding the database until the test ends. In one
// process as in two, the second writer meets the first's lock: flock
// belongs to the open file, not to the process.
func heldConsole(t *testing.T, path string) {
	t.Helper()
	in, feed := io.Pipe()
	out := &syncBuf{said: make(chan struct{}, 1)}
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), []string{"console", "--db", path}, in, out, io.Discard) }()
	if _, err := io.WriteString(feed, "/profile set specialty psychiatry\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out.said:
	case code := <-done:
		t.Fatalf("the first console stopped with exit %d", code)
	case <-time.After(time.Minute):
		t.Fatal("the first console did not answer")
	}
	t.Cleanup(func() {
		feed.Close()
		if code := <-done; code != 0 {
			t.Errorf("the first console exit %d", code)
		}
	})
}

// syncBuf takes the console's output and says when it wrote.
type syncBuf struct{ said chan struct{} }

func (s *syncBuf) Write(p []byte) (int, error) {
	select {
	case s.said <- struct{}{}:
	default:
	}
	return len(p), nil
}

// TestSecondWriterRefused: with one console on a file, a second console
// and a second `run` refuse to start, with one line naming the file and
// the process; backup and unanswered work beside it.
func TestSecondWriterRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bot.db")
	heldConsole(t, path)

	want := []string{path, "process " + strconv.Itoa(os.Getpid())}
	code, _, stderr := runCmd(t, "/profile set budget high\n", "console", "--db", path)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !containsAll(stderr, want...) {
		t.Errorf("second console: exit %d, stderr %q; want exit 1 and one line naming %q", code, stderr, want)
	}

	const token = "123456:test-token-secret"
	srv := httptest.NewServer(&botAPI{token: token, said: make(chan struct{}, 10)})
	defer srv.Close()
	t.Setenv(envTelegramToken, token)
	cfg := writeConfig(t, fmt.Sprintf("[store]\npath = %q\n[telegram]\nenabled = true\napi_endpoint = %q\n", path, srv.URL+"/bot%s/%s"))
	code, _, stderr = runCmd(t, "", "run", "--config", cfg)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !containsAll(stderr, want...) {
		t.Errorf("second run: exit %d, stderr %q; want exit 1 and one line naming %q", code, stderr, want)
	}

	if code, _, stderr := runCmd(t, "", "backup", "--db", path, filepath.Join(dir, "copy.db")); code != 0 {
		t.Errorf("backup beside the console: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "", "unanswered", "--db", path); code != 0 {
		t.Errorf("unanswered beside the console: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "", "ask", "does telehealth count?"); code != 0 {
		t.Errorf("ask beside the console: exit %d, %q", code, stderr)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestBadDBPath: a --db (or store.path) that cannot be opened is a usage
// error naming the path and the cause.
func TestBadDBPath(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "bot.db")
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"missing folder", []string{"console", "--db", missing}, []string{"--db", missing, "does not exist"}},
		{"a directory", []string{"console", "--db", dir}, []string{"--db", dir, "is a directory"}},
		{"store.path", []string{"console", "--config", writeConfig(t, "[store]\npath = \""+missing+"\"\n")}, []string{"store.path", missing, "does not exist"}},
		{"backup of a directory", []string{"backup", "--db", dir, filepath.Join(t.TempDir(), "copy.db")}, []string{"--db", dir, "is a directory"}},
		{"unanswered of a directory", []string{"unanswered", "--db", dir}, []string{"--db", dir, "is a directory"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", tt.args...)
			if code != 2 || strings.Count(stderr, "\n") != 1 || !containsAll(stderr, tt.want...) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", code, stderr, tt.want)
			}
		})
	}
}

// TestNewDatabaseIsPrivate: the console creates its database 0600, like
// backups.
func TestNewDatabaseIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.db")
	if code, _, stderr := runCmd(t, "hi\n", "console", "--db", path); code != 0 {
		t.Fatalf("console: exit %d, %q", code, stderr)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("new database mode %v, want 0600", perm)
	}
}

// TestUnansweredNeutralisesBidi: a kept question with a right-to-left
// override must not turn the admin's terminal line around.
func TestUnansweredNeutralisesBidi(t *testing.T) {
	const q = "is this \u202egnirpmoc\u202c fine?"
	path := unansweredDB(t, q)
	out, err := runUnansweredCmd(t, "--db", path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(out, '\u202e') || !strings.Contains(out, "<U+202E>gnirpmoc<U+202C>") {
		t.Errorf("unanswered = %q, want the override shown as <U+202E>", out)
	}
	out, err = runUnansweredCmd(t, "--db", path, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(out, '\u202e') || !strings.Contains(out, `\u202e`) {
		t.Errorf("unanswered --json = %q, want the override escaped", out)
	}
	var got unansweredJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Groups) != 1 || got.Groups[0].Question != q {
		t.Errorf("unanswered --json decodes to %+v (%v), want the question as kept", got, err)
	}
}

// TestBackupLeavesSourceAsItIs: backup neither migrates nor locks.
func TestBackupLeavesSourceAsItIs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bot.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, "", "backup", "--db", path, filepath.Join(dir, "copy.db")); code != 0 {
		t.Fatalf("backup: exit %d, %q", code, stderr)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("backup changed its source")
	}
}

// TestLogIDsKeyedPerInstallation: the console's log id for a user is the
// same across restarts on one database, differs on another, and is not
// the unkeyed hash.
func TestLogIDsKeyedPerInstallation(t *testing.T) {
	logID := func(path string) string {
		t.Helper()
		cfg := writeConfig(t, fmt.Sprintf("[store]\npath = %q\n[log]\nlevel = \"info\"\n", path))
		code, _, stderr := runCmd(t, "/help\n", "console", "--config", cfg, "--user", "5551234567")
		_, after, ok := strings.Cut(stderr, " user=")
		if code != 0 || !ok {
			t.Fatalf("console: exit %d, log %q", code, stderr)
		}
		id, _, _ := strings.Cut(after, " ")
		return id
	}
	dir := t.TempDir()
	one := logID(filepath.Join(dir, "one.db"))
	if again := logID(filepath.Join(dir, "one.db")); again != one {
		t.Errorf("log id %s, then %s after a restart on the same database", one, again)
	}
	if other := logID(filepath.Join(dir, "two.db")); other == one {
		t.Errorf("two installations log the user as %s", one)
	}
	plain := sha256.Sum256([]byte("5551234567"))
	if one == hex.EncodeToString(plain[:6]) {
		t.Errorf("log id %s is the unkeyed SHA-256 of the user id", one)
	}
}
