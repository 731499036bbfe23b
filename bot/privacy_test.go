package bot_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
)

// TestForgetFromANewUser: a user the bot has never seen sends /forget and
// confirms. Nothing was stored, which the bot must be able to say, and
// asking must not store them.
func TestForgetFromANewUser(t *testing.T) {
	f := newFixture(t)
	u := advisor.UserKey{Platform: "test", ID: "u1"}
	exp := f.send(t, bot.Message{Text: "/export"})
	if exp.File == nil || !strings.Contains(string(exp.File.Data), `"user": null`) {
		t.Errorf("/export of a new user = %s, want a null user", exp.File.Data)
	}
	confirm := f.send(t, bot.Message{Text: "/forget"})
	if len(confirm.Choices) != 2 {
		t.Fatalf("/forget = %+v, want a confirmation", confirm)
	}
	data, err := f.db.Export(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"user": null`) {
		t.Errorf("after /export and /forget from a new user, the store holds:\n%s", data)
	}
	if got := f.send(t, bot.Message{Choice: confirm.Choices[0].ID}).Text.String(); !strings.Contains(got, "nothing stored") {
		t.Errorf("confirming /forget as a new user = %q, want \"There was nothing stored about you.\"", got)
	}
}

// TestHashIDIsKeyed: a log id is a keyed hash, stable for one key, and
// not the unsalted SHA-256 that hashing every numeric id reverses.
func TestHashIDIsKeyed(t *testing.T) {
	const id = "5551234567"
	plain := sha256.Sum256([]byte(id))
	bot.SetLogKey([]byte("installation one"))
	one := bot.HashID(id)
	if one == hex.EncodeToString(plain[:6]) {
		t.Errorf("HashID(%s) is the unkeyed SHA-256 of the id", id)
	}
	if len(one) != 12 {
		t.Errorf("HashID(%s) = %q, want 12 hex digits", id, one)
	}
	if again := bot.HashID(id); again != one {
		t.Errorf("HashID(%s) = %s then %s with the same key", id, one, again)
	}
	if other := bot.HashID("5551234568"); other == one {
		t.Errorf("two ids hash to %s", one)
	}
	bot.SetLogKey([]byte("installation two"))
	if two := bot.HashID(id); two == one {
		t.Errorf("HashID(%s) = %s under two keys", id, one)
	}
}
