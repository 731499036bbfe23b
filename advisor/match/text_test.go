package match

import (
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"US clinical experience", "usce"},
		{"Letters of Recommendation", "lor"},
		{"sub-I", "subi"},
		{"Telemedicine", "tele"},
		{"$3,500 for 4wks", "money num num week"},
		{"graduated in 2019", "graduat yearnum"},
		{"ＵＳＣＥ", "usce"},
		{"OBSERVERSHIPS", "obs"},
	}
	for _, tt := range tests {
		if got := strings.Join(terms(tt.in), " "); got != tt.want {
			t.Errorf("terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInvisibleCharacters(t *testing.T) {
	tests := []struct{ in, want string }{
		{"tele\u00adhealth", "tele"},
		{"obser\u200bvership", "obs"},
		{"us\u200dce", "usce"},
		{"\ufeffusce", "usce"},
		{"elec\u2060tive", "elect"},
		{"tele health", "tele health"},
	}
	for _, tt := range tests {
		if got := strings.Join(Terms(tt.in), " "); got != tt.want {
			t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestChatShorthand(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hw mch usce", "howmuch usce"},
		{"can i apply w/o usce", "appli without usce"},
		{"are telerotations accepted", "tele rotat count"},
	}
	for _, tt := range tests {
		if got := strings.Join(Terms(tt.in), " "); got != tt.want {
			t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Typos are corrected against the documents' words, but not by changing
// the first letter, where an edit mostly makes another real word.
func TestTypoCorrection(t *testing.T) {
	e := New([]Doc{
		{ID: "money", Title: "Spending on rotations", Phrasings: []string{"how much spending is sensible", "spending limits for electives"}},
		{ID: "letters", Title: "Recommendation letters", Phrasings: []string{"who writes the letter", "strong recommendation from an attending"}},
	})
	for in, want := range map[string]string{
		"spendng":        "money",  // a letter dropped; the lexicon's concept
		"atending":       "attend", // likewise
		"pending":        "pend",   // a real word, not "spending"
		"attendingg now": "attend", // a letter doubled
	} {
		if got := e.Match(in).Terms; len(got) == 0 || got[0] != want {
			t.Errorf("Match(%q).Terms = %q, want it to start with %q", in, got, want)
		}
	}
}
