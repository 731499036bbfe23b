package advisor

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor/rules"
)

// finished returns a complete profile and its finished state: the atStep
// script, then 2 letters.
func finished(t *testing.T) (rules.Profile, IntakeState) {
	t.Helper()
	p, s := atStep(t, rules.FieldUSLetters)
	c := &chat{t: t, p: p, s: s}
	c.ok("2", "")
	return c.p, c.s
}

func TestIntakeNumberPicks(t *testing.T) {
	for _, tc := range []struct {
		name, step, answer string
		want               string // the step after; "" = refused with wantText
		wantText           string
		check              func(p rules.Profile, s IntakeState) bool
	}{
		{"stage 2", rules.FieldStage, "2", rules.FieldGradYear, "", func(p rules.Profile, _ IntakeState) bool { return p.Stage == rules.StageGraduate }},
		{"stage 1.", rules.FieldStage, "1.", rules.FieldGradYear, "", func(p rules.Profile, _ IntakeState) bool { return p.Stage == rules.StageStudent }},
		{"stage 3", rules.FieldStage, "3", "", "There's no choice 3: the choices go from 1 to 2", nil},
		{"stage 0", rules.FieldStage, "0", "", "There's no choice 0", nil},
		{"stage huge", rules.FieldStage, "99999999999999999999", "", "There's no choice", nil},
		{"step1 3", rules.FieldStep1, "3", rules.FieldStep2CK, "", func(p rules.Profile, _ IntakeState) bool { return p.Step1 == rules.Step1NotTaken }},
		{"budget 3", rules.FieldBudget, "3", stepExperience, "", func(p rules.Profile, _ IntakeState) bool { return p.Budget == rules.BudgetHigh }},
		{"budget 4", rules.FieldBudget, "4", "", "go from 1 to 3", nil},
		{"confirm 1", stepExpConfirm, "1", stepExpMore, "", func(p rules.Profile, _ IntakeState) bool { return len(p.Experiences) == 1 }},
		{"confirm 2", stepExpConfirm, "2", stepExperience, "", func(p rules.Profile, _ IntakeState) bool { return len(p.Experiences) == 0 }},
		{"more 2", stepExpMore, "2", rules.FieldUSLetters, "", nil},
		// Steps without options: a number is the answer itself.
		{"grad year", rules.FieldGradYear, "2019", rules.FieldApplicationYear, "", func(p rules.Profile, _ IntakeState) bool { return *p.GradYear == 2019 }},
		{"step2ck", rules.FieldStep2CK, "2", rules.FieldStep2CK, "", func(_ rules.Profile, s IntakeState) bool { return s.Unsure == "2" }},
		{"letters", rules.FieldUSLetters, "3", "", "", func(p rules.Profile, _ IntakeState) bool { return *p.USLetters == 3 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s := atStep(t, tc.step)
			if tc.step == stepExpConfirm {
				// atStep's confirmation is reached through the weeks
				// question; start it from a full description instead.
				p, s = atStep(t, stepExperience)
				c := &chat{t: t, p: p, s: s}
				c.ok("8-week IM externship, 2025", stepExpConfirm)
				p, s = c.p, c.s
			}
			c := &chat{t: t, p: p, s: s}
			if tc.wantText != "" {
				c.refused(tc.answer, tc.wantText)
				return
			}
			c.ok(tc.answer, tc.want)
			if tc.check != nil && !tc.check(c.p, c.s) {
				t.Errorf("AnswerIntake(%q) at %s: profile %+v", tc.answer, tc.step, c.p)
			}
		})
	}
}

func TestIntakeNumberPicksKind(t *testing.T) {
	p, s := atStep(t, stepExperience)
	c := &chat{t: t, p: p, s: s}
	c.ok("8 weeks in internal medicine, 2025", stepExpKind)
	c.ok("6", stepExpConfirm) // the sixth kind offered: observership
	if c.s.Draft.Kind != rules.KindObservership {
		t.Errorf("kind 6 = %q, want %q", c.s.Draft.Kind, rules.KindObservership)
	}
}

