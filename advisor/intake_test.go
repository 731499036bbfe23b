package advisor

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/uscebot/uscebot/advisor/rules"
)

var intakeNow = time.Date(2026, time.November, 21, 10, 0, 0, 0, time.UTC)

func intakeInt(n int) *int { return &n }

// A chat is one user's intake conversation in a test: it feeds answers
// and checks, on every turn, what must always hold.
type chat struct {
	t *testing.T
	p rules.Profile
	s IntakeState
}

func newChat(t *testing.T, p rules.Profile) *chat {
	t.Helper()
	c := &chat{t: t, p: p}
	s, r := StartIntake(p, IntakeState{})
	if !r.Changed || r.Prompt == nil || r.Prompt.Step != rules.FieldStage {
		t.Fatalf("StartIntake(new) = %+v, want the stage prompt and Changed", r)
	}
	c.s = s
	return c
}

// say sends one answer; want is the step whose prompt must come back ("" for
// none).
func (c *chat) say(answer, want string) IntakeReply {
	c.t.Helper()
	p0, s0 := c.p, c.s
	p, s, r := AnswerIntake(c.p, c.s, answer, intakeNow)
	checkReply(c.t, answer, p0, s0, p, s, r)
	if got := promptStep(r.Prompt); got != want {
		c.t.Fatalf("AnswerIntake(%q) at %s: prompt %q, want %q (text %q)", answer, s0.Step, got, want, r.Text)
	}
	c.p, c.s = p, s
	return r
}

// ok sends an answer that must be accepted.
func (c *chat) ok(answer, want string) IntakeReply {
	c.t.Helper()
	r := c.say(answer, want)
	if r.Invalid || !r.Changed {
		c.t.Fatalf("AnswerIntake(%q): Invalid=%v Changed=%v (%q), want accepted", answer, r.Invalid, r.Changed, r.Text)
	}
	return r
}

// refused sends an answer that must be refused; its Text must contain
// wantText.
func (c *chat) refused(answer, wantText string) IntakeReply {
	c.t.Helper()
	step := c.s.Step
	r := c.say(answer, step)
	if !r.Invalid || r.Changed {
		c.t.Fatalf("AnswerIntake(%q) at %s: Invalid=%v Changed=%v (%q), want refused", answer, step, r.Invalid, r.Changed, r.Text)
	}
	if !strings.Contains(r.Text, wantText) {
		c.t.Fatalf("AnswerIntake(%q) at %s: text %q, want it to contain %q", answer, step, r.Text, wantText)
	}
	return r
}

func promptStep(p *Prompt) string {
	if p == nil {
		return ""
	}
	return p.Step
}

// checkReply checks what holds for every turn: text, a known step, and an
// invalid answer changing nothing.
func checkReply(t testing.TB, answer string, p0 rules.Profile, s0 IntakeState, p rules.Profile, s IntakeState, r IntakeReply) {
	t.Helper()
	if strings.TrimSpace(r.Text) == "" {
		t.Fatalf("AnswerIntake(%q) at %s: empty Text", answer, s0.Step)
	}
	if strings.Contains(r.Text, "\n") {
		t.Fatalf("AnswerIntake(%q) at %s: Text %q is more than one line", answer, s0.Step, r.Text)
	}
	if !utf8.ValidString(r.Text) {
		t.Fatalf("AnswerIntake(%q) at %s: Text is not valid UTF-8", answer, s0.Step)
	}
	if r.Prompt != nil {
		checkPrompt(t, r.Prompt)
		if r.Prompt.Step != s.Step {
			t.Fatalf("AnswerIntake(%q) at %s: prompt %s for state at %s", answer, s0.Step, r.Prompt.Step, s.Step)
		}
	}
	if r.Invalid {
		if d := cmp.Diff(p0, p); d != "" {
			t.Fatalf("AnswerIntake(%q) at %s: invalid answer changed the profile (-before +after):\n%s", answer, s0.Step, d)
		}
		if d := cmp.Diff(s0, s); d != "" {
			t.Fatalf("AnswerIntake(%q) at %s: invalid answer changed the state (-before +after):\n%s", answer, s0.Step, d)
		}
		if r.Changed {
			t.Fatalf("AnswerIntake(%q) at %s: Invalid and Changed", answer, s0.Step)
		}
	}
	if r.Done != (s.Step == StepDone) {
		t.Fatalf("AnswerIntake(%q) at %s: Done=%v with step %q", answer, s0.Step, r.Done, s.Step)
	}
	if !r.Changed && (!cmp.Equal(p0, p) || !cmp.Equal(s0, s)) {
		t.Fatalf("AnswerIntake(%q) at %s: changed profile or state without Changed", answer, s0.Step)
	}
}

var optionValue = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// allSteps are the steps a prompt may be for.
var allSteps = append(slices.Clone(stepOrder), draftSteps...)

func init() { allSteps = append(allSteps, stepExpMore, stepChange, stepExpRemove) }

func checkPrompt(t testing.TB, p *Prompt) {
	t.Helper()
	if !slices.Contains(allSteps, p.Step) {
		t.Fatalf("prompt for unknown step %q", p.Step)
	}
	// Why is empty once it has been said.
	if p.Question == "" || strings.Contains(p.Question, "\n") || strings.Contains(p.Why, "\n") {
		t.Fatalf("prompt %s: question %q, why %q: want one line each", p.Step, p.Question, p.Why)
	}
	for _, o := range p.Options {
		if !optionValue.MatchString(o.Value) || o.Label == "" {
			t.Fatalf("prompt %s: option %+v: want a value of [a-z0-9_]{1,40} and a label", p.Step, o)
		}
	}
}

