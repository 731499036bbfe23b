package rules

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// exp is an in-person experience in the US.
func exp(kind string, weeks int, specialty string, endYear int) Experience {
	return Experience{Kind: kind, Weeks: weeks, Specialty: specialty, EndYear: endYear, InUS: true}
}

// strong returns a profile with no gap at all, applying in 2028 (early
// phase on 2026-11-21); tests change one thing.
func strong() Profile {
	return Profile{
		Stage: StageGraduate, GradYear: ptr(2025), ApplicationYear: ptr(2028),
		Specialty: InternalMedicine, Step1: Step1Passed, Step2CK: ptr(250),
		Visa: VisaNotNeeded, CanTravel: Yes, Budget: BudgetMedium, USLetters: ptr(3),
		Experiences: []Experience{exp(KindExternship, 8, InternalMedicine, 2026)},
	}
}

func with(p Profile, change func(*Profile)) Profile {
	p.Experiences = slices.Clone(p.Experiences)
	change(&p)
	return p
}

func withExperiences(es ...Experience) func(*Profile) {
	return func(p *Profile) { p.Experiences = es }
}

func TestTotals(t *testing.T) {
	p := with(strong(), withExperiences(
		exp(KindElective, 4, "IM", 2025),                 // hands-on, specialty by alias, recent (3 years)
		exp(KindScribe, 10, EmergencyMedicine, 2024),     // semi-hands-on, not recent (4 years)
		exp(KindObservership, 3, "internal medicine", 0), // non-hands-on, end year unknown: not recent
		exp(KindExternship, 5, InternalMedicine, 2027),   // counted below as remote
		exp(KindResearch, 52, InternalMedicine, 2026),    // not clinical: nothing
		exp(KindTelehealth, 6, InternalMedicine, 2026),   // supplemental, remote by nature
		Experience{Kind: KindRotation, Weeks: 7, EndYear: 2026, InUS: false},
	))
	p.Experiences[3].Remote = true
	a := Assess(p, now)
	got := [5]int{a.USCEWeeks, a.HandsOnWeeks, a.SpecialtyWeeks, a.RecentWeeks, a.TeleWeeks}
	want := [5]int{4 + 10 + 3, 4, 4 + 3, 4, 5 + 6}
	if got != want {
		t.Errorf("Assess() usce, hands-on, specialty, recent, tele weeks = %v, want %v", got, want)
	}
}