func TestIntakeCrossChecks(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	graduate := rules.Profile{Stage: rules.StageGraduate}
	student := rules.Profile{Stage: rules.StageStudent}
	for _, tc := range []struct {
		name   string
		p      rules.Profile
		step   string
		answer string
		now    time.Time
		want   string // in the refusal; "" = accepted
	}{
		{"graduate in the future", graduate, rules.FieldGradYear, "2027", intakeNow, "You said you've graduated, but 2027 is still ahead: please type the year you graduated, or send back"},
		{"graduate this year", graduate, rules.FieldGradYear, "2026", intakeNow, ""},
		{"student in the future", student, rules.FieldGradYear, "2028", intakeNow, ""},
		{"application season passed", graduate, rules.FieldApplicationYear, "2026", intakeNow, "September 1, 2026 has passed, so that year's applications are already in: please type 2027 or later."},
		{"application season ahead", graduate, rules.FieldApplicationYear, "2026", at(2026, time.August, 15, 9), ""},
		{"application on September 1", graduate, rules.FieldApplicationYear, "2026", at(2026, time.September, 1, 23), ""},
		{"application on September 2", graduate, rules.FieldApplicationYear, "2026", at(2026, time.September, 2, 0), "September 1, 2026 has passed"},
		{"application next year", graduate, rules.FieldApplicationYear, "2027", intakeNow, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := IntakeState{Step: tc.step}
			p, ns, r := AnswerIntake(tc.p, s, tc.answer, tc.now)
			checkReply(t, tc.answer, tc.p, s, p, ns, r)
			if tc.want == "" {
				if r.Invalid || ns.Step == tc.step {
					t.Errorf("AnswerIntake(%q) at %s on %s = %q, want accepted", tc.answer, tc.step, tc.now.Format(time.DateOnly), r.Text)
				}
				return
			}
			if !r.Invalid || !strings.Contains(r.Text, tc.want) || promptStep(r.Prompt) != tc.step {
				t.Errorf("AnswerIntake(%q) at %s = %q (invalid %v), want refused with %q", tc.answer, tc.step, r.Text, r.Invalid, tc.want)
			}
			if r.Prompt != nil && r.Prompt.Why != "" {
				t.Errorf("refusal at %s: prompt has its why again: %q", tc.step, r.Prompt.Why)
			}
		})
	}
}

func TestIntakeLateExperience(t *testing.T) {
	// atStep's application year is 2027.
	for _, tc := range []struct {
		name  string
		turns []struct{ answer, step string }
		late  string // refused at the last turn's step
	}{
		{"in the description", nil, "8-week IM externship, 2028"},
		{"at the year", []struct{ answer, step string }{{"8-week IM externship", stepExpYear}}, "2028"},
		{"in a correction", []struct{ answer, step string }{{"8-week IM externship, 2025", stepExpConfirm}}, "no, 2029"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s := atStep(t, stepExperience)
			c := &chat{t: t, p: p, s: s}
			for _, tr := range tc.turns {
				c.ok(tr.answer, tr.step)
			}
			c.refused(tc.late, "after you apply in 2027, so it can't count for this application")
		})
	}
	// Ending the year of the application is fine.
	p, s := atStep(t, stepExperience)
	c := &chat{t: t, p: p, s: s}
	c.ok("8-week IM externship, 2027", stepExpConfirm)
}

