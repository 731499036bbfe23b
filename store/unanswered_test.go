package store

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor"
)

// day0 is t0's day: what is kept of when a question was asked.
var day0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// unanswered calls Unanswered and fails the test on an error.
func unanswered(tb testing.TB, db *DB) []UnansweredQuestion {
	tb.Helper()
	qs, err := db.Unanswered(tb.Context())
	if err != nil {
		tb.Fatalf("Unanswered: %v", err)
	}
	return qs
}

// saveUnanswered calls SaveUnanswered and fails the test on an error.
func saveUnanswered(tb testing.TB, db *DB, q string, now time.Time) {
	tb.Helper()
	if err := db.SaveUnanswered(tb.Context(), q, now); err != nil {
		tb.Fatalf("SaveUnanswered(%.40q): %v", q, err)
	}
}

func TestSaveUnanswered(t *testing.T) {
	long := strings.Repeat("é", 600)
	tests := []struct {
		name, question string
		want           string // "" when nothing is kept
	}{
		{"plain", "what is the best anki deck for step 1?", "what is the best anki deck for step 1?"},
		{"spaces and line breaks", "  what about\n\n\tstep 2  ck?\r\n", "what about step 2 ck?"},
		{"terminal escape", "hi \x1b[2J\x1b]0;pwned\x07there", "hi [2J ]0;pwned there"},
		{"NUL", "a\x00b", "a b"},
		{"invalid UTF-8", "does tele\xff\xfehealth count", "does tele\uFFFDhealth count"},
		{"long, cut by runes", long, strings.Repeat("é", maxQuestionRunes)},
		{"cut at a space", strings.Repeat("a", maxQuestionRunes-1) + " b", strings.Repeat("a", maxQuestionRunes-1)},
		{"empty", "", ""},
		{"only spaces and controls", " \n\t\x00\x1b ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTemp(t)
			saveUnanswered(t, db, tt.question, t0)
			var want []UnansweredQuestion
			if tt.want != "" {
				want = []UnansweredQuestion{{ID: 1, Question: tt.want, AskedAt: day0}}
			}
			got := unanswered(t, db)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Unanswered() after SaveUnanswered(%.40q) (-want +got):\n%s", tt.question, diff)
			}
			for _, q := range got {
				if !utf8.ValidString(q.Question) {
					t.Errorf("kept question %q is not valid UTF-8", q.Question)
				}
			}
		})
	}
}

func TestUnansweredListAndClear(t *testing.T) {
	db, path := openTemp(t)
	if got := unanswered(t, db); len(got) != 0 {
		t.Errorf("Unanswered() of a new store = %v, want none", got)
	}
	if n, err := db.ClearUnanswered(t.Context()); err != nil || n != 0 {
		t.Errorf("ClearUnanswered() of a new store = %d, %v, want 0, nil", n, err)
	}

	// Only the day is kept, in UTC whatever the caller's zone: t0 is 09:30
	// UTC, 14:30 at UTC+5, and 23:59:59 UTC is still the same day.
	east := time.FixedZone("UTC+5", 5*3600)
	saveUnanswered(t, db, "is anki enough?", t0.In(east))
	saveUnanswered(t, db, "is anki enough?", day0.Add(24*time.Hour-time.Second))
	saveUnanswered(t, db, "what about uworld", day0.Add(24*time.Hour))
	want := []UnansweredQuestion{
		{ID: 1, Question: "is anki enough?", AskedAt: day0},
		{ID: 2, Question: "is anki enough?", AskedAt: day0},
		{ID: 3, Question: "what about uworld", AskedAt: day0.Add(24 * time.Hour)},
	}
	if diff := cmp.Diff(want, unanswered(t, db)); diff != "" {
		t.Errorf("Unanswered() (-want +got):\n%s", diff)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path)
	if diff := cmp.Diff(want, unanswered(t, db)); diff != "" {
		t.Errorf("Unanswered() after reopen (-want +got):\n%s", diff)
	}

	n, err := db.ClearUnanswered(t.Context())
	if err != nil || n != 3 {
		t.Errorf("ClearUnanswered() = %d, %v, want 3, nil", n, err)
	}
	if got := unanswered(t, db); len(got) != 0 {
		t.Errorf("Unanswered() after ClearUnanswered = %v, want none", got)
	}
	saveUnanswered(t, db, "after the clear", t0)
	if got := unanswered(t, db); len(got) != 1 || got[0].Question != "after the clear" {
		t.Errorf("Unanswered() after a clear and a save = %v, want the new question", got)
	}
}

