package store

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

// count returns the number of rows in table.
func count(tb testing.TB, db *DB, table string) int {
	tb.Helper()
	var n int
	if err := db.reader.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestDeleteInactive(t *testing.T) {
	db, _ := openTemp(t)
	carol := advisor.UserKey{Platform: "telegram", ID: "carol"}
	dave := advisor.UserKey{Platform: "discord", ID: "dave"}
	cutoff := t0.Add(30 * 24 * time.Hour)
	saveProfile(t, db, alice, fullProfile(), midLoopState(), t0)                              // inactive, with a profile
	touch(t, db, carol, cutoff.Add(-time.Second))                                             // inactive, no profile
	saveProfile(t, db, bob, rules.Profile{Stage: rules.StageStudent}, midLoopState(), cutoff) // seen exactly at the cutoff: kept
	touch(t, db, dave, cutoff.Add(time.Hour))                                                 // active
	if err := db.SaveUnanswered(t.Context(), "is anki enough for step 1", t0); err != nil {
		t.Fatal(err)
	}

	n, err := db.DeleteInactive(t.Context(), cutoff)
	if err != nil {
		t.Fatalf("DeleteInactive: %v", err)
	}
	if n != 2 {
		t.Errorf("DeleteInactive = %d, want 2 (alice and carol)", n)
	}
	for _, u := range []advisor.UserKey{alice, carol} {
		if diff := cmp.Diff(wantNobody, exported(t, db, u)); diff != "" {
			t.Errorf("Export(%v) after DeleteInactive (-want +got):\n%s", u, diff)
		}
	}
	if diff := cmp.Diff(wantUser(bob, cutoff, cutoff), onlyUser(exported(t, db, bob))); diff != "" {
		t.Errorf("Export(%v) of a user seen at the cutoff (-want +got):\n%s", bob, diff)
	}
	if p, _ := loadProfile(t, db, bob); p.Stage != rules.StageStudent {
		t.Errorf("LoadProfile(%v) after DeleteInactive = %+v, want the kept profile", bob, p)
	}
	if diff := cmp.Diff(wantUser(dave, cutoff.Add(time.Hour), cutoff.Add(time.Hour)), exported(t, db, dave)); diff != "" {
		t.Errorf("Export(%v) of an active user (-want +got):\n%s", dave, diff)
	}
	// The cascade must delete the rows, not merely hide them behind the join.
	got := map[string]int{"users": count(t, db, "users"), "profiles": count(t, db, "profiles"), "unanswered": count(t, db, "unanswered")}
	if diff := cmp.Diff(map[string]int{"users": 2, "profiles": 1, "unanswered": 1}, got); diff != "" {
		t.Errorf("rows after DeleteInactive (-want +got):\n%s", diff)
	}

	if n, err := db.DeleteInactive(t.Context(), cutoff); err != nil || n != 0 {
		t.Errorf("second DeleteInactive = %d, %v, want 0, nil", n, err)
	}
}

// logRecords is a slog handler that passes every record to the test.
type logRecords struct {
	records chan<- slog.Record
	done    <-chan struct{}
}

func (h logRecords) Enabled(context.Context, slog.Level) bool { return true }

func (h logRecords) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.records <- r.Clone():
	case <-h.done: // the test has stopped reading
	}
	return nil
}

func (h logRecords) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h logRecords) WithGroup(string) slog.Handler      { return h }

// attrs returns a record's attributes as strings.
func attrs(r slog.Record) map[string]string {
	m := map[string]string{}
	r.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.String()
		return true
	})
	return m
}

// sweepRun is a sweep running in the background whose log the test reads.
type sweepRun struct {
	records chan slog.Record
	stop    func() // cancels the sweep and waits for it to return
}

// startSweep runs run (a call of Sweep or sweep with the logger given) in
// the background until the test ends or calls stop.
func startSweep(t *testing.T, run func(ctx context.Context, log *slog.Logger)) *sweepRun {
	t.Helper()
	records := make(chan slog.Record)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { run(ctx, slog.New(logRecords{records, done})) })
	stop := sync.OnceFunc(func() {
		cancel()
		close(done)
		wg.Wait() // Sweep must return once ctx is done, or the test hangs
	})
	t.Cleanup(stop)
	return &sweepRun{records: records, stop: stop}
}

// next returns the next sweep's count of deleted users (see deleted).
func (s *sweepRun) next(t *testing.T) int {
	t.Helper()
	return deleted(t, <-s.records)
}

// deleted returns a sweep's count of deleted users, failing the test if
// the record has more than the count (a user id, say) or is an error.
func deleted(t *testing.T, r slog.Record) int {
	t.Helper()
	a := attrs(r)
	if diff := cmp.Diff([]string{"deleted"}, slices.Sorted(maps.Keys(a))); diff != "" || r.Level == slog.LevelError {
		t.Fatalf("sweep logged %s %q %v; want only the count", r.Level, r.Message, a)
	}
	n, err := strconv.Atoi(a["deleted"])
	if err != nil {
		t.Fatalf("sweep logged deleted=%q, want a number", a["deleted"])
	}
	return n
}

