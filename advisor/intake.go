package advisor

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uscebot/uscebot/advisor/rules"
)

// The intake is a pure state machine: every function here takes the profile
// and the state and returns new ones, never touching what it was given, so
// the caller can save the result (or not) and a refused answer provably
// changes nothing.

// IntakeState is where a user is in the intake; persisted with the profile as JSON.
type IntakeState struct {
	Step    string            `json:"step"`              // current step id; "" = never started; StepDone when finished
	Draft   *rules.Experience `json:"draft,omitempty"`   // the experience being described in the experiences loop
	History []string          `json:"history,omitempty"` // steps answered, most recent last, for "back"
	Paused  bool              `json:"paused,omitempty"`  // "cancel" pauses; /intake resumes
}

// Clone returns a copy of s that shares no memory with it (see
// rules.Profile.Clone).
func (s IntakeState) Clone() IntakeState {
	if s.Draft != nil {
		d := *s.Draft
		s.Draft = &d
	}
	s.History = slices.Clone(s.History)
	return s
}

// StepDone is the step of a finished intake.
const StepDone = "done"

// Option is a closed-set answer offered as a button; Value is at most 40
// bytes of [a-z0-9_], so it fits a platform's button payload with the step.
type Option struct{ Value, Label string }

// Prompt is one question of the intake.
type Prompt struct {
	Step     string
	Question string   // one short line
	Why      string   // one line: why it matters
	Options  []Option // nil for free-text steps
	Optional bool     // "skip" allowed
}

// IntakeReply is the outcome of one intake turn.
type IntakeReply struct {
	Text    string  // in the knowledge base's Markdown subset (paragraphs, "- " bullets, **bold**): acknowledgement or the one-line reason an answer was refused; the router appends the prompt
	Prompt  *Prompt // the pending question; nil when the intake is finished or paused
	Invalid bool    // the answer was refused (Text says why; Prompt is the same step again)
	Done    bool    // the intake has just finished (or was already finished)
	Changed bool    // profile or state changed: the caller must save before replying
}

// Steps of the experiences loop. The profile fields' steps are named after
// the fields (rules.Field*).
const (
	stepExperience = "experience"
	stepExpKind    = "experience_kind"
	stepExpWeeks   = "experience_weeks"
	stepExpYear    = "experience_year"
	stepExpConfirm = "experience_confirm"
	stepExpMore    = "experience_more"
)

// stepOrder is the intake's main line; the experiences loop hangs off
// stepExperience and rejoins it at us_letters.
var stepOrder = []string{
	rules.FieldStage, rules.FieldGradYear, rules.FieldApplicationYear, rules.FieldSpecialty,
	rules.FieldStep1, rules.FieldStep2CK, rules.FieldVisa, rules.FieldCanTravel, rules.FieldBudget,
	stepExperience, rules.FieldUSLetters,
}

// draftSteps are the steps that describe the draft experience; they mean
// nothing without one.
var draftSteps = []string{stepExpKind, stepExpWeeks, stepExpYear, stepExpConfirm}

// maxHistory bounds the history kept for "back": a long experiences loop
// must not grow the stored state without end, and nobody goes back 100
// steps.
const maxHistory = 100

// maxKeywordBytes: answers longer than this are never a keyword or an
// option, so a pasted wall of text is not normalised for nothing.
const maxKeywordBytes = 200

// Fields returns the field names SetField accepts, in intake order.
func Fields() []string {
	var out []string
	for _, s := range stepOrder {
		if _, ok := fieldSpecs[s]; ok {
			out = append(out, s)
		}
	}
	return out
}

// A fieldSpec is everything the intake and SetField know about one profile
// field.
type fieldSpec struct {
	question func(p rules.Profile) string
	why      string
	options  []Option
	optional bool
	// reason and ask make the one-line refusal: "reason: ask." ask alone
	// says what is accepted, with an example.
	reason string
	ask    func(now time.Time) string
	// parse reads an answer; ok is false when it cannot be used.
	parse func(answer string, now time.Time) (set func(*rules.Profile), ok bool)
	// show is the field's value for a person, "" when unset.
	show func(p rules.Profile) string
}

func fixedQuestion(s string) func(rules.Profile) string {
	return func(rules.Profile) string { return s }
}
func fixedAsk(s string) func(time.Time) string { return func(time.Time) string { return s } }

