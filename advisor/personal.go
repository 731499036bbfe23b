package advisor

import (
	"fmt"
	"slices"
	"time"

	"github.com/uscebot/uscebot/advisor/rules"
)

// Personalize returns a short note relating a topic's answer to the user's
// own profile ("Your profile has no in-person USCE yet, so..."), or "" when
// the topic has none or the profile lacks what the note needs. Callers
// must show it only to the user (never in a group).
func Personalize(topicID string, p rules.Profile, now time.Time) string {
	a := rules.Assess(p, now)
	hasExperience := len(p.Experiences) > 0
	switch topicID {
	case "telehealth-counts", "telehealth-value":
		return teleNote(p, a, now)
	case "tele-duration":
		if a.TeleWeeks > 8 {
			return fmt.Sprintf("You already have %s of tele work: more weeks will not add much.", weeks(a.TeleWeeks))
		}
	case "skip-tele":
		if p.USLetters != nil && a.HandsOnWeeks >= 8 && *p.USLetters >= 2 {
			return fmt.Sprintf("With %s of hands-on USCE and %d US letters, you are in the case where paying for tele work is hard to justify.",
				weeks(a.HandsOnWeeks), *p.USLetters)
		}
	case "how-much-usce", "observership-counts":
		if hasExperience {
			have := "You have no in-person USCE yet."
			switch {
			case a.HandsOnWeeks > 0:
				have = fmt.Sprintf("You have %s of USCE, %d of them hands-on.", weeks(a.USCEWeeks), a.HandsOnWeeks)
			case a.USCEWeeks > 0:
				have = fmt.Sprintf("You have %s of USCE, none of it hands-on.", weeks(a.USCEWeeks))
			}
			return have + " The baseline at many programs is 1 month (4 weeks) with one strong US letter; " +
				"competitive applicants have 2-4 months (8-16 weeks) of hands-on USCE."
		}
	case "specialty-match":
		if specialty, ok := rules.ParseSpecialty(p.Specialty); ok && hasExperience {
			if a.SpecialtyWeeks >= 4 {
				return fmt.Sprintf("You have %s of USCE in %s, which meets the aim of 1-2 months.", weeks(a.SpecialtyWeeks), specialty)
			}
			if a.SpecialtyWeeks == 0 {
				return fmt.Sprintf("You have no USCE in %s yet; the aim is 1-2 months (4-8 weeks).", specialty)
			}
			return fmt.Sprintf("You have %s of USCE in %s; the aim is 1-2 months (4-8 weeks).", weeks(a.SpecialtyWeeks), specialty)
		}
	case "recency", "yog-gap":
		if p.GradYear != nil && p.ApplicationYear != nil {
			return recencyNote(p, a)
		}
	case "timeline":
		if p.ApplicationYear != nil && a.MonthsToApplication > 0 {
			m := a.MonthsToApplication
			note := fmt.Sprintf("You apply in September %d, %d month%s from now: /plan lists your next steps with dates.",
				*p.ApplicationYear, m, plural(m))
			if p.Step1 == rules.Step1NotTaken || p.Step1 == rules.Step1Failed {
				// The timeline topic (S4) starts both exams 2-3 years
				// before applying, and US electives ask for Step 1.
				note += " Step 1 is still ahead of you, and the timeline puts Step 1 and Step 2 CK 2-3 years before applying"
				if p.Stage == rules.StageStudent {
					note += "; many US electives ask for Step 1 too"
				}
				note += "."
			}
			return note
		}
	}
	return ""
}

// teleNote relates tele work to the user's in-person USCE. S0 makes tele
// optional only when in-person USCE is recent (the last 1-2 years), and a
// stopgap when there is none; the sources disagree on whether tele work
// counts at all, so the note says "most programs", not "programs".
func teleNote(p rules.Profile, a rules.Assessment, now time.Time) string {
	if a.USCEWeeks == 0 {
		if len(p.Experiences) == 0 && len(p.Missing()) > 0 {
			return "" // the intake has not asked about experiences yet
		}
		return "Your profile has no in-person USCE yet, and most programs won't count tele work toward their USCE requirement " +
			"(some IMG-friendly community programs still consider it): treat it as a stopgap and aim for a first month in person (see /plan)."
	}
	// Recent means within the last 1-2 years: an experience that ended
	// last year or this year is surely that; one from two years ago may
	// be nearly three.
	recent, last := 0, 0
	for _, e := range p.Experiences {
		if !rules.CountsAsUSCE(e.Tier()) {
			continue
		}
		last = max(last, e.EndYear)
		if e.EndYear != 0 && now.Year()-e.EndYear <= 1 {
			recent += max(e.Weeks, 0)
		}
	}
	switch {
	case recent > 0:
		return fmt.Sprintf("You have %s of recent in-person USCE (from the last year or two), so tele work is optional for you: it may add a little, but it isn't critical.",
			weeks(recent))
	case last != 0:
		return fmt.Sprintf("Your in-person USCE ended in %d, so tele work could show recent clinical engagement; it won't replace new in-person USCE.", last)
	}
	return "" // no end years: whether it is recent is unknown
}

// recencyNote places the application against graduation and the recent
// USCE. A student may apply the year before graduating.
func recencyNote(p rules.Profile, a rules.Assessment) string {
	app, grad := *p.ApplicationYear, *p.GradYear
	var when string
	switch gap := app - grad; {
	case gap < 0:
		when = fmt.Sprintf("You will apply in %d, before you graduate in %d", app, grad)
	case gap == 0:
		when = fmt.Sprintf("You will apply in %d, the year you graduate", app)
	default:
		when = fmt.Sprintf("You will apply in %d, %d year%s after graduating", app, gap, plural(gap))
	}
	recent := "no USCE from within 3 years of that application yet"
	if a.RecentWeeks > 0 {
		recent = weeks(a.RecentWeeks) + " of USCE from within 3 years of that application"
	}
	note := when + ", with " + recent + "."
	if slices.Contains(a.Gaps, rules.GapYOG) && a.RecentWeeks < 8 {
		note += " More than 3 years after graduating, recent USCE matters more: aim for 2-3 months of it."
	}
	return note
}

func weeks(n int) string { return fmt.Sprintf("%d week%s", n, plural(n)) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
