package bot_test

import (
	"testing"
	"unicode"

	"github.com/uscebot/uscebot/bot"
)

// unicodeSpaces are every rune Unicode calls white space.
func unicodeSpaces() []rune {
	var out []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.IsSpace(r) {
			out = append(out, r)
		}
	}
	return out
}

func TestSplitCommandEverySpace(t *testing.T) {
	spaces := unicodeSpaces()
	if len(spaces) != 25 {
		t.Fatalf("found %d Unicode spaces, want the 25 of White_Space", len(spaces))
	}
	for _, sp := range spaces {
		text := "/Profile@uscebot" + string(sp) + "set budget low" + string(sp)
		c, ok := bot.SplitCommand(text)
		want := bot.Command{Name: "profile", To: "uscebot", Addressed: true, Args: "set budget low"}
		if !ok || c != want {
			t.Errorf("SplitCommand(%q) = %+v, %v; want %+v", text, c, ok, want)
		}
		if c, _ := bot.SplitCommand("/intake" + string(sp)); c.Name != "intake" || c.Args != "" {
			t.Errorf("SplitCommand(%q) = %+v, want intake without arguments", "/intake"+string(sp), c)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		text string
		want bot.Command
		ok   bool
	}{
		{"/ask does it count", bot.Command{Name: "ask", Args: "does it count"}, true},
		{"/ASK@", bot.Command{Name: "ask", Addressed: true}, true},
		{"/", bot.Command{}, true},
		{"ask", bot.Command{}, false},
		{" /ask", bot.Command{}, false},
		// Invisible characters that are not spaces do not separate: the
		// word is no command anyone knows, for the router as for adapters.
		{"/profile\u200bset x", bot.Command{Name: "profile\u200bset", Args: "x"}, true},
		{"/profile\ufeff x", bot.Command{Name: "profile\ufeff", Args: "x"}, true},
		// The Kelvin sign lower-cases to k: still the same for everyone.
		{"/INTA\u212aE", bot.Command{Name: "intake"}, true},
	}
	for _, tc := range tests {
		c, ok := bot.SplitCommand(tc.text)
		if c != tc.want || ok != tc.ok {
			t.Errorf("SplitCommand(%q) = %+v, %v; want %+v, %v", tc.text, c, ok, tc.want, tc.ok)
		}
	}
}