var fieldSpecs = map[string]fieldSpec{
	rules.FieldStage: {
		question: fixedQuestion("Are you still in medical school or graduated?"),
		why:      "Students look for electives and sub-internships, graduates for externships and observerships, and years since graduation count.",
		options:  stageOptions,
		reason:   "I couldn't tell which",
		ask:      fixedAsk(`please answer "student" or "graduated"`),
		parse:    choiceParser(stageOptions, rules.ParseStage, func(p *rules.Profile, v string) { p.Stage = v }),
		show:     func(p rules.Profile) string { return p.Stage },
	},
	rules.FieldGradYear: {
		question: func(p rules.Profile) string {
			switch p.Stage {
			case rules.StageStudent:
				return "What year do you expect to graduate?"
			case rules.StageGraduate:
				return "What year did you graduate?"
			}
			return "What year did you (or will you) graduate?"
		},
		why:    "Programs look at how recently you graduated; more than 3 years before applying makes recent USCE matter more.",
		reason: "That isn't a year I can use",
		ask:    fixedAsk("please type a year from 1970 to 2040, for example 2021"),
		parse: func(a string, _ time.Time) (func(*rules.Profile), bool) {
			y, err := rules.ParseGradYear(a)
			return func(p *rules.Profile) { p.GradYear = &y }, err == nil
		},
		show: func(p rules.Profile) string { return showInt(p.GradYear) },
	},
	rules.FieldApplicationYear: {
		question: fixedQuestion("What year will you submit your ERAS application?"),
		why:      "It sets your timeline: how long you have to get USCE and letters before September of that year.",
		reason:   "That isn't a year I can use",
		ask: func(now time.Time) string {
			return fmt.Sprintf("please type a year from %d to %d, for example %d", now.Year(), now.Year()+6, now.Year()+1)
		},
		parse: func(a string, now time.Time) (func(*rules.Profile), bool) {
			y, err := rules.ParseApplicationYear(a, now)
			return func(p *rules.Profile) { p.ApplicationYear = &y }, err == nil
		},
		show: func(p rules.Profile) string { return showInt(p.ApplicationYear) },
	},
	rules.FieldSpecialty: {
		question: fixedQuestion("Which specialty are you applying to, e.g. internal medicine, IM or peds?"),
		why:      "Programs want USCE and letters in your own specialty: 1-2 months of it count most.",
		reason:   "I don't know that specialty",
		ask:      fixedAsk("please type a specialty like internal medicine, pediatrics or psychiatry (IM, peds and psych work too)"),
		parse: func(a string, _ time.Time) (func(*rules.Profile), bool) {
			name, ok := rules.ParseSpecialty(a)
			return func(p *rules.Profile) { p.Specialty = name }, ok
		},
		show: func(p rules.Profile) string { return p.Specialty },
	},
	rules.FieldStep1: {
		question: fixedQuestion("Have you passed USMLE Step 1, failed it, or not taken it yet?"),
		why:      "It shapes your timeline: an exam still to take competes with rotations for your time.",
		options:  step1Options,
		reason:   "I couldn't read that",
		ask:      fixedAsk(`please answer "passed", "failed" or "not taken"`),
		parse:    choiceParser(step1Options, rules.ParseStep1, func(p *rules.Profile, v string) { p.Step1 = v }),
		show:     func(p rules.Profile) string { return spaced(p.Step1) },
	},
	rules.FieldStep2CK: {
		question: fixedQuestion("What's your Step 2 CK score, if you've taken it?"),
		why:      "If you haven't taken it yet, your plan makes room for it before you apply.",
		optional: true,
		reason:   "That isn't a Step 2 CK score",
		ask:      fixedAsk("please type your score from 1 to 300, for example 245, or none if you haven't taken it"),
		parse: func(a string, _ time.Time) (func(*rules.Profile), bool) {
			if s, err := rules.ParseStep2CK(a); err == nil {
				return func(p *rules.Profile) { p.Step2CK = &s }, true
			}
			// "not yet", "none", "no": the same as skip.
			if st, err := rules.ParseStep1(a); (err == nil && st == rules.Step1NotTaken) || isSkip(answerKey(a)) {
				return func(p *rules.Profile) { p.Step2CK = nil }, true
			}
			return nil, false
		},
		show: func(p rules.Profile) string {
			if p.Step2CK == nil {
				return "" // nil is both "not asked yet" and "not taken": show nothing
			}
			return strconv.Itoa(*p.Step2CK)
		},
	},
	rules.FieldVisa: {
		question: fixedQuestion("Will you need a visa to train in the US?"),
		why:      "Needing a visa narrows where you can rotate, and with no travel possible the plan turns to alternatives.",
		options:  visaOptions,
		reason:   "I couldn't tell",
		ask:      fixedAsk(`please answer "yes" if you'll need a visa, or "no" (if unsure, say yes)`),
		parse:    choiceParser(visaOptions, rules.ParseVisa, func(p *rules.Profile, v string) { p.Visa = v }),
		show: func(p rules.Profile) string {
			switch p.Visa {
			case rules.VisaNeeded:
				return "needs a visa"
			case rules.VisaNotNeeded:
				return "no visa needed"
			}
			return ""
		},
	},
	rules.FieldCanTravel: {
		question: fixedQuestion("Can you travel to the US in the next 12 months?"),
		why:      "In-person USCE needs you in the US; if you can't travel, the plan leans on alternatives.",
		options:  travelOptions,
		reason:   "I couldn't tell",
		ask:      fixedAsk(`please answer "yes" or "no"`),
		parse:    choiceParser(travelOptions, rules.ParseYesNo, func(p *rules.Profile, v string) { p.CanTravel = v }),
		show:     func(p rules.Profile) string { return p.CanTravel },
	},
	rules.FieldBudget: {
		question: fixedQuestion("What's your budget for rotations: low, medium or high?"),
		why:      "Paid rotations cost thousands; on a tight budget the plan starts with free and high-yield options.",
		options:  budgetOptions,
		reason:   "I couldn't read a budget",
		ask:      fixedAsk(`please answer "low", "medium" or "high", or an amount such as 3000 USD`),
		parse:    choiceParser(budgetOptions, rules.ParseBudget, func(p *rules.Profile, v string) { p.Budget = v }),
		show:     func(p rules.Profile) string { return p.Budget },
	},
	rules.FieldUSLetters: {
		question: fixedQuestion("How many strong letters from US physicians do you have or are promised, not counting tele letters?"),
		why:      "Programs want 2-3 US letters; letters from tele or online work are left out because programs give them little weight.",
		reason:   "That isn't a number of letters I can use",
		ask:      fixedAsk("please type a number from 0 to 10, for example 2"),
		parse: func(a string, _ time.Time) (func(*rules.Profile), bool) {
			n, err := rules.ParseUSLetters(a)
			return func(p *rules.Profile) { p.USLetters = &n }, err == nil
		},
		show: func(p rules.Profile) string { return showInt(p.USLetters) },
	},
}