func TestIntakeWholeTyped(t *testing.T) {
	c := newChat(t, rules.Profile{})
	c.ok("I graduated in 2019", rules.FieldGradYear)
	c.ok("2019", rules.FieldApplicationYear)
	c.ok("next year", rules.FieldSpecialty)
	c.ok("pediatics", rules.FieldStep1)
	c.ok("cleared it", rules.FieldStep2CK)
	c.ok("245", rules.FieldVisa)
	c.ok("yes I'll need a J1", rules.FieldCanTravel)
	c.ok("yes", rules.FieldBudget)
	c.ok("about 3000 dollars", stepExperience)
	c.ok("8-week IM externship in Chicago, 2025", stepExpConfirm)
	c.ok("yes", stepExpMore)
	c.ok("that's all", rules.FieldUSLetters)
	r := c.ok("two", "")
	if !r.Done {
		t.Fatalf("AnswerIntake(two) at us_letters: Done=false, want true")
	}
	want := rules.Profile{
		Stage: rules.StageGraduate, GradYear: intakeInt(2019), ApplicationYear: intakeInt(2027),
		Specialty: rules.Pediatrics, Step1: rules.Step1Passed, Step2CK: intakeInt(245),
		Visa: rules.VisaNeeded, CanTravel: rules.Yes, Budget: rules.BudgetMedium, USLetters: intakeInt(2),
		Experiences: []rules.Experience{{Kind: rules.KindExternship, Weeks: 8,
			Specialty: rules.InternalMedicine, EndYear: 2025, InUS: true}},
	}
	if d := cmp.Diff(want, c.p); d != "" {
		t.Errorf("profile after the intake (-want +got):\n%s", d)
	}
	if d := cmp.Diff(IntakeState{Step: StepDone}, c.s, cmpopts.IgnoreFields(IntakeState{}, "Explained")); d != "" {
		t.Errorf("state after the intake (-want +got):\n%s", d)
	}
	if err := c.p.Validate(intakeNow); err != nil {
		t.Errorf("profile after the intake: Validate = %v", err)
	}
	// Finished: answers are no longer taken.
	p, s, r := AnswerIntake(c.p, c.s, "hello", intakeNow)
	if !r.Done || r.Changed || r.Prompt != nil || !cmp.Equal(p, c.p) || !cmp.Equal(s, c.s) {
		t.Errorf("AnswerIntake(hello) when done = %+v, want Done and nothing changed", r)
	}
	if PromptFor(c.p, c.s) != nil {
		t.Errorf("PromptFor(done) != nil")
	}
}

func TestIntakeWholeOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []string // stage, step1, visa, can_travel, budget
	}{
		{"values", []string{rules.StageStudent, rules.Step1NotTaken, rules.VisaNotNeeded, rules.No, rules.BudgetLow}},
		{"labels", []string{"Still in medical school", "Not taken yet", "No visa needed", "No", "Low"}},
		{"labels shouted", []string{"STILL IN MEDICAL SCHOOL", "not-taken", "no visa needed!", "NO.", "low"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newChat(t, rules.Profile{})
			c.ok(tc.answers[0], rules.FieldGradYear)
			c.ok("2027", rules.FieldApplicationYear)
			c.ok("2028", rules.FieldSpecialty)
			c.ok("IM", rules.FieldStep1)
			c.ok(tc.answers[1], rules.FieldStep2CK)
			c.ok("skip", rules.FieldVisa)
			c.ok(tc.answers[2], rules.FieldCanTravel)
			c.ok(tc.answers[3], rules.FieldBudget)
			c.ok(tc.answers[4], stepExperience)
			c.ok("none", rules.FieldUSLetters)
			c.ok("0", "")
			want := rules.Profile{
				Stage: rules.StageStudent, GradYear: intakeInt(2027), ApplicationYear: intakeInt(2028),
				Specialty: rules.InternalMedicine, Step1: rules.Step1NotTaken,
				Visa: rules.VisaNotNeeded, CanTravel: rules.No, Budget: rules.BudgetLow, USLetters: intakeInt(0),
			}
			if d := cmp.Diff(want, c.p); d != "" {
				t.Errorf("profile after the intake (-want +got):\n%s", d)
			}
		})
	}
}

// atStep returns a profile and a state at step, with the answers before it
// given.
func atStep(t *testing.T, step string) (rules.Profile, IntakeState) {
	t.Helper()
	c := newChat(t, rules.Profile{})
	script := []struct{ answer, step string }{
		{"graduated", rules.FieldGradYear}, {"2020", rules.FieldApplicationYear},
		{"2027", rules.FieldSpecialty}, {"psych", rules.FieldStep1}, {"passed", rules.FieldStep2CK},
		{"250", rules.FieldVisa}, {"no", rules.FieldCanTravel}, {"yes", rules.FieldBudget},
		{"high", stepExperience}, {"observership in 2025", stepExpWeeks}, {"4 weeks", stepExpConfirm},
		{"yes", stepExpMore}, {"done", rules.FieldUSLetters},
	}
	if c.s.Step == step {
		return c.p, c.s
	}
	for _, a := range script {
		c.ok(a.answer, a.step)
		if a.step == step {
			return c.p, c.s
		}
	}
	t.Fatalf("atStep(%s): no such step in the script", step)
	return rules.Profile{}, IntakeState{}
}

