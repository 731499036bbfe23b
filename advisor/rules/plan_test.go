package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// planProfile is a profile for the plan tests, applying years after now.
type planProfile struct {
	name  string
	ahead int // application year - now's year; -1: no application year
	p     Profile
}

// planProfiles are the kinds of people the plan must stay true to.
func planProfiles(now time.Time) []planProfile {
	y := now.Year()
	base := func(stage string, grad int, step1 string, letters int, es ...Experience) Profile {
		return Profile{Stage: stage, GradYear: ptr(grad), Specialty: InternalMedicine, Step1: step1,
			Visa: VisaNeeded, CanTravel: Yes, Budget: BudgetMedium, USLetters: ptr(letters), Experiences: es}
	}
	tele := Experience{Kind: KindTelehealth, Weeks: 12, EndYear: y, InUS: true, Remote: true}
	var out []planProfile
	for _, ahead := range []int{0, 1, 3} {
		for _, pp := range []planProfile{
			{"student, nothing yet", ahead, base(StageStudent, y+ahead+1, Step1NotTaken, 0)},
			{"student graduating the year after applying", ahead, base(StageStudent, y+ahead+1, Step1Passed, 0,
				exp(KindElective, 4, Pediatrics, y))},
			{"new graduate, observerships only", ahead, base(StageGraduate, y-1, Step1Passed, 1,
				exp(KindObservership, 4, InternalMedicine, y))},
			{"old graduate, a week of volunteering in 2015", ahead, base(StageGraduate, 2012, Step1Passed, 0,
				exp(KindVolunteering, 1, "", 2015))},
			{"shadowing only", ahead, base(StageGraduate, y-2, Step1Passed, 0,
				exp(KindShadowing, 2, InternalMedicine, y))},
			{"shadowing and an observership", ahead, base(StageGraduate, y-2, Step1Passed, 1,
				exp(KindShadowing, 2, "", y), exp(KindObservership, 4, "", y))},
			{"tele only", ahead, base(StageGraduate, y-3, Step1Passed, 0, tele)},
			{"tele beside old USCE", ahead, base(StageGraduate, 2015, Step1Failed, 1, tele,
				exp(KindExternship, 4, InternalMedicine, 2018))},
			{"12 recent hands-on weeks, old graduate", ahead, base(StageGraduate, 2015, Step1Passed, 1,
				exp(KindExternship, 12, InternalMedicine, y))},
			{"competitive", ahead, with(base(StageGraduate, y-1, Step1Passed, 3,
				exp(KindExternship, 8, InternalMedicine, y), exp(KindObservership, 4, InternalMedicine, y-1)),
				func(p *Profile) { p.Step2CK = ptr(250) })},
		} {
			pp.name = fmt.Sprintf("%s, applying in %d", pp.name, y+ahead)
			pp.p.ApplicationYear = ptr(y + ahead)
			out = append(out, pp)
		}
	}
	return append(out, planProfile{"no application year", -1, base(StageGraduate, 2010, Step1NotTaken, 0,
		exp(KindObservership, 2, "", 2016))})
}

var (
	negative = regexp.MustCompile(`(^|[^\pL\pN])-\s*\d`)
	byMonth  = regexp.MustCompile(`by (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}`)
)

// TestPlanTrueToProfile checks, for many profiles at many dates, that no
// plan line contradicts the profile, asks for what it already has, gives a
// nonsense number, or gives one goal two dates.
func TestPlanTrueToProfile(t *testing.T) {
	for _, at := range []string{"2026-01-15", "2026-06-15", "2026-12-03", "2027-08-20"} {
		now := day(at)
		for _, pp := range planProfiles(now) {
			p := pp.p
			if err := p.Validate(now); err != nil && pp.ahead >= 0 {
				t.Fatalf("%s: Validate() = %v", pp.name, err)
			}
			a := Assess(p, now)
			name := pp.name + " at " + at
			checkPlan(t, name, p, a, now)
		}
	}
}