// The options of the closed-set fields.
var (
	stageOptions = []Option{{rules.StageStudent, "Still in medical school"}, {rules.StageGraduate, "Graduated"}}
	step1Options = []Option{{rules.Step1Passed, "Passed"}, {rules.Step1Failed, "Failed"},
		{rules.Step1NotTaken, "Not taken yet"}}
	visaOptions   = []Option{{rules.VisaNeeded, "Yes, I'll need a visa"}, {rules.VisaNotNeeded, "No visa needed"}}
	travelOptions = []Option{{rules.Yes, "Yes"}, {rules.No, "No"}}
	budgetOptions = []Option{{rules.BudgetLow, "Low (under $2,000)"}, {rules.BudgetMedium, "Medium ($2,000-6,000)"},
		{rules.BudgetHigh, "High (over $6,000)"}}
)

// choice makes the parser of a closed-set field: an option's value or
// label first (a button press, or the label typed back), then the rules'
// reading of free words ("grad", "cleared it", "$$").
func choiceParser(opts []Option, parse func(string) (string, error), set func(*rules.Profile, string)) func(string, time.Time) (func(*rules.Profile), bool) {
	return func(a string, _ time.Time) (func(*rules.Profile), bool) {
		v, ok := matchOption(opts, a)
		if !ok {
			var err error
			if v, err = parse(a); err != nil {
				return nil, false
			}
		}
		return func(p *rules.Profile) { set(p, v) }, true
	}
}

// FieldValue shows one profile field for a person: "not set" when it has
// no value (for step2ck, "not taken or not set").
func FieldValue(p rules.Profile, field string) string {
	spec, ok := fieldSpecs[field]
	if !ok {
		return "not set"
	}
	if v := spec.show(p); v != "" {
		return v
	}
	if field == rules.FieldStep2CK {
		return "not taken or not set"
	}
	return "not set"
}