func TestIntakeInvalid(t *testing.T) {
	for _, tc := range []struct {
		step    string
		answers []string
		want    string // in Text
	}{
		{rules.FieldStage, []string{"", "   \n\t", "banana", "yes", "maybe"}, `"student" or "graduated"`},
		{rules.FieldGradYear, []string{"last", "1960", "2041", "x", "skip"}, "for example 2021"},
		{rules.FieldApplicationYear, []string{"2025", "2033", "soon", "2020"}, "from 2027 to 2032, for example 2028"},
		{rules.FieldSpecialty, []string{"banana", "something", "42"}, "internal medicine"},
		{rules.FieldStep1, []string{"banana", "???"}, `"passed", "failed" or "not taken"`},
		{rules.FieldStep2CK, []string{"301", "0", "great"}, "from 1 to 300, for example 245"},
		{rules.FieldVisa, []string{"not sure", "banana", "keep"}, `"yes" if you'll need a visa`},
		{rules.FieldCanTravel, []string{"not sure", "banana"}, `"yes" or "no"`},
		{rules.FieldBudget, []string{"banana", "skip"}, `"low", "medium" or "high"`},
		{stepExperience, []string{"banana", "blah blah", "yes"}, "8-week IM externship"},
		{stepExpConfirm, []string{"banana", "hmm", "skip"}, `"fix"`},
		{stepExpMore, []string{"banana", "hmm"}, `"add"`},
		{rules.FieldUSLetters, []string{"11", "lots", "many", "skip"}, "from 0 to 10, for example 2"},
	} {
		t.Run(tc.step, func(t *testing.T) {
			p, s := atStep(t, tc.step)
			for _, a := range tc.answers {
				c := &chat{t: t, p: p, s: s}
				c.refused(a, tc.want)
			}
		})
	}
}

func TestIntakeInvalidLoopSteps(t *testing.T) {
	for _, tc := range []struct {
		desc, step string
		answers    []string
		want       string
	}{
		{"IM externship, 2025", stepExpWeeks, []string{"long", "0", "2025", "skip", "keep"}, "4 weeks or 2 months"},
		{"8-week IM externship", stepExpYear, []string{"long ago", "recently", "skip"}, "for example 2025"},
		{"8 weeks of internal medicine in Boston, 2024", stepExpKind, []string{"good", "skip", "great one"}, "externship, elective"},
	} {
		p, s := atStep(t, stepExperience)
		c := &chat{t: t, p: p, s: s}
		c.ok(tc.desc, tc.step)
		for _, a := range tc.answers {
			c.refused(a, tc.want)
		}
	}
}

func TestIntakeHugeAndOddInput(t *testing.T) {
	huge := strings.Repeat("externship ", 10_000) // 110 KB
	for _, step := range []string{rules.FieldStage, rules.FieldSpecialty, stepExperience, rules.FieldUSLetters} {
		p, s := atStep(t, step)
		for _, a := range []string{huge, "\xff\xfe\xfd", "<b>**bold**</b>", "\x00", "[x](javascript:alert(1))", "💥"} {
			_, _, r := AnswerIntake(p, s, a, intakeNow)
			if r.Text == "" {
				t.Errorf("AnswerIntake(%.20q) at %s: empty Text", a, step)
			}
			if strings.Contains(r.Text, "javascript") || strings.Contains(r.Text, "<b>") {
				t.Errorf("AnswerIntake(%.20q) at %s: Text %q echoes the answer", a, step, r.Text)
			}
		}
	}
}

func TestIntakeBack(t *testing.T) {
	c := newChat(t, rules.Profile{})
	c.refused("back", "first question")
	c.ok("graduated", rules.FieldGradYear)
	c.ok("2019", rules.FieldApplicationYear)
	r := c.ok("Back", rules.FieldGradYear)
	if !strings.Contains(r.Prompt.Question, "currently: 2019") {
		t.Errorf("back to grad_year: question %q, want the current answer shown", r.Prompt.Question)
	}
	c.ok("back", rules.FieldStage)
	c.refused("back", "first question")
	c.ok("keep", rules.FieldGradYear)
	c.ok("same", rules.FieldApplicationYear)
	if *c.p.GradYear != 2019 || c.p.Stage != rules.StageGraduate {
		t.Fatalf("after back and keep: profile %+v, want the answers kept", c.p)
	}
	for _, a := range []struct{ answer, step string }{
		{"2027", rules.FieldSpecialty}, {"IM", rules.FieldStep1}, {"passed", rules.FieldStep2CK},
		{"skip", rules.FieldVisa}, {"no", rules.FieldCanTravel}, {"yes", rules.FieldBudget},
		{"low", stepExperience},
	} {
		c.ok(a.answer, a.step)
	}
	// Back from a draft question returns to the description, draft dropped.
	c.ok("IM externship in Chicago, 2025", stepExpWeeks)
	c.ok("back", stepExperience)
	if c.s.Draft != nil {
		t.Fatalf("back from experience_weeks: draft %+v, want none", c.s.Draft)
	}
	c.ok("back", rules.FieldBudget)
	c.ok("keep", stepExperience)
	c.ok("8-week IM externship in Chicago, 2025", stepExpConfirm)
	c.ok("yes", stepExpMore)
	first := c.p.Experiences[0]
	// Back from "add another?" undoes the "yes".
	c.ok("back", stepExpConfirm)
	if len(c.p.Experiences) != 0 || c.s.Draft == nil || *c.s.Draft != first {
		t.Fatalf("back from experience_more: experiences %+v, draft %+v; want the experience back as the draft", c.p.Experiences, c.s.Draft)
	}
	c.ok("yes", stepExpMore)
	c.ok("add another", stepExperience)
	c.ok("4-week psych observership, 2024", stepExpConfirm)
	c.ok("back", stepExperience)
	c.ok("back", stepExpMore)
	if len(c.p.Experiences) != 1 {
		t.Fatalf("back to experience_more: %d experiences, want 1", len(c.p.Experiences))
	}
	c.ok("done", rules.FieldUSLetters)
	c.ok("back", stepExpMore)
	c.ok("no", rules.FieldUSLetters)
	c.ok("1", "")
	if len(c.p.Experiences) != 1 || *c.p.USLetters != 1 {
		t.Fatalf("after the loop: %+v", c.p)
	}
}

