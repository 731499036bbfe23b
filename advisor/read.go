package advisor

import (
	"github.com/uscebot/uscebot/advisor/match"
)

// Reading is one message as the advisor understands it: what it does
// (match.Reading) and, when it asks something, the answer.
type Reading struct {
	match.Reading
	// Answer answers the message's main question (ActQuestion, and the
	// question side of ActUnsure): a topic, topics to choose between, or
	// an abstention.
	Answer Answer
	// Also are topics that answer the message's other questions, offered
	// beside the main answer ("You also asked about ...").
	Also []*Topic
}

// maxAlso bounds the other questions offered beside the main answer.
const maxAlso = 2

// Read reads one message in the light of what is pending (nil: nothing,
// such as outside the intake). It is the one reading the router and the
// intake share: control word, social message, answer to the pending step,
// or question, answered from the knowledge base.
func (kb *KB) Read(text string, p *match.Pending) Reading {
	r := Reading{Reading: match.Read(text, p)}
	if r.Act == match.ActSocial {
		if t, m := kb.smallTalk(r.Text); t != nil {
			r.Act, r.Social, r.Questions = match.ActQuestion, "", []string{r.Text}
			r.Answer = Answer{Topic: t, Text: t.Body, Score: m.Strength}
			return r
		}
	}
	if r.Act == match.ActQuestion || r.Act == match.ActUnsure {
		kb.answerQuestions(&r)
	}
	if r.Act == match.ActQuestion && r.Answer.Greeting {
		r.Act, r.Social = match.ActSocial, match.SocialGreeting
	}
	return r
}

// answerQuestions answers the reading's questions. The whole message and
// each of its question sentences are matched; the main answer is the most
// confident of them, so that a question sentence that needs its context
// ("Does that count?") is read with it while a life story that pulls the
// whole message elsewhere loses to the sentence that asks. The other
// sentences' topics are offered beside it.
func (kb *KB) answerQuestions(r *Reading) {
	answers := []Answer{kb.Ask(r.Text)}
	for _, q := range r.Questions {
		if q != r.Text && answers[0].OutOfScope == "" && !answers[0].offTopic() {
			answers = append(answers, kb.Ask(q))
		}
	}
	if sentencesOutside(answers[1:]) {
		// Every question asked is about something else: the topic the
		// whole message matched came from its context ("is 229 on CK
		// enough? I have 4 months of USCE").
		r.Answer = answers[1]
		return
	}
	main := -1
	for i, a := range answers {
		if a.Topic != nil {
			main = i
			break
		}
	}
	if main < 0 {
		for i, a := range answers {
			if len(a.Clarify) > 0 {
				main = i
				break
			}
		}
	}
	if main < 0 {
		// An abstention: the whole message says best what was asked.
		r.Answer = answers[0]
		return
	}
	r.Answer = answers[main]
	seen := map[*Topic]bool{r.Answer.Topic: true}
	for i, a := range answers[1:] {
		if i+1 == main || a.Topic == nil || seen[a.Topic] || len(r.Also) == maxAlso {
			continue
		}
		seen[a.Topic] = true
		r.Also = append(r.Also, a.Topic)
	}
}

// A question sentence read alone has lost its context, so it overrules
// the whole message only when it says what it asks by itself (at least
// minSelfContained distinct terms: "is it over for me?" and "who is
// right?" need the sentences around them) and is out of scope with
// near certainty (sureOutside): "does that help my app?" after a scribe
// offer is about the offer, whatever "app" suggests alone.
const (
	minSelfContained = 2
	sureOutside      = 0.9
)

// sentencesOutside says whether the message's question sentences, read
// alone (answers), all ask something outside the knowledge base.
func sentencesOutside(answers []Answer) bool {
	if len(answers) == 0 {
		return false
	}
	for _, a := range answers {
		if a.OutOfScope == "" || a.outside < sureOutside || a.terms < minSelfContained {
			return false
		}
	}
	return true
}
