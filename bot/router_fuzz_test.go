package bot_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/store"
)

// FuzzRouter sends arbitrary messages and choices to the router itself
// (no Recover: a panic must fail the fuzzer, not be turned into an
// apology) and checks every reply is something any platform can show.
func FuzzRouter(f *testing.F) {
	db, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	r := bot.NewRouter(mustKB(f), db, func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) })
	for _, seed := range []struct {
		text, choice string
		group        bool
	}{
		{"/intake", "", false}, {"graduate", "", false}, {"2019", "", false}, {"back", "", false},
		{"skip", "", false}, {"cancel", "", false}, {"", "intake:stage:graduate", false},
		{"", "intake:grad_year:2019: the year", false}, {"", "forget:yes:1795000000", false},
		{"", "forget:no", false}, {"", "intake:experience_confirm:yes", false}, {"/profile set specialty IM", "", false},
		{"/plan", "", false}, {"/export", "", false}, {"/vet $3000 guaranteed LOR", "", true},
		{"/classify 8 wk IM extern 2025", "", true}, {"does telehealth count?", "", false},
		{"\xff\xfe<b>&amp;", "", false}, {"/ask@bot **_[x](y)_**", "", true}, {"", "::", false},
	} {
		f.Add(seed.text, seed.choice, seed.group)
	}
	f.Fuzz(func(t *testing.T, text, choice string, group bool) {
		m := bot.Message{Platform: "fuzz", UserID: "u", ChatID: "c", Text: text, Choice: choice}
		if group {
			m.Chat = bot.Group
		}
		reply, err := r.Handle(context.Background(), m)
		if err != nil {
			if bot.ErrorMessage(err) == "" {
				t.Fatalf("error %v has no message for the user", err)
			}
			return
		}
		out := reply.Text.String()
		if !utf8.ValidString(out) {
			t.Fatalf("reply is not valid UTF-8: %q", out)
		}
		// The adapters split long replies; a reply must stay within what
		// they split into a handful of messages.
		if n := utf8.RuneCountInString(out); n > 20000 {
			t.Fatalf("reply of %d characters", n)
		}
		for _, c := range reply.Choices {
			if len(c.ID) == 0 || len(c.ID) > 64 || c.Label == "" {
				t.Fatalf("choice %+v: id must be 1-64 bytes and label non-empty", c)
			}
		}
	})
}

func mustKB(t testing.TB) *advisor.KB {
	t.Helper()
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	return kb
}