func TestIntakeStep2CKConfirmation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []string // after the low score
		want    int      // score kept; 0 = still asking
	}{
		{"same again", []string{"142"}, 142},
		{"yes", []string{"yes"}, 142},
		{"corrected", []string{"242"}, 242},
		{"another low one", []string{"140"}, 0},
		{"another low one confirmed", []string{"140", "140"}, 140},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s := atStep(t, rules.FieldStep2CK)
			c := &chat{t: t, p: p, s: s}
			r := c.ok("142", rules.FieldStep2CK)
			if !strings.Contains(r.Text, "send 142 again (or yes) if it's right") || r.Prompt.Why != "" || strings.Contains(r.Text, "\n") {
				t.Fatalf("AnswerIntake(142) = %q, why %q; want one line asking to confirm, and the question alone", r.Text, r.Prompt.Why)
			}
			for i, a := range tc.answers {
				want := rules.FieldVisa
				if i == len(tc.answers)-1 && tc.want == 0 || i < len(tc.answers)-1 {
					want = rules.FieldStep2CK
				}
				c.ok(a, want)
			}
			if tc.want != 0 && (c.p.Step2CK == nil || *c.p.Step2CK != tc.want) {
				t.Errorf("step2ck = %v, want %d", c.p.Step2CK, tc.want)
			}
			if tc.want != 0 && c.s.Unsure != "" {
				t.Errorf("state still holds %q for confirmation", c.s.Unsure)
			}
		})
	}
	// Going back forgets the held answer.
	p, s := atStep(t, rules.FieldStep2CK)
	c := &chat{t: t, p: p, s: s}
	c.ok("142", rules.FieldStep2CK)
	c.ok("back", rules.FieldStep1)
	if c.s.Unsure != "" {
		t.Errorf("back kept %q for confirmation", c.s.Unsure)
	}
}

func TestSetFieldCrossChecks(t *testing.T) {
	graduate := rules.Profile{Stage: rules.StageGraduate}
	for _, tc := range []struct {
		p            rules.Profile
		field, value string
		wantErr      string // "" = set
	}{
		{graduate, "grad_year", "2027", "grad_year: You said you've graduated, but 2027 is still ahead"},
		{graduate, "grad_year", "2020", ""},
		{graduate, "application_year", "2026", "application_year: September 1, 2026 has passed"},
		{graduate, "step2ck", "142", "if 142 is right, send /profile set step2ck 142 confirmed"},
		{graduate, "step2ck", "142 confirmed", ""},
		{graduate, "step2ck", "245", ""},
	} {
		_, err := SetField(tc.p, tc.field, tc.value, intakeNow)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("SetField(%q, %q) = %v, want it set", tc.field, tc.value, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("SetField(%q, %q) error %v, want one containing %q", tc.field, tc.value, err, tc.wantErr)
		}
	}
}

func TestIntakeWhyOnce(t *testing.T) {
	c := newChat(t, rules.Profile{})
	if pr := PromptFor(c.p, c.s); pr.Why != "" {
		t.Fatalf("PromptFor after the first asking: why %q, want it said once", pr.Why)
	}
	r := c.refused("banana", "student")
	if r.Prompt.Why != "" {
		t.Errorf("retry: why %q, want the question alone", r.Prompt.Why)
	}
	r = c.ok("graduated", rules.FieldGradYear)
	if r.Prompt.Why == "" {
		t.Errorf("first asking of grad_year: no why")
	}
	r = c.ok("back", rules.FieldStage)
	if r.Prompt.Why != "" {
		t.Errorf("stage asked again after back: why %q", r.Prompt.Why)
	}

	// The experiences loop: the description's why once; each tier's once.
	p, s := atStep(t, stepExpMore) // one observership confirmed
	c = &chat{t: t, p: p, s: s}
	r = c.ok("add", stepExperience)
	if r.Prompt.Why != "" {
		t.Errorf("second description: why %q, want the question alone", r.Prompt.Why)
	}
	r = c.ok("2 week shadowing in peds, 2025", stepExpConfirm)
	if r.Prompt.Why != "" {
		t.Errorf("second non-hands-on confirmation: why %q, want it said once per tier", r.Prompt.Why)
	}
	c.ok("yes", stepExpMore)
	c.ok("add", stepExperience)
	r = c.ok("8-week IM externship, 2025", stepExpConfirm)
	if !strings.Contains(r.Prompt.Why, "weigh most") {
		t.Errorf("first hands-on confirmation: why %q, want the tier explained", r.Prompt.Why)
	}
}

