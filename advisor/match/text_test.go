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