const day = 24 * time.Hour

// clock is a settable clock for the sweep.
type clock struct{ unix atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}

func (c *clock) set(t time.Time) { c.unix.Store(t.Unix()) }
func (c *clock) now() time.Time  { return time.Unix(c.unix.Load(), 0) }

// TestSweepTicks drives the loop one tick at a time.
func TestSweepTicks(t *testing.T) {
	db, _ := openTemp(t)
	touch(t, db, alice, t0)
	saveProfile(t, db, bob, fullProfile(), midLoopState(), t0.Add(20*day))
	c := newClock(t0.Add(31 * day))
	tick := make(chan time.Time)
	s := startSweep(t, func(ctx context.Context, log *slog.Logger) {
		sweep(ctx, db, 30*day, tick, c.now, log)
	})

	// The log handler blocks until read, so the sweep cannot take this tick
	// before the test reads the first sweep's record: it can only if it
	// skipped the sweep at the start.
	// At the start, before any tick: alice has been quiet for 31 days, bob for 11.
	select {
	case tick <- t0:
		t.Fatal("Sweep waited for a tick before its first sweep")
	case r := <-s.records:
		if n := deleted(t, r); n != 1 {
			t.Errorf("first sweep deleted %d users, want 1", n)
		}
	}
	if diff := cmp.Diff(wantNobody, exported(t, db, alice)); diff != "" {
		t.Errorf("Export(%v) after the first sweep (-want +got):\n%s", alice, diff)
	}
	if p, _ := loadProfile(t, db, bob); p.Stage != rules.StageGraduate {
		t.Errorf("LoadProfile(%v) after the first sweep = %+v, want the profile kept", bob, p)
	}

	tick <- t0.Add(32 * day) // the clock has not moved: nobody to delete
	if n := s.next(t); n != 0 {
		t.Errorf("sweep on an unchanged clock deleted %d users, want 0", n)
	}

	c.set(t0.Add(51 * day)) // bob has now been quiet for 31 days
	tick <- t0.Add(51 * day)
	if n := s.next(t); n != 1 {
		t.Errorf("sweep after 51 days deleted %d users, want 1", n)
	}
	if n := count(t, db, "users") + count(t, db, "profiles"); n != 0 {
		t.Errorf("%d user and profile rows left after every user was swept, want 0", n)
	}
	s.stop()
}

// TestSweep runs the real loop with a short period: it sweeps at the start
// and again on its ticks.
func TestSweep(t *testing.T) {
	db, _ := openTemp(t)
	touch(t, db, alice, t0)
	saveProfile(t, db, bob, fullProfile(), midLoopState(), t0.Add(20*day))
	c := newClock(t0.Add(31 * day))
	s := startSweep(t, func(ctx context.Context, log *slog.Logger) {
		Sweep(ctx, db, 30*day, time.Millisecond, c.now, log)
	})

	if n := s.next(t); n != 1 {
		t.Errorf("first sweep deleted %d users, want 1", n)
	}
	if diff := cmp.Diff(wantNobody, exported(t, db, alice)); diff != "" {
		t.Errorf("Export(%v) after the first sweep (-want +got):\n%s", alice, diff)
	}
	c.set(t0.Add(51 * day))
	for s.next(t) == 0 { // ticks that ran before the clock moved
	}
	if diff := cmp.Diff(wantNobody, exported(t, db, bob)); diff != "" {
		t.Errorf("Export(%v) after a later sweep (-want +got):\n%s", bob, diff)
	}
	if n := count(t, db, "profiles"); n != 0 {
		t.Errorf("profiles has %d rows after every user was swept, want 0", n)
	}
	s.stop()
}

// TestSweepLogsFailure checks that a failed sweep is logged as an error and
// does not end the loop.
func TestSweepLogsFailure(t *testing.T) {
	db, _ := openTemp(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	tick := make(chan time.Time)
	s := startSweep(t, func(ctx context.Context, log *slog.Logger) {
		sweep(ctx, db, day, tick, newClock(t0).now, log)
	})
	for i := range 2 {
		r := <-s.records
		if r.Level != slog.LevelError || attrs(r)["error"] == "" {
			t.Errorf("sweep #%d on a closed store logged %s %q %v, want an error", i+1, r.Level, r.Message, attrs(r))
		}
		if i == 0 {
			tick <- t0
		}
	}
	s.stop()
}

func TestSweepOff(t *testing.T) {
	db, _ := openTemp(t)
	touch(t, db, alice, t0)
	now := func() time.Time { return t0.Add(1000 * 24 * time.Hour) }
	for _, retention := range []time.Duration{0, -time.Hour} {
		// Off: returns at once, without waiting for ctx, and deletes nothing.
		Sweep(t.Context(), db, retention, time.Millisecond, now, slog.New(slog.DiscardHandler))
	}
	if diff := cmp.Diff(wantUser(alice, t0, t0), exported(t, db, alice)); diff != "" {
		t.Errorf("Export(%v) after Sweep with retention off (-want +got):\n%s", alice, diff)
	}
}
