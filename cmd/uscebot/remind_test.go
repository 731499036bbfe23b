package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/store"
)

// scheduleDue gives u reminders that fell due an hour ago, as a bot that
// was down at the time would find them.
func scheduleDue(t *testing.T, path string, u advisor.UserKey) {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	from := now.Add(-time.Hour)
	due := []advisor.Reminder{{From: from, To: from.AddDate(0, 6, 0), Due: from, Text: "secure 1-3 months of USCE", Topics: []string{"finding-usce"}}}
	if err := db.SetReminders(context.Background(), u, true, from.Hour(), due, now); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRunSendsDueReminders(t *testing.T) {
	const token = "123456:test-token-secret"
	api := &botAPI{token: token, said: make(chan struct{}, 10)}
	srv := httptest.NewServer(api)
	defer srv.Close()
	t.Setenv(envTelegramToken, token)
	cfg := writeRunConfig(t, srv.URL)
	scheduleDue(t, filepath.Join(filepath.Dir(cfg), "bot.db"), advisor.UserKey{Platform: "telegram", ID: "7"})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	var stderr strings.Builder
	go func() {
		done <- run(runCtx, []string{"run", "--config", cfg}, strings.NewReader(""), &strings.Builder{}, &stderr)
	}()
	select {
	case <-api.said:
	case <-ctx.Done():
		t.Fatal("the due reminder was not sent")
	}
	stop()
	if code := <-done; code != 0 {
		t.Errorf("run exit code %d; stderr:\n%s", code, stderr.String())
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.sent) != 1 || !strings.Contains(api.sent[0], "Reminder:") || !strings.Contains(api.sent[0], "Secure 1-3 months of USCE.") {
		t.Errorf("sent %q, want the one reminder", api.sent)
	}
	if logs := stderr.String(); !strings.Contains(logs, `"msg":"reminders: batch"`) || !strings.Contains(logs, `"sent":1`) || strings.Contains(logs, "USCE") {
		t.Errorf("want a batch log line with counts and no text:\n%s", logs)
	}
}

func TestConsoleShowsDueRemindersAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.db")
	scheduleDue(t, path, advisor.UserKey{Platform: "console", ID: "ana"})
	code, out, stderr := runCmd(t, "/remind\n", "console", "--db", path, "--user", "ana")
	if code != 0 {
		t.Fatalf("console exit %d: %s", code, stderr)
	}
	reminder, status, _ := strings.Cut(out, "Reminders are on")
	if !strings.Contains(reminder, "Reminder:") || !strings.Contains(reminder, "Secure 1-3 months of USCE.") {
		t.Errorf("console output before the first reply = %q, want the due reminder", reminder)
	}
	if strings.Contains(status, "Secure 1-3") {
		t.Errorf("/remind after it was shown = %q, want it no longer scheduled", status)
	}
	// The next start shows nothing again, and another user sees nothing.
	for _, user := range []string{"ana", "ravi"} {
		if _, out, _ := runCmd(t, "", "console", "--db", path, "--user", user); strings.Contains(out, "Reminder") {
			t.Errorf("console for %s = %q, want no reminder", user, out)
		}
	}
}
