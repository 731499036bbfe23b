package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

// holdWriter queues a write that waits inside its transaction until the
// returned release is called, so that the writes queued meanwhile are
// committed together in the next batch.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	inside, hold := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.write(context.Background(), func(tx *sql.Tx) error {
			close(inside)
			<-hold
			return nil
		}, nil)
	}()
	<-inside
	return func() {
		close(hold)
		if err := <-done; err != nil {
			t.Errorf("the holding write: %v", err)
		}
	}
}

// queued waits until n writes wait in db's queue.
func queued(t *testing.T, db *DB, n int) {
	t.Helper()
	for {
		db.writes.mu.Lock()
		got := len(db.writes.ops)
		db.writes.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// TestBatchIsolatesAFailure commits many users' writes together with one
// that fails halfway: the others must succeed and be stored, the failing
// one must get its error and leave nothing behind.
func TestBatchIsolatesAFailure(t *testing.T) {
	ctx := t.Context()
	db, _ := openTemp(t)
	release := holdWriter(t, db)

	const good = 20
	errs := make([]error, good+1)
	var wg sync.WaitGroup
	for i := range good {
		wg.Go(func() {
			u := advisor.UserKey{Platform: "telegram", ID: strconv.Itoa(i)}
			errs[i] = db.SaveProfile(ctx, u, rules.Profile{Specialty: "psychiatry", USLetters: intp(i)}, advisor.IntakeState{Step: "visa"}, t0)
		})
	}
	wg.Go(func() {
		errs[good] = db.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec(`INSERT INTO users (platform, platform_user_id, created_at, last_seen_at) VALUES ('telegram', 'half', 0, 0)`); err != nil {
				return err
			}
			// The same user again: the unique key refuses it.
			_, err := tx.Exec(`INSERT INTO users (platform, platform_user_id, created_at, last_seen_at) VALUES ('telegram', 'half', 0, 0)`)
			return err
		}, nil)
	})
	queued(t, db, good+1)
	release()
	wg.Wait()

	for i := range good {
		if errs[i] != nil {
			t.Errorf("SaveProfile(user %d) batched with a failing write: %v", i, errs[i])
			continue
		}
		p, s := loadProfile(t, db, advisor.UserKey{Platform: "telegram", ID: strconv.Itoa(i)})
		if want := (rules.Profile{Specialty: "psychiatry", USLetters: intp(i)}); !cmp.Equal(p, want) || s.Step != "visa" {
			t.Errorf("user %d stored %+v %+v, want %+v", i, p, s, want)
		}
	}
	if !errors.Is(errs[good], ErrConstraint) {
		t.Errorf("the failing write: error = %v, want ErrConstraint", errs[good])
	}
	if got := exported(t, db, advisor.UserKey{Platform: "telegram", ID: "half"}); !cmp.Equal(got, wantNobody) {
		t.Errorf("the failing write's first statement was kept: %v", got)
	}
}

// TestBatchCommitsTogether checks that the writes queued while the
// writer is busy run in one transaction.
func TestBatchCommitsTogether(t *testing.T) {
	db, _ := openTemp(t)
	release := holdWriter(t, db)
	const n = 50
	txs := make([]*sql.Tx, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := db.write(t.Context(), func(tx *sql.Tx) error {
				txs[i] = tx
				_, err := tx.Stmt(db.stmt.touch).Exec("discord", strconv.Itoa(i), 0, 0)
				return err
			}, nil)
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	queued(t, db, n)
	release()
	wg.Wait()
	for i, tx := range txs {
		if tx != txs[0] {
			t.Fatalf("write %d ran in another transaction than write 0; want the %d queued together in one", i, n)
		}
	}
	var c int
	if err := db.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM users WHERE platform = 'discord'`).Scan(&c); err != nil || c != n {
		t.Errorf("%d users stored (%v), want %d", c, err, n)
	}
}

// TestWriteCancelledBeforeItRuns: a write whose context ends while it
// waits in the queue returns the context's error and never runs.
func TestWriteCancelledBeforeItRuns(t *testing.T) {
	db, _ := openTemp(t)
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- db.Touch(ctx, alice, t0) }()
	queued(t, db, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Touch cancelled in the queue: error = %v, want context.Canceled", err)
	}
	release()
	// The writer has moved on past the cancelled write once another one,
	// queued after it, is done.
	touch(t, db, bob, t0)
	if got := exported(t, db, alice); !cmp.Equal(got, wantNobody) {
		t.Errorf("the cancelled Touch ran: %v", got)
	}
}

// TestCloseRunsQueuedWrites: Close waits for the writes already queued,
// and a write after it fails with ErrClosed.
func TestCloseRunsQueuedWrites(t *testing.T) {
	ctx := t.Context()
	db, path := openTemp(t)
	release := holdWriter(t, db)
	const n = 10
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- db.Touch(ctx, advisor.UserKey{Platform: "telegram", ID: fmt.Sprint(i)}, t0) }()
	}
	queued(t, db, n)
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	release()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("a Touch queued before Close: %v", err)
		}
	}
	if err := db.Touch(ctx, alice, t0); !errors.Is(err, ErrClosed) {
		t.Errorf("Touch after Close: error = %v, want ErrClosed", err)
	}

	db = openAt(t, path)
	var c int
	if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&c); err != nil || c != n {
		t.Errorf("after reopening: %d users (%v), want the %d touched before Close", c, err, n)
	}
}
