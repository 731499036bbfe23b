package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPing(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping on an open store: %v", err)
	}

	// The writer's only connection is busy: Ping waits, within ctx.
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := db.Ping(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ping while the writer is held = %v, want a deadline error", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after the writer is free: %v", err)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Error("Ping on a closed store = nil, want an error")
	}
}
