package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/store"
)

// fullDisk is the real store with its writes failing as SQLite's do when
// the disk is full: reads still work.
type fullDisk struct{ *store.DB }

func (fullDisk) Touch(context.Context, advisor.UserKey, time.Time) error {
	return fmt.Errorf("touch user: %w", store.ErrFull)
}

func (fullDisk) SaveProfile(context.Context, advisor.UserKey, rules.Profile, advisor.IntakeState, time.Time) error {
	return fmt.Errorf("save profile: %w", store.ErrFull)
}

func TestFullDiskKeepsAnsweringAndLosesNothing(t *testing.T) {
	f := newFixture(t)
	f.say(t, "/intake")
	f.say(t, "graduate")
	before, beforeState := f.state(t)

	var storeErrors int
	r := bot.NewRouter(mustKB(t), fullDisk{f.db}, time.Now)
	r.OnEvent(func(e bot.Event) {
		if e == bot.EventStoreError {
			storeErrors++
		}
	})
	h := r.Handler(discardLog())
	say := func(text string) string {
		reply, err := h(context.Background(), bot.Message{Platform: "test", UserID: "u1", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return reply.Text.String()
	}
	if got := say("2019"); !strings.Contains(got, "could not save that just now; please send it again") {
		t.Errorf("an answer on a full disk = %q, want a clear could-not-save reply", got)
	}
	if p, s := f.state(t); p.GradYear != before.GradYear || s.Step != beforeState.Step {
		t.Errorf("a failed save changed the stored state: %+v at %s", p, s.Step)
	}
	if got := say("/plan"); !strings.Contains(got, "/intake") {
		t.Errorf("/plan on a full disk = %q, want it to read the profile", got)
	}
	// Mid-intake, a question is still answered; outside it too.
	if got := say("does telehealth count as usce?"); !strings.Contains(got, "Sources:") {
		t.Errorf("a question on a full disk = %q, want an answer", got)
	}
	if got := say("/ask how many months of usce do I need?"); !strings.Contains(got, "Sources:") {
		t.Errorf("/ask on a full disk = %q, want an answer", got)
	}
	if storeErrors == 0 {
		t.Error("no store error was reported")
	}
}

func mustKB(t testing.TB) *advisor.KB {
	t.Helper()
	kb, err := advisor.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
