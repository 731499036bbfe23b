package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A step is one line of the plan and the topics it points to.
type step struct {
	text   string
	topics []string
}

// Milestone is one dated step of the plan still ahead. Its plan line is a
// date label, ": ", Text and a full stop, so the two never disagree.
type Milestone struct {
	// From is the first day of its first month and To the first day of the
	// month after its last (UTC): it spans [From, To), so March to August
	// 2027 is 2027-03-01 to 2027-09-01. One already under way keeps its From.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Text is the plan line without its date label and full stop.
	Text string `json:"text"`
	// Topics are the ids of the topics to read for it.
	Topics []string `json:"topics"`
}

// urgency orders the gaps' actions for each phase; every list holds every
// gap.
//
//   - early (more than 18 months): foundations first. A first month of
//     in-person USCE, then the constraints that decide how to get it (visa,
//     money), then what makes it count (specialty, hands-on, recency);
//     letters come last because they come out of the rotations.
//   - secure (12-18 months): rotations are booked now, so the specialty and
//     recency of the USCE move up, right after getting any at all.
//   - final and application (under 12 months): time is short. late-start
//     leads, then letters (they must be uploaded with the application), then
//     whatever USCE can still be added, then the longer-term advice.
var urgency = map[string][]string{
	PhaseEarly: {GapNoUSCE, GapTeleOnly, GapBelowBaseline, GapVisaTravel, GapLowBudget,
		GapNoSpecialtyUSCE, GapBelowCompetitive, GapObservershipOnly, GapYOG, GapStaleUSCE,
		GapNoUSLetter, GapFewUSLetters, GapTeleExcess, GapLateStart},
	PhaseSecure: {GapNoUSCE, GapTeleOnly, GapBelowBaseline, GapNoSpecialtyUSCE, GapYOG,
		GapStaleUSCE, GapVisaTravel, GapLowBudget, GapBelowCompetitive, GapObservershipOnly,
		GapNoUSLetter, GapFewUSLetters, GapTeleExcess, GapLateStart},
	PhaseFinal:       closingOrder,
	PhaseApplication: closingOrder,
}

var closingOrder = []string{GapLateStart, GapNoUSLetter, GapFewUSLetters, GapNoUSCE,
	GapTeleOnly, GapBelowBaseline, GapYOG, GapStaleUSCE, GapNoSpecialtyUSCE, GapVisaTravel,
	GapLowBudget, GapBelowCompetitive, GapObservershipOnly, GapTeleExcess}

// facts are what the plan's sentences are made of.
type facts struct {
	p         Profile
	a         Assessment
	now       time.Time
	appYear   int    // 0: unknown
	specialty string // "" when not set
}

// plan returns the gaps' actions in order of urgency for the phase (the
// table's order when the phase is unknown), then the milestones still ahead,
// which it also returns as such.
func plan(p Profile, a Assessment, now time.Time) ([]step, []Milestone) {
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // the dates below are UTC
	f := facts{p: p, a: a, now: today}
	if p.ApplicationYear != nil {
		f.appYear = *p.ApplicationYear
	}
	if p.Specialty != "" {
		f.specialty = canonicalSpecialty(p.Specialty)
	}
	order, ok := urgency[a.Phase]
	if !ok {
		order = a.Gaps
	}
	var steps []step
	for _, g := range order {
		if slices.Contains(a.Gaps, g) {
			steps = append(steps, f.action(g))
		}
	}
	ms := f.milestones()
	for _, m := range ms {
		steps = append(steps, step{m.label(f.now) + ": " + m.Text + ".", m.Topics})
	}
	return steps, ms
}