func TestReadiness(t *testing.T) {
	competitive := func(p *Profile) {
		p.USLetters = ptr(2)
		p.Experiences = []Experience{exp(KindExternship, 4, InternalMedicine, 2026), exp(KindElective, 4, FamilyMedicine, 2025)}
	}
	for _, tt := range []struct {
		name   string
		change func(*Profile)
		want   string
	}{
		{"competitive at every threshold", competitive, ReadinessCompetitive},
		{"hands-on 7 weeks", func(p *Profile) {
			competitive(p)
			p.Experiences[1] = exp(KindElective, 3, FamilyMedicine, 2025)
			p.Experiences = append(p.Experiences, exp(KindObservership, 1, FamilyMedicine, 2025))
		}, ReadinessBaseline},
		{"recent 7 weeks", func(p *Profile) {
			competitive(p)
			p.Experiences = append(p.Experiences, exp(KindElective, 1, FamilyMedicine, 2024))
			p.Experiences[1].Weeks = 3
		}, ReadinessBaseline},
		{"specialty 3 weeks", func(p *Profile) {
			competitive(p)
			p.Experiences[0].Weeks, p.Experiences[1].Weeks = 3, 5
		}, ReadinessBaseline},
		{"one letter", func(p *Profile) { competitive(p); p.USLetters = ptr(1) }, ReadinessBaseline},
		{"baseline at its thresholds", withExperiences(exp(KindObservership, 4, "", 2020)), ReadinessBaseline},
		{"3 weeks and a letter", withExperiences(exp(KindObservership, 3, "", 2026)), ReadinessBelowBaseline},
		{"4 weeks, no letter", func(p *Profile) {
			p.USLetters = ptr(0)
			p.Experiences = []Experience{exp(KindObservership, 4, "", 2026)}
		}, ReadinessBelowBaseline},
		{"1 week", withExperiences(exp(KindShadowing, 1, "", 2026)), ReadinessBelowBaseline},
		{"tele, research and home only", withExperiences(
			exp(KindTelehealth, 12, "", 2026), exp(KindResearch, 52, "", 2026),
			Experience{Kind: KindExternship, Weeks: 8, EndYear: 2026}), ReadinessNone},
		{"nothing", withExperiences(), ReadinessNone},
	} {
		p := with(strong(), tt.change)
		if got := Assess(p, now).Readiness; got != tt.want {
			t.Errorf("%s: Assess() readiness = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestGaps checks every gap on both sides of its threshold, starting from a
// profile that has none.
func TestGaps(t *testing.T) {
	if got := Assess(strong(), now).Gaps; len(got) != 0 {
		t.Fatalf("Assess(strong()) gaps = %v, want none", got)
	}
	obs := func(weeks int) Experience { return exp(KindObservership, weeks, InternalMedicine, 2026) }
	tele := func(weeks int) Experience {
		return Experience{Kind: KindTelehealth, Weeks: weeks, EndYear: 2026, InUS: true, Remote: true}
	}
	final := day("2026-11-21") // with application year 2027
	for _, tt := range []struct {
		name   string
		change func(*Profile)
		at     time.Time
		gap    string
		holds  bool
	}{
		{"no USCE", withExperiences(), now, GapNoUSCE, true},
		{"1 week of USCE", withExperiences(obs(1)), now, GapNoUSCE, false},
		{"only tele", withExperiences(tele(4)), now, GapNoUSCE, true},

		{"3 weeks", withExperiences(obs(3)), now, GapBelowBaseline, true},
		{"4 weeks", withExperiences(obs(4)), now, GapBelowBaseline, false},
		{"0 weeks", withExperiences(), now, GapBelowBaseline, false},

		{"0 letters", func(p *Profile) { p.USLetters = ptr(0) }, now, GapNoUSLetter, true},
		{"1 letter, not none", func(p *Profile) { p.USLetters = ptr(1) }, now, GapNoUSLetter, false},
		{"1 letter", func(p *Profile) { p.USLetters = ptr(1) }, now, GapFewUSLetters, true},
		{"2 letters", func(p *Profile) { p.USLetters = ptr(2) }, now, GapFewUSLetters, false},
		{"0 letters, not few", func(p *Profile) { p.USLetters = ptr(0) }, now, GapFewUSLetters, false},

		{"hands-on 7 of 11", withExperiences(exp(KindExternship, 7, InternalMedicine, 2026), obs(4)), now, GapBelowCompetitive, true},
		{"hands-on 8", withExperiences(exp(KindExternship, 8, InternalMedicine, 2026)), now, GapBelowCompetitive, false},
		{"USCE 3", withExperiences(exp(KindExternship, 3, InternalMedicine, 2026)), now, GapBelowCompetitive, false},
		{"USCE 4, no hands-on", withExperiences(obs(4)), now, GapBelowCompetitive, true},

		{"observerships 7", withExperiences(obs(7)), now, GapObservershipOnly, true},
		{"observerships 8", withExperiences(obs(8)), now, GapObservershipOnly, false},
		{"observership and scribe", withExperiences(obs(4), exp(KindScribe, 1, "", 2026)), now, GapObservershipOnly, false},
		{"observership and elective", withExperiences(obs(4), exp(KindElective, 1, "", 2026)), now, GapObservershipOnly, false},
		{"no USCE, not observerships", withExperiences(), now, GapObservershipOnly, false},

		{"specialty 3 weeks", withExperiences(exp(KindExternship, 8, FamilyMedicine, 2026), obs(3)), now, GapNoSpecialtyUSCE, true},
		{"specialty 4 weeks", withExperiences(exp(KindExternship, 8, FamilyMedicine, 2026), obs(4)), now, GapNoSpecialtyUSCE, false},
		{"specialty by alias", func(p *Profile) { p.Specialty = "IM" }, now, GapNoSpecialtyUSCE, false},
		{"specialty unset", func(p *Profile) { p.Specialty = "" }, now, GapNoSpecialtyUSCE, false},
		{"specialty unknown to the rules, same words", func(p *Profile) {
			p.Specialty, p.Experiences[0].Specialty = "Sleep Science", "sleep science "
		}, now, GapNoSpecialtyUSCE, false},

		{"USCE 4 years old", withExperiences(exp(KindExternship, 8, InternalMedicine, 2024)), now, GapStaleUSCE, true},
		{"USCE 3 years old", withExperiences(exp(KindExternship, 8, InternalMedicine, 2025)), now, GapStaleUSCE, false},
		{"no USCE, not stale", withExperiences(), now, GapStaleUSCE, false},

		{"graduated 4 years before", func(p *Profile) { p.GradYear = ptr(2024) }, now, GapYOG, true},
		{"graduated 3 years before", func(p *Profile) { p.GradYear = ptr(2025) }, now, GapYOG, false},
		{"student", func(p *Profile) { p.Stage, p.GradYear = StageStudent, ptr(2020) }, now, GapYOG, false},

		{"tele only", withExperiences(tele(1)), now, GapTeleOnly, true},
		{"tele and USCE", withExperiences(tele(4), obs(1)), now, GapTeleOnly, false},
		{"nothing at all", withExperiences(), now, GapTeleOnly, false},

		{"tele 9 weeks", withExperiences(exp(KindExternship, 8, InternalMedicine, 2026), tele(9)), now, GapTeleExcess, true},
		{"tele 8 weeks", withExperiences(exp(KindExternship, 8, InternalMedicine, 2026), tele(8)), now, GapTeleExcess, false},
		{"virtual externship 9 weeks", withExperiences(exp(KindExternship, 8, InternalMedicine, 2026),
			Experience{Kind: KindExternship, Weeks: 9, InUS: true, Remote: true}), now, GapTeleExcess, true},

		{"visa, no travel", func(p *Profile) { p.Visa, p.CanTravel = VisaNeeded, No }, now, GapVisaTravel, true},
		{"visa, travel", func(p *Profile) { p.Visa, p.CanTravel = VisaNeeded, Yes }, now, GapVisaTravel, false},
		{"no visa, no travel", func(p *Profile) { p.Visa, p.CanTravel = VisaNotNeeded, No }, now, GapVisaTravel, false},

		{"low budget, 7 weeks", func(p *Profile) { p.Budget = BudgetLow; p.Experiences[0].Weeks = 7 }, now, GapLowBudget, true},
		{"low budget, 8 weeks", func(p *Profile) { p.Budget = BudgetLow }, now, GapLowBudget, false},
		{"medium budget, nothing", func(p *Profile) { p.Experiences = nil }, now, GapLowBudget, false},

		{"final, 3 weeks", func(p *Profile) { p.ApplicationYear = ptr(2027); p.Experiences[0].Weeks = 3 }, final, GapLateStart, true},
		{"final, 4 weeks", func(p *Profile) { p.ApplicationYear = ptr(2027); p.Experiences[0].Weeks = 4 }, final, GapLateStart, false},
		{"application, nothing", func(p *Profile) { p.ApplicationYear = ptr(2027); p.Experiences = nil }, day("2027-05-01"), GapLateStart, true},
		{"secure, nothing", func(p *Profile) { p.ApplicationYear = ptr(2027); p.Experiences = nil }, day("2026-09-01"), GapLateStart, false},
		{"early, nothing", func(p *Profile) { p.Experiences = nil }, now, GapLateStart, false},
	} {
		gaps := Assess(with(strong(), tt.change), tt.at).Gaps
		if got := slices.Contains(gaps, tt.gap); got != tt.holds {
			t.Errorf("%s: Assess() gaps = %v, %s there = %t, want %t", tt.name, gaps, tt.gap, got, tt.holds)
		}
	}
}

func TestGapsInTableOrder(t *testing.T) {
	p := Profile{
		Stage: StageGraduate, GradYear: ptr(2015), ApplicationYear: ptr(2027),
		Specialty: Psychiatry, Step1: Step1Passed, Visa: VisaNeeded, CanTravel: No,
		Budget: BudgetLow, USLetters: ptr(0),
		Experiences: []Experience{{Kind: KindTelehealth, Weeks: 12, InUS: true, Remote: true}},
	}
	want := []string{GapNoUSCE, GapNoUSLetter, GapNoSpecialtyUSCE, GapYOG, GapTeleOnly,
		GapTeleExcess, GapVisaTravel, GapLowBudget, GapLateStart}
	if diff := cmp.Diff(want, Assess(p, now).Gaps); diff != "" {
		t.Errorf("Assess() gaps (-want +got):\n%s", diff)
	}
}

func TestPhase(t *testing.T) {
	for _, tt := range []struct {
		now    string
		months int
		phase  string
	}{
		{"2024-09-01", 36, PhaseEarly},
		{"2026-02-01", 19, PhaseEarly},
		{"2026-02-02", 18, PhaseSecure},
		{"2026-03-01", 18, PhaseSecure},
		{"2026-09-01", 12, PhaseSecure},
		{"2026-09-02", 11, PhaseFinal},
		{"2026-11-21", 9, PhaseFinal}, // assessment.md's example
		{"2027-03-01", 6, PhaseFinal},
		{"2027-03-02", 5, PhaseApplication},
		{"2027-08-31", 0, PhaseApplication},
		{"2027-09-01", 0, PhaseApplication},
		{"2027-09-02", -1, PhaseApplication},
		{"2027-10-01", -1, PhaseApplication},
		{"2028-01-15", -5, PhaseApplication},
	} {
		p := with(strong(), func(p *Profile) { p.ApplicationYear = ptr(2027) })
		a := Assess(p, day(tt.now))
		if a.MonthsToApplication != tt.months || a.Phase != tt.phase {
			t.Errorf("Assess() at %s: months = %d, phase = %s; want %d, %s", tt.now, a.MonthsToApplication, a.Phase, tt.months, tt.phase)
		}
	}
	// The time of day and the time zone do not move the date.
	late := time.Date(2026, time.September, 1, 23, 59, 0, 0, time.FixedZone("UTC-10", -10*3600))
	if got := monthsToApplication(late, 2027); got != 12 {
		t.Errorf("monthsToApplication(%v, 2027) = %d, want 12", late, got)
	}
}

func TestUrgencyListsEveryGap(t *testing.T) {
	all := []string{GapNoUSCE, GapBelowBaseline, GapNoUSLetter, GapFewUSLetters,
		GapBelowCompetitive, GapObservershipOnly, GapNoSpecialtyUSCE, GapStaleUSCE, GapYOG,
		GapTeleOnly, GapTeleExcess, GapVisaTravel, GapLowBudget, GapLateStart}
	for _, phase := range []string{PhaseEarly, PhaseSecure, PhaseFinal, PhaseApplication} {
		got := slices.Clone(urgency[phase])
		slices.Sort(got)
		want := slices.Clone(all)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("urgency[%s] is not every gap once (-want +got):\n%s", phase, diff)
		}
	}
	f := facts{p: strong(), a: Assessment{USCEWeeks: 1, TeleWeeks: 9}, now: now, appYear: 2027, specialty: InternalMedicine}
	for _, g := range all {
		if s := f.action(g); s.text == "" || len(s.topics) == 0 {
			t.Errorf("action(%s) = %+v, want a line and topics", g, s)
		}
	}
}

func TestPlanOrder(t *testing.T) {
	// Gaps: no-usce, no-us-letter, no-specialty-usce, visa-travel,
	// low-budget, and late-start when late.
	p := Profile{
		Stage: StageGraduate, GradYear: ptr(2025), ApplicationYear: ptr(2027),
		Specialty: FamilyMedicine, Step1: Step1Passed, Visa: VisaNeeded, CanTravel: No,
		Budget: BudgetLow, USLetters: ptr(0),
	}
	for _, tt := range []struct {
		now   string
		order []string // a word of each gap's line, in order
	}{
		{"2025-01-01", []string{"first month", "visitor visa", "tight budget", "1-2 months of USCE in family medicine", "strong letter"}},
		{"2026-06-01", []string{"first month", "1-2 months of USCE in family medicine", "visitor visa", "tight budget", "strong letter"}},
		{"2026-11-21", []string{"Urgent", "strong letter", "first month", "1-2 months of USCE in family medicine", "visitor visa", "tight budget"}},
		{"2027-06-01", []string{"Urgent", "strong letter", "first month", "1-2 months of USCE in family medicine", "visitor visa", "tight budget"}},
	} {
		a := Assess(p, day(tt.now))
		lines := a.Plan[:len(a.Gaps)] // one line per gap, then the milestones
		if len(lines) != len(tt.order) {
			t.Errorf("Assess() at %s: %d gap lines %q, want %d", tt.now, len(lines), lines, len(tt.order))
			continue
		}
		for i, w := range tt.order {
			if !strings.Contains(lines[i], w) {
				t.Errorf("Assess() at %s (%s): plan line %d = %q, want it to mention %q", tt.now, a.Phase, i, lines[i], w)
			}
		}
	}
}

func TestPlanPersonalised(t *testing.T) {
	p := Profile{
		Stage: StageGraduate, GradYear: ptr(2019), ApplicationYear: ptr(2027),
		Specialty: "FM", Step1: Step1Passed, Visa: VisaNotNeeded, CanTravel: Yes,
		Budget: BudgetHigh, USLetters: ptr(1),
		Experiences: []Experience{exp(KindObservership, 2, "", 2026)},
	}
	plan := Assess(p, now).Plan
	for _, want := range []string{
		"Urgent: 9 months to go. Secure any recent USCE now; what can't be done in time goes to the 2028 cycle.",
		"You have 1 US letter: aim for 2-3, ideally in family medicine, before you apply in September 2027.",
		"Reach at least 1 month (4 weeks) of USCE by June 2027; you have 2 weeks.",
		"You graduated in 2019, 8 years before you apply: get 2-3 months of recent USCE and be ready to explain the gap.",
		"Get 1-2 months of USCE in family medicine by June 2027: letters from your own specialty count most.",
		"With observerships only, aim for 2-3 months in total in family medicine, at teaching hospitals that give a detailed letter.",
	} {
		if !slices.Contains(plan, want) {
			t.Errorf("Assess() plan = %q\nwant the line %q", plan, want)
		}
	}
	// Past June of the application year, deadlines become "as soon as you can".
	plan = Assess(p, day("2027-07-10")).Plan
	if want := "Reach at least 1 month (4 weeks) of USCE as soon as you can; you have 2 weeks."; !slices.Contains(plan, want) {
		t.Errorf("Assess() in July plan = %q\nwant the line %q", plan, want)
	}
	// After September 1 of the application year, letters are due now.
	plan = Assess(p, day("2027-09-20")).Plan
	if want := "You have 1 US letter: aim for 2-3, ideally in family medicine, as soon as you can."; !slices.Contains(plan, want) {
		t.Errorf("Assess() after September plan = %q\nwant the line %q", plan, want)
	}
	// A student is pointed to electives, a graduate to externships.
	student := with(p, func(p *Profile) { p.Stage = StageStudent; p.Experiences[0].Weeks = 4 })
	if plan := strings.Join(Assess(student, now).Plan, "\n"); !strings.Contains(plan, "(electives or sub-internships)") {
		t.Errorf("Assess(student) plan = %s\nwant electives or sub-internships", plan)
	}
	cantTravel := with(p, func(p *Profile) { p.Experiences, p.CanTravel = nil, No })
	a := Assess(cantTravel, now)
	if !slices.Contains(a.ReadNext, "no-usce-alternatives") || !strings.Contains(strings.Join(a.Plan, "\n"), "Until you can travel") {
		t.Errorf("Assess() without travel: plan %q, read next %v; want the alternatives", a.Plan, a.ReadNext)
	}
}

func TestMilestones(t *testing.T) {
	graduate := with(strong(), func(p *Profile) { p.ApplicationYear, p.Step2CK = ptr(2027), nil })
	student := with(graduate, func(p *Profile) { p.Stage, p.Step1 = StageStudent, Step1NotTaken })
	done := with(graduate, func(p *Profile) { p.Step2CK = ptr(250) })
	for _, tt := range []struct {
		name string
		p    Profile
		now  string
		want []string
	}{
		{"all ahead", graduate, "2024-06-01", []string{
			"September 2024 to August 2025: work on Step 2 CK and explore where you could rotate.",
			"March to August 2026: secure 1-3 months of USCE (externships or observerships), at least one in internal medicine.",
			"September 2026 to February 2027: add more USCE if you still need it, finish Step 2 CK (and OET, if your pathway requires it), and confirm 2-3 US letters.",
			"March to August 2027: ERAS opens in June: list your USCE in its Experiences section, build your personal statement on it, and have your letters uploaded.",
			"Around September 1, 2027: submit your ERAS application.",
			"October 2027 to January 2028: interviews: be ready to tell the stories of your US experience.",
		}},
		{"student, under way", student, "2025-01-10", []string{
			"Now to August 2025: work on Step 1 and Step 2 CK, explore where you could rotate and plan your final-year US electives.",
			"March to August 2026: secure 1-3 months of USCE (electives), at least one in internal medicine.",
			"September 2026 to February 2027: add more USCE if you still need it, finish Step 2 CK (and OET, if your pathway requires it), and confirm 2-3 US letters.",
			"March to August 2027: ERAS opens in June: list your USCE in its Experiences section, build your personal statement on it, and have your letters uploaded.",
			"Around September 1, 2027: submit your ERAS application.",
			"October 2027 to January 2028: interviews: be ready to tell the stories of your US experience.",
		}},
		{"exams done, final phase", done, "2026-11-21", []string{
			"Now to February 2027: add more USCE if you still need it, finish OET if your pathway requires it, and confirm 2-3 US letters.",
			"March to August 2027: ERAS opens in June: list your USCE in its Experiences section, build your personal statement on it, and have your letters uploaded.",
			"Around September 1, 2027: submit your ERAS application.",
			"October 2027 to January 2028: interviews: be ready to tell the stories of your US experience.",
		}},
		{"submitted", done, "2027-10-05", []string{
			"Now to January 2028: interviews: be ready to tell the stories of your US experience.",
		}},
		{"cycle over", done, "2028-02-01", nil},
	} {
		a := Assess(tt.p, day(tt.now))
		got := a.Plan[len(a.Gaps):] // one line per gap, then the milestones
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: milestones (-want +got):\n%s", tt.name, diff)
		}
		// The structured milestones are the same lines, in the same order.
		if len(a.Milestones) != len(got) {
			t.Errorf("%s: %d Milestones for %d milestone lines", tt.name, len(a.Milestones), len(got))
			continue
		}
		for i, m := range a.Milestones {
			if !strings.HasSuffix(got[i], ": "+m.Text+".") {
				t.Errorf("%s: Milestones[%d].Text = %q, not the end of %q", tt.name, i, m.Text, got[i])
			}
			if !m.From.Before(m.To) || m.From.Day() != 1 || m.To.Day() != 1 || m.To.Location() != time.UTC {
				t.Errorf("%s: Milestones[%d] spans %v to %v, want first days of months in UTC", tt.name, i, m.From, m.To)
			}
			if !day(tt.now).Before(m.To) {
				t.Errorf("%s: Milestones[%d] ended %v, before %s", tt.name, i, m.To, tt.now)
			}
		}
	}
}

func TestMilestoneFields(t *testing.T) {
	p := with(strong(), func(p *Profile) { p.Stage, p.Specialty, p.ApplicationYear = StageStudent, Pediatrics, ptr(2027) })
	a := Assess(p, day("2025-01-10"))
	want := Milestone{
		From: day("2026-03-01"), To: day("2026-09-01"),
		Text:   "secure 1-3 months of USCE (electives), at least one in pediatrics",
		Topics: []string{"timeline", "electives-students"},
	}
	if len(a.Milestones) < 2 {
		t.Fatalf("Assess() milestones = %v, want the early and secure ones", a.Milestones)
	}
	if diff := cmp.Diff(want, a.Milestones[1]); diff != "" {
		t.Errorf("Assess() second milestone (-want +got):\n%s", diff)
	}
	if a.Milestones[0].From != day("2024-09-01") {
		t.Errorf("Assess() first milestone from %v, want 2024-09-01 though it is under way", a.Milestones[0].From)
	}
}

// topicIDs are the topic ids of topics.md.
var topicIDs = []string{"usce-definition", "usce-types-hierarchy", "hands-on-vs-observership",
	"usce-why-important", "usce-mandatory", "telehealth-counts", "telehealth-types",
	"telehealth-value", "virtual-rotation-scam", "tele-lor", "tele-duration",
	"tele-vs-home-clinical", "skip-tele", "no-usce-alternatives", "observership-counts",
	"externship", "electives-students", "research-usce", "scribe-roles",
	"volunteering-shadowing", "premed-clinical", "how-much-usce", "recency",
	"specialty-match", "timeline", "yog-gap", "visa-constraints", "limited-funds",
	"finding-usce", "cold-email", "vetting-programs", "maximize-rotation", "lor-hierarchy",
	"lor-request", "eras-entry", "personal-statement", "interview-usce"}

func TestReadNext(t *testing.T) {
	p := Profile{
		Stage: StageGraduate, GradYear: ptr(2015), ApplicationYear: ptr(2027),
		Specialty: Psychiatry, Step1: Step1Passed, Visa: VisaNeeded, CanTravel: No,
		Budget: BudgetLow, USLetters: ptr(1),
		Experiences: []Experience{
			{Kind: KindTelehealth, Weeks: 12, InUS: true, Remote: true},
			exp(KindObservership, 2, Psychiatry, 2019),
		},
	}
	for _, at := range []string{"2024-01-01", "2026-11-21"} {
		a := Assess(p, day(at))
		seen := map[string]bool{}
		for _, id := range a.ReadNext {
			if !slices.Contains(topicIDs, id) {
				t.Errorf("Assess() at %s read_next has %q, not a topic id", at, id)
			}
			if seen[id] {
				t.Errorf("Assess() at %s read_next has %q twice", at, id)
			}
			seen[id] = true
		}
		for _, id := range []string{"timeline", "visa-constraints", "no-usce-alternatives", "tele-duration", "yog-gap"} {
			if !seen[id] {
				t.Errorf("Assess() at %s read_next = %v, want %s", at, a.ReadNext, id)
			}
		}
	}
}

func TestAssessIncomplete(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    Profile
		gaps []string
	}{
		{"empty", Profile{}, []string{GapNoUSCE, GapNoUSLetter}},
		{"graduate, no application year", Profile{Stage: StageGraduate, GradYear: ptr(2020),
			Experiences: []Experience{exp(KindObservership, 4, "", 2022)}},
			// Judged against 2026, the earliest possible application year.
			[]string{GapNoUSLetter, GapBelowCompetitive, GapObservershipOnly, GapStaleUSCE, GapYOG}},
		{"bad weeks and kind", Profile{Experiences: []Experience{{Kind: "x", Weeks: -4}, {Weeks: 3}}},
			[]string{GapNoUSCE, GapNoUSLetter}},
	} {
		a := Assess(tt.p, now)
		if diff := cmp.Diff(tt.gaps, a.Gaps); diff != "" {
			t.Errorf("%s: Assess() gaps (-want +got):\n%s", tt.name, diff)
		}
		if a.Phase != "" || a.MonthsToApplication != 0 {
			t.Errorf("%s: Assess() phase %q, months %d; want none without an application year", tt.name, a.Phase, a.MonthsToApplication)
		}
		if len(a.Plan) != len(a.Gaps) {
			t.Errorf("%s: Assess() plan = %q, want one line per gap and no milestones", tt.name, a.Plan)
		}
	}
}

func TestAssessJSON(t *testing.T) {
	b, err := json.Marshal(Assess(Profile{}, now))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"readiness", "phase", "usce_weeks", "hands_on_weeks",
		"specialty_weeks", "recent_weeks", "tele_weeks", "gaps", "plan", "milestones", "read_next",
		"months_to_application"} {
		if _, ok := got[key]; !ok {
			t.Errorf("assess JSON %s has no %q", b, key)
		}
	}
	if b, _ := json.Marshal(Assess(strong(), now)); !strings.Contains(string(b), `"gaps":[]`) {
		t.Errorf("assess JSON %s: want gaps as [] when there are none", b)
	}
}

