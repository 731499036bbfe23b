package advisor

import (
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
	Step  string            `json:"step"`            // current step id; "" = never started; StepDone when finished
	Draft *rules.Experience `json:"draft,omitempty"` // the experience being described in the experiences loop
	// Also are the other experiences of the draft's description ("two
	// 4-week observerships"): the same as the draft but, maybe, for the
	// specialty, asked and confirmed with it and added with it.
	Also    []rules.Experience `json:"also,omitempty"`
	History []string           `json:"history,omitempty"` // steps answered, most recent last, for "back"
	Paused  bool               `json:"paused,omitempty"`  // "cancel" pauses; /intake resumes
	// Explained are the keys (see whyKey) of the prompts whose "why it
	// matters" was shown: it is said once, and a question asked again is
	// one line. States saved before it existed load with it empty and
	// explain each step once more.
	Explained []string `json:"explained,omitempty"`
	// Edit: a finished profile is having one answer changed; answering
	// it finishes the intake again instead of walking on.
	Edit bool `json:"edit,omitempty"`
	// Unsure is an unusual answer to the current step held for the user
	// to confirm (a Step 2 CK score under 150).
	Unsure string `json:"unsure,omitempty"`
}

// Clone returns a copy of s that shares no memory with it (see
// rules.Profile.Clone).
func (s IntakeState) Clone() IntakeState {
	if s.Draft != nil {
		d := *s.Draft
		s.Draft = &d
	}
	s.History = slices.Clone(s.History)
	s.Explained = slices.Clone(s.Explained)
	s.Also = slices.Clone(s.Also)
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
	Why      string   // one line: why it matters; "" once it has been said
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

// StartIntake handles /intake: it starts the intake, resumes a paused or
// ongoing one at the same step, or, on a finished profile, offers to change
// one answer (or to go through them all).
func StartIntake(p rules.Profile, s IntakeState) (IntakeState, IntakeReply) {
	var text string
	switch {
	case s.Step == "":
		s = IntakeState{Step: stepOrder[0], Explained: s.Explained}
		text = "Let's build your profile: about 10 short questions, then your experiences one at a time."
	case s.Step == StepDone:
		s = IntakeState{Step: stepChange, Edit: true, Explained: s.Explained}
		text = "Your profile is complete."
	case !knownStep(s.Step):
		// A state saved by another version: start over, keeping the answers.
		s = IntakeState{Step: stepOrder[0], Explained: s.Explained}
		text = "Let's go through your profile from the top; your answers so far are kept."
	default:
		ns, changed := normalizeState(s.Clone())
		if !s.Paused && !changed {
			ns, pr := present(p, ns)
			return ns, IntakeReply{Text: "We're in the middle of your profile; here's where we were.", Prompt: pr,
				Changed: len(ns.Explained) != len(s.Explained)}
		}
		ns.Paused = false
		s = ns
		text = "Welcome back: let's pick up where you left off."
	}
	s, pr := present(p, s)
	return s, IntakeReply{Text: text, Prompt: pr, Changed: true}
}

// PromptFor returns the pending prompt, nil if none (not started, paused or
// finished). Its Why is empty when it has been said.
func PromptFor(p rules.Profile, s IntakeState) *Prompt {
	if s.Paused {
		return nil
	}
	pr := promptAt(p, s)
	if pr != nil && slices.Contains(s.Explained, whyKey(s)) {
		pr.Why = ""
	}
	return pr
}

// Explain says why the pending step asks what it asks, said before or not:
// the answer to "what do you mean?" in the middle of the intake. "" when
// nothing is pending.
func Explain(p rules.Profile, s IntakeState) string {
	if pr := promptAt(p, s); pr != nil {
		return pr.Why
	}
	return ""
}

// present returns the prompt of the state's step and the state that
// remembers its Why as said: the Why comes with a step's first asking
// only.
func present(p rules.Profile, s IntakeState) (IntakeState, *Prompt) {
	pr := promptAt(p, s)
	if pr == nil {
		return s, nil
	}
	k := whyKey(s)
	if slices.Contains(s.Explained, k) {
		pr.Why = ""
		return s, pr
	}
	s.Explained = append(slices.Clone(s.Explained), k)
	return s, pr
}

// whyKey names what the Why of the state's prompt explains: its step, and
// for the confirmation of an experience the tier it explains.
func whyKey(s IntakeState) string {
	if s.Step == stepExpConfirm && s.Draft != nil {
		return s.Step + ":" + s.Draft.Tier()
	}
	return s.Step
}

// AnswerIntake takes one typed answer or one chosen Option.Value for the
// pending step.
func AnswerIntake(p rules.Profile, s IntakeState, answer string, now time.Time) (rules.Profile, IntakeState, IntakeReply) {
	switch {
	case s.Step == "":
		return p, s, IntakeReply{Text: "You haven't started your profile yet: send /intake to begin."}
	case s.Step == StepDone:
		return p, s, IntakeReply{Text: "Your profile is complete; send /intake to change an answer.", Done: true}
	case s.Paused:
		return p, s, IntakeReply{Text: "Your profile questions are paused: send /intake to pick up where you left off."}
	}
	ns, repaired := normalizeState(s.Clone())
	if repaired {
		// A state this version could not have produced (saved by another
		// one): the answer was to a question that no longer stands, so
		// the turn only puts the state right and asks again.
		ns, pr := present(p, ns)
		return p, ns, IntakeReply{Text: "Sorry, I lost track of that question; here is where we are.", Prompt: pr, Changed: true}
	}
	t := turn{p: cloneProfile(p), s: ns, now: now}
	text, ok := t.answer(answer)
	if !ok {
		// Everything the turn did is dropped, so a refusal changes nothing.
		// The question was asked before, so it comes back as one line,
		// without its Why.
		pr := promptAt(p, s)
		pr.Why = ""
		return p, s, IntakeReply{Text: text, Prompt: pr, Invalid: true}
	}
	r := IntakeReply{Text: text, Changed: true}
	switch {
	case t.s.Step == StepDone:
		r.Done = true
	case !t.s.Paused:
		t.s, r.Prompt = present(t.p, t.s)
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
	case (kw == "cancel" || kw == "pause" || kw == "stop") && t.s.Edit:
		// Changing a finished profile: stopping leaves it finished, with
		// what was changed so far.
		t.finish()
		return "OK, stopped there: your profile keeps what you changed so far.", true
	case kw == "cancel" || kw == "pause" || kw == "stop":
		t.s.Paused = true
		return "Paused: your answers so far are saved. Send /intake to pick up where you left off.", true
	case isSkip(kw):
		return t.skip()
	case isKeep(kw):
		return t.keep()
	}
	if opts := promptAt(t.p, t.s).Options; len(opts) > 0 && kw != "" && strings.Trim(kw, "0123456789") == "" {
		// A number picks from the list the user was shown, even when the
		// platform's memory of that list is gone (a console restarted).
		n, err := strconv.Atoi(kw)
		if err != nil || n < 1 || n > len(opts) {
			return t.refuse(fmt.Sprintf("There's no choice %s: the choices go from 1 to %d", kw, len(opts)))
		}
		a = opts[n-1].Value
		kw = answerKey(a)
	}
	if f, ok := fieldSpecs[t.s.Step]; ok {
		return t.field(f, a, kw)
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
	case stepChange:
		return t.change(a, kw)
	case stepExpRemove:
		return t.remove(a)
	}
	return t.refuse(t.reason()) // unreachable: normalize leaves only known steps
}

// field reads the answer to a profile field's step.
func (t *turn) field(f fieldSpec, a, kw string) (string, bool) {
	if t.s.Unsure != "" && slices.Contains(yesWords, kw) {
		a = t.s.Unsure // "yes": the answer held for confirmation stands
	}
	set, ok := f.parse(a, t.now)
	if !ok {
		return t.refuse(f.reason)
	}
	np := cloneProfile(t.p)
	set(&np)
	if f.doubt != nil {
		if v, reason := f.doubt(np); v != "" && v != t.s.Unsure {
			// Possible but unusual: held in the state, not the profile,
			// and the same question again.
			t.s.Unsure = v
			return reason + ".", true
		}
	}
	t.p = np
	return t.accept(f)
}

// accept moves past a field step whose answer is in t.p, once it agrees
// with the rest of the profile and the date.
func (t *turn) accept(f fieldSpec) (string, bool) {
	if f.check != nil {
		if reason, ask := f.check(t.p, t.now); reason != "" {
			return reason + ": " + ask + ".", false
		}
	}
	shown := f.show(t.p)
	if shown == "" {
		shown = "not taken" // step2ck, the only field that may be left unset
	}
	step, edit := t.s.Step, t.s.Edit
	if edit {
		// One answer changed may contradict another ("graduated" with a
		// graduation year ahead): that one is asked next.
		for _, g := range Fields() {
			if spec := fieldSpecs[g]; g != step && spec.check != nil {
				if reason, _ := spec.check(t.p, t.now); reason != "" {
					t.goTo(g)
					return "Got it: **" + shown + "**. " + reason + ".", true
				}
			}
		}
	}
	t.advance()
	switch {
	case t.s.Step == StepDone && edit:
		return "Got it: **" + shown + "**. Your profile is updated.", true
	case t.s.Step == StepDone:
		return "Got it: **" + shown + "**. That's everything: your profile is complete.", true
	}
	if step == rules.FieldBudget && len(t.p.Experiences) == 0 {
		return "Got it: **" + shown + "**. Now your experiences, one at a time.", true
	}
	return "Got it: **" + shown + "**.", true
}

// advance records the current step as answered and moves to the next one of
// the main line; changing one answer of a finished profile, it finishes.
func (t *turn) advance() {
	i := slices.Index(stepOrder, t.s.Step)
	if t.s.Edit || i < 0 || i+1 >= len(stepOrder) {
		t.finish()
		return
	}
	t.goTo(stepOrder[i+1])
}

// finish ends the intake: history and draft are of no further use, and
// what was explained stays explained.
func (t *turn) finish() {
	t.s = IntakeState{Step: StepDone, Explained: t.s.Explained}
}

// goTo records the current step as answered and moves to step.
func (t *turn) goTo(step string) {
	t.s.History = append(t.s.History, t.s.Step)
	if n := len(t.s.History); n > maxHistory {
		t.s.History = slices.Clone(t.s.History[n-maxHistory:])
	}
	t.s.Step = step
	t.s.Unsure = ""
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
	t.s.Draft, t.s.Also = nil, nil
	t.s.Unsure = ""
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
	t.s.Draft, t.s.Also = nil, nil
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
	switch {
	case t.s.Step == stepExperience && len(t.p.Experiences) > 0:
		return t.finishExperiences()
	case t.s.Step == stepChange:
		return t.change(changeNothing, changeNothing)
	}
	return "There's no answer to keep here: " + t.ask() + ".", false
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
		if len(s.Also) > 0 {
			pr.Question = "How long was each of them? (e.g. 4 weeks or 2 months)"
		}
	case stepExpYear:
		pr.Question = "What year did it end? (e.g. 2025)"
	case stepExpConfirm:
		pr.Question = "I read that as: " + DescribeExperience(*s.Draft) + ". Right?"
		if len(s.Also) > 0 {
			n := 1 + len(s.Also)
			pr.Question = fmt.Sprintf("I read that as %s. Add them as %d experiences?", describeBatch(*s.Draft, s.Also), n)
		}
		pr.Why = tierWhy[s.Draft.Tier()]
		if pr.Why == "" {
			pr.Why = "The kind and tier decide whether it counts as USCE."
		}
		pr.Options = []Option{{"yes", "Yes"}, {"fix", "Fix it"}}
	case stepExpMore:
		pr.Question = "Any other experience to add?"
		pr.Options = []Option{{"add", "Add another"}, {"done", "That's all"}}
	case stepChange:
		pr.Question = "Which answer would you like to change?"
		pr.Options = changeOptions(p)
	case stepExpRemove:
		pr.Question = "Which experience should I remove?"
		pr.Options = removeOptions(p)
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
	if s.Draft == nil {
		s.Also = nil
	}
	if f, ok := fieldSpecs[s.Step]; !ok || f.doubt == nil {
		s.Unsure = "" // only a field with doubts holds an answer
	}
	return s, s.Step != old.Step || s.Draft != old.Draft || s.Unsure != old.Unsure || len(s.Also) != len(old.Also)
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