// action is what the plan says for a gap (assessment.md), for this user.
func (f facts) action(gap string) step {
	a := f.a
	switch gap {
	case GapNoUSCE:
		s := step{"Get your first month of in-person US clinical experience (USCE) " + f.usceBy() + ".",
			[]string{"how-much-usce", "finding-usce"}}
		if f.p.CanTravel == No {
			s.text += " Until you can travel, combine a tele observership, clinical work at home and research with a US mentor."
			s.topics = append(s.topics, "no-usce-alternatives")
		}
		return s
	case GapBelowBaseline:
		return step{fmt.Sprintf("Reach at least 1 month (4 weeks) of USCE %s; you have %s.", f.usceBy(), weeks(a.USCEWeeks)),
			[]string{"how-much-usce", "finding-usce"}}
	case GapNoUSLetter:
		return step{"Earn one strong letter from a US physician who has seen your work in person" + f.inSpecialty(", ideally in ") + ".",
			[]string{"lor-hierarchy", "lor-request"}}
	case GapFewUSLetters:
		return step{"You have 1 US letter: aim for 2-3" + f.inSpecialty(", ideally in ") + ", " + f.lettersBy() + ".",
			[]string{"lor-request"}}
	case GapBelowCompetitive:
		kinds, topic := "externships or hands-on rotations", "externship"
		if f.p.Stage == StageStudent {
			kinds, topic = "electives or sub-internships", "electives-students"
		}
		return step{fmt.Sprintf("Build up to 2-4 months of hands-on USCE (%s); you have %s so far.", kinds, weeks(a.HandsOnWeeks)),
			[]string{"how-much-usce", "hands-on-vs-observership", topic}}
	case GapObservershipOnly:
		return step{"With observerships only, aim for 2-3 months in total" + f.inSpecialty(" in ") + ", at teaching hospitals that give a detailed letter.",
			[]string{"observership-counts"}}
	case GapNoSpecialtyUSCE:
		return step{fmt.Sprintf("Get 1-2 months of USCE in %s %s: letters from your own specialty count most.", f.specialty, f.usceBy()),
			[]string{"specialty-match"}}
	case GapStaleUSCE:
		if f.appYear == 0 {
			return step{"Your USCE is more than 3 years old: add new USCE within 3 years of applying.", []string{"recency"}}
		}
		return step{fmt.Sprintf("Your USCE will be more than 3 years old when you apply in %d: add new USCE %s.", f.appYear, f.usceBy()),
			[]string{"recency"}}
	case GapYOG:
		gap := fmt.Sprintf("You graduated in %d", *f.p.GradYear)
		if f.appYear != 0 {
			gap += fmt.Sprintf(", %d years before you apply", f.appYear-*f.p.GradYear)
		}
		return step{gap + ": get 2-3 months of recent USCE and be ready to explain the gap.",
			[]string{"yog-gap", "recency"}}
	case GapTeleOnly:
		return step{"Tele work doesn't count as USCE for most programs: add in-person experience.",
			[]string{"telehealth-counts", "tele-vs-home-clinical"}}
	case GapTeleExcess:
		return step{fmt.Sprintf("You have %s of tele work; its value levels off after 4-8 weeks, so put more time into research, quality-improvement projects or exams.", weeks(a.TeleWeeks)),
			[]string{"tele-duration", "skip-tele"}}
	case GapVisaTravel:
		return step{"While you can't travel: look for observerships that accept a B1/B2 visitor visa, use a tele observership as a stopgap, and do research with a US mentor.",
			[]string{"visa-constraints", "no-usce-alternatives"}}
	case GapLowBudget:
		return step{"On a tight budget, pick 1-2 high-yield experiences, and try your network, alumni and cold emails before paying for a program.",
			[]string{"limited-funds", "cold-email"}}
	case GapLateStart:
		when := "your application is due now"
		if m := a.MonthsToApplication; m > 0 {
			when = fmt.Sprintf("%d month%s to go", m, plural(m))
		}
		return step{fmt.Sprintf("Urgent: %s. Secure any recent USCE now; what can't be done in time goes to the %d cycle.", when, f.appYear+1),
			[]string{"timeline", "finding-usce"}}
	}
	return step{}
}

// usceBy is the deadline for new USCE: June of the application year leaves
// time for its letter before ERAS.
func (f facts) usceBy() string {
	if f.appYear == 0 || !f.now.Before(date(f.appYear, time.June)) {
		return "as soon as you can"
	}
	return "by June " + fmt.Sprint(f.appYear)
}

