// Package advisortest holds what tests of the advisor's users share. It is
// for tests only.
package advisortest

import (
	"testing"

	"github.com/uscebot/uscebot/advisor"
)

// clarifyCandidates are questions between two or three topics of the
// built-in knowledge base.
var clarifyCandidates = []string{
	"is research experience in the us equivalent to clinical experience",
	"How far ahead of the application should I line up my rotations?",
	"If observerships end up being my main US experience, how long should they be and in what kind of setting?",
	"is a letter from a private clinic doc weaker than one from a university hospital attending?",
}

// ClarifyingQuestion returns a question kb asks back about ("Do you mean:
// A, or B?") and the topics it offers. Which questions are close to two
// topics moves with the knowledge base, so it takes the first of several
// borderline ones that kb clarifies, and fails the test if none does.
func ClarifyingQuestion(tb testing.TB, kb *advisor.KB) (string, []*advisor.Topic) {
	tb.Helper()
	for _, q := range clarifyCandidates {
		if a := kb.Ask(q); len(a.Clarify) >= 2 {
			return q, a.Clarify
		}
	}
	tb.Fatalf("none of %q is clarified: add a question the engine finds close to two topics", clarifyCandidates)
	return "", nil
}
