package advisor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/uscebot/uscebot/advisor/match"
)

// Suggestions on an abstention: the closest topics whose calibrated
// probability is at least suggestFloor (several times what a topic gets
// from a question about nothing), at most maxSuggest of them.
const (
	suggestFloor = 0.15
	maxSuggest   = 3
)

// Answer is the advisor's reply to a question.
type Answer struct {
	// Topic is the answering topic; nil when the question is outside the
	// knowledge base, is a greeting, or the advisor asks which topic was
	// meant.
	Topic *Topic
	// Score is the best topic's calibrated match strength, 0..1 (0 for a
	// greeting).
	Score float64
	// Clarify holds the 2 or 3 topics the question could mean when the
	// advisor asks which one was meant (Topic is nil then).
	Clarify []*Topic
	// Suggestions are the closest topics when the advisor abstains.
	Suggestions []*Topic
	// OutOfScope is the title of the out-of-scope category the question
	// belongs to, when one fits an abstention.
	OutOfScope string
	// Text is the reply in the knowledge base's Markdown subset.
	Text string
	// Greeting is set when the message was a greeting or a question about
	// the bot itself, answered with the help text.
	Greeting bool
	// outside is the probability that the question belongs to one of the
	// out-of-scope categories; terms counts its distinct analysed terms.
	outside float64
	terms   int
}

// offTopic says whether the answer is an abstention that the out-of-scope
// categories explain better than any topic, named or not.
func (a Answer) offTopic() bool {
	return a.Topic == nil && len(a.Clarify) == 0 && a.outside > a.Score
}

// helpWords are the words of a greeting or of a question about the bot
// itself ("hey bot, what can I ask you?"): such a message gets the help
// text, not a topic.
var helpWords = setOf("help", "bot", "question", "ask", "command", "menu", "topic",
	"hiya", "yo", "sup", "morn", "afternoon", "even", "good", "great", "cool", "nice", "ty", "thx", "welcom",
	// whom a greeting addresses
	"doctor", "doc", "dr", "sir", "madam", "maam", "friend", "folk", "team", "peopl", "all")

// Ask finds the topic that answers question, asks which of two or three
// close topics was meant, or says what it can help with.
func (kb *KB) Ask(question string) Answer {
	r := kb.engine.Match(question)
	if isGreeting(r.Terms) {
		if t := kb.smallTalkTopic(r); t != nil {
			return Answer{Topic: t, Text: t.Body, Score: r.Strength}
		}
		return Answer{Text: kb.helpText(), Greeting: true}
	}
	a := Answer{Score: r.Strength, outside: r.Outside, terms: len(r.Terms)}
	switch r.Verdict {
	case match.Answer:
		a.Topic = kb.docs[r.Ranked[0].Doc]
		a.Text = a.Topic.Body
		return a
	case match.Clarify:
		for _, s := range r.Ranked {
			a.Clarify = append(a.Clarify, kb.docs[s.Doc])
		}
		a.Text = clarifyText(a.Clarify)
		return a
	}
	if r.OOS >= 0 {
		a.OutOfScope = kb.docs[r.OOS].Title
	} else {
		for _, s := range r.Ranked {
			if s.Score < suggestFloor || len(a.Suggestions) == maxSuggest {
				break
			}
			a.Suggestions = append(a.Suggestions, kb.docs[s.Doc])
		}
	}
	a.Text = kb.abstainText(a.OutOfScope, a.Suggestions)
	return a
}

// Closest returns the topics closest to text, best first (at most five),
// whether or not the text would be answered: for suggestions as a user
// types.
func (kb *KB) Closest(text string) []*Topic {
	r := kb.engine.Match(text)
	out := make([]*Topic, 0, len(r.Ranked))
	for _, s := range r.Ranked {
		out = append(out, kb.docs[s.Doc])
	}
	return out
}

// smallTalk returns the topic that answers text, a message the bot would
// take for small talk, when the engine answers it outright with a topic
// written for such messages: one with a phrasing the bot would also take
// for small talk (a general assistant's "thank you" or "are you a bot").
// That topic wins over the bot's own reply.
func (kb *KB) smallTalk(text string) (*Topic, match.Result) {
	if len(kb.smallTalkTopics()) == 0 {
		return nil, match.Result{} // the built-in knowledge: no such topic
	}
	m := kb.engine.Match(text)
	return kb.smallTalkTopic(m), m
}

// smallTalkTopic is smallTalk given the engine's reading of the message.
func (kb *KB) smallTalkTopic(m match.Result) *Topic {
	if m.Verdict != match.Answer {
		return nil
	}
	if t := kb.docs[m.Ranked[0].Doc]; kb.smallTalkTopics()[t] {
		return t
	}
	return nil
}

// smallTalkTopics returns the topics with a phrasing the bot would take
// for small talk, finding them once.
func (kb *KB) smallTalkTopics() map[*Topic]bool {
	kb.smallTalkOnce.Do(func() {
		kb.smallTalkSet = make(map[*Topic]bool)
		for _, t := range kb.topics {
			if slices.ContainsFunc(t.Phrasings, isSmallTalk) {
				kb.smallTalkSet[t] = true
			}
		}
	})
	return kb.smallTalkSet
}

// isSmallTalk says whether the bot would take a message for small talk
// rather than a question for the knowledge base.
func isSmallTalk(text string) bool {
	return match.Read(text, nil).Act == match.ActSocial || isGreeting(match.Terms(text))
}

func isGreeting(q []string) bool {
	for _, t := range q {
		if !helpWords[t] {
			return false
		}
	}
	return true
}

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// helpText is the reply to a greeting: what the bot can answer.
func (kb *KB) helpText() string {
	return "I answer questions about **US clinical experience (USCE)** for IMGs: what counts " +
		"(telehealth, observerships, research), how much you need and when, finding and vetting " +
		"rotations, letters, and how to present it all in ERAS and interviews.\n\n" +
		"Ask in your own words, for example: \"does telehealth count as USCE?\" or " +
		"\"how many months of USCE do I need?\". /topics lists everything I know."
}

// clarifyText asks which of the close topics was meant.
func clarifyText(choices []*Topic) string {
	titles := make([]string, 0, len(choices))
	for _, t := range choices {
		titles = append(titles, t.Title)
	}
	return "Do you mean: " + strings.Join(titles[:len(titles)-1], ", ") + ", or " + titles[len(titles)-1]
}

// covered is what the bot answers, in one sentence.
const covered = "I can help with US clinical experience for IMGs: what counts, how much and when, " +
	"finding and vetting rotations, letters, ERAS and interviews."

func (kb *KB) abstainText(outOfScope string, suggestions []*Topic) string {
	var b strings.Builder
	if outOfScope != "" {
		fmt.Fprintf(&b, "That is about %s, which I don't cover. %s", lowerFirst(outOfScope), covered)
	} else {
		b.WriteString("That is outside what I know. " + covered)
	}
	if len(suggestions) > 0 {
		b.WriteString("\n\nDid you mean:")
		for _, t := range suggestions {
			fmt.Fprintf(&b, "\n- %s", t.Title)
		}
	}
	return b.String()
}

// lowerFirst lowers the first letter of a title used inside a sentence,
// unless the title opens with an acronym ("USMLE and OET ...").
func lowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
