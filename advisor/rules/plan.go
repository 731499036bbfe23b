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
// Every goal for new USCE carries usceBy and every goal for letters
// lettersBy, the dates of the timeline's milestones, so that one goal never
// has two dates; and a line never asks for what the profile already has.
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
		return step{"Earn one strong letter from a US physician who has seen your work in person" + f.inSpecialty(", ideally in ") + ", " + f.lettersBy() + ".",
			[]string{"lor-hierarchy", "lor-request"}}
	case GapFewUSLetters:
		return step{"You have 1 US letter: aim for 2-3" + f.inSpecialty(", ideally in ") + ", " + f.lettersBy() + ".",
			[]string{"lor-request"}}
	case GapBelowCompetitive:
		kinds, topic := "externships or hands-on rotations", "externship"
		if f.p.Stage == StageStudent {
			kinds, topic = "electives or sub-internships", "electives-students"
		}
		have := "none of your USCE is hands-on yet"
		if a.HandsOnWeeks > 0 {
			have = fmt.Sprintf("you have %s so far", weeks(a.HandsOnWeeks))
		}
		return step{fmt.Sprintf("Build up to 2-4 months of hands-on USCE (%s) %s; %s.", kinds, f.usceBy(), have),
			[]string{"how-much-usce", "hands-on-vs-observership", topic}}
	case GapObservershipOnly:
		return f.nonHandsOn()
	case GapNoSpecialtyUSCE:
		have := "."
		if a.SpecialtyWeeks > 0 {
			have = fmt.Sprintf("; you have %s of it.", weeks(a.SpecialtyWeeks))
		}
		return step{fmt.Sprintf("Get 1-2 months of USCE in %s %s: letters from your own specialty count most%s", f.specialty, f.usceBy(), have),
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
		if a.RecentWeeks >= 8 {
			// S4 asks for at least 2-3 months of recent USCE: 8 weeks is 2.
			return step{fmt.Sprintf("%s: your %s of recent USCE show the recent clinical activity programs look for; be ready to explain the gap.", gap, weeks(a.RecentWeeks)),
				[]string{"yog-gap"}}
		}
		have := ""
		if a.RecentWeeks > 0 {
			have = fmt.Sprintf(" (you have %s)", weeks(a.RecentWeeks))
		}
		return step{fmt.Sprintf("%s: get 2-3 months of recent USCE %s%s and be ready to explain the gap.", gap, f.usceBy(), have),
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
		var when string
		switch m := a.MonthsToApplication; {
		case m > 0:
			when = fmt.Sprintf("%d month%s to go", m, plural(m))
		case m == 0:
			when = "less than a month to go"
		default:
			when = fmt.Sprintf("the %d application season is under way", f.appYear)
		}
		return step{fmt.Sprintf("Urgent: %s. Secure any recent USCE now; what can't be done in time goes to the %d cycle.", when, f.appYear+1),
			[]string{"timeline", "finding-usce"}}
	}
	return step{}
}

