package advisor

import (
	"fmt"
	"sort"
	"strings"
)

// A question is answered when a topic, not an out-of-scope category, ranks
// first, its match strength is at least minStrength and its score at least
// minScore. Calibrated on ../shared/eval/questions.tsv (eval_test.go prints
// the figures): from 0.10 to 0.22 in-scope accuracy falls from 92.6% to
// 91.2% while abstention on out-of-scope questions rises from 85% to
// 97.5%; 0.15 is the highest value that keeps in-scope accuracy at its
// best. minScore changes nothing there and stops one-word matches ("tell
// me something interesting") on the repo's own questions.
const (
	minStrength = 0.15
	minScore    = 3.2
	// suggestFloor is the least score for a "did you mean" suggestion.
	suggestFloor = 2.5
	maxSuggest   = 3
)

// Answer is the advisor's reply to a question.
type Answer struct {
	// Topic is the answering topic; nil when the question is outside the
	// knowledge base or is a greeting.
	Topic *Topic
	// Score is the best topic's match strength, 0..1 (0 for a greeting).
	Score float64
	// Suggestions are the closest topics when Topic is nil.
	Suggestions []*Topic
	// Clarify are two or three close topics to choose between, when the
	// question could mean any of them (Topic is nil).
	Clarify []*Topic
	// OutOfScope is the title of the out-of-scope category the question
	// belongs to, when one fits an abstention.
	OutOfScope string
	// Text is the reply in the knowledge base's Markdown subset.
	Text string
	// Greeting is set when the message was a greeting or a question about
	// the bot itself, answered with the help text.
	Greeting bool
}

// helpWords are the words of a greeting or of a question about the bot
// itself ("hey bot, what can I ask you?"): such a message gets the help
// text, not a topic.
var helpWords = setOf("help", "bot", "question", "ask", "command", "menu", "topic",
	"hiya", "yo", "sup", "morn", "afternoon", "even", "good", "great", "cool", "nice", "ty", "thx", "welcom",
	// whom a greeting addresses
	"doctor", "doc", "dr", "sir", "madam", "maam", "friend", "folk", "team", "peopl", "all")

// Ask finds the topic that answers question, or says what it can help with.
func (kb *KB) Ask(question string) Answer {
	q := unique(kb.index.terms(question, true))
	if isGreeting(q) {
		return Answer{Text: kb.helpText(), Greeting: true}
	}
	ranked := kb.rank(q)
	best := ranked[0]
	if t := kb.index.topics[best.topic]; !t.outOfScope && best.strength >= minStrength && best.score >= minScore {
		return Answer{Topic: t, Score: best.strength, Text: t.Body}
	}
	a := Answer{Score: best.strength}
	for _, r := range ranked {
		if r.score < suggestFloor || len(a.Suggestions) == maxSuggest {
			break
		}
		if t := kb.index.topics[r.topic]; !t.outOfScope {
			a.Suggestions = append(a.Suggestions, t)
		}
	}
	a.Text = kb.abstainText(a.Suggestions)
	return a
}

// ranked is one document's place in the ranking of a question.
type ranked struct {
	topic    int     // index into kb.index.topics
	score    float64 // what the ranking sorts on
	strength float64 // how well the question matches the topic, 0..1
}

func (kb *KB) rank(q []string) []ranked {
	topic, phrasing := kb.index.score(q)
	out := make([]ranked, len(topic))
	for i := range topic {
		out[i] = ranked{topic: i, score: topic[i] + phrasingWeight*phrasing[i], strength: kb.index.strength(q, topic[i])}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

func isGreeting(q []string) bool {
	for _, t := range q {
		if !helpWords[t] {
			return false
		}
	}
	return true
}

func unique(ts []string) []string {
	seen := make(map[string]bool, len(ts))
	out := ts[:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// helpText is the reply to a greeting: what the bot can answer.
func (kb *KB) helpText() string {
	return "I answer questions about **US clinical experience (USCE)** for IMGs: what counts " +
		"(telehealth, observerships, research), how much you need and when, finding and vetting " +
		"rotations, letters, and how to present it all in ERAS and interviews.\n\n" +
		"Ask in your own words, for example: \"does telehealth count as USCE?\" or " +
		"\"how many months of USCE do I need?\". /topics lists everything I know."
}

func (kb *KB) abstainText(suggestions []*Topic) string {
	var b strings.Builder
	b.WriteString("That is outside what I know. I can help with US clinical experience for IMGs: " +
		"what counts, how much and when, finding and vetting rotations, letters, ERAS and interviews.")
	if len(suggestions) > 0 {
		b.WriteString("\n\nDid you mean:")
		for _, t := range suggestions {
			fmt.Fprintf(&b, "\n- %s", t.Title)
		}
	}
	return b.String()
}