func checkPlan(t *testing.T, name string, p Profile, a Assessment, now time.Time) {
	t.Helper()
	plan := strings.Join(a.Plan, "\n")
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s: %s\nplan:\n%s", name, fmt.Sprintf(format, args...), plan)
	}
	if negative.MatchString(plan) {
		fail("a negative number")
	}
	if strings.Contains(plan, " 0 week") {
		fail("0 weeks")
	}
	for i, line := range a.Plan {
		if slices.Contains(a.Plan[:i], line) {
			fail("the line %q twice", line)
		}
	}
	for _, m := range regexp.MustCompile(`apply in (\d{4})`).FindAllStringSubmatch(plan, -1) {
		if p.ApplicationYear == nil || m[1] != fmt.Sprint(*p.ApplicationYear) {
			fail("%q, not the application year", m[0])
		}
	}

	// What the profile already has is never asked for.
	letters := 0
	if p.USLetters != nil {
		letters = *p.USLetters
	}
	for _, c := range []struct {
		has    bool
		phrase string
	}{
		{a.USCEWeeks >= 4, "first month"},
		{a.USCEWeeks >= 4, "Reach at least 1 month"},
		{a.RecentWeeks >= 8, "2-3 months of recent USCE"},
		{a.RecentWeeks >= 4, "secure 1-3 months"},
		{a.SpecialtyWeeks >= 4, "at least one in"},
		{a.SpecialtyWeeks >= 4, "at least a month of USCE in"},
		{a.HandsOnWeeks >= 8, "months of hands-on USCE"},
		{letters >= 1, "Earn one strong letter"},
		{letters >= 2, "2-3 US letters"},
		{letters >= 2, "aim for 2-3"},
		{p.Step1 == Step1Passed, "Step 1"},
		{p.Step2CK != nil, "Step 2 CK"},
		{p.Stage == StageStudent, "externship"},
		{p.Stage == StageGraduate, "elective"},
		{hasKind(p, KindShadowing) || hasKind(p, KindVolunteering), "With observerships only"},
		{a.USCEWeeks == 0, "Your USCE so far"},
		{len(a.Milestones) == 0, "Now to"},
	} {
		if c.has && strings.Contains(plan, c.phrase) {
			fail("%q, which the profile has", c.phrase)
		}
	}

	// One goal, one date: every date for new USCE is the same, and so is
	// every date for letters; a milestone for the same goal ends then.
	var usce, lettersBy []string
	for _, line := range a.Plan[:len(a.Gaps)] {
		dates := byMonth.FindAllString(line, -1)
		if strings.HasPrefix(line, "Earn one strong letter") || strings.HasPrefix(line, "You have 1 US letter") {
			lettersBy = append(lettersBy, dates...)
		} else {
			usce = append(usce, dates...)
		}
	}
	for _, dates := range [][]string{usce, lettersBy} {
		if len(slices.Compact(slices.Sorted(slices.Values(dates)))) > 1 {
			fail("one goal with the dates %q", dates)
		}
	}
	for _, m := range a.Milestones {
		end := "by " + m.To.AddDate(0, -1, 0).Format("January 2006")
		if len(usce) > 0 && (strings.HasPrefix(m.Text, "secure") || strings.HasPrefix(m.Text, "add the USCE")) && usce[0] != end {
			fail("USCE %s in the gaps, but the milestone %q ends %s", usce[0], m.Text, end)
		}
		if len(lettersBy) > 0 && strings.Contains(m.Text, "letters") && lettersBy[0] != end {
			fail("letters %s in the gaps, but the milestone %q ends %s", lettersBy[0], m.Text, end)
		}
	}

	// The milestones are ahead, in order, and are the plan's last lines.
	if len(a.Milestones) > len(a.Plan)-len(a.Gaps) {
		fail("%d milestones for %d milestone lines", len(a.Milestones), len(a.Plan)-len(a.Gaps))
		return
	}
	tail := a.Plan[len(a.Plan)-len(a.Milestones):]
	for i, m := range a.Milestones {
		if !now.Before(m.To) || !m.From.Before(m.To) {
			fail("milestone %q spans %v to %v", m.Text, m.From, m.To)
		}
		if i > 0 && m.From.Before(a.Milestones[i-1].From) {
			fail("milestone %q out of order", m.Text)
		}
		if !strings.HasSuffix(tail[i], ": "+m.Text+".") {
			fail("milestone %q is not the line %q", m.Text, tail[i])
		}
	}
}

func hasKind(p Profile, kind string) bool {
	return slices.ContainsFunc(p.Experiences, func(e Experience) bool { return e.Kind == kind })
}

// TestPlanWording checks the lines that depend on what the profile has.
func TestPlanWording(t *testing.T) {
	now := day("2026-06-15")
	graduate := func(es ...Experience) Profile {
		return with(strong(), func(p *Profile) {
			p.GradYear, p.ApplicationYear, p.USLetters, p.Experiences = ptr(2015), ptr(2027), ptr(1), es
		})
	}
	for _, tt := range []struct {
		name string
		p    Profile
		want string
	}{
		{"recent USCE credited for the YOG gap", graduate(exp(KindExternship, 12, InternalMedicine, 2026)),
			"You graduated in 2015, 12 years before you apply: your 12 weeks of recent USCE show the recent clinical activity programs look for; be ready to explain the gap."},
		{"some recent USCE counted toward the YOG gap", graduate(exp(KindExternship, 4, InternalMedicine, 2026)),
			"You graduated in 2015, 12 years before you apply: get 2-3 months of recent USCE by August 2026 (you have 4 weeks) and be ready to explain the gap."},
		{"volunteering only", graduate(exp(KindVolunteering, 2, "", 2026)),
			"Your USCE so far is volunteering, where you watch rather than take part: aim for 2-3 months in total in internal medicine by August 2026, with observerships at teaching hospitals that give a detailed letter, or better, hands-on work."},
		{"shadowing and observership", graduate(exp(KindShadowing, 2, "", 2026), exp(KindObservership, 4, "", 2026)),
			"Your USCE so far is observerships and shadowing, where you watch rather than take part"},
		{"no hands-on weeks", graduate(exp(KindObservership, 4, InternalMedicine, 2026)),
			"Build up to 2-4 months of hands-on USCE (externships or hands-on rotations) by August 2026; none of your USCE is hands-on yet."},
		{"some specialty weeks", graduate(exp(KindExternship, 2, InternalMedicine, 2026), exp(KindExternship, 8, Pediatrics, 2026)),
			"Get 1-2 months of USCE in internal medicine by August 2026: letters from your own specialty count most; you have 2 weeks of it."},
	} {
		if plan := Assess(tt.p, now).Plan; !slices.ContainsFunc(plan, func(l string) bool { return strings.HasPrefix(l, tt.want) }) {
			t.Errorf("%s: Assess() plan = %q\nwant a line starting %q", tt.name, plan, tt.want)
		}
	}
}
