package discord

import (
	"slices"
	"testing"

	"github.com/uscebot/uscebot/bot"
)

// A command whose usage is fixed words offers them as choices; any other
// usage stays free text.
func TestUsageAlternativesAreChoices(t *testing.T) {
	tests := []struct {
		usage string
		want  []string
	}{
		{"[on|off]", []string{"on", "off"}},
		{"<yes|no|maybe>", []string{"yes", "no", "maybe"}},
		{"<offer text>", nil},
		{"[on]", nil},
		{"[a b|c]", nil},
	}
	for _, tt := range tests {
		opts := commandOptions(bot.CommandInfo{Name: "later", Usage: tt.usage})
		if len(opts) != 1 {
			t.Fatalf("usage %q: %d options, want 1", tt.usage, len(opts))
		}
		var got []string
		for _, c := range opts[0].Choices {
			got = append(got, c.Value.(string))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("usage %q: choices %q, want %q", tt.usage, got, tt.want)
		}
	}
}
