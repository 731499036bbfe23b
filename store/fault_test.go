package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"modernc.org/sqlite"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

// The disk failing under a running store, injected into its one writer
// connection:
//
//   - read-only: PRAGMA query_only, which fails every write with the
//     SQLITE_READONLY a read-only file or file system gives (file modes
//     cannot stand in for it: root, which CI may be, ignores them, and a
//     file made read-only after the store opened it stays writable through
//     the descriptors it has);
//   - full: PRAGMA max_page_count at the file's current size, so a write
//     fails with SQLITE_FULL as soon as it needs a new page, as when the
//     disk is full. A profile too big for the pages there are makes it
//     fail halfway through SaveProfile's transaction, after the user row
//     was written.
//
// Every failed write must leave the database exactly as it was, reads
// must go on working, and once the fault is gone the same write must
// succeed on the same connection.

// faultProfile is a profile whose JSON needs overflow pages.
func faultProfile() rules.Profile {
	p := fullProfile()
	for i := range 400 {
		p.Experiences = append(p.Experiences, rules.Experience{Kind: rules.KindObservership, Weeks: 1 + i%12, Specialty: "psychiatry", EndYear: 2020 + i%5, InUS: true})
	}
	return p
}

// writerExec runs q on the writer's single connection.
func writerExec(t *testing.T, db *DB, q string) {
	t.Helper()
	if _, err := db.writer.ExecContext(t.Context(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// writerInt runs q on the writer's single connection and returns the number it gives.
func writerInt(t *testing.T, db *DB, q string) int {
	t.Helper()
	var n int
	if err := db.writer.QueryRowContext(t.Context(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// readOnly makes the disk read-only, and returns what puts it right.
func readOnly(t *testing.T, db *DB) (fix func()) {
	writerExec(t, db, "PRAGMA query_only=1")
	return func() { writerExec(t, db, "PRAGMA query_only=0") }
}

// diskFull fills the disk at the file's current size, and returns what
// frees it.
func diskFull(t *testing.T, db *DB) (fix func()) {
	limit := writerInt(t, db, "PRAGMA max_page_count")
	writerExec(t, db, fmt.Sprintf("PRAGMA max_page_count=%d", writerInt(t, db, "PRAGMA page_count")))
	return func() { writerExec(t, db, fmt.Sprintf("PRAGMA max_page_count=%d", limit)) }
}

// storeState is everything stored, per user, for before/after comparisons.
func storeState(t *testing.T, db *DB, users ...advisor.UserKey) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, u := range users {
		out[u.Platform+"/"+u.ID] = exported(t, db, u)
	}
	for _, table := range []string{"users", "profiles", "unanswered"} {
		var n int
		if err := db.reader.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out["rows in "+table] = n
	}
	return out
}

func TestWriteFaults(t *testing.T) {
	carol := advisor.UserKey{Platform: "telegram", ID: "3003"} // never seen before the fault
	big := faultProfile()
	later := t0.Add(48 * time.Hour)
	type op struct {
		name string
		run  func(ctx context.Context, db *DB) error
	}
	saveBig := func(u advisor.UserKey) op {
		return op{fmt.Sprintf("SaveProfile(%s, a 40 kB profile)", u.ID), func(ctx context.Context, db *DB) error {
			return db.SaveProfile(ctx, u, big, advisor.IntakeState{Step: advisor.StepDone}, later)
		}}
	}
	tests := []struct {
		name  string
		fault func(*testing.T, *DB) (fix func())
		want  error
		ops   []op // each must fail with want and change nothing
		fits  []op // each must succeed despite the fault
	}{
		{"read-only", readOnly, ErrReadOnly, []op{
			{"Touch(alice)", func(ctx context.Context, db *DB) error { return db.Touch(ctx, alice, later) }},
			{"Touch(carol)", func(ctx context.Context, db *DB) error { return db.Touch(ctx, carol, later) }},
			saveBig(alice),
			{"SaveProfile(carol)", func(ctx context.Context, db *DB) error {
				return db.SaveProfile(ctx, carol, rules.Profile{Stage: rules.StageStudent}, advisor.IntakeState{Step: "grad_year"}, later)
			}},
			{"Forget(bob)", func(ctx context.Context, db *DB) error { _, err := db.Forget(ctx, bob); return err }},
			{"SaveUnanswered", func(ctx context.Context, db *DB) error {
				return db.SaveUnanswered(ctx, "what about dental school?", later)
			}},
		}, nil},
		// The user row is updated (alice) or inserted (carol) in place,
		// as Touch(carol) shows by succeeding, then the profile does not
		// fit: the transaction must take the user row back with it.
		{"full", diskFull, ErrFull, []op{saveBig(alice), saveBig(carol)}, []op{
			{"Touch(carol)", func(ctx context.Context, db *DB) error { return db.Touch(ctx, carol, later) }},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			db, _ := openTemp(t)
			saveProfile(t, db, alice, fullProfile(), midLoopState(), t0)
			touch(t, db, bob, t0)
			before := storeState(t, db, alice, bob, carol)
			p0, s0 := loadProfile(t, db, alice)

			fix := tt.fault(t, db)
			for _, o := range tt.ops {
				err := o.run(ctx, db)
				if !errors.Is(err, tt.want) {
					t.Errorf("%s with the disk %s: error = %v, want %v", o.name, tt.name, err, tt.want)
				}
				if se := (*sqlite.Error)(nil); err != nil && !errors.As(err, &se) {
					t.Errorf("%s: error %v lost the SQLite error for the log", o.name, err)
				}
				if diff := cmp.Diff(before, storeState(t, db, alice, bob, carol)); diff != "" {
					t.Errorf("%s failed but changed the database (-before +after):\n%s", o.name, diff)
				}
			}
			for _, o := range tt.fits {
				if err := o.run(ctx, db); err != nil {
					t.Errorf("%s with the disk %s: %v, want success", o.name, tt.name, err)
				}
			}
			// Reads go on.
			if p, s := loadProfile(t, db, alice); !cmp.Equal(p, p0) || !cmp.Equal(s, s0) {
				t.Errorf("LoadProfile(alice) with the disk %s = %+v, %+v; want the stored profile", tt.name, p, s)
			}

			// The fault gone, the same connection writes again.
			fix()
			for _, o := range tt.ops {
				if err := o.run(ctx, db); err != nil {
					t.Errorf("%s once the disk is fixed: %v", o.name, err)
				}
			}
			if p, s := loadProfile(t, db, alice); !cmp.Equal(p, big) || s.Step != advisor.StepDone {
				t.Errorf("LoadProfile(alice) after the retry is not the profile saved then")
			}
			var check string
			if err := db.reader.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
				t.Errorf("integrity_check = %q, %v; want ok", check, err)
			}
		})
	}
}