func TestIntakeStateBackwardCompatible(t *testing.T) {
	// A state as the previous version saved it: no explained, edit or unsure.
	var s IntakeState
	if err := json.Unmarshal([]byte(`{"step":"visa","history":["stage","grad_year"]}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.Explained != nil || s.Edit || s.Unsure != "" {
		t.Fatalf("old state loaded as %+v, want the new fields empty", s)
	}
	p := rules.Profile{Stage: rules.StageGraduate}
	if pr := PromptFor(p, s); pr == nil || pr.Why == "" {
		t.Fatalf("PromptFor(old state) = %+v, want the why, never said as far as it knows", pr)
	}
	np, ns, r := AnswerIntake(p, s, "yes", intakeNow)
	checkReply(t, "yes", p, s, np, ns, r)
	if r.Invalid || ns.Step != rules.FieldCanTravel || r.Prompt.Why == "" {
		t.Fatalf("AnswerIntake(yes) on an old state = %+v, %+v", ns, r)
	}
	// And the new fields survive a round trip.
	s = IntakeState{Step: rules.FieldStep2CK, Explained: []string{"stage", "experience_confirm:hands_on"}, Edit: true, Unsure: "142",
		Draft: &rules.Experience{Kind: rules.KindObservership, Weeks: 4, EndYear: 2019, InUS: true},
		Also:  []rules.Experience{{Kind: rules.KindObservership, Weeks: 4, EndYear: 2019, InUS: true}}}
	b, _ := json.Marshal(s)
	var got IntakeState
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(s, got); d != "" {
		t.Errorf("JSON round trip of %s (-want +got):\n%s", b, d)
	}
}

func TestIntakeChangeOneAnswer(t *testing.T) {
	done, doneState := finished(t)
	type turn struct{ answer, step string }
	for _, tc := range []struct {
		name  string
		turns []turn
		check func(t *testing.T, p rules.Profile)
	}{
		{"specialty by name", []turn{{"specialty", rules.FieldSpecialty}, {"peds", ""}}, func(t *testing.T, p rules.Profile) {
			if p.Specialty != rules.Pediatrics {
				t.Errorf("specialty = %q", p.Specialty)
			}
		}},
		{"by number", []turn{{"3", rules.FieldApplicationYear}, {"2028", ""}}, func(t *testing.T, p rules.Profile) {
			if *p.ApplicationYear != 2028 {
				t.Errorf("application_year = %d", *p.ApplicationYear)
			}
		}},
		{"by label", []turn{{"Step 2 CK", rules.FieldStep2CK}, {"skip", ""}}, func(t *testing.T, p rules.Profile) {
			if p.Step2CK != nil {
				t.Errorf("step2ck = %d after skip", *p.Step2CK)
			}
		}},
		{"keep", []turn{{"visa", rules.FieldVisa}, {"keep", ""}}, nil},
		{"back to the menu", []turn{{"visa", rules.FieldVisa}, {"back", stepChange}, {"nothing", ""}}, nil},
		{"cancel", []turn{{"budget", rules.FieldBudget}, {"cancel", ""}}, nil},
		{"nothing", []turn{{"Nothing, it's fine", ""}}, nil},
		{"keep at the menu", []turn{{"keep", ""}}, nil},
		{"add an experience", []turn{{"Add an experience", stepExperience}, {"8-week IM externship, 2025", stepExpConfirm},
			{"yes", stepExpMore}, {"done", ""}}, func(t *testing.T, p rules.Profile) {
			if len(p.Experiences) != 2 || p.Experiences[1].Kind != rules.KindExternship {
				t.Errorf("experiences = %+v, want the externship added", p.Experiences)
			}
		}},
		{"remove an experience", []turn{{"Remove an experience", stepExpRemove}, {"1", ""}}, func(t *testing.T, p rules.Profile) {
			if p.Experiences != nil {
				t.Errorf("experiences = %+v, want none", p.Experiences)
			}
		}},
		{"remove none", []turn{{"experience_remove", stepExpRemove}, {"none", ""}}, nil},
		{"remove a bad number", []turn{{"experience_remove", stepExpRemove}, {"back", stepChange}, {"no", ""}}, nil},
		{"all", []turn{{"Go through every answer", rules.FieldStage}, {"keep", rules.FieldGradYear}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, r := StartIntake(done, doneState)
			if !r.Changed || promptStep(r.Prompt) != stepChange || !s.Edit {
				t.Fatalf("StartIntake(done) = %+v, %+v; want the change menu", s, r)
			}
			checkPrompt(t, r.Prompt)
			labels := make([]string, len(r.Prompt.Options))
			for i, o := range r.Prompt.Options {
				labels[i] = o.Label
			}
			for _, want := range []string{"Stage: graduate", "Specialty: psychiatry", "US letters: 2", "Add an experience",
				"Remove an experience", "Go through every answer", "Nothing, it's fine"} {
				if !strings.Contains(strings.Join(labels, "|"), want) {
					t.Errorf("change menu %q lacks %q", labels, want)
				}
			}
			c := &chat{t: t, p: done, s: s}
			for _, tr := range tc.turns {
				c.ok(tr.answer, tr.step)
			}
			if tc.check != nil {
				tc.check(t, c.p)
			} else if tc.name != "all" {
				if d := cmp.Diff(done, c.p); d != "" {
					t.Errorf("profile changed (-before +after):\n%s", d)
				}
			}
			if c.s.Step == StepDone && c.s.Edit {
				t.Errorf("finished state still marked as editing: %+v", c.s)
			}
		})
	}
	// A choice it cannot read: one line and the menu again.
	s, _ := StartIntake(done, doneState)
	c := &chat{t: t, p: done, s: s}
	c.refused("banana", "I couldn't tell which answer: please pick one of the choices")
	c.refused("15", "There's no choice 15: the choices go from 1 to 14")
}

func TestAddExperience(t *testing.T) {
	done, doneState := finished(t)
	mid, midState := atStep(t, rules.FieldVisa)
	for _, tc := range []struct {
		name     string
		p        rules.Profile
		s        IntakeState
		desc     string
		wantText string
		added    bool
		prompt   string // the intake step it starts
	}{
		{"complete", done, doneState, "8-week IM externship in Chicago, 2025", "Added experience 2: **hands-on externship, 8 weeks, internal medicine, ended 2025**.", true, ""},
		{"complete mid-intake", mid, midState, "4 week research with patients, 2024", "Added experience 1", true, ""},
		{"missing weeks, finished profile", done, doneState, "IM externship, 2025", "Got it: **hands-on externship, internal medicine, ended 2025**.", false, stepExpWeeks},
		{"missing weeks, change menu open", done, IntakeState{Step: stepChange, Edit: true}, "IM externship, 2025", "Got it", false, stepExpWeeks},
		{"missing parts mid-intake", mid, midState, "IM externship", "I read hands-on externship, internal medicine but not how long it was or when it ended: send it again with them", false, ""},
		{"unreadable", done, doneState, "banana", "I couldn't read an experience there", false, ""},
		{"empty", done, doneState, "  ", "I couldn't read an experience there", false, ""},
		{"after the application", done, doneState, "8-week IM externship, 2029", "That ends in 2029, after you apply in 2027", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s, r := AddExperience(tc.p, tc.s, tc.desc, intakeNow)
			if !strings.Contains(r.Text, tc.wantText) || strings.Contains(r.Text, "\n") {
				t.Errorf("AddExperience(%q) text %q, want one line containing %q", tc.desc, r.Text, tc.wantText)
			}
			if got := len(p.Experiences) == len(tc.p.Experiences)+1; got != tc.added {
				t.Errorf("AddExperience(%q): experiences %+v, added = %v, want %v", tc.desc, p.Experiences, got, tc.added)
			}
			if promptStep(r.Prompt) != tc.prompt {
				t.Errorf("AddExperience(%q): prompt %q, want %q", tc.desc, promptStep(r.Prompt), tc.prompt)
			}
			if r.Changed == r.Invalid {
				t.Errorf("AddExperience(%q): Changed %v, Invalid %v", tc.desc, r.Changed, r.Invalid)
			}
			if r.Invalid && (!cmp.Equal(p, tc.p) || !cmp.Equal(s, tc.s)) {
				t.Errorf("AddExperience(%q) refused but changed something", tc.desc)
			}
			if tc.prompt == "" && !cmp.Equal(s, tc.s) {
				t.Errorf("AddExperience(%q) changed the intake state to %+v", tc.desc, s)
			}
		})
	}
	// The missing part asked, then confirmed: the intake is finished again.
	p, s, _ := AddExperience(done, doneState, "IM externship, 2025", intakeNow)
	c := &chat{t: t, p: p, s: s}
	c.ok("6 weeks", stepExpConfirm)
	c.ok("yes", stepExpMore)
	c.ok("done", "")
	if len(c.p.Experiences) != 2 || c.p.Experiences[1].Weeks != 6 {
		t.Errorf("experiences %+v, want the 6-week externship added", c.p.Experiences)
	}
}

func TestRemoveExperience(t *testing.T) {
	two := rules.Profile{Experiences: []rules.Experience{
		{Kind: rules.KindExternship, Weeks: 8, EndYear: 2025, InUS: true},
		{Kind: rules.KindObservership, Weeks: 4, EndYear: 2024, InUS: true},
	}}
	for _, tc := range []struct {
		p       rules.Profile
		n       int
		left    int
		wantErr string
	}{
		{two, 1, 1, ""},
		{two, 2, 1, ""},
		{two, 0, 2, "there's no experience 0: /profile lists them, from 1 to 2"},
		{two, 3, 2, "there's no experience 3"},
		{rules.Profile{}, 1, 0, "your profile has none"},
	} {
		p, e, err := RemoveExperience(tc.p, tc.n)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("RemoveExperience(%d) error %v, want %q", tc.n, err, tc.wantErr)
			}
			continue
		}
		if err != nil || len(p.Experiences) != tc.left || e != tc.p.Experiences[tc.n-1] {
			t.Errorf("RemoveExperience(%d) = %+v, %+v, %v", tc.n, p.Experiences, e, err)
		}
		if len(tc.p.Experiences) != 2 || tc.p.Experiences[0].Kind != rules.KindExternship {
			t.Errorf("RemoveExperience(%d) changed its argument: %+v", tc.n, tc.p.Experiences)
		}
	}
}

func TestIntakeStep2CKHeldOutOfTheProfile(t *testing.T) {
	p, s := atStep(t, rules.FieldStep2CK)
	c := &chat{t: t, p: p, s: s}
	r := c.ok("142", rules.FieldStep2CK)
	if c.p.Step2CK != nil || strings.Contains(r.Prompt.Question, "142") {
		t.Errorf("held score: profile step2ck %v, question %q; want the profile unchanged until confirmed", c.p.Step2CK, r.Prompt.Question)
	}
}

func TestIntakeChangeAsksWhatItContradicts(t *testing.T) {
	p, s := finished(t)
	p.Stage, p.GradYear = rules.StageStudent, intakeInt(2028)
	s, _ = StartIntake(p, s)
	c := &chat{t: t, p: p, s: s}
	c.ok("stage", rules.FieldStage)
	r := c.ok("graduated", rules.FieldGradYear)
	if !strings.Contains(r.Text, "Got it: **graduate**. You said you've graduated, but 2028 is still ahead.") {
		t.Errorf("stage changed to graduate with 2028 on file: %q, want the year asked", r.Text)
	}
	c.refused("keep", "2028 is still ahead")
	c.ok("2025", "")

	// An application year before an experience's end.
	p, s = finished(t)
	p.ApplicationYear = intakeInt(2030)
	p.Experiences = append(p.Experiences, rules.Experience{Kind: rules.KindExternship, Weeks: 8, EndYear: 2029, InUS: true})
	s, _ = StartIntake(p, s)
	c = &chat{t: t, p: p, s: s}
	c.ok("application year", rules.FieldApplicationYear)
	c.refused("2028", "Your experience 2 ends in 2029, after you'd apply: please type 2029 or later, or remove that experience first")
	c.ok("2029", "")
}

func TestIntakeCountsExperiences(t *testing.T) {
	obs := func(weeks int, spec string) rules.Experience {
		return rules.Experience{Kind: rules.KindObservership, Weeks: weeks, Specialty: spec, EndYear: 2019, InUS: true}
	}
	type turn struct{ answer, step string }
	for _, tc := range []struct {
		name     string
		turns    []turn // from the description; the last reaches the confirmation
		question string
		fix      string // a correction at the confirmation, "" for none
		want     []rules.Experience
	}{
		{"two of 4 weeks, one in IM", []turn{{"two 4-week observerships in 2019, one in IM", stepExpConfirm}},
			"I read that as 2 non-hands-on observerships of 4 weeks each, one of them in internal medicine, ended 2019. Add them as 2 experiences?", "",
			[]rules.Experience{obs(4, rules.InternalMedicine), obs(4, "")}},
		{"three of 4 weeks in IM", []turn{{"3 IM observerships of 4 weeks, 2019", stepExpConfirm}},
			"I read that as 3 non-hands-on observerships of 4 weeks each, internal medicine, ended 2019. Add them as 3 experiences?", "",
			[]rules.Experience{obs(4, rules.InternalMedicine), obs(4, rules.InternalMedicine), obs(4, rules.InternalMedicine)}},
		{"a total is one entry, read back", []turn{{"two observerships, 8 weeks, 2019", stepExpConfirm}},
			"I read that as: non-hands-on observership, 8 weeks, ended 2019. Right?", "",
			[]rules.Experience{obs(8, "")}},
		{"no length: each asked", []turn{{"two observerships in 2019", stepExpWeeks}, {"4 weeks", stepExpConfirm}},
			"I read that as 2 non-hands-on observerships of 4 weeks each, ended 2019. Add them as 2 experiences?", "",
			[]rules.Experience{obs(4, ""), obs(4, "")}},
		{"corrected", []turn{{"two 4-week observerships in 2019", stepExpConfirm}},
			"I read that as 2 non-hands-on observerships of 4 weeks each, ended 2019. Add them as 2 experiences?", "no, 6 weeks",
			[]rules.Experience{obs(6, ""), obs(6, "")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, s := atStep(t, stepExperience)
			c := &chat{t: t, p: p, s: s}
			before := len(c.p.Experiences)
			var r IntakeReply
			for _, tr := range tc.turns {
				r = c.ok(tr.answer, tr.step)
			}
			if tc.fix != "" {
				r = c.ok(tc.fix, stepExpConfirm)
			}
			if r.Prompt.Question != tc.question && tc.fix == "" {
				t.Errorf("confirmation %q, want %q", r.Prompt.Question, tc.question)
			}
			r = c.ok("yes", stepExpMore)
			if d := cmp.Diff(tc.want, c.p.Experiences[before:]); d != "" {
				t.Errorf("experiences added (-want +got):\n%s", d)
			}
			if len(tc.want) > 1 && !strings.HasPrefix(r.Text, "Added "+strconv.Itoa(len(tc.want))+":") {
				t.Errorf("yes = %q, want the count added", r.Text)
			}
		})
	}
	// "fix" drops the whole description.
	p, s := atStep(t, stepExperience)
	c := &chat{t: t, p: p, s: s}
	c.ok("two 4-week observerships in 2019", stepExpConfirm)
	c.ok("fix", stepExperience)
	if c.s.Draft != nil || c.s.Also != nil {
		t.Errorf("fix left %+v / %+v", c.s.Draft, c.s.Also)
	}
	// /profile add experience adds them all.
	done, doneState := finished(t)
	np, _, r := AddExperience(done, doneState, "two 4-week observerships in 2019, one in IM", intakeNow)
	if len(np.Experiences) != 3 || !strings.Contains(r.Text, "Added experiences 2 to 3: **2 non-hands-on observerships of 4 weeks each, one of them in internal medicine, ended 2019**") {
		t.Errorf("AddExperience(two observerships) = %q, %+v", r.Text, np.Experiences)
	}
}
