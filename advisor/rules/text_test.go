package rules

import (
	"math"
	"testing"
)

func TestFix(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		// Typos a chat user makes.
		{"obsevership", "observership"}, {"externshp", "externship"}, {"rotaion", "rotation"},
		{"shadowng", "shadowing"}, {"telehealht", "telehealth"}, {"pediatics", "pediatrics"},
		{"psychiatary", "psychiatry"}, {"medcine", "medicine"}, {"guarenteed", "guaranteed"},
		{"reserch", "research"}, {"obsrvership", "observership"},
		// Ordinary words next to a vocabulary word stay as they are.
		{"right", "right"}, {"there", "there"}, {"better", "better"}, {"interest", "interest"},
		{"location", "location"}, {"content", "content"}, {"weight", "weight"},
		{"internet", "internet"}, {"medicare", "medicare"}, {"inclusive", "inclusive"},
		// Short words are never corrected, nor corrected to.
		{"obz", "obz"}, {"zoomm", "zoomm"}, {"wekk", "wekk"},
	} {
		if got := fix(tt.in); got != tt.want {
			t.Errorf("fix(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A capitalised word inside a sentence may be a name: never a typo.
	if ws := newDoc("observership with Dr. Harry Stone").ws; ws[3] != "harry" {
		t.Errorf("newDoc(...Harry...) words = %q, want harry left alone", ws)
	}
}

func TestDurations(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []float64 // weeks
	}{
		{"8-week", []float64{8}},
		{"8 wks", []float64{8}},
		{"4wks", []float64{4}},
		{"two months", []float64{8}},
		{"2 mo", []float64{8}},
		{"2m", []float64{8}},
		{"1 yr", []float64{52}},
		{"a month", []float64{4}},
		{"half a year", []float64{26}},
		{"one and a half months", []float64{6}},
		{"a month and a half", []float64{6}},
		{"1.5 months", []float64{6}},
		{"a couple of months", []float64{8}},
		{"4-6 weeks", []float64{4}},
		{"2 to 3 months", []float64{8}},
		{"10 days", []float64{10.0 / 7}},
		{"3 days a week for 2 months", []float64{8}},
		{"once a month", nil},
		{"4 hours per week", nil},
		{"every 2 weeks", nil},
		{"a m", nil},
		{"weeks", nil},
		{"4th year", nil},
	} {
		var got []float64
		for _, d := range durations(newDoc(tt.in)) {
			got = append(got, d.weeks)
		}
		if len(got) != len(tt.want) || len(got) > 0 && math.Abs(got[0]-tt.want[0]) > 1e-9 {
			t.Errorf("durations(%q) = %v weeks, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTokenize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"8-week IM externship", []string{"8", "week", "im", "externship"}},
		{"I'm an MS4, $2,800 or 1.5k", []string{"im", "an", "ms4", "2,800", "or", "1.5", "k"}},
		{"OB/GYN & PM&R", []string{"ob", "gyn", "pm", "r"}},
		{"1,5 months", []string{"1", "5", "months"}},
		{"2023-2024.", []string{"2023", "2024"}},
	} {
		got := newDoc(tt.in).ws
		if len(got) != len(tt.want) {
			t.Errorf("newDoc(%q) words = %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("newDoc(%q) words = %q, want %q", tt.in, got, tt.want)
				break
			}
		}
	}
	long := make([]byte, 3*maxTextBytes)
	for i := range long {
		long[i] = 'a' + byte(i%7)
	}
	if d := newDoc(string(long)); len(d.text) != maxTextBytes {
		t.Errorf("newDoc(%d bytes) kept %d bytes, want %d", len(long), len(d.text), maxTextBytes)
	}
}
