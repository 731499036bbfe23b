package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
)

func intPtr(v int) *int { return &v }

// press picks the choice of r whose label starts with label.
func press(t *testing.T, f *fixture, r bot.Reply, label string) bot.Reply {
	t.Helper()
	for _, c := range r.Choices {
		if strings.HasPrefix(c.Label, label) {
			return f.send(t, bot.Message{Choice: c.ID})
		}
	}
	t.Fatalf("no choice %q in %+v", label, r.Choices)
	return bot.Reply{}
}

func (f *fixture) state(t *testing.T) (rules.Profile, advisor.IntakeState) {
	t.Helper()
	p, s, err := f.db.LoadProfile(context.Background(), advisor.UserKey{Platform: "test", ID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

func TestIntakeWithButtonsAndText(t *testing.T) {
	f := newFixture(t)
	r := f.send(t, bot.Message{Text: "/intake"})
	if !r.Private || len(r.Choices) != 2 {
		t.Fatalf("/intake = %+v, want a private question with two choices", r)
	}
	r = press(t, f, r, "Graduated")
	f.say(t, "2022")
	f.say(t, "2027")

	// An invalid answer gets a reason and the same question; nothing is lost.
	if got := f.say(t, "astrology"); !strings.Contains(got, "Which specialty") {
		t.Errorf("invalid specialty answer = %q, want the same question again", got)
	}
	if _, s := f.state(t); s.Step != rules.FieldSpecialty {
		t.Fatalf("after an invalid answer the step is %q", s.Step)
	}
	// A question typed mid-intake is answered, then the step is asked again.
	got := f.say(t, "does telehealth count as USCE?")
	if !strings.Contains(got, "Sources:") || !strings.Contains(got, "Which specialty") {
		t.Errorf("question mid-intake = %q, want the answer and the pending step", got)
	}
	r = f.send(t, bot.Message{Text: "peds"})
	// A stale button press (the stage question's buttons) changes nothing.
	if stale := f.send(t, bot.Message{Choice: "intake:stage:student"}); !strings.Contains(stale.Text.String(), "moved on") || !stale.Stale {
		t.Errorf("stale press = %q (Stale %t), want 'moved on', marked stale", stale.Text.String(), stale.Stale)
	}
	if p, _ := f.state(t); p.Stage != rules.StageGraduate {
		t.Errorf("a stale press changed stage to %q", p.Stage)
	}
	r = press(t, f, r, "Passed")
	r = f.send(t, bot.Message{Text: "skip"})
	r = press(t, f, r, "Yes")
	// cancel pauses; /intake resumes at the same step with answers kept.
	f.say(t, "cancel")
	if _, s := f.state(t); !s.Paused || s.Step != rules.FieldCanTravel {
		t.Fatalf("after cancel: state %+v, want paused at can_travel", s)
	}
	if got := f.say(t, "how many months of usce do I need?"); !strings.Contains(got, "Sources:") {
		t.Errorf("a paused intake should leave questions to the advisor: %q", got)
	}
	r = f.send(t, bot.Message{Text: "/intake"})
	if !strings.Contains(r.Text.String(), "travel to the US") {
		t.Fatalf("resume = %q, want the can_travel question", r.Text)
	}
	r = press(t, f, r, "No")
	r = press(t, f, r, "Medium")
	f.say(t, "6 week observership in pediatrics at Boston Children's, 2026")
	r = f.send(t, bot.Message{Text: "yes"})
	r = press(t, f, r, "That's all")
	got = f.say(t, "1")
	if !strings.Contains(got, "/plan") {
		t.Errorf("end of intake = %q, want a pointer to /plan", got)
	}

	p, s := f.state(t)
	want := rules.Profile{
		Stage: rules.StageGraduate, GradYear: intPtr(2022), ApplicationYear: intPtr(2027),
		Specialty: "pediatrics", Step1: rules.Step1Passed, Visa: rules.VisaNeeded, CanTravel: rules.No,
		Budget: rules.BudgetMedium, USLetters: intPtr(1),
		Experiences: []rules.Experience{{Kind: rules.KindObservership, Weeks: 6, Specialty: "pediatrics", EndYear: 2026, InUS: true}},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("stored profile (-want +got):\n%s", diff)
	}
	if s.Step != advisor.StepDone {
		t.Errorf("final step = %q, want done", s.Step)
	}

	plan := f.send(t, bot.Message{Text: "/plan"})
	if !plan.Private || !strings.Contains(plan.Text.String(), "Where you stand: baseline") {
		t.Errorf("/plan = %+v, want a private baseline assessment", plan)
	}
	exp := f.send(t, bot.Message{Text: "/export"})
	if !strings.Contains(string(exp.File.Data), `"observership"`) {
		t.Errorf("export lacks the experiences: %s", exp.File.Data)
	}
}

func TestPlanNeedsACompleteProfile(t *testing.T) {
	f := newFixture(t)
	if got := f.say(t, "/plan"); !strings.Contains(got, "/intake") {
		t.Errorf("/plan without a profile = %q, want a pointer to /intake", got)
	}
}

func TestProfileSet(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ text, want string }{
		{"/profile set specialty psych", "psychiatry"},
		{"/profile set grad_year 2019", "2019"},
		{"/profile set grad_year nineteen", "grad_year"},
		{"/profile set budget whatever", "budget"},
		{"/profile set", "Usage: /profile set"},
		{"/profile set stage", "Usage: /profile set"},
		{"/profile sett stage graduate", "Usage: /profile set"},
	}
	for _, tt := range tests {
		if got := f.say(t, tt.text); !strings.Contains(got, tt.want) {
			t.Errorf("%q = %q, want it to mention %q", tt.text, got, tt.want)
		}
	}
	p, _ := f.state(t)
	if p.Specialty != "psychiatry" || p.GradYear == nil || *p.GradYear != 2019 || p.Budget != "" {
		t.Errorf("profile after /profile set = %+v", p)
	}
	if got := f.say(t, "/profile"); !strings.Contains(got, "psychiatry") || !strings.Contains(got, "2019") {
		t.Errorf("/profile = %q", got)
	}
}

func TestClassifyAndVet(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ text, want string }{
		{"/classify 8-week IM externship in Chicago, 2025", "counts as USCE"},
		{"/classify virtual externship over zoom 4 weeks", "does not count"},
		{"/classify", "Usage: /classify"},
		{"/vet US virtual rotation, guaranteed LOR, huge advantage! $2800 for 4 weeks", "Avoid"},
		{"/vet", "Usage: /vet"},
	}
	for _, tt := range tests {
		if got := f.say(t, tt.text); !strings.Contains(got, tt.want) {
			t.Errorf("%q = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestPersonalNotesOnlyWhereNobodyElseReads(t *testing.T) {
	f := newFixture(t)
	f.say(t, "/intake")
	for _, a := range []string{"graduate", "2024", "2027", "IM", "passed", "skip", "yes", "yes", "low",
		"4 week telehealth observership with a US internist, 2026", "yes", "done", "0"} {
		f.say(t, a)
	}
	const q = "/ask does telehealth count as usce?"
	if got := f.say(t, q); !strings.Contains(got, "For you:") {
		t.Errorf("direct answer lacks the personal note: %q", got)
	}
	if got := f.send(t, bot.Message{Chat: bot.Group, Text: q}).Text.String(); strings.Contains(got, "For you:") {
		t.Errorf("group answer shows personal data: %q", got)
	}
	// Asked in a group for the asker's eyes only (Discord's ephemeral
	// /ask private:true), the note is there and the reply is private.
	if r := f.send(t, bot.Message{Chat: bot.Group, Text: q, Private: true}); !strings.Contains(r.Text.String(), "For you:") || !r.Private {
		t.Errorf("private answer in a group = %q (Private %t), want the personal note, marked private", r.Text.String(), r.Private)
	}
	for _, cmd := range []string{"/profile", "/plan", "/intake", "/export", "/forget"} {
		if r := f.send(t, bot.Message{Chat: bot.Group, Text: cmd}); !r.Private {
			t.Errorf("%s in a group is not marked private", cmd)
		}
	}
}

func TestFormAnswersCarryTheirStep(t *testing.T) {
	f := newFixture(t)
	r := f.send(t, bot.Message{Text: "/intake"})
	if r.Input != nil {
		t.Errorf("a choice question has an Input: %+v", r.Input)
	}
	r = press(t, f, r, "Graduated")
	if r.Input == nil || r.Input.Step != rules.FieldGradYear {
		t.Fatalf("grad_year question Input = %+v", r.Input)
	}
	r = f.send(t, bot.Message{Choice: bot.AnswerChoice(rules.FieldGradYear, "2021: the year: I finished")})
	r = f.send(t, bot.Message{Choice: bot.AnswerChoice(rules.FieldApplicationYear, "2027")})
	if r.Input == nil || r.Input.Step != rules.FieldSpecialty || len(r.Input.Suggestions) < 10 {
		t.Fatalf("specialty question Input = %+v, want suggestions", r.Input)
	}
	// A form answer for a step already passed changes nothing.
	if got := f.send(t, bot.Message{Choice: bot.AnswerChoice(rules.FieldGradYear, "1999")}).Text.String(); !strings.Contains(got, "moved on") {
		t.Errorf("stale form answer = %q", got)
	}
	p, _ := f.state(t)
	if p.GradYear == nil || *p.GradYear != 2021 || p.ApplicationYear == nil || *p.ApplicationYear != 2027 {
		t.Errorf("profile after form answers = %+v", p)
	}
}