// An example is one line of an assess-examples file.
type example struct {
	Name            string   `json:"name"`
	Now             string   `json:"now"`
	ExpectReadiness string   `json:"expect_readiness"`
	ExpectPhase     string   `json:"expect_phase"`
	ExpectGaps      []string `json:"expect_gaps"`
	Profile         Profile  `json:"profile"`
}

func checkExamples(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s: not here", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var ex example
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		at, err := time.Parse(time.DateOnly, ex.Now)
		if err != nil {
			t.Fatalf("%s:%d: now: %v", path, line, err)
		}
		if err := ex.Profile.Validate(at); err != nil {
			t.Errorf("%s:%d %s: Validate() = %v", path, line, ex.Name, err)
		}
		a := Assess(ex.Profile, at)
		if a.Readiness != ex.ExpectReadiness {
			t.Errorf("%s: Assess() readiness = %s, want %s", ex.Name, a.Readiness, ex.ExpectReadiness)
		}
		if a.Phase != ex.ExpectPhase {
			t.Errorf("%s: Assess() phase = %s, want %s", ex.Name, a.Phase, ex.ExpectPhase)
		}
		if diff := cmp.Diff(ex.ExpectGaps, a.Gaps, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: Assess() gaps (-want +got):\n%s", ex.Name, diff)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Errorf("%s: no examples", path)
	}
}

// TestSharedExamples checks the product's worked examples, when the shared
// folder is there.
func TestSharedExamples(t *testing.T) {
	checkExamples(t, "../../../shared/eval/assess-examples.jsonl")
}

// TestExamples checks the package's own worked examples.
func TestExamples(t *testing.T) {
	checkExamples(t, "testdata/assess.jsonl")
}
