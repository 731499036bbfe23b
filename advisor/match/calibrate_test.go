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
