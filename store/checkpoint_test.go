package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
)

// stopCheckpoints stops db's checkpointer goroutine, so that a test runs
// the checkpoints itself; Close still closes its connection.
func stopCheckpoints(db *DB) {
	close(db.ckpt.stop)
	<-db.ckpt.done
	db.ckpt.stop = make(chan struct{})
}

func touchMany(t *testing.T, db *DB, n int, prefix string) {
	t.Helper()
	for i := range n {
		if err := db.Touch(t.Context(), advisor.UserKey{Platform: "t", ID: fmt.Sprint(prefix, i)}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWriterLeavesCheckpointsToTheCheckpointer: the writer's commits never
// checkpoint, however large the WAL grows; the checkpointer copies it all.
func TestWriterLeavesCheckpointsToTheCheckpointer(t *testing.T) {
	db, _ := openTemp(t)
	stopCheckpoints(db)
	touchMany(t, db, 2000, "u") // past SQLite's default of 1,000 pages
	log, copied, err := db.ckpt.checkpoint(t.Context())
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	if log < 2000 || copied != log {
		t.Errorf("the checkpointer found %d pages in the WAL and copied %d; want the 2,000 commits' pages, never checkpointed by the writer, all copied", log, copied)
	}
}

// TestCheckpointerRewindsALongWAL: past its bound, the checkpointer makes
// SQLite rewind the WAL, so the next writes start at its beginning.
func TestCheckpointerRewindsALongWAL(t *testing.T) {
	db, _ := openTemp(t)
	stopCheckpoints(db)
	touchMany(t, db, 500, "u")
	db.ckpt.maxPages = 100
	if _, _, err := db.ckpt.checkpoint(t.Context()); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	touchMany(t, db, 1, "after")
	db.ckpt.maxPages = maxWALPages
	if log, _, err := db.ckpt.checkpoint(t.Context()); err != nil || log > 10 {
		t.Errorf("after a restarting checkpoint and one write, the WAL has %d pages (%v); want it rewound", log, err)
	}
}