// TestUnansweredKeepsNewest checks the bound on the table, with a small one.
func TestUnansweredKeepsNewest(t *testing.T) {
	db, _ := openTemp(t)
	for i, q := range []string{"one", "two", "three", "four", "five"} {
		if err := db.saveUnanswered(t.Context(), q, t0.Add(time.Duration(i)*time.Second), 3); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, q := range unanswered(t, db) {
		got = append(got, q.Question)
	}
	if diff := cmp.Diff([]string{"three", "four", "five"}, got); diff != "" {
		t.Errorf("questions kept with a bound of 3 (-want +got):\n%s", diff)
	}
}

// TestUnansweredBelongToNobody: a kept question has no user, so it is not
// in any user's export, and neither forgetting nor retention deletes it.
func TestUnansweredBelongToNobody(t *testing.T) {
	db, _ := openTemp(t)
	const marker = "zebrafish-observership-question"
	saveProfile(t, db, alice, fullProfile(), midLoopState(), t0)
	touch(t, db, bob, t0)
	saveUnanswered(t, db, "is a "+marker+" worth it", t0)

	for _, u := range []advisor.UserKey{alice, bob} {
		b, err := db.Export(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("Export(%v) contains the unanswered question:\n%s", u, b)
		}
		for k := range exported(t, db, u) {
			if k != "user" && k != "profile" && k != "intake" && k != "profile_updated_at" {
				t.Errorf("Export(%v) has the key %q", u, k)
			}
		}
	}

	if _, err := db.Forget(t.Context(), alice); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteInactive(t.Context(), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "users"); n != 0 {
		t.Fatalf("users has %d rows after Forget and DeleteInactive, want 0", n)
	}
	if got := unanswered(t, db); len(got) != 1 || !strings.Contains(got[0].Question, marker) {
		t.Errorf("Unanswered() after Forget and DeleteInactive = %v, want the question kept", got)
	}
}

// TestMigrateFromVersion2 opens a database of the previous release
// (migrations 1 and 2, holding a user with a profile): Open adds the table
// and keeps the data.
func TestMigrateFromVersion2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	ms := mustMigrations(t)
	if err := migrate(t.Context(), raw, ms[:2]); err != nil {
		t.Fatalf("create version 2 schema: %v", err)
	}
	profile, err := json.Marshal(fullProfile())
	if err != nil {
		t.Fatal(err)
	}
	intake, err := json.Marshal(midLoopState())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO users (id, platform, platform_user_id, created_at, last_seen_at) VALUES (7, ?, ?, ?, ?)`,
		alice.Platform, alice.ID, t0.Unix(), t0.Unix()); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO profiles (user_id, profile, intake, updated_at) VALUES (7, ?, ?, ?)`,
		string(profile), string(intake), t0.Unix()); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db := openAt(t, path)
	var version int
	if err := db.reader.QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != len(ms) {
		t.Errorf("schema version after Open of a version 2 database = %d, want %d", version, len(ms))
	}
	p, s := loadProfile(t, db, alice)
	if diff := cmp.Diff(fullProfile(), p); diff != "" {
		t.Errorf("LoadProfile(%v) after migration (-want +got):\n%s", alice, diff)
	}
	if diff := cmp.Diff(midLoopState(), s); diff != "" {
		t.Errorf("LoadProfile(%v) state after migration (-want +got):\n%s", alice, diff)
	}
	saveUnanswered(t, db, "is anki enough?", t0)
	if got := unanswered(t, db); len(got) != 1 {
		t.Errorf("Unanswered() on a migrated database = %v, want the one question", got)
	}
}
