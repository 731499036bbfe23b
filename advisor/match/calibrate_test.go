package match

import "testing"

// The decision from probabilities: an answer needs the threshold and to
// outweigh the out-of-scope mass; a clarification needs its choices to
// outweigh that mass and its best choice to beat every single category.
func TestVerdict(t *testing.T) {
	th := thresholds{answer: 0.4, close: 0.5, clarify: 0.4}
	tests := []struct {
		name        string
		top         [3]float64
		oos, oosTop float64
		want        Verdict
		n           int
	}{
		{"sure", [3]float64{0.8, 0.1, 0}, 0.1, 0.1, Answer, 1},
		{"sure but outweighed", [3]float64{0.45, 0.01, 0}, 0.5, 0.3, Abstain, 0},
		{"two close", [3]float64{0.3, 0.25, 0.01}, 0.2, 0.1, Clarify, 2},
		{"three close", [3]float64{0.3, 0.25, 0.2}, 0.2, 0.1, Clarify, 3},
		{"close but weak", [3]float64{0.15, 0.1, 0}, 0.05, 0.05, Abstain, 0},
		// "is 5 attempts at step 1 a red flag": two scam topics share
		// "red flag", the Step scores category is likelier than either.
		{"a category beats each choice", [3]float64{0.23, 0.22, 0.05}, 0.44, 0.37, Abstain, 0},
		{"choices outweighed together", [3]float64{0.25, 0.2, 0}, 0.5, 0.2, Abstain, 0},
	}
	for _, tt := range tests {
		v, n := th.verdict(tt.top, tt.oos, tt.oosTop)
		if v != tt.want || n != tt.n {
			t.Errorf("%s: verdict = %v %d, want %v %d", tt.name, v, n, tt.want, tt.n)
		}
	}
}

// Readings where the right topic is often second: the search asks back
// on them, unless it may not, and then it never does.
func TestSearchWithoutClarify(t *testing.T) {
	var reads []reading
	for i := range 100 {
		// Sure and right, or (one in twelve: fewer than
		// maxClarifyShare) torn between two close topics with the right
		// one second half of the time.
		r := reading{top: [3]float64{0.95, 0.01, 0}, oos: 0.02, oosTop: 0.02, inScope: true}
		if i%12 == 0 {
			r = reading{top: [3]float64{0.45, 0.4, 0.05}, oos: 0.05, oosTop: 0.05, rank: i % 24 / 12, inScope: true}
		}
		reads = append(reads, r)
	}
	reads = append(reads, reading{top: [3]float64{0.2, 0.1, 0.05}, oos: 0.6, oosTop: 0.6})
	clarifies := func(th thresholds) int {
		n := 0
		for _, r := range reads {
			if v, _ := th.verdict(r.top, r.oos, r.oosTop); v == Clarify {
				n++
			}
		}
		return n
	}
	if _, th := search(reads, 0.05, 0.5, true); clarifies(th) == 0 {
		t.Errorf("search with clarifications allowed chose %+v, which never asks back", th)
	}
	if _, th := search(reads, 0.05, 0.5, false); clarifies(th) != 0 {
		t.Errorf("search without clarifications chose %+v, which asks back %d times", th, clarifies(th))
	}
}
