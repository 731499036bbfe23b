//go:build unix

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/store"
)

// envChildBackup names the copy TestBackupChildProcess writes.
const envChildBackup = "USCEBOT_TEST_BACKUP_OUT"

// TestBackupChildProcess is not a test: it is the backup that
// TestBackupByReadOnlyUser runs as a user who may only read the database.
func TestBackupChildProcess(t *testing.T) {
	out := os.Getenv(envChildBackup)
	if out == "" {
		t.Skip("the backup process of TestBackupByReadOnlyUser")
	}
	os.Exit(run(context.Background(), []string{"backup", "--db", os.Getenv(envChildDB), out}, os.Stdin, os.Stdout, os.Stderr))
}

// TestBackupByReadOnlyUser backs up a database as a user who can read it
// but write neither it nor its folder: with no bot running, and beside
// one. As root (which file modes do not stop) the backup runs as nobody
// (uid 65534); otherwise as this user, with the folder and the file made
// read-only.
func TestBackupByReadOnlyUser(t *testing.T) {
	for _, running := range []bool{false, true} {
		name := "idle"
		if running {
			name = "beside a running bot"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			data, outDir := filepath.Join(dir, "data"), filepath.Join(dir, "out")
			for _, d := range []string{data, outDir} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(data, "bot.db")
			db, err := store.Open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Touch(t.Context(), advisor.UserKey{Platform: "telegram", ID: "7"}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if running {
				t.Cleanup(func() { db.Close() })
			} else if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			// The test binary, where the other user can run it.
			bin := filepath.Join(dir, "uscebot.test")
			self, err := os.ReadFile(os.Args[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(bin, self, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), bin, "-test.run=^TestBackupChildProcess$", "-test.count=1")
			out := filepath.Join(outDir, "copy.db")
			cmd.Env = append(os.Environ(), envChildDB+"="+path, envChildBackup+"="+out)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			cmd.Stdout = io.Discard
			readOnly(t, dir, data, outDir, path, cmd)

			if err := cmd.Run(); err != nil {
				t.Fatalf("backup as a read-only user: %v\n%s", err, stderr.String())
			}
			copied, err := store.Open(t.Context(), out)
			if err != nil {
				t.Fatalf("open the copy: %v", err)
			}
			defer copied.Close()
			if b, err := copied.Export(t.Context(), advisor.UserKey{Platform: "telegram", ID: "7"}); err != nil || !bytes.Contains(b, []byte(`"id": "7"`)) {
				t.Errorf("the copy lacks the user: %s, %v", b, err)
			}
		})
	}
}

// readOnly makes path readable and not writable by the user cmd runs as.
func readOnly(t *testing.T, dir, data, outDir, path string, cmd *exec.Cmd) {
	t.Helper()
	if os.Geteuid() != 0 {
		for _, p := range []struct {
			name string
			mode os.FileMode
		}{{path, 0o444}, {data, 0o555}} {
			if err := os.Chmod(p.name, p.mode); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { _ = os.Chmod(data, 0o755) }) // for TempDir's removal
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	// nobody reaches the files through the test's folders, writes only
	// the copy's, and reads the database, its -wal and -shm.
	for _, p := range []struct {
		name string
		mode os.FileMode
	}{{filepath.Dir(dir), 0o755}, {dir, 0o755}, {outDir, 0o777}, {path, 0o644}, {path + "-wal", 0o644}, {path + "-shm", 0o644}} {
		if err := os.Chmod(p.name, p.mode); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}