func TestIntakeBackAcrossHistory(t *testing.T) {
	// Back all the way from us_letters to stage, one step at a time.
	p, s := atStep(t, rules.FieldUSLetters)
	c := &chat{t: t, p: p, s: s}
	for _, want := range []string{stepExpMore, stepExpConfirm, stepExperience, rules.FieldBudget,
		rules.FieldCanTravel, rules.FieldVisa, rules.FieldStep2CK, rules.FieldStep1, rules.FieldSpecialty,
		rules.FieldApplicationYear, rules.FieldGradYear, rules.FieldStage} {
		c.ok("back", want)
	}
	c.refused("back", "first question")
	if c.p.Budget != rules.BudgetHigh || c.p.Step2CK == nil {
		t.Errorf("after going back: profile %+v, want the answers kept", c.p)
	}
}

func TestIntakeSkip(t *testing.T) {
	p, s := atStep(t, rules.FieldStep2CK)
	c := &chat{t: t, p: p, s: s}
	c.ok("250", rules.FieldVisa)
	c.ok("back", rules.FieldStep2CK)
	r := c.ok("SKIP", rules.FieldVisa)
	if c.p.Step2CK != nil {
		t.Errorf("AnswerIntake(SKIP) at step2ck: Step2CK = %d, want nil (not taken)", *c.p.Step2CK)
	}
	if !strings.Contains(r.Text, "not taken") {
		t.Errorf("AnswerIntake(SKIP) at step2ck: text %q", r.Text)
	}
	c.refused("skip", "This one can't be skipped: ")
	c.ok("back", rules.FieldStep2CK)
	c.ok("not yet", rules.FieldVisa)
	if c.p.Step2CK != nil {
		t.Errorf("AnswerIntake(not yet) at step2ck: Step2CK set")
	}
	for _, step := range []string{rules.FieldStage, rules.FieldSpecialty, rules.FieldUSLetters, stepExpMore} {
		p, s := atStep(t, step)
		(&chat{t: t, p: p, s: s}).refused("skip", "This one can't be skipped: ")
	}
	p, s = atStep(t, stepExperience)
	(&chat{t: t, p: p, s: s}).ok("skip", rules.FieldUSLetters)
}

func TestIntakeCancel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		step  string
		draft string // a description given first
		want  string // step resumed
	}{
		{"field", rules.FieldSpecialty, "", rules.FieldSpecialty},
		{"draft question", stepExperience, "IM externship, 2025", stepExpWeeks},
		{"confirmation", stepExperience, "8-week IM externship, 2025", stepExpConfirm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s := atStep(t, tc.step)
			c := &chat{t: t, p: p, s: s}
			if tc.draft != "" {
				c.ok(tc.draft, tc.want)
			}
			before := c.p
			draft := c.s.Draft
			r := c.ok("Cancel", "")
			if !c.s.Paused || !strings.Contains(r.Text, "/intake") || r.Done {
				t.Fatalf("AnswerIntake(cancel) = %+v, state %+v; want paused with /intake in the text", r, c.s)
			}
			if d := cmp.Diff(before, c.p); d != "" {
				t.Fatalf("cancel changed the profile:\n%s", d)
			}
			if PromptFor(c.p, c.s) != nil {
				t.Fatalf("PromptFor(paused) != nil")
			}
			// Paused: answers are not taken.
			p2, s2, r2 := AnswerIntake(c.p, c.s, "IM", intakeNow)
			if r2.Changed || r2.Prompt != nil || !cmp.Equal(p2, c.p) || !cmp.Equal(s2, c.s) || !strings.Contains(r2.Text, "/intake") {
				t.Fatalf("AnswerIntake(IM) while paused = %+v, want nothing changed", r2)
			}
			s3, r3 := StartIntake(c.p, c.s)
			if s3.Paused || !r3.Changed || promptStep(r3.Prompt) != tc.want {
				t.Fatalf("StartIntake(paused) = %+v, %+v; want resumed at %s", s3, r3, tc.want)
			}
			if !cmp.Equal(s3.Draft, draft) || !cmp.Equal(s3.History, c.s.History) {
				t.Fatalf("StartIntake(paused): state %+v, want draft and history kept", s3)
			}
			// /intake again while going on: same question, nothing to save.
			s4, r4 := StartIntake(c.p, s3)
			if r4.Changed || promptStep(r4.Prompt) != tc.want || !cmp.Equal(s4, s3) {
				t.Fatalf("StartIntake(ongoing) = %+v, %+v; want the same step unchanged", s4, r4)
			}
		})
	}
}