// lettersBy is the deadline for letters: the application.
func (f facts) lettersBy() string {
	if f.appYear == 0 || !f.now.Before(date(f.appYear, time.September)) {
		return "as soon as you can"
	}
	return fmt.Sprintf("before you apply in September %d", f.appYear)
}

// inSpecialty returns prefix and the target specialty, or "" when unset.
func (f facts) inSpecialty(prefix string) string {
	if f.specialty == "" {
		return ""
	}
	return prefix + f.specialty
}

// label is the milestone's dates as its plan line names them: a milestone of
// one month is a day (the submission, "Around September 1, 2027"), the
// others a span of months.
func (m Milestone) label(now time.Time) string {
	if m.To.Equal(m.From.AddDate(0, 1, 0)) {
		return "Around " + m.From.Format("January 2, 2006")
	}
	return span(m.From, m.To.AddDate(0, -1, 0), now)
}

// milestones are the steps of the timeline topic, dated from the
// application year; those already over are left out.
func (f facts) milestones() []Milestone {
	y := f.appYear
	if y == 0 {
		return nil
	}
	student := f.p.Stage == StageStudent
	var exams []string
	if f.p.Step1 != Step1Passed {
		exams = append(exams, "Step 1")
	}
	if f.p.Step2CK == nil {
		exams = append(exams, "Step 2 CK")
	}

	var early []string
	if len(exams) > 0 {
		early = append(early, "work on "+strings.Join(exams, " and "))
	}
	early = append(early, "explore where you could rotate")
	earlyTopics := []string{"timeline", "finding-usce"}
	if student {
		early = append(early, "plan your final-year US electives")
		earlyTopics = append(earlyTopics, "electives-students")
	}

	secureKinds, secureTopics := "externships or observerships", []string{"timeline", "finding-usce"}
	if student {
		secureKinds, secureTopics = "electives", []string{"timeline", "electives-students"}
	}
	secure := fmt.Sprintf("secure 1-3 months of USCE (%s), at least one in %s", secureKinds, or(f.specialty, "your specialty"))

	exam := "finish OET if your pathway requires it"
	if f.p.Step2CK == nil {
		exam = "finish Step 2 CK (and OET, if your pathway requires it)"
	}

	all := []Milestone{
		{date(y-3, time.September), date(y-2, time.September), list(early), earlyTopics},
		{date(y-1, time.March), date(y-1, time.September), secure, secureTopics},
		{date(y-1, time.September), date(y, time.March),
			"add more USCE if you still need it, " + exam + ", and confirm 2-3 US letters",
			[]string{"lor-request"}},
		{date(y, time.March), date(y, time.September),
			"ERAS opens in June: list your USCE in its Experiences section, build your personal statement on it, and have your letters uploaded",
			[]string{"eras-entry", "personal-statement"}},
		{date(y, time.September), date(y, time.October), "submit your ERAS application", nil},
		{date(y, time.October), date(y+1, time.February),
			"interviews: be ready to tell the stories of your US experience",
			[]string{"interview-usce"}},
	}
	var out []Milestone
	for _, m := range all {
		if f.now.Before(m.To) {
			out = append(out, m)
		}
	}
	return out
}

// date is the first day of a month.
func date(year int, month time.Month) time.Time {
	return time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
}

// span names the months from first to last: "March to August 2027",
// "September 2026 to February 2027", or "Now to February 2027" once under
// way.
func span(first, last, now time.Time) string {
	switch {
	case !now.Before(first):
		return "Now to " + last.Format("January 2006")
	case first.Year() == last.Year():
		return first.Format("January") + " to " + last.Format("January 2006")
	}
	return first.Format("January 2006") + " to " + last.Format("January 2006")
}

// list joins phrases as a sentence does: "a", "a and b", "a, b and c".
func list(phrases []string) string {
	if len(phrases) <= 1 {
		return strings.Join(phrases, "")
	}
	return strings.Join(phrases[:len(phrases)-1], ", ") + " and " + phrases[len(phrases)-1]
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func weeks(n int) string { return fmt.Sprintf("%d week%s", n, plural(n)) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
