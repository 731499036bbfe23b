package bot_test

import (
	"strings"
	"testing"

	"github.com/uscebot/uscebot/advisor/advisortest"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
)

// The reading of messages through the router, outside the intake: control
// words say there is nothing to act on, social messages get a short reply
// and never an article.
func TestReadingOutsideTheIntake(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // the reply contains it
	}{
		{"cancel", "cancel", "Nothing to cancel."},
		{"back", "back", "Nothing to go back to."},
		{"quit", "quit", "Nothing to quit."},
		{"exit", "Exit", "Nothing to quit."},
		{"stop", "stop", "Nothing to cancel."},
		{"none", "none", "I haven't asked you anything."},
		{"skip", "skip!", "Nothing to skip."},
		{"done", "done", "Nothing in progress"},
		{"yes", "yes", "I haven't asked you anything."},
		{"no", "no", "I haven't asked you anything."},
		{"a number", "2", "no list to pick from"},
		{"thanks", "thanks bro, you're the best", "You're welcome"},
		{"thank you emoji", "thank you so much 🙏🙏", "You're welcome"},
		{"matched", "i matched! thank you", "Congratulations"},
		{"matched into", "I MATCHED INTO IM!!! 🎉", "Congratulations"},
		{"greeting", "hey there", "Ask me anything"},
		{"salam", "Assalamu alaikum doctor", "Ask me anything"},
		{"bye", "ok bye", "Bye"},
		{"ack", "ok cool", "Glad that helps"},
		{"help", "what can you do?", "/intake"},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.say(t, tt.text)
			if !strings.Contains(got, tt.want) {
				t.Errorf("reply to %q = %q, want it to contain %q", tt.text, got, tt.want)
			}
			if strings.Contains(got, "Sources:") {
				t.Errorf("reply to %q is an article: %q", tt.text, got)
			}
		})
	}
}

// Questions outside the intake, as people write them: fragments, typos,
// a life story before the question, two questions in one message.
func TestReadingQuestions(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, text string
		title      string // of the answer
		also       string // a topic offered beside it, if any
	}{
		{"what is", "what is usce", "What counts as US clinical experience", ""},
		{"fragment", "obs = usce?", "observership", ""},
		{"life story first", "Egyptian grad 2019, CK 236, visa needed, 2 yrs of research in Ohio. " +
			"Are observerships considered USCE? Including observerships completed after graduation?", "observership", ""},
		{"two questions", "does telehealth count as usce? and how do I ask for a letter of recommendation after my rotation?",
			"telehealth", "letter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.send(t, bot.Message{Text: tt.text})
			got := r.Text.String()
			title, _, _ := strings.Cut(got, "\n")
			if tt.also != "" && strings.Contains(strings.ToLower(title), tt.also) {
				// Either question may be the main one; the other is offered.
				tt.title, tt.also = tt.also, tt.title
			}
			if !strings.Contains(strings.ToLower(title), strings.ToLower(tt.title)) || !strings.Contains(got, "Sources:") {
				t.Fatalf("reply to %q = %q, want the answer titled %q", tt.text, got, tt.title)
			}
			if tt.also == "" {
				return
			}
			var picked bot.Reply
			for _, c := range r.Choices {
				if strings.Contains(strings.ToLower(c.Label), tt.also) {
					picked = f.send(t, bot.Message{Choice: c.ID})
				}
			}
			if !strings.Contains(got, "You also asked about") || !strings.Contains(picked.Text.String(), "Sources:") {
				t.Errorf("reply to %q = %q with choices %+v, want %q offered and answered when picked", tt.text, got, r.Choices, tt.also)
			}
		})
	}
}

// Mid-intake, a question is answered and the step asked again; it is never
// stored as an answer. The examples are the ones the intake used to
// mistake for answers.
func TestReadingMidIntake(t *testing.T) {
	tests := []struct {
		name  string
		setup []string // answers that bring the intake to the step
		step  string
		text  string
		want  []string // the reply contains each
	}{
		{"what do you mean", nil, rules.FieldStage, "i am not sure, what do you mean by graduated?",
			[]string{"Here is why I ask", "Students look for electives", "still in medical school or graduated"}},
		{"visa question", []string{"graduated", "2019", "2027", "IM", "passed", "skip"}, rules.FieldVisa,
			"what is a J1 visa?", []string{"visa to train in the US"}},
		{"does it count", []string{"graduated", "2019", "2027", "IM", "passed", "skip", "yes", "yes", "low"}, "experience",
			"does an observership count as usce?", []string{"Sources:", "Back to your profile", "Describe one experience"}},
		{"thanks mid-intake", []string{"graduated"}, rules.FieldGradYear, "thanks!",
			[]string{"You're welcome", "What year did you graduate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.say(t, "/intake")
			for _, a := range tt.setup {
				f.say(t, a)
			}
			p0, s0 := f.state(t)
			if s0.Step != tt.step {
				t.Fatalf("setup left the intake at %q, want %q", s0.Step, tt.step)
			}
			got := f.say(t, tt.text)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply to %q at %s = %q, want it to contain %q", tt.text, tt.step, got, w)
				}
			}
			p1, s1 := f.state(t)
			if s1.Step != s0.Step || s1.Draft != nil || p1.Stage != p0.Stage || p1.Visa != p0.Visa || len(p1.Experiences) != len(p0.Experiences) {
				t.Errorf("%q at %s was stored as an answer: state %+v, profile %+v", tt.text, tt.step, s1, p1)
			}
		})
	}
}

