package advisor

import (
	"slices"

	"github.com/uscebot/uscebot/advisor/match"
)

// QuestionGroup is a set of questions that ask much the same thing.
type QuestionGroup struct {
	// Question is the group's commonest wording (the earliest of equals).
	Question string
	// Count is how many questions the group holds, repeats included.
	Count int
	// Variants are the group's other wordings, once each, in input order.
	Variants []string
}

// minGroupSimilarity is the Jaccard similarity of two questions' term sets
// from which they are the same question: half their distinct terms shared
// ("does telehealth count as USCE" and "is telehealth considered US
// clinical experience" share all three; "best anki deck for step 1" and
// "best qbank for step 2" one of six).
const minGroupSimilarity = 0.5

// GroupQuestions groups questions that ask much the same thing, so that an
// admin reading the questions the advisor could not answer sees each need
// once, with how often it came up. Questions are compared by the same
// analysis the matcher uses (normalisation, lexicon, stemming), as sets of
// terms. The grouping is greedy and deterministic: in input order, each
// question joins the group whose first question is most like it, if
// similar enough, else starts a new one; identical texts always group.
// Groups come biggest first, equal ones in order of first appearance.
func GroupQuestions(qs []string) []QuestionGroup {
	type group struct {
		seed     map[string]bool // the first question's terms
		wordings []string        // distinct texts, in order
		counts   map[string]int  // per text
		total    int
	}
	var groups []*group
	byText := make(map[string]*group) // every text seen, to its group
	byTerm := make(map[string][]int)  // a seed term, to the groups it seeds
	shared := make(map[int]int)       // reused: group index -> terms shared
	for _, q := range qs {
		g := byText[q]
		if g == nil {
			ts := match.Terms(q)
			clear(shared)
			for _, t := range ts {
				for _, i := range byTerm[t] {
					shared[i]++
				}
			}
			best, bestSim := -1, 0.0
			for i, n := range shared {
				sim := float64(n) / float64(len(ts)+len(groups[i].seed)-n)
				if sim >= minGroupSimilarity && (sim > bestSim || sim == bestSim && i < best) {
					best, bestSim = i, sim
				}
			}
			if best >= 0 {
				g = groups[best]
			} else {
				g = &group{seed: make(map[string]bool, len(ts)), counts: make(map[string]int)}
				for _, t := range ts {
					g.seed[t] = true
					byTerm[t] = append(byTerm[t], len(groups))
				}
				groups = append(groups, g)
			}
			byText[q] = g
		}
		if g.counts[q] == 0 {
			g.wordings = append(g.wordings, q)
		}
		g.counts[q]++
		g.total++
	}

	out := make([]QuestionGroup, 0, len(groups))
	for _, g := range groups {
		rep := g.wordings[0]
		for _, w := range g.wordings[1:] {
			if g.counts[w] > g.counts[rep] {
				rep = w
			}
		}
		variants := make([]string, 0, len(g.wordings)-1)
		for _, w := range g.wordings {
			if w != rep {
				variants = append(variants, w)
			}
		}
		out = append(out, QuestionGroup{Question: rep, Count: g.total, Variants: variants})
	}
	slices.SortStableFunc(out, func(a, b QuestionGroup) int { return b.Count - a.Count })
	return out
}
