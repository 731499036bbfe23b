package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/uscebot/uscebot/bot"
)

func TestRateLimit(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	h := bot.RateLimit(8, 10*time.Second, func() time.Time { return now })(func(context.Context, bot.Message) (bot.Reply, error) {
		return bot.Reply{Choices: []bot.Choice{{ID: "handled"}}}, nil
	})
	send := func(user string) string {
		r, err := h(context.Background(), bot.Message{Platform: "t", UserID: user})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case len(r.Choices) == 1:
			return "handled"
		case r.Empty():
			return "silent"
		default:
			return "notice"
		}
	}
	for i := range 8 {
		if got := send("a"); got != "handled" {
			t.Fatalf("message %d within the burst: %s", i+1, got)
		}
	}
	if got := send("a"); got != "notice" {
		t.Errorf("9th message = %s, want the notice", got)
	}
	for range 3 {
		if got := send("a"); got != "silent" {
			t.Errorf("after the notice = %s, want silence", got)
		}
	}
	if got := send("b"); got != "handled" {
		t.Errorf("another user = %s, want handled", got)
	}
	now = now.Add(1250 * time.Millisecond) // one token back (8 per 10 s)
	if got := send("a"); got != "handled" {
		t.Errorf("after refill = %s, want handled", got)
	}
	if got := send("a"); got != "notice" {
		t.Errorf("over the limit again = %s, want a new notice", got)
	}
}