func TestIntakeExperiences(t *testing.T) {
	full := rules.Experience{Kind: rules.KindExternship, Weeks: 8, Specialty: rules.InternalMedicine, EndYear: 2025, InUS: true}
	for _, tc := range []struct {
		name  string
		turns []struct{ answer, step string }
		want  []rules.Experience
	}{
		{"full description", []struct{ answer, step string }{
			{"8-week IM externship in Chicago, 2025", stepExpConfirm}, {"yes", stepExpMore}, {"that's all", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"missing weeks", []struct{ answer, step string }{
			{"IM externship in Chicago, 2025", stepExpWeeks}, {"8", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"missing weeks, months", []struct{ answer, step string }{
			{"IM externship in Chicago, 2025", stepExpWeeks}, {"2 months", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"missing year", []struct{ answer, step string }{
			{"8-week IM externship", stepExpYear}, {"2025", stepExpConfirm}, {"y", stepExpMore}, {"no", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"missing year, last year", []struct{ answer, step string }{
			{"8-week IM externship", stepExpYear}, {"last year", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"missing kind", []struct{ answer, step string }{
			{"8 weeks of internal medicine in Boston, 2025", stepExpKind}, {"externship", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"missing kind, option", []struct{ answer, step string }{
			{"8 weeks of internal medicine in Boston, 2025", stepExpKind}, {"research_clinical", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{{Kind: rules.KindResearchClinical, Weeks: 8, Specialty: rules.InternalMedicine, EndYear: 2025, InUS: true}}},
		{"all missing but the year", []struct{ answer, step string }{
			{"in 2025", stepExpKind}, {"IM externship", stepExpWeeks}, {"eight weeks", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"kind answer says more", []struct{ answer, step string }{
			{"in 2025", stepExpKind}, {"8-week IM externship", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"fix", []struct{ answer, step string }{
			{"4-week psych observership, 2024", stepExpConfirm}, {"fix", stepExperience},
			{"8-week IM externship, 2025", stepExpConfirm}, {"Yes", stepExpMore}, {"That's all", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"correction at confirmation", []struct{ answer, step string }{
			{"4-week IM externship, 2025", stepExpConfirm}, {"no, 8 weeks", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full}},
		{"add another", []struct{ answer, step string }{
			{"8-week IM externship, 2025", stepExpConfirm}, {"yes", stepExpMore}, {"add", stepExperience},
			{"4-week tele observership, 2025", stepExpConfirm}, {"yes", stepExpMore}, {"Add another", stepExperience},
			{"research in Lagos 2023, 12 weeks", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full,
				{Kind: rules.KindTelehealth, Weeks: 4, EndYear: 2025, InUS: true, Remote: true},
				{Kind: rules.KindResearch, Weeks: 12, EndYear: 2023}}},
		{"description instead of add", []struct{ answer, step string }{
			{"8-week IM externship, 2025", stepExpConfirm}, {"yes", stepExpMore},
			{"also a 2 month cardiology observership in 2024", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{full, {Kind: rules.KindObservership, Weeks: 8, Specialty: rules.InternalMedicine, EndYear: 2024, InUS: true}}},
		{"none", []struct{ answer, step string }{{"none", rules.FieldUSLetters}}, nil},
		{"none yet", []struct{ answer, step string }{{"None yet.", rules.FieldUSLetters}}, nil},
		{"no specialty", []struct{ answer, step string }{
			{"6 week externship 2024", stepExpConfirm}, {"yes", stepExpMore}, {"done", rules.FieldUSLetters}},
			[]rules.Experience{{Kind: rules.KindExternship, Weeks: 6, EndYear: 2024, InUS: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s := atStep(t, stepExperience)
			p.Experiences = nil // atStep's script has not reached the loop
			c := &chat{t: t, p: p, s: s}
			for _, turn := range tc.turns {
				c.ok(turn.answer, turn.step)
			}
			if d := cmp.Diff(tc.want, c.p.Experiences); d != "" {
				t.Errorf("experiences (-want +got):\n%s", d)
			}
			if c.s.Draft != nil {
				t.Errorf("draft %+v left after the loop", c.s.Draft)
			}
		})
	}
}

func TestIntakeReadBack(t *testing.T) {
	for _, tc := range []struct {
		desc, question, why string
	}{
		{"8-week IM externship in Chicago, 2025", "I read that as: hands-on externship, 8 weeks, internal medicine, ended 2025. Right?", "weigh most"},
		{"4-week tele observership, 2025", "I read that as: tele observership, 4 weeks, ended 2025. Right?", "For most programs tele and online work isn't USCE"},
		{"1 week virtual externship, 2025", "I read that as: virtual rotation, 1 week, ended 2025. Right?", "For most programs"},
		{"12 weeks scribe in the ED, 2025", "I read that as: semi-hands-on scribe work, 12 weeks, emergency medicine, ended 2025. Right?", "aren't traditional USCE"},
		{"research in Lagos 2023, 12 weeks", "I read that as: research outside the US, 12 weeks, ended 2023. Right?", "outside the US"},
		{"4 weeks bench research 2024", "I read that as: research without patient contact, 4 weeks, ended 2024. Right?", "without patients"},
		{"2 months shadowing in peds, 2024", "I read that as: non-hands-on shadowing, 8 weeks, pediatrics, ended 2024. Right?", "less than hands-on"},
	} {
		p, s := atStep(t, stepExperience)
		c := &chat{t: t, p: p, s: s}
		r := c.ok(tc.desc, stepExpConfirm)
		if r.Prompt.Question != tc.question || !strings.Contains(r.Prompt.Why, tc.why) {
			t.Errorf("AnswerIntake(%q): prompt %q / %q, want %q / ...%s...", tc.desc, r.Prompt.Question, r.Prompt.Why, tc.question, tc.why)
		}
		if d := cmp.Diff([]Option{{"yes", "Yes"}, {"fix", "Fix it"}}, r.Prompt.Options); d != "" {
			t.Errorf("confirmation options (-want +got):\n%s", d)
		}
	}
}

func TestIntakeRestart(t *testing.T) {
	p, s := atStep(t, rules.FieldUSLetters)
	c := &chat{t: t, p: p, s: s}
	c.ok("3", "")
	done := c.p

	s, r := StartIntake(c.p, c.s)
	if !r.Changed || r.Done || promptStep(r.Prompt) != stepChange || !strings.Contains(r.Text, "complete") {
		t.Fatalf("StartIntake(done) = %+v, want the change menu saying the profile is complete", r)
	}
	c.s = s
	r = c.ok("Go through every answer", rules.FieldStage)
	if !strings.Contains(r.Prompt.Question, "(currently: graduate") {
		t.Errorf("going through every answer: question %q, want the current value", r.Prompt.Question)
	}
	for _, want := range []string{rules.FieldGradYear, rules.FieldApplicationYear, rules.FieldSpecialty,
		rules.FieldStep1, rules.FieldStep2CK, rules.FieldVisa, rules.FieldCanTravel, rules.FieldBudget} {
		c.ok("keep", want)
	}
	r = c.ok("keep", stepExperience)
	if !strings.Contains(r.Prompt.Question, "1 on file") {
		t.Errorf("experience prompt on a restart: %q, want the count on file", r.Prompt.Question)
	}
	c.ok("keep", rules.FieldUSLetters)
	c.ok("same", "")
	if d := cmp.Diff(done, c.p); d != "" {
		t.Errorf("keeping every answer changed the profile:\n%s", d)
	}

	// Clearing the experiences on a restart.
	s, _ = StartIntake(c.p, c.s)
	c.s = s
	c.ok("all", rules.FieldStage)
	c.ok("student", rules.FieldGradYear)
	for _, want := range []string{rules.FieldApplicationYear, rules.FieldSpecialty, rules.FieldStep1,
		rules.FieldStep2CK, rules.FieldVisa, rules.FieldCanTravel, rules.FieldBudget, stepExperience} {
		c.ok("keep", want)
	}
	c.ok("clear", stepExperience)
	if c.p.Experiences != nil {
		t.Errorf("clear: experiences %+v, want none", c.p.Experiences)
	}
	c.refused("keep", "no answer to keep")
	c.ok("none", rules.FieldUSLetters)
	if c.p.Stage != rules.StageStudent {
		t.Errorf("stage = %q after changing it on a restart", c.p.Stage)
	}
}

func TestIntakeNotStarted(t *testing.T) {
	p, s, r := AnswerIntake(rules.Profile{}, IntakeState{}, "graduated", intakeNow)
	if r.Changed || r.Prompt != nil || r.Text == "" || !cmp.Equal(s, IntakeState{}) || !cmp.Equal(p, rules.Profile{}) {
		t.Errorf("AnswerIntake before StartIntake = %+v", r)
	}
	if PromptFor(rules.Profile{}, IntakeState{}) != nil {
		t.Errorf("PromptFor(not started) != nil")
	}
}

func TestIntakeRepairsState(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    IntakeState
		want string // step of the prompt
	}{
		{"unknown step", IntakeState{Step: "favourite_colour"}, rules.FieldStage},
		{"draft step without draft", IntakeState{Step: stepExpConfirm}, stepExperience},
		{"confirmation of an incomplete draft", IntakeState{Step: stepExpConfirm, Draft: &rules.Experience{Kind: rules.KindElective, InUS: true}}, stepExpWeeks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := promptStep(PromptFor(rules.Profile{}, tc.s)); got != tc.want {
				t.Errorf("PromptFor(%+v) step %q, want %q", tc.s, got, tc.want)
			}
			s, r := StartIntake(rules.Profile{}, tc.s)
			if !r.Changed || promptStep(r.Prompt) != tc.want || s.Step != tc.want {
				t.Errorf("StartIntake(%+v) = %+v, %+v; want the repaired step %s", tc.s, s, r, tc.want)
			}
			// An answer puts the state right and asks the question again.
			p, s2, r := AnswerIntake(rules.Profile{}, tc.s, "yes", intakeNow)
			checkReply(t, "yes", rules.Profile{}, tc.s, p, s2, r)
			if r.Invalid || !r.Changed || promptStep(r.Prompt) != tc.want || s2.Step != tc.want {
				t.Errorf("AnswerIntake(yes) at %+v = %+v, %+v; want the state repaired at %s", tc.s, s2, r, tc.want)
			}
		})
	}
}

func TestIntakeStateJSON(t *testing.T) {
	for _, s := range []IntakeState{
		{},
		{Step: StepDone},
		{Step: rules.FieldSpecialty, History: []string{rules.FieldStage, rules.FieldGradYear, rules.FieldApplicationYear}, Paused: true},
		{Step: stepExpConfirm, Draft: &rules.Experience{Kind: rules.KindTelehealth, Weeks: 4, EndYear: 2025, InUS: false, Remote: true},
			History: []string{rules.FieldBudget, stepExperience}},
		{Step: stepExpYear, Draft: &rules.Experience{Kind: rules.KindExternship, Weeks: 8, Specialty: rules.InternalMedicine, InUS: true}},
	} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("json.Marshal(%+v): %v", s, err)
		}
		var got IntakeState
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", b, err)
		}
		if d := cmp.Diff(s, got); d != "" {
			t.Errorf("JSON round trip of %s (-want +got):\n%s", b, d)
		}
	}
	b, _ := json.Marshal(IntakeState{})
	if string(b) != `{"step":""}` {
		t.Errorf("json.Marshal(IntakeState{}) = %s, want {\"step\":\"\"}", b)
	}
}

func TestSetField(t *testing.T) {
	for _, tc := range []struct {
		field, value string
		want         rules.Profile // nil-valued fields: nothing else set
		wantErr      string        // in the error, "" when valid
	}{
		{"stage", "graduated", rules.Profile{Stage: rules.StageGraduate}, ""},
		{"stage", "student", rules.Profile{Stage: rules.StageStudent}, ""},
		{"Stage", "grad", rules.Profile{Stage: rules.StageGraduate}, ""},
		{"stage", "banana", rules.Profile{}, `stage: please answer "student" or "graduated"`},
		{"grad_year", "2019", rules.Profile{GradYear: intakeInt(2019)}, ""},
		{"grad_year", "1900", rules.Profile{}, "grad_year: please type a year from 1970 to 2040"},
		{"application_year", "2027", rules.Profile{ApplicationYear: intakeInt(2027)}, ""},
		{"application_year", "next year", rules.Profile{ApplicationYear: intakeInt(2027)}, ""},
		{"application_year", "2025", rules.Profile{}, "application_year: please type a year from 2027 to 2032"},
		{"specialty", "OB/GYN", rules.Profile{Specialty: rules.ObstetricsGynecology}, ""},
		{"specialty", "neurolgy", rules.Profile{Specialty: rules.Neurology}, ""},
		{"specialty", "banana", rules.Profile{}, "specialty: please type a specialty like internal medicine"},
		{"step1", "not_taken", rules.Profile{Step1: rules.Step1NotTaken}, ""},
		{"step1", "failed", rules.Profile{Step1: rules.Step1Failed}, ""},
		{"step1", "banana", rules.Profile{}, `step1: please answer "passed", "failed" or "not taken"`},
		{"step2ck", "250", rules.Profile{Step2CK: intakeInt(250)}, ""},
		{"step2ck", "none", rules.Profile{}, ""},
		{"step2ck", "not taken", rules.Profile{}, ""},
		{"step2ck", "301", rules.Profile{}, "step2ck: please type your score from 1 to 300"},
		{"visa", "needs_visa", rules.Profile{Visa: rules.VisaNeeded}, ""},
		{"visa", "green card", rules.Profile{Visa: rules.VisaNotNeeded}, ""},
		{"visa", "dunno", rules.Profile{}, `visa: please answer "yes" if you'll need a visa, or "no"`},
		{"can_travel", "no", rules.Profile{CanTravel: rules.No}, ""},
		{"can_travel", "yes", rules.Profile{CanTravel: rules.Yes}, ""},
		{"can_travel", "banana", rules.Profile{}, `can_travel: please answer "yes" or "no"`},
		{"budget", "high", rules.Profile{Budget: rules.BudgetHigh}, ""},
		{"budget", "$1500", rules.Profile{Budget: rules.BudgetLow}, ""},
		{"budget", "banana", rules.Profile{}, `budget: please answer "low", "medium" or "high"`},
		{"us_letters", "two", rules.Profile{USLetters: intakeInt(2)}, ""},
		{"us_letters", "0", rules.Profile{USLetters: intakeInt(0)}, ""},
		{"us_letters", "11", rules.Profile{}, "us_letters: please type a number from 0 to 10"},
		{"us_letters", "", rules.Profile{}, "us_letters: please type a number"},
		{"experiences", "8-week externship", rules.Profile{}, "/profile add experience"},
		{"colour", "blue", rules.Profile{}, "use one of stage, grad_year"},
		{"", "x", rules.Profile{}, "use one of"},
	} {
		got, err := SetField(rules.Profile{}, tc.field, tc.value, intakeNow)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("SetField(%q, %q) error %v, want none", tc.field, tc.value, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("SetField(%q, %q) error %v, want one containing %q", tc.field, tc.value, err, tc.wantErr)
		case err != nil && strings.Contains(err.Error(), "\n"):
			t.Errorf("SetField(%q, %q) error %q: more than one line", tc.field, tc.value, err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("SetField(%q, %q) profile (-want +got):\n%s", tc.field, tc.value, d)
		}
	}
}

func TestSetFieldKeepsTheRest(t *testing.T) {
	p := rules.Profile{Stage: rules.StageGraduate, Step2CK: intakeInt(240),
		Experiences: []rules.Experience{{Kind: rules.KindElective, Weeks: 4, InUS: true}}}
	before := rules.Profile{Stage: rules.StageGraduate, Step2CK: intakeInt(240),
		Experiences: []rules.Experience{{Kind: rules.KindElective, Weeks: 4, InUS: true}}}
	got, err := SetField(p, "step2ck", "none", intakeNow)
	if err != nil || got.Step2CK != nil || got.Stage != rules.StageGraduate || len(got.Experiences) != 1 {
		t.Errorf("SetField(step2ck, none) = %+v, %v", got, err)
	}
	if d := cmp.Diff(before, p); d != "" {
		t.Errorf("SetField changed its argument:\n%s", d)
	}
	if _, err := SetField(p, "grad_year", "banana", intakeNow); err == nil {
		t.Errorf("SetField(grad_year, banana): no error")
	}
}

func TestFields(t *testing.T) {
	want := []string{"stage", "grad_year", "application_year", "specialty", "step1", "step2ck",
		"visa", "can_travel", "budget", "us_letters"}
	if d := cmp.Diff(want, Fields()); d != "" {
		t.Errorf("Fields() (-want +got):\n%s", d)
	}
}

func TestIntakePrompts(t *testing.T) {
	// Every step has a valid prompt, and the closed sets have options.
	p := rules.Profile{}
	d := rules.Experience{Kind: rules.KindExternship, Weeks: 8, EndYear: 2025, InUS: true}
	for _, step := range allSteps {
		pr := PromptFor(p, IntakeState{Step: step, Draft: &d})
		if pr == nil || pr.Step != step {
			t.Fatalf("PromptFor(%s) = %+v", step, pr)
		}
		checkPrompt(t, pr)
		closed := slices.Contains([]string{rules.FieldStage, rules.FieldStep1, rules.FieldVisa,
			rules.FieldCanTravel, rules.FieldBudget, stepExpKind, stepExpConfirm, stepExpMore, stepChange, stepExpRemove}, step)
		if closed != (pr.Options != nil) {
			t.Errorf("PromptFor(%s): options %v", step, pr.Options)
		}
		if pr.Optional != (step == rules.FieldStep2CK || step == stepExperience) {
			t.Errorf("PromptFor(%s): Optional = %v", step, pr.Optional)
		}
	}
	if q := PromptFor(p, IntakeState{Step: rules.FieldUSLetters}).Question; !strings.Contains(q, "tele") {
		t.Errorf("us_letters question %q does not say tele letters are excluded", q)
	}
}

// FuzzIntake feeds arbitrary answers at arbitrary steps.
func FuzzIntake(f *testing.F) {
	for i, a := range []string{"back", "skip", "cancel", "keep", "", "graduated", "2021", "IM", "yes",
		"8-week IM externship, 2025", "none", "fix", "add", "\xff", "no, 6 weeks", "clear", "same",
		"in 2025\nexternship\n8\nyes\nadd\nback\nback\nback", "back\nback\nback\nkeep\nkeep",
		"two 4-week observerships in 2019, one in IM\nno, 6 weeks\nyes\nback", "2 electives 2024\n4\n1"} {
		f.Add(uint8(i), a, i%2 == 0)
	}
	d := rules.Experience{Kind: rules.KindExternship, Weeks: 8, EndYear: 2025, InUS: true}
	full := rules.Profile{Stage: rules.StageGraduate, GradYear: intakeInt(2019), ApplicationYear: intakeInt(2027),
		Specialty: rules.InternalMedicine, Step1: rules.Step1Passed, Step2CK: intakeInt(240), Visa: rules.VisaNeeded,
		CanTravel: rules.Yes, Budget: rules.BudgetLow, USLetters: intakeInt(1), Experiences: []rules.Experience{d}}
	steps := append(slices.Clone(allSteps), "", StepDone, "bogus")
	f.Fuzz(func(t *testing.T, at uint8, answer string, filled bool) {
		p := rules.Profile{}
		if filled {
			p = full
			p.Experiences = slices.Clone(full.Experiences)
		}
		step := steps[int(at)%len(steps)]
		// Every third run changes a finished profile (the change menu's mode).
		s := IntakeState{Step: step, History: []string{rules.FieldStage, stepExperience, stepExpMore}, Edit: at%3 == 0}
		if slices.Contains(draftSteps, step) {
			dd := d
			s.Draft = &dd
		}
		// Each line is one answer: a run of turns from the chosen step.
		for i, a := range strings.SplitN(answer, "\n", 8) {
			p0, s0 := cloneProfile(p), s.Clone()
			np, ns, r := AnswerIntake(p, s, a, intakeNow)
			if d := cmp.Diff(p0, p); d != "" {
				t.Fatalf("turn %d: AnswerIntake(%q) changed its profile argument:\n%s", i, a, d)
			}
			if d := cmp.Diff(s0, s); d != "" {
				t.Fatalf("turn %d: AnswerIntake(%q) changed its state argument:\n%s", i, a, d)
			}
			checkReply(t, a, p, s, np, ns, r)
			if got, want := promptStep(PromptFor(np, ns)), promptStep(r.Prompt); got != want {
				t.Fatalf("turn %d: AnswerIntake(%q): reply prompt %q, PromptFor %q", i, a, want, got)
			}
			if r.Prompt != nil && !slices.Contains(allSteps, r.Prompt.Step) {
				t.Fatalf("turn %d: AnswerIntake(%q): prompt for unknown step %q", i, a, r.Prompt.Step)
			}
			if ns.Also != nil && ns.Draft == nil {
				t.Fatalf("turn %d: AnswerIntake(%q): other experiences %+v without a draft", i, a, ns.Also)
			}
			if ns.Draft != nil && !slices.Contains(draftSteps, ns.Step) {
				t.Fatalf("turn %d: AnswerIntake(%q): draft left at step %s", i, a, ns.Step)
			}
			if len(ns.History) > maxHistory {
				t.Fatalf("turn %d: AnswerIntake(%q): history of %d", i, a, len(ns.History))
			}
			if _, err := json.Marshal(ns); err != nil {
				t.Fatalf("turn %d: state does not marshal: %v", i, err)
			}
			// Only complete experiences are ever stored.
			for _, e := range np.Experiences {
				if e.Kind == "" || e.Weeks < 1 || e.EndYear == 0 {
					t.Fatalf("turn %d: AnswerIntake(%q): incomplete experience %+v stored", i, a, e)
				}
			}
			p, s = np, ns
			if s.Paused {
				s, _ = StartIntake(p, s)
			}
			if r.Changed && s.Step == StepDone && (s.Edit || s.Unsure != "" || s.Draft != nil || s.History != nil) {
				t.Fatalf("turn %d: AnswerIntake(%q): finished state %+v carries leftovers", i, a, s)
			}
		}
		if _, err := SetField(p, step, answer, intakeNow); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("SetField(%q, %q): error %q is more than one line", step, answer, err)
		}
	})
}

func TestIntakeSaysWhatTheSourcesSay(t *testing.T) {
	for _, o := range budgetOptions {
		if strings.ContainsAny(o.Label, "$0123456789") {
			t.Errorf("budget option %q names a dollar band no source gives", o.Label)
		}
	}
	if ask := fieldSpecs[rules.FieldBudget].ask(intakeNow); strings.ContainsAny(ask, "$0123456789") {
		t.Errorf("budget ask %q names an amount", ask)
	}
	if why := fieldSpecs[rules.FieldStep1].why; !strings.Contains(why, "2-3 years before you apply") {
		t.Errorf("step1 why %q does not say when the plan puts the exams", why)
	}
	if why := fieldSpecs[rules.FieldUSLetters].why; !strings.Contains(why, "most of them") {
		t.Errorf("us_letters why %q is flat where the sources say most, not all", why)
	}
	for tier, why := range tierWhy {
		if strings.Contains(why, "doesn't count as USCE") && tier == rules.TierSupplemental {
			t.Errorf("tier %s: %q is flat where the sources disagree", tier, why)
		}
	}
}
