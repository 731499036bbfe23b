package discord

import (
	"slices"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits on autocomplete results.
const (
	maxChoices    = 25
	maxChoiceText = 100
)

// suggest returns the topic titles matching what the user has typed so
// far, best first: titles starting with it, then titles with a word
// starting with each typed word (the last word is usually half typed),
// then titles containing each typed word; among those, the titles the
// matcher ranked (ranked, best first) lead. With nothing matching, the
// typed text itself is offered, so the user's own question stays one press
// away.
func suggest(topics, ranked []string, typed string) []*discordgo.ApplicationCommandOptionChoice {
	typed = strings.TrimSpace(typed)
	q := words(typed)
	lower := strings.ToLower(typed)
	type hit struct {
		rank  int
		title string
	}
	var hits []hit
	for _, t := range topics {
		tl := strings.ToLower(t)
		rank := -1
		switch {
		case len(q) == 0:
			rank = 2
		case strings.HasPrefix(tl, lower):
			rank = 0
		case everyWord(q, func(w string) bool {
			return slices.ContainsFunc(words(t), func(tw string) bool { return strings.HasPrefix(tw, w) })
		}):
			rank = 1
		case everyWord(q, func(w string) bool { return strings.Contains(tl, w) }):
			rank = 2
		}
		if rank < 0 {
			continue
		}
		if i := slices.Index(ranked, t); i >= 0 {
			rank = i - len(ranked) // before every textual rank, in the matcher's order
		}
		hits = append(hits, hit{rank, t})
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.rank - b.rank })
	if len(hits) == 0 && typed != "" {
		hits = append(hits, hit{0, typed})
	}
	out := make([]*discordgo.ApplicationCommandOptionChoice, 0, min(len(hits), maxChoices))
	for _, h := range hits[:min(len(hits), maxChoices)] {
		// The value is what the command receives as its question: the
		// title cut at a word, without the ellipsis the name shows.
		out = append(out, &discordgo.ApplicationCommandOptionChoice{
			Name:  clip(h.title, maxChoiceText),
			Value: clipWords(h.title, maxChoiceText),
		})
	}
	return out
}

func everyWord(q []string, ok func(string) bool) bool {
	for _, w := range q {
		if !ok(w) {
			return false
		}
	}
	return true
}

// words splits s into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
