package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

func intp(v int) *int { return &v }

// fullProfile has every field set, and experiences that exercise the JSON
// defaults (in_us false must survive; end_year and specialty may be absent).
func fullProfile() rules.Profile {
	return rules.Profile{
		Stage:           rules.StageGraduate,
		GradYear:        intp(2021),
		ApplicationYear: intp(2027),
		Specialty:       "internal medicine",
		Step1:           rules.Step1Passed,
		Step2CK:         intp(245),
		Visa:            rules.VisaNeeded,
		CanTravel:       rules.Yes,
		Budget:          rules.BudgetLow,
		USLetters:       intp(2),
		Experiences: []rules.Experience{
			{Kind: rules.KindExternship, Weeks: 8, Specialty: "internal medicine", EndYear: 2025, InUS: true},
			{Kind: rules.KindTelehealth, Weeks: 4, EndYear: 2024, InUS: true, Remote: true},
			{Kind: rules.KindElective, Weeks: 6, Specialty: "pediatrics", InUS: false},
		},
	}
}

// midLoopState is an intake paused inside the experiences loop: a draft
// and a history to go back through.
func midLoopState() advisor.IntakeState {
	return advisor.IntakeState{
		Step:    "experience_weeks",
		Draft:   &rules.Experience{Kind: rules.KindObservership, Specialty: "psychiatry", InUS: false, Remote: true},
		History: []string{"stage", "grad_year", "application_year", "specialty", "step1", "step2ck", "visa", "can_travel", "budget", "experience"},
		Paused:  true,
	}
}

// loadProfile calls LoadProfile and fails the test on an error.
func loadProfile(tb testing.TB, db *DB, u advisor.UserKey) (rules.Profile, advisor.IntakeState) {
	tb.Helper()
	p, s, err := db.LoadProfile(tb.Context(), u)
	if err != nil {
		tb.Fatalf("LoadProfile(%v): %v", u, err)
	}
	return p, s
}

// saveProfile calls SaveProfile and fails the test on an error.
func saveProfile(tb testing.TB, db *DB, u advisor.UserKey, p rules.Profile, s advisor.IntakeState, now time.Time) {
	tb.Helper()
	if err := db.SaveProfile(tb.Context(), u, p, s, now); err != nil {
		tb.Fatalf("SaveProfile(%v): %v", u, err)
	}
}

func TestProfileRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		p    rules.Profile
		s    advisor.IntakeState
	}{
		{"full profile mid-loop", fullProfile(), midLoopState()},
		{"finished intake", fullProfile(), advisor.IntakeState{Step: advisor.StepDone}},
		{"first answer only", rules.Profile{Stage: rules.StageStudent}, advisor.IntakeState{Step: "grad_year", History: []string{"stage"}}},
		{"step2ck not taken", func() rules.Profile { p := fullProfile(); p.Step2CK = nil; return p }(), advisor.IntakeState{Step: "visa"}},
		{"nothing yet", rules.Profile{}, advisor.IntakeState{Step: "stage"}},
	}
	db, _ := openTemp(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := advisor.UserKey{Platform: "telegram", ID: fmt.Sprint(500 + i)}
			saveProfile(t, db, u, tt.p, tt.s, t0)
			p, s := loadProfile(t, db, u)
			if diff := cmp.Diff(tt.p, p); diff != "" {
				t.Errorf("LoadProfile() profile after SaveProfile (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.s, s); diff != "" {
				t.Errorf("LoadProfile() intake state after SaveProfile (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSaveProfileOverwrites(t *testing.T) {
	db, _ := openTemp(t)
	first := fullProfile()
	saveProfile(t, db, alice, first, midLoopState(), t0)
	second := rules.Profile{Stage: rules.StageStudent, GradYear: intp(2028)}
	wantState := advisor.IntakeState{Step: "application_year", History: []string{"stage", "grad_year"}}
	saveProfile(t, db, alice, second, wantState, t0.Add(time.Hour))

	p, s := loadProfile(t, db, alice)
	if diff := cmp.Diff(second, p); diff != "" {
		t.Errorf("LoadProfile() after a second SaveProfile (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantState, s); diff != "" {
		t.Errorf("LoadProfile() state after a second SaveProfile (-want +got):\n%s", diff)
	}
	// The first save's user row is kept, not replaced.
	if diff := cmp.Diff(wantUser(alice, t0, t0.Add(time.Hour)), onlyUser(exported(t, db, alice))); diff != "" {
		t.Errorf("Export() user after two saves (-want +got):\n%s", diff)
	}
}

func TestLoadProfileUnknownUser(t *testing.T) {
	db, _ := openTemp(t)
	saveProfile(t, db, alice, fullProfile(), midLoopState(), t0) // someone else
	touch(t, db, bob, t0)                                        // seen, but no profile

	for _, u := range []advisor.UserKey{{Platform: "telegram", ID: "never-seen"}, bob} {
		p, s, err := db.LoadProfile(t.Context(), u)
		if err != nil {
			t.Errorf("LoadProfile(%v) error = %v, want nil", u, err)
		}
		if diff := cmp.Diff(rules.Profile{}, p); diff != "" {
			t.Errorf("LoadProfile(%v) profile (-want +got):\n%s", u, diff)
		}
		if diff := cmp.Diff(advisor.IntakeState{}, s); diff != "" {
			t.Errorf("LoadProfile(%v) state (-want +got):\n%s", u, diff)
		}
	}
}

func TestSaveProfileCreatesUser(t *testing.T) {
	db, _ := openTemp(t)
	if diff := cmp.Diff(wantNobody, exported(t, db, alice)); diff != "" {
		t.Fatalf("Export() before SaveProfile (-want +got):\n%s", diff)
	}
	saveProfile(t, db, alice, fullProfile(), midLoopState(), t0)
	if diff := cmp.Diff(wantUser(alice, t0, t0), onlyUser(exported(t, db, alice))); diff != "" {
		t.Errorf("Export() user after SaveProfile of a new user (-want +got):\n%s", diff)
	}
	var n int
	if err := db.reader.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("users has %d rows after one SaveProfile, want 1", n)
	}
}

// onlyUser keeps the "user" key of an Export document.
func onlyUser(m map[string]any) map[string]any {
	return map[string]any{"user": m["user"]}
}

func TestExportProfile(t *testing.T) {
	db, _ := openTemp(t)
	touch(t, db, alice, t0)
	before := exported(t, db, alice)
	for _, key := range []string{"profile", "intake"} {
		if _, ok := before[key]; ok {
			t.Errorf("Export() before SaveProfile has %q: %v", key, before)
		}
	}

	p, s := fullProfile(), midLoopState()
	saveProfile(t, db, alice, p, s, t0.Add(time.Minute))
	b, err := db.Export(t.Context(), alice)
	if err != nil {
		t.Fatalf("Export(): %v", err)
	}
	var got struct {
		User    map[string]any
		Profile *rules.Profile
		Intake  *advisor.IntakeState
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("Export() is not JSON: %v\n%s", err, b)
	}
	if got.Profile == nil || got.Intake == nil {
		t.Fatalf("Export() after SaveProfile lacks profile or intake:\n%s", b)
	}
	if diff := cmp.Diff(p, *got.Profile); diff != "" {
		t.Errorf("Export() profile (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(s, *got.Intake); diff != "" {
		t.Errorf("Export() intake (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantUser(alice, t0, t0.Add(time.Minute)), onlyUser(exported(t, db, alice))); diff != "" {
		t.Errorf("Export() user (-want +got):\n%s", diff)
	}
}

func TestForgetProfile(t *testing.T) {
	db, _ := openTemp(t)
	aliceProfile, bobProfile := fullProfile(), rules.Profile{Stage: rules.StageStudent, Specialty: "psychiatry"}
	bobState := advisor.IntakeState{Step: "grad_year", History: []string{"stage"}}
	saveProfile(t, db, alice, aliceProfile, midLoopState(), t0)
	saveProfile(t, db, bob, bobProfile, bobState, t0)

	existed, err := db.Forget(t.Context(), alice)
	if err != nil || !existed {
		t.Fatalf("Forget(%v) = %t, %v, want true, nil", alice, existed, err)
	}
	p, s := loadProfile(t, db, alice)
	if diff := cmp.Diff(rules.Profile{}, p); diff != "" {
		t.Errorf("LoadProfile() of a forgotten user (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(advisor.IntakeState{}, s); diff != "" {
		t.Errorf("LoadProfile() state of a forgotten user (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantNobody, exported(t, db, alice)); diff != "" {
		t.Errorf("Export() of a forgotten user (-want +got):\n%s", diff)
	}
	// The row itself must be gone, not merely hidden by the join on users.
	var rows int
	if err := db.reader.QueryRow(`SELECT count(*) FROM profiles`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("profiles has %d rows after forgetting one of two users, want 1", rows)
	}

	p, s = loadProfile(t, db, bob)
	if diff := cmp.Diff(bobProfile, p); diff != "" {
		t.Errorf("LoadProfile() of another user after Forget (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(bobState, s); diff != "" {
		t.Errorf("LoadProfile() state of another user after Forget (-want +got):\n%s", diff)
	}
}

func TestProfileSurvivesReopen(t *testing.T) {
	db, path := openTemp(t)
	saveProfile(t, db, alice, fullProfile(), midLoopState(), t0)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = openAt(t, path)
	p, s := loadProfile(t, db, alice)
	if diff := cmp.Diff(fullProfile(), p); diff != "" {
		t.Errorf("LoadProfile() after reopen (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(midLoopState(), s); diff != "" {
		t.Errorf("LoadProfile() state after reopen (-want +got):\n%s", diff)
	}
}

// TestSaveProfileConcurrent saves from many goroutines over a few shared
// users. Each save's profile and state carry the same tag, so a final
// profile from one save with the state of another would show.
func TestSaveProfileConcurrent(t *testing.T) {
	db, _ := openTemp(t)
	const goroutines, saves, users = 16, 20, 8
	type saved struct {
		P rules.Profile
		S advisor.IntakeState
	}
	var mu sync.Mutex
	all := map[advisor.UserKey][]saved{}

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range saves {
				u := advisor.UserKey{Platform: "discord", ID: fmt.Sprint((g + i) % users)}
				p := fullProfile()
				p.USLetters = intp(g % 11)
				p.Step2CK = intp(1 + g*saves + i)
				p.Experiences = p.Experiences[:1+i%3]
				s := advisor.IntakeState{Step: "budget", History: []string{fmt.Sprintf("g%d-i%d", g, i)}}
				mu.Lock()
				all[u] = append(all[u], saved{p, s})
				mu.Unlock()
				if err := db.SaveProfile(t.Context(), u, p, s, t0.Add(time.Duration(i)*time.Second)); err != nil {
					t.Errorf("goroutine %d: SaveProfile(%v) #%d: %v", g, u, i, err)
					return
				}
			}
		})
	}
	wg.Wait()

	for u := 0; u < users; u++ {
		key := advisor.UserKey{Platform: "discord", ID: fmt.Sprint(u)}
		p, s := loadProfile(t, db, key)
		got := saved{p, s}
		found := false
		for _, w := range all[key] {
			if cmp.Equal(w, got) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("LoadProfile(%v) = %+v, %+v, want one of the %d saved pairs", key, p, s, len(all[key]))
		}
	}
	var n int
	if err := db.reader.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != users {
		t.Errorf("users has %d rows after concurrent saves for %d users, want %d", n, users, users)
	}
}

// schemaV1 is the schema migration 0001 created, frozen here as released:
// the migration test must start from what old databases really hold.
const schemaV1 = `
CREATE TABLE schema_version (
	version    INTEGER PRIMARY KEY,
	applied_at INTEGER NOT NULL
) STRICT;
CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    platform_user_id TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    UNIQUE (platform, platform_user_id)
) STRICT;
INSERT INTO schema_version (version, applied_at) VALUES (1, 1700000000);
`

func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(schemaV1); err != nil {
		t.Fatalf("create version 1 schema: %v", err)
	}
	if _, err := raw.Exec(`INSERT INTO users (platform, platform_user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)`,
		alice.Platform, alice.ID, t0.Unix(), t0.Unix(),
		bob.Platform, bob.ID, t0.Unix(), t0.Add(time.Hour).Unix()); err != nil {
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
	if want := len(mustMigrations(t)); version != want {
		t.Errorf("schema version after Open of a version 1 database = %d, want %d", version, want)
	}
	if diff := cmp.Diff(wantUser(alice, t0, t0), exported(t, db, alice)); diff != "" {
		t.Errorf("Export() of a version 1 user after migration (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantUser(bob, t0, t0.Add(time.Hour)), exported(t, db, bob)); diff != "" {
		t.Errorf("Export() of a version 1 user after migration (-want +got):\n%s", diff)
	}

	// An existing user gets a profile on their own row.
	later := t0.Add(48 * time.Hour)
	saveProfile(t, db, alice, fullProfile(), midLoopState(), later)
	p, _ := loadProfile(t, db, alice)
	if diff := cmp.Diff(fullProfile(), p); diff != "" {
		t.Errorf("LoadProfile() after migration (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantUser(alice, t0, later), onlyUser(exported(t, db, alice))); diff != "" {
		t.Errorf("Export() user after a profile save on a migrated database (-want +got):\n%s", diff)
	}
}
