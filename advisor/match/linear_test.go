package match

import (
	"math"
	"testing"
)

func TestExpAbove(t *testing.T) {
	for x := -14.99; x <= 0; x += 0.0137 {
		if got, want := expAbove(x), math.Exp(x); math.Abs(got-want) > 1e-6*want {
			t.Fatalf("expAbove(%v) = %v, want %v", x, got, want)
		}
	}
	if got := expAbove(-20); got != 0 {
		t.Errorf("expAbove(-20) = %v, want 0", got)
	}
}