// nonHandsOn is the observership-only action, worded for the kinds the user
// has: S4's 2-3 months is for observerships, and shadowing or volunteering
// alone count for little (S3, S4).
func (f facts) nonHandsOn() step {
	var kinds []string
	for _, k := range []string{KindObservership, KindShadowing, KindVolunteering} {
		if slices.ContainsFunc(f.p.Experiences, func(e Experience) bool { return e.Kind == k && e.Tier() == TierNonHandsOn }) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 1 && kinds[0] == KindObservership {
		return step{"With observerships only, aim for 2-3 months in total" + f.inSpecialty(" in ") + " " + f.usceBy() + ", at teaching hospitals that give a detailed letter.",
			[]string{"observership-counts"}}
	}
	names := map[string]string{KindObservership: "observerships", KindShadowing: "shadowing", KindVolunteering: "volunteering"}
	for i, k := range kinds {
		kinds[i] = names[k]
	}
	return step{"Your USCE so far is " + list(kinds) + ", where you watch rather than take part: aim for 2-3 months in total" + f.inSpecialty(" in ") + " " + f.usceBy() +
		", with observerships at teaching hospitals that give a detailed letter, or better, hands-on work.",
		[]string{"volunteering-shadowing", "observership-counts"}}
}

// The timeline topic (S4) counts back from an application in September of
// the application year y: 2-3 years before, exams and exploring; 12-18
// months before (March to August of y-1), securing USCE; 6-12 months before
// (September of y-1 to February of y), more USCE if needed, Step 2 CK and
// letters; then the application itself.
func (f facts) secureEnd() time.Time { return date(f.appYear-1, time.September) }
func (f facts) finalEnd() time.Time  { return date(f.appYear, time.March) }

// usceBy is the date for new USCE: the end of the timeline's window for it
// still ahead (the one for securing USCE, else the one for adding more).
func (f facts) usceBy() string {
	return f.by("as soon as you can", f.secureEnd(), f.finalEnd())
}

// lettersBy is the date for letters: the end of the window that confirms
// them, else the application.
func (f facts) lettersBy() string {
	if f.appYear != 0 && !f.now.Before(f.finalEnd()) && f.now.Before(date(f.appYear, time.September)) {
		return fmt.Sprintf("before you apply in September %d", f.appYear)
	}
	return f.by("as soon as you can", f.finalEnd())
}

// by names the last month before the first of the ends still ahead ("by
// August 2026"), or fallback once they are all past or the application year
// is unknown.
func (f facts) by(fallback string, ends ...time.Time) string {
	if f.appYear == 0 {
		return fallback
	}
	for _, end := range ends {
		if f.now.Before(end) {
			return "by " + end.AddDate(0, -1, 0).Format("January 2006")
		}
	}
	return fallback
}

// inSpecialty returns prefix and the target specialty, or "" when unset.
func (f facts) inSpecialty(prefix string) string {
	if f.specialty == "" {
		return ""
	}
	return prefix + f.specialty
}

// needsUSCE reports whether a gap still asks for more USCE.
func (f facts) needsUSCE() bool {
	for _, g := range f.a.Gaps {
		switch g {
		case GapNoUSCE, GapBelowBaseline, GapBelowCompetitive, GapObservershipOnly,
			GapNoSpecialtyUSCE, GapStaleUSCE, GapTeleOnly, GapLateStart:
			return true
		case GapYOG:
			if f.a.RecentWeeks < 8 {
				return true
			}
		}
	}
	return false
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
// application year and worded for the profile: those already over, and
// those the profile has already done, are left out.
func (f facts) milestones() []Milestone {
	y := f.appYear
	if y == 0 {
		return nil
	}
	student := f.p.Stage == StageStudent
	step1 := f.p.Step1 != Step1Passed
	var exams []string // still to pass, in the order they are taken
	if step1 {
		exams = append(exams, "Step 1")
	}
	if f.p.Step2CK == nil {
		exams = append(exams, "Step 2 CK")
	}

	var all []Milestone
	add := func(from, to time.Time, topics []string, parts ...string) {
		if len(parts) > 0 {
			all = append(all, Milestone{From: from, To: to, Text: list(parts), Topics: topics})
		}
	}

	// 2-3 years before: exams and where to rotate.
	var early []string
	if len(exams) > 0 {
		early = append(early, "work on "+list(exams))
	}
	early = append(early, "explore where you could rotate")
	earlyTopics := []string{"timeline", "finding-usce"}
	if student {
		early = append(early, "plan your final-year US electives")
		earlyTopics = append(earlyTopics, "electives-students")
	}
	add(date(y-3, time.September), date(y-2, time.September), earlyTopics, early...)

	// 12-18 months before: secure USCE, unless the profile has it already.
	kinds, topics := "externships or observerships", []string{"timeline", "finding-usce"}
	if student {
		kinds, topics = "electives", []string{"timeline", "electives-students"}
	}
	inSpecialty := f.specialty != "" && f.a.SpecialtyWeeks >= 4
	var secure []string
	switch {
	case f.a.RecentWeeks < 4 && inSpecialty:
		secure = append(secure, fmt.Sprintf("secure 1-3 months of USCE (%s)", kinds))
	case f.a.RecentWeeks < 4:
		secure = append(secure, fmt.Sprintf("secure 1-3 months of USCE (%s), at least one in %s", kinds, or(f.specialty, "your specialty")))
	case !inSpecialty && f.specialty != "":
		secure = append(secure, fmt.Sprintf("secure at least a month of USCE in %s (%s)", f.specialty, kinds))
	}
	if len(secure) > 0 && student && step1 {
		secure[0] += ", with Step 1 passed first if you can: many electives ask for it"
	}
	add(date(y-1, time.March), date(y-1, time.September), topics, secure...)

	// 6-12 months before: what USCE is still missing (while the window for
	// securing it is ahead, the gaps' lines date it to that window), exams,
	// letters.
	var final []string
	if f.needsUSCE() && !f.now.Before(f.secureEnd()) {
		final = append(final, "add the USCE you still need")
	}
	if step1 {
		final = append(final, "pass Step 1")
	}
	if f.p.Step2CK == nil {
		final = append(final, "finish Step 2 CK (and OET, if your pathway requires it)")
	} else {
		final = append(final, "finish OET if your pathway requires it")
	}
	if f.p.USLetters != nil && *f.p.USLetters >= 2 {
		final = append(final, fmt.Sprintf("confirm your %d US letters with their writers", *f.p.USLetters))
	} else {
		final = append(final, "confirm 2-3 US letters")
	}
	add(date(y-1, time.September), date(y, time.March), []string{"lor-request"}, final...)

	// The application: what the USCE is for.
	add(date(y, time.March), date(y, time.September), []string{"eras-entry", "personal-statement"},
		"list your USCE in the Experiences section of ERAS and build your personal statement on it")
	add(date(y, time.September), date(y, time.October), []string{"interview-usce"},
		"submit your ERAS application, then tell the stories of your US experience in your interviews")

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
