package match

import (
	"strconv"
	"strings"
	"testing"
)

var testDocs = []Doc{
	{ID: "tele", Title: "Does telehealth count as clinical experience?", Phrasings: []string{
		"does telehealth count", "is a virtual rotation real experience", "do online rotations count",
		"is telemedicine clinical experience", "are zoom rotations worth it", "does remote work count as experience"}},
	{ID: "letters", Title: "Who should write my letters of recommendation?", Phrasings: []string{
		"who should write my letters", "best person for a recommendation letter", "is a letter from a professor better",
		"how many letters do i need", "can a research mentor write my letter", "do letters from home count"}},
	{ID: "visa", Title: "Which visa do I need for a rotation?", Phrasings: []string{
		"which visa for a rotation", "can i rotate on a tourist visa", "do i need a j1 for an elective",
		"visa for an observership", "b1 b2 visa for clinical rotation", "what visa do observers use"}},
	{ID: "food", Title: "Cooking and recipes", OutOfScope: true, Phrasings: []string{
		"how do i cook rice", "best pasta recipe", "how long to boil an egg", "what should i eat for dinner",
		"recipe for pancakes", "how to bake bread"}},
}

func TestMatch(t *testing.T) {
	e := New(testDocs)
	tests := []struct {
		q    string
		want Verdict
		doc  string
	}{
		{"does telemedicine count as experience?", Answer, "tele"},
		{"who writes the best recommendation letter", Answer, "letters"},
		{"tourist visa for an elective?", Answer, "visa"},
		{"how do i bake a cake", Abstain, ""},
	}
	for _, tt := range tests {
		r := e.Match(tt.q)
		if r.Verdict != tt.want {
			t.Errorf("Match(%q) verdict = %v, want %v (%+v)", tt.q, r.Verdict, tt.want, r)
			continue
		}
		if tt.doc != "" && testDocs[r.Ranked[0].Doc].ID != tt.doc {
			t.Errorf("Match(%q) = %s, want %s", tt.q, testDocs[r.Ranked[0].Doc].ID, tt.doc)
		}
		if r.Strength < 0 || r.Strength > 1 {
			t.Errorf("Match(%q) strength %v outside 0..1", tt.q, r.Strength)
		}
	}
	if r := e.Match("how do i bake a cake"); r.OOS < 0 || testDocs[r.OOS].ID != "food" {
		t.Errorf("Match(cake).OOS = %d, want the food category", r.OOS)
	}
}

func TestNewIsDeterministic(t *testing.T) {
	a, b := New(testDocs), New(testDocs)
	if a.Describe() != b.Describe() {
		t.Errorf("two engines over the same documents differ: %s / %s", a.Describe(), b.Describe())
	}
}

func TestWithoutOutOfScopeDocs(t *testing.T) {
	// With no out-of-scope documents, generic questions stand in for the
	// negatives, so an unrelated question is still refused.
	e := New(testDocs[:3])
	if r := e.Match("tell me a joke about the weather"); r.Verdict == Answer {
		t.Errorf("Match(joke) answered %s", testDocs[r.Ranked[0].Doc].ID)
	}
	if r := e.Match("does telehealth count"); r.Verdict != Answer {
		t.Errorf("Match(telehealth) = %v, want an answer", r.Verdict)
	}
}

// BenchmarkLongWord checks that one long unbroken word costs in
// proportion to its length (typo correction once cost its square).
func BenchmarkLongWord(b *testing.B) {
	e := New(testDocs)
	for _, n := range []int{100, 2000} {
		q := strings.Repeat("x", n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				e.Match(q)
			}
		})
	}
}

// TestMatchConcurrent reads questions from several goroutines at once:
// the engine is read-only after New (run with -race).
func TestMatchConcurrent(t *testing.T) {
	e := New(testDocs)
	want := e.Match("does telemedicine count as experience?")
	done := make(chan Result)
	for range 4 {
		go func() {
			var r Result
			for range 50 {
				r = e.Match("does telemedicine count as experience?")
				e.Match("how do i bake a cake")
			}
			done <- r
		}()
	}
	for range 4 {
		if r := <-done; r.Verdict != want.Verdict || r.Ranked[0] != want.Ranked[0] {
			t.Errorf("concurrent Match = %+v, want %+v", r, want)
		}
	}
}