func showInt(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

// spaced turns an id into words: "not_taken" is "not taken".
func spaced(id string) string { return strings.ReplaceAll(id, "_", " ") }

// SetField sets one profile field from a typed value (/profile set <field>
// <value>), validated as in the intake.
func SetField(p rules.Profile, field, value string, now time.Time) (rules.Profile, error) {
	field = strings.ToLower(strings.TrimSpace(field))
	spec, ok := fieldSpecs[field]
	switch {
	case field == rules.FieldExperiences:
		return p, errors.New("experiences can't be set in one line: send /intake to describe them one at a time")
	case !ok:
		return p, fmt.Errorf("there's no field by that name: use one of %s", strings.Join(Fields(), ", "))
	}
	value = strings.TrimSpace(strings.ToValidUTF8(value, " "))
	set, ok := spec.parse(value, now)
	if value == "" || !ok {
		return p, fmt.Errorf("%s: %s", field, spec.ask(now))
	}
	np := cloneProfile(p)
	set(&np)
	return np, nil
}

// StartIntake handles /intake: it starts the intake, resumes a paused or
// ongoing one at the same step, or goes through a finished one again from
// the first step with the answers kept as defaults.
func StartIntake(p rules.Profile, s IntakeState) (IntakeState, IntakeReply) {
	var text string
	switch {
	case s.Step == "":
		s = IntakeState{Step: stepOrder[0]}
		text = "Let's build your profile: about 10 short questions, then your experiences one at a time."
	case s.Step == StepDone:
		s = IntakeState{Step: stepOrder[0]}
		text = "Your profile is already complete. Let's go through it again: each question shows your current answer; send keep to keep it."
	case !knownStep(s.Step):
		// A state saved by another version: start over, keeping the answers.
		s = IntakeState{Step: stepOrder[0]}
		text = "Let's go through your profile from the top; your answers so far are kept."
	default:
		ns, changed := normalizeState(cloneState(s))
		if !s.Paused && !changed {
			return s, IntakeReply{Text: "We're in the middle of your profile; here's where we were.", Prompt: promptAt(p, s)}
		}
		ns.Paused = false
		s = ns
		text = "Welcome back: let's pick up where you left off."
	}
	return s, IntakeReply{Text: text, Prompt: promptAt(p, s), Changed: true}
}

// PromptFor returns the pending prompt, nil if none (not started, paused or
// finished).
func PromptFor(p rules.Profile, s IntakeState) *Prompt {
	if s.Paused {
		return nil
	}
	return promptAt(p, s)
}

// AnswerIntake takes one typed answer or one chosen Option.Value for the
// pending step.
func AnswerIntake(p rules.Profile, s IntakeState, answer string, now time.Time) (rules.Profile, IntakeState, IntakeReply) {
	switch {
	case s.Step == "":
		return p, s, IntakeReply{Text: "You haven't started your profile yet: send /intake to begin."}
	case s.Step == StepDone:
		return p, s, IntakeReply{Text: "Your profile is complete; send /intake to go through it again.", Done: true}
	case s.Paused:
		return p, s, IntakeReply{Text: "Your profile questions are paused: send /intake to pick up where you left off."}
	}
	ns, repaired := normalizeState(cloneState(s))
	if repaired {
		// A state this version could not have produced (saved by another
		// one): the answer was to a question that no longer stands, so
		// the turn only puts the state right and asks again.
		return p, ns, IntakeReply{Text: "Sorry, I lost track of that question; here is where we are.", Prompt: promptAt(p, ns), Changed: true}
	}
	t := turn{p: cloneProfile(p), s: ns, now: now}
	text, ok := t.answer(answer)
	if !ok {
		// Everything the turn did is dropped, so a refusal changes nothing.
		return p, s, IntakeReply{Text: text, Prompt: promptAt(p, s), Invalid: true}
	}
	r := IntakeReply{Text: text, Changed: true}
	switch {
	case t.s.Step == StepDone:
		r.Done = true
	case !t.s.Paused:
		r.Prompt = promptAt(t.p, t.s)
	}
	return t.p, t.s, r
}

// turn is one answer being applied to copies of the profile and state.
type turn struct {
	p   rules.Profile
	s   IntakeState
	now time.Time
}

// refuse is the one-line refusal of an answer at the current step.
func (t *turn) refuse(reason string) (string, bool) {
	return reason + ": " + t.ask() + ".", false
}

// ask says what the current step accepts, with an example.
func (t *turn) ask() string {
	if f, ok := fieldSpecs[t.s.Step]; ok {
		return f.ask(t.now)
	}
	return loopSteps[t.s.Step].ask
}

func (t *turn) reason() string {
	if f, ok := fieldSpecs[t.s.Step]; ok {
		return f.reason
	}
	return loopSteps[t.s.Step].reason
}

// answer applies one answer; ok false means refused, with text saying why.
func (t *turn) answer(raw string) (text string, ok bool) {
	a := strings.TrimSpace(strings.ToValidUTF8(raw, " "))
	if a == "" {
		return t.refuse("I didn't get an answer")
	}
	kw := answerKey(a)
	switch {
	case kw == "back" || kw == "go back" || kw == "previous":
		return t.back()
	case kw == "cancel" || kw == "pause" || kw == "stop":
		t.s.Paused = true
		return "Paused: your answers so far are saved. Send /intake to pick up where you left off.", true
	case isSkip(kw):
		return t.skip()
	case isKeep(kw):
		return t.keep()
	}
	if f, ok := fieldSpecs[t.s.Step]; ok {
		set, ok := f.parse(a, t.now)
		if !ok {
			return t.refuse(f.reason)
		}
		set(&t.p)
		return t.accept(f)
	}
	switch t.s.Step {
	case stepExperience:
		return t.describe(a, kw)
	case stepExpKind:
		return t.kind(a)
	case stepExpWeeks:
		return t.weeks(a)
	case stepExpYear:
		return t.year(a, kw)
	case stepExpConfirm:
		return t.confirm(a, kw)
	case stepExpMore:
		return t.more(a, kw)
	}
	return t.refuse(t.reason()) // unreachable: normalize leaves only known steps
}

// accept moves past a field step whose answer is in t.p.
func (t *turn) accept(f fieldSpec) (string, bool) {
	shown := f.show(t.p)
	if shown == "" {
		shown = "not taken" // step2ck, the only field that may be left unset
	}
	step := t.s.Step
	t.advance()
	if t.s.Step == StepDone {
		return "Got it: **" + shown + "**. That's everything: your profile is complete.", true
	}
	if step == rules.FieldBudget && len(t.p.Experiences) == 0 {
		return "Got it: **" + shown + "**. Now your experiences, one at a time.", true
	}
	return "Got it: **" + shown + "**.", true
}

// advance records the current step as answered and moves to the next one of
// the main line.
func (t *turn) advance() {
	i := slices.Index(stepOrder, t.s.Step)
	if i < 0 || i+1 >= len(stepOrder) {
		// Finished: history and draft are of no further use.
		t.s = IntakeState{Step: StepDone}
		return
	}
	t.goTo(stepOrder[i+1])
}

// goTo records the current step as answered and moves to step.
func (t *turn) goTo(step string) {
	t.s.History = append(t.s.History, t.s.Step)
	if n := len(t.s.History); n > maxHistory {
		t.s.History = slices.Clone(t.s.History[n-maxHistory:])
	}
	t.s.Step = step
}

// back goes one step back. Inside the experiences loop a step back from any
// question about the draft is a step back to describing it again: the
// parts were read from one description, so they are redone together.
func (t *turn) back() (string, bool) {
	switch t.s.Step {
	case stepExpKind, stepExpWeeks, stepExpYear, stepExpConfirm:
		t.restartDraft()
		return "OK, let's take that experience again from the description.", true
	case stepExpMore:
		// The experience just confirmed comes off the list and back up for
		// confirmation, so "back" undoes the "yes".
		if n := len(t.p.Experiences); n > 0 {
			last := t.p.Experiences[n-1]
			t.p.Experiences = t.p.Experiences[:n-1]
			if len(t.p.Experiences) == 0 {
				t.p.Experiences = nil
			}
			t.s.Draft = &last
			if h := len(t.s.History); h > 0 && t.s.History[h-1] == stepExpConfirm {
				t.s.History = t.s.History[:h-1]
			}
			t.s.Step = stepExpConfirm
			return "OK, back to the experience you just added.", true
		}
	}
	n := len(t.s.History)
	if n == 0 {
		return "This is the first question, there's nothing to go back to: " + t.ask() + ".", false
	}
	t.s.Step = t.s.History[n-1]
	t.s.History = t.s.History[:n-1]
	t.s.Draft = nil
	t.s, _ = normalizeState(t.s)
	return "OK, back one step.", true
}

// restartDraft drops the draft and returns to the description, unwinding
// the history to where the description was asked.
func (t *turn) restartDraft() {
	for i := len(t.s.History) - 1; i >= 0; i-- {
		if t.s.History[i] == stepExperience {
			t.s.History = t.s.History[:i]
			break
		}
	}
	t.s.Step = stepExperience
	t.s.Draft = nil
}

// skip handles "skip": only optional steps may be skipped.
func (t *turn) skip() (string, bool) {
	switch t.s.Step {
	case rules.FieldStep2CK:
		t.p.Step2CK = nil
		t.advance()
		return "Skipped: Step 2 CK not taken.", true
	case stepExperience:
		return t.finishExperiences()
	}
	return "This one can't be skipped: " + t.ask() + ".", false
}

// keep handles "keep": the current answer stands.
func (t *turn) keep() (string, bool) {
	if f, ok := fieldSpecs[t.s.Step]; ok {
		if f.show(t.p) == "" && t.s.Step != rules.FieldStep2CK {
			return "There's no answer to keep yet: " + t.ask() + ".", false
		}
		return t.accept(f)
	}
	if t.s.Step == stepExperience && len(t.p.Experiences) > 0 {
		return t.finishExperiences()
	}
	return "There's no answer to keep here: " + t.ask() + ".", false
}

// finishExperiences leaves the experiences loop for us_letters.
func (t *turn) finishExperiences() (string, bool) {
	t.s.Draft = nil
	t.goTo(rules.FieldUSLetters)
	switch n := len(t.p.Experiences); n {
	case 0:
		return "No experiences for now: that's fine, your plan will start from there.", true
	default:
		return fmt.Sprintf("Got it: %s on your profile.", countNoun(n, "experience")), true
	}
}

// Words that answer the loop's questions, after answerKey().
var (
	noneWords = []string{"none", "no", "nope", "nothing", "done", "no more", "thats all",
		"that is all", "n a", "na", "none yet", "not yet", "no experience", "no experiences",
		"finished", "all done", "nothing else", "nothing more"}
	clearWords = []string{"clear", "clear all", "clear them", "start over", "delete all", "remove all"}
	yesWords   = []string{"yes", "y", "yeah", "yep", "yup", "ya", "right", "correct", "thats right",
		"that is right", "ok", "okay", "sure", "looks good", "confirm", "good", "perfect",
		"exactly", "yes thats right", "yes correct", "correct yes"}
	fixWords = []string{"fix", "fix it", "no", "nope", "wrong", "not right", "incorrect", "redo",
		"no thats wrong", "thats wrong"}
	addWords = []string{"add", "add another", "another", "another one", "yes", "y", "yeah", "yep",
		"sure", "more", "one more", "add more", "add one"}
)

// describe reads the description of one experience.
func (t *turn) describe(a, kw string) (string, bool) {
	switch {
	case slices.Contains(noneWords, kw):
		return t.finishExperiences()
	case slices.Contains(clearWords, kw) && len(t.p.Experiences) > 0:
		t.p.Experiences = nil
		return "Cleared your experiences: describe the first one, or send none.", true
	}
	c := rules.Classify(a)
	if !readSomething(c) {
		return t.refuse(loopSteps[stepExperience].reason)
	}
	d := c.Experience()
	t.s.Draft = &d
	t.goTo(nextDraftStep(d))
	if t.s.Step == stepExpConfirm {
		return "Thanks.", true
	}
	return "Got it: **" + DescribeExperience(d) + "**.", true
}

// readSomething reports whether Classify read anything at all in a text.
func readSomething(c rules.Classification) bool {
	return c.Kind != "" || c.Weeks != nil || c.EndYear != nil || c.Specialty != "" || c.Remote || !c.InUS
}

// nextDraftStep is the step asking for the first part of d still missing,
// or the confirmation once nothing is.
func nextDraftStep(d rules.Experience) string {
	switch {
	case d.Kind == "":
		return stepExpKind
	case d.Weeks <= 0:
		return stepExpWeeks
	case d.EndYear == 0:
		return stepExpYear
	}
	return stepExpConfirm
}

// fill adds to the draft what c read and the draft lacks: an answer to one
// question may say more ("externship, 8 weeks").
func (t *turn) fill(c rules.Classification) {
	d := t.s.Draft
	if d.Kind == "" {
		d.Kind = c.Kind
	}
	if d.Weeks <= 0 && c.Weeks != nil {
		d.Weeks = *c.Weeks
	}
	if d.EndYear == 0 && c.EndYear != nil {
		d.EndYear = *c.EndYear
	}
	if d.Specialty == "" {
		d.Specialty = c.Specialty
	}
	d.Remote = d.Remote || c.Remote
	d.InUS = d.InUS && c.InUS
}

// next moves from one draft question to the next missing part.
func (t *turn) next() (string, bool) {
	t.goTo(nextDraftStep(*t.s.Draft))
	if t.s.Step == stepExpConfirm {
		return "Thanks.", true // the confirmation reads it all back
	}
	return "Got it: **" + DescribeExperience(*t.s.Draft) + "**.", true
}

func (t *turn) kind(a string) (string, bool) {
	if v, ok := matchOption(kindOptions, a); ok {
		t.s.Draft.Kind = v
		if rules.TierOf(v, true, false) == rules.TierSupplemental {
			t.s.Draft.Remote = true // tele and online kinds are remote by nature
		}
		return t.next()
	}
	c := rules.Classify(a)
	if c.Kind == "" {
		return t.refuse(loopSteps[stepExpKind].reason)
	}
	t.s.Draft.Kind = "" // the answer replaces the kind, whatever fill would keep
	t.fill(c)
	return t.next()
}

func (t *turn) weeks(a string) (string, bool) {
	c := rules.Classify(a)
	if c.Weeks == nil {
		// A bare number is weeks, as the question asks: "8", "six".
		c.Weeks = rules.Classify(a + " weeks").Weeks
	}
	if c.Weeks == nil {
		return t.refuse(loopSteps[stepExpWeeks].reason)
	}
	t.s.Draft.Weeks = 0
	t.fill(c)
	return t.next()
}

func (t *turn) year(a, kw string) (string, bool) {
	y := 0
	switch kw {
	case "this year", "now", "ongoing", "current", "currently", "still going", "present":
		y = t.now.Year()
	case "last year":
		y = t.now.Year() - 1
	default:
		if c := rules.Classify(a); c.EndYear != nil {
			y = *c.EndYear
		}
	}
	if y == 0 {
		return t.refuse(loopSteps[stepExpYear].reason)
	}
	t.s.Draft.EndYear = y
	return t.next()
}

// confirm takes yes, fix, or a correction of one part ("no, 6 weeks").
func (t *turn) confirm(a, kw string) (string, bool) {
	switch {
	case slices.Contains(yesWords, kw):
		t.p.Experiences = append(t.p.Experiences, *t.s.Draft)
		t.s.Draft = nil
		t.goTo(stepExpMore)
		return fmt.Sprintf("Added: that's %s so far.", countNoun(len(t.p.Experiences), "experience")), true
	case slices.Contains(fixWords, kw):
		t.restartDraft()
		return "OK, let's describe it again.", true
	}
	c := rules.Classify(a)
	if !readSomething(c) {
		return t.refuse(loopSteps[stepExpConfirm].reason)
	}
	d := t.s.Draft
	if c.Kind != "" {
		d.Kind = c.Kind
	}
	if c.Weeks != nil {
		d.Weeks = *c.Weeks
	}
	if c.EndYear != nil {
		d.EndYear = *c.EndYear
	}
	if c.Specialty != "" {
		d.Specialty = c.Specialty
	}
	d.Remote = d.Remote || c.Remote
	d.InUS = d.InUS && c.InUS
	return "Updated.", true
}

// more asks whether there is another experience; a description typed
// straight away is taken as one.
func (t *turn) more(a, kw string) (string, bool) {
	switch {
	case slices.Contains(addWords, kw):
		t.goTo(stepExperience)
		return "OK, next one.", true
	case slices.Contains(noneWords, kw):
		return t.finishExperiences()
	}
	if rules.Classify(a).Kind != "" {
		t.goTo(stepExperience)
		return t.describe(a, kw)
	}
	return t.refuse(loopSteps[stepExpMore].reason)
}

// loopSpec is what the intake says at a step of the experiences loop.
type loopSpec struct {
	why    string
	reason string
	ask    string
}

var loopSteps = map[string]loopSpec{
	stepExperience: {
		why:    "Your US clinical experience (USCE) is the core of the assessment: its kind, length, specialty and recency.",
		reason: "I couldn't read an experience there",
		ask:    `describe it like "8-week IM externship in Chicago, 2025", or send none`,
	},
	stepExpKind: {
		why:    "The kind decides its tier: hands-on work counts most, and tele or online work doesn't count as USCE.",
		reason: "I couldn't tell the kind",
		ask:    "please name it, for example externship, elective, observership, research or telehealth",
	},
	stepExpWeeks: {
		why:    "Programs look for at least 4 weeks of USCE; competitive applicants have 8 or more hands-on.",
		reason: "I couldn't read a length",
		ask:    "please type it like 4 weeks or 2 months",
	},
	stepExpYear: {
		why:    "USCE from within 3 years of your application counts as recent.",
		reason: "I couldn't read a year",
		ask:    "please type the year it ended, for example 2025",
	},
	stepExpConfirm: {
		reason: "I couldn't tell",
		ask:    `please answer "yes", or "fix" to describe it again (or say what to change, for example "6 weeks")`,
	},
	stepExpMore: {
		why:    "Every experience adds to your weeks of USCE: list them all, tele and research too.",
		reason: "I couldn't tell",
		ask:    `please answer "add" to add another experience, or "done"`,
	},
}

// kindOptions offer every kind, most common first.
var kindOptions = []Option{
	{rules.KindExternship, "Externship"}, {rules.KindElective, "Elective"},
	{rules.KindSubInternship, "Sub-internship"}, {rules.KindClerkship, "Clerkship"},
	{rules.KindRotation, "Hands-on rotation"}, {rules.KindObservership, "Observership"},
	{rules.KindShadowing, "Shadowing"}, {rules.KindResearchClinical, "Clinical research (with patients)"},
	{rules.KindResearch, "Research (no patients)"}, {rules.KindScribe, "Scribe"},
	{rules.KindVolunteering, "Volunteering"}, {rules.KindTelehealth, "Tele observership"},
	{rules.KindVirtualRotation, "Virtual rotation"}, {rules.KindOnlineCourse, "Online course"},
	{rules.KindTeleResearch, "Remote research"}, {rules.KindRemoteQI, "Remote QI project"},
}

// kindNouns name the kinds in plain words.
var kindNouns = map[string]string{
	rules.KindElective: "elective", rules.KindClerkship: "clerkship",
	rules.KindSubInternship: "sub-internship", rules.KindExternship: "externship",
	rules.KindRotation: "rotation", rules.KindResearchClinical: "clinical research",
	rules.KindScribe: "scribe work", rules.KindObservership: "observership",
	rules.KindShadowing: "shadowing", rules.KindVolunteering: "volunteering",
	rules.KindTelehealth: "tele observership", rules.KindVirtualRotation: "virtual rotation",
	rules.KindOnlineCourse: "online course", rules.KindTeleResearch: "remote research",
	rules.KindRemoteQI: "remote QI project", rules.KindResearch: "research",
}

// DescribeExperience says an experience (or what is known of a draft) in
// plain words: "hands-on externship, 8 weeks, internal medicine, ended 2025".
func DescribeExperience(e rules.Experience) string {
	var parts []string
	if e.Kind != "" {
		parts = append(parts, kindPhrase(e))
	} else {
		if e.Remote {
			parts = append(parts, "done remotely")
		}
		if !e.InUS {
			parts = append(parts, "outside the US")
		}
	}
	if e.Weeks > 0 {
		parts = append(parts, countNoun(e.Weeks, "week"))
	}
	if e.Specialty != "" {
		parts = append(parts, e.Specialty)
	}
	if e.EndYear != 0 {
		parts = append(parts, "ended "+strconv.Itoa(e.EndYear))
	}
	return strings.Join(parts, ", ")
}

// kindPhrase is the kind with its tier in plain words.
func kindPhrase(e rules.Experience) string {
	noun, ok := kindNouns[e.Kind]
	if !ok {
		noun = spaced(e.Kind)
	}
	switch e.Tier() {
	case rules.TierHandsOn:
		return "hands-on " + noun
	case rules.TierSemiHandsOn:
		return "semi-hands-on " + noun
	case rules.TierNonHandsOn:
		return "non-hands-on " + noun
	case rules.TierSupplemental:
		if rules.TierOf(e.Kind, true, false) == rules.TierSupplemental {
			return noun // remote by name: "virtual rotation"
		}
		return noun + " done remotely"
	case rules.TierNotClinical:
		return noun + " without patient contact"
	case rules.TierNonUS:
		return noun + " outside the US"
	}
	return noun
}

// tierWhy is the confirmation's Why: what the tier means for the user.
var tierWhy = map[string]string{
	rules.TierHandsOn:      "Hands-on US experience is what programs weigh most.",
	rules.TierSemiHandsOn:  "Clinical research and scribe work count as USCE, below hands-on work.",
	rules.TierNonHandsOn:   "Observerships and shadowing count as USCE, though less than hands-on work.",
	rules.TierSupplemental: "Tele and online work doesn't count as USCE, so it's kept apart from your USCE weeks.",
	rules.TierNotClinical:  "Research without patients doesn't count as USCE, though it helps your application.",
	rules.TierNonUS:        "Clinical work outside the US doesn't count as USCE.",
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// promptAt is the prompt of the state's step, paused or not.
func promptAt(p rules.Profile, s IntakeState) *Prompt {
	s, _ = normalizeState(s)
	if f, ok := fieldSpecs[s.Step]; ok {
		q := f.question(p)
		if cur := f.show(p); cur != "" {
			q += " (currently: " + cur + "; send keep to keep it)"
		}
		return &Prompt{Step: s.Step, Question: q, Why: f.why, Options: f.options, Optional: f.optional}
	}
	pr := &Prompt{Step: s.Step, Why: loopSteps[s.Step].why}
	switch s.Step {
	case stepExperience:
		pr.Optional = true
		pr.Question = `Describe one experience (US clinical, tele or research): kind, length, specialty, year, e.g. "8-week IM externship, 2025"; or send none.`
		if n := len(p.Experiences); n > 0 {
			pr.Question = fmt.Sprintf("Describe another experience (%d on file), or send done; clear empties the list.", n)
		}
	case stepExpKind:
		pr.Question = "What kind of experience was it? (e.g. externship, observership, research)"
		pr.Options = kindOptions
	case stepExpWeeks:
		pr.Question = "How long was it? (e.g. 4 weeks or 2 months)"
	case stepExpYear:
		pr.Question = "What year did it end? (e.g. 2025)"
	case stepExpConfirm:
		pr.Question = "I read that as: " + DescribeExperience(*s.Draft) + ". Right?"
		pr.Why = tierWhy[s.Draft.Tier()]
		if pr.Why == "" {
			pr.Why = "The kind and tier decide whether it counts as USCE."
		}
		pr.Options = []Option{{"yes", "Yes"}, {"fix", "Fix it"}}
	case stepExpMore:
		pr.Question = "Any other experience to add?"
		pr.Options = []Option{{"add", "Add another"}, {"done", "That's all"}}
	default:
		return nil // "" or done
	}
	return pr
}

// knownStep reports whether step is one of the intake's steps.
func knownStep(step string) bool {
	if _, ok := fieldSpecs[step]; ok {
		return true
	}
	_, ok := loopSteps[step]
	return ok
}

// normalize repairs a state the machine could not have produced (an old
// version's step, a draft question without a draft) so every function
// works on a sound one; changed says whether it had to.
func normalizeState(s IntakeState) (IntakeState, bool) {
	if s.Step == "" || s.Step == StepDone {
		return s, false
	}
	old := s
	switch {
	case !knownStep(s.Step):
		s = IntakeState{Step: stepOrder[0], Paused: s.Paused}
	case slices.Contains(draftSteps, s.Step):
		switch {
		case s.Draft == nil:
			s.Step = stepExperience
		case s.Step == stepExpConfirm:
			s.Step = nextDraftStep(*s.Draft) // a draft must be complete to be confirmed
		}
	default:
		s.Draft = nil // only draft steps have one
	}
	return s, s.Step != old.Step || s.Draft != old.Draft
}

// cloneState copies the parts of s an answer may change in place.
func cloneState(s IntakeState) IntakeState {
	s.History = slices.Clone(s.History)
	if s.Draft != nil {
		d := *s.Draft
		s.Draft = &d
	}
	return s
}

// cloneProfile copies the parts of p an answer may change in place; the
// *int fields are only ever replaced, never written through.
func cloneProfile(p rules.Profile) rules.Profile {
	p.Experiences = slices.Clone(p.Experiences)
	return p
}

// matchOption returns the value of the option whose value or label the
// answer is, ignoring case, spacing, "_" and "-".
func matchOption(opts []Option, answer string) (string, bool) {
	a := answerKey(answer)
	if a == "" {
		return "", false
	}
	for _, o := range opts {
		if a == answerKey(o.Value) || a == answerKey(o.Label) {
			return o.Value, true
		}
	}
	return "", false
}

// answerKey reduces a short answer to lower-case words separated by single
// spaces, without apostrophes, "_", "-" or end punctuation, so "That's
// all!" is "thats all" and "Not_taken" is "not taken". Long answers give "":
// they are never a keyword.
func answerKey(a string) string {
	if len(a) > maxKeywordBytes || !utf8.ValidString(a) {
		return ""
	}
	a = strings.Map(func(r rune) rune {
		switch {
		case r == '\'' || r == '’':
			return -1
		case r == '_' || r == '-' || r == '/':
			return ' '
		case unicode.IsPunct(r):
			return ' '
		}
		return unicode.ToLower(r)
	}, a)
	return strings.Join(strings.Fields(a), " ")
}

func isSkip(kw string) bool { return kw == "skip" || kw == "skip it" || kw == "skip this" }

func isKeep(kw string) bool {
	switch kw {
	case "keep", "keep it", "same", "same as before", "unchanged", "no change", "keep same":
		return true
	}
	return false
}