// Mid-intake, a message the step cannot use that does not ask anything is
// refused with the step's reason, not answered with the article its words
// match, and nothing is stored.
func TestReadingNonAnswerIsRefused(t *testing.T) {
	for _, text := range []string{
		"i did a 2 month observership at mount sinai in 2023",
		"internal medicine",
		"4 week externship in houston, IM, 2024, hands on, got a letter",
	} {
		f := newFixture(t)
		f.say(t, "/intake")
		f.say(t, "graduated")
		got := f.say(t, text)
		if strings.Contains(got, "Sources:") || !strings.Contains(got, "What year did you graduate") {
			t.Errorf("%q at the year step = %q, want the step's reason and the step again", text, got)
		}
		if p, s := f.state(t); s.Step != rules.FieldGradYear || p.GradYear != nil {
			t.Errorf("%q was stored: step %q, year %v", text, s.Step, p.GradYear)
		}
	}
}

// At "any other experience?", a question about a kind of experience is
// answered, not taken as that experience.
func TestReadingQuestionAtExperienceMore(t *testing.T) {
	f := newFixture(t)
	f.say(t, "/intake")
	for _, a := range []string{"graduated", "2019", "2027", "IM", "passed", "skip", "yes", "yes", "low",
		"8-week IM externship in Chicago, 2025", "yes"} {
		f.say(t, a)
	}
	if _, s := f.state(t); s.Step != "experience_more" {
		t.Fatalf("setup left the intake at %q", s.Step)
	}
	got := f.say(t, "is a paid virtual rotation worth it?")
	if !strings.Contains(got, "Sources:") {
		t.Errorf("question at experience_more = %q, want an answer", got)
	}
	if p, s := f.state(t); s.Step != "experience_more" || len(p.Experiences) != 1 || s.Draft != nil {
		t.Errorf("the question started an experience: state %+v, %d experiences", s, len(p.Experiences))
	}
}

// A message that reads both as the step's answer and as a question is
// asked about, and each button does what it says.
func TestReadingUnsure(t *testing.T) {
	f := newFixture(t)
	f.say(t, "/intake")
	r := f.send(t, bot.Message{Text: "graduated?"})
	if !strings.Contains(r.Text.String(), "answer, or a question") || len(r.Choices) != 2 {
		t.Fatalf("reply to 'graduated?' = %q %+v, want the answer-or-question choice", r.Text.String(), r.Choices)
	}
	if p, _ := f.state(t); p.Stage != "" {
		t.Fatalf("an unsure message was stored: stage %q", p.Stage)
	}
	asQuestion := f.send(t, bot.Message{Choice: r.Choices[1].ID})
	if !strings.Contains(asQuestion.Text.String(), "Back to your profile") {
		t.Errorf("'a question' = %q, want a reply and the step again", asQuestion.Text.String())
	}
	got := f.send(t, bot.Message{Choice: r.Choices[0].ID})
	if p, _ := f.state(t); p.Stage != rules.StageGraduate || !strings.Contains(got.Text.String(), "Got it") {
		t.Errorf("'my answer' = %q, stage %q; want it stored", got.Text.String(), p.Stage)
	}
	// The same button again has moved on.
	if again := f.send(t, bot.Message{Choice: r.Choices[0].ID}); !again.Stale {
		t.Errorf("a second press of 'my answer' = %q, want stale", again.Text.String())
	}
}

// Control words during the intake steer it, whatever their spelling.
func TestReadingControlWordsMidIntake(t *testing.T) {
	f := newFixture(t)
	f.say(t, "/intake")
	f.say(t, "graduated")
	f.say(t, "go back")
	if _, s := f.state(t); s.Step != rules.FieldStage {
		t.Errorf("'go back' left the intake at %q, want %q", s.Step, rules.FieldStage)
	}
	f.say(t, "nvm")
	if _, s := f.state(t); !s.Paused {
		t.Errorf("'nvm' did not pause the intake: %+v", s)
	}
	if got := f.say(t, "cancel"); !strings.Contains(got, "paused") {
		t.Errorf("'cancel' on a paused intake = %q, want it to say the intake is paused", got)
	}
}

// "A question" on a message that is only a word still gets a reply.
func TestReadingUnsureWordAsQuestion(t *testing.T) {
	f := newFixture(t)
	f.say(t, "/intake")
	r := f.send(t, bot.Message{Choice: "read:?:yes"})
	if got := r.Text.String(); !strings.Contains(got, "I haven't asked you anything") || !strings.Contains(got, "Back to your profile") {
		t.Errorf("'yes' taken as a question = %q, want a short line and the step again", got)
	}
}

// A question close to two topics gets "Do you mean" with a button each,
// and a pick answers that topic.
func TestReadingClarifies(t *testing.T) {
	f := newFixture(t)
	q, topics := advisortest.ClarifyingQuestion(t, f.kb)
	r := f.send(t, bot.Message{Text: q})
	if !strings.HasPrefix(r.Text.String(), "Do you mean: ") || len(r.Choices) != len(topics) {
		t.Fatalf("reply to %q = %q %+v, want 'Do you mean' with a choice per topic", q, r.Text.String(), r.Choices)
	}
	picked := f.send(t, bot.Message{Choice: r.Choices[1].ID})
	if title, _, _ := strings.Cut(picked.Text.String(), "\n"); title != r.Choices[1].Label {
		t.Errorf("picking %q answered %q", r.Choices[1].Label, title)
	}
}
