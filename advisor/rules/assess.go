package rules

import (
	"slices"
	"time"
)

// Readiness levels, best first.
const (
	ReadinessCompetitive   = "competitive"
	ReadinessBaseline      = "baseline"
	ReadinessBelowBaseline = "below_baseline"
	ReadinessNone          = "none"
)

// Phases of the run-up to an application.
const (
	PhaseEarly       = "early"
	PhaseSecure      = "secure"
	PhaseFinal       = "final"
	PhaseApplication = "application"
)

// Gaps, in assessment.md's order.
const (
	GapNoUSCE           = "no-usce"
	GapBelowBaseline    = "below-baseline"
	GapNoUSLetter       = "no-us-letter"
	GapFewUSLetters     = "few-us-letters"
	GapBelowCompetitive = "below-competitive"
	GapObservershipOnly = "observership-only"
	GapNoSpecialtyUSCE  = "no-specialty-usce"
	GapStaleUSCE        = "stale-usce"
	GapYOG              = "yog-gap"
	GapTeleOnly         = "tele-only"
	GapTeleExcess       = "tele-excess"
	GapVisaTravel       = "visa-travel"
	GapLowBudget        = "low-budget"
	GapLateStart        = "late-start"
)

// Assessment is the verdict on a profile: totals in weeks, readiness, gaps,
// phase and the plan.
type Assessment struct {
	Readiness      string   `json:"readiness"`
	Phase          string   `json:"phase"` // "" when the application year is unknown
	USCEWeeks      int      `json:"usce_weeks"`
	HandsOnWeeks   int      `json:"hands_on_weeks"`
	SpecialtyWeeks int      `json:"specialty_weeks"`
	RecentWeeks    int      `json:"recent_weeks"`
	TeleWeeks      int      `json:"tele_weeks"`
	Gaps           []string `json:"gaps"`
	Plan           []string `json:"plan"`
	// Milestones are the plan's dated lines still ahead, with their dates
	// (none without an application year).
	Milestones []Milestone `json:"milestones"`
	// ReadNext are the topic ids the plan points to, without repeats.
	ReadNext []string `json:"read_next"`
	// MonthsToApplication is whole months from now to September 1 of the
	// application year, rounded down (negative once past; 0 when unknown).
	MonthsToApplication int `json:"months_to_application"`
}

// Assess applies assessment.md to a profile at a date. An incomplete profile
// is assessed as far as it goes: unset numbers count as zero, and without an
// application year there is no phase and no timeline, and recency is judged
// against the current year (the earliest the application can be, so a gap
// found that way is there whatever year the user picks).
func Assess(p Profile, now time.Time) Assessment {
	a := Assessment{Gaps: []string{}, Plan: []string{}, Milestones: []Milestone{}, ReadNext: []string{}}
	appYear := now.Year()
	if p.ApplicationYear != nil {
		appYear = *p.ApplicationYear
		a.MonthsToApplication = monthsToApplication(now, appYear)
		a.Phase = phaseOf(a.MonthsToApplication)
	}
	letters := 0
	if p.USLetters != nil {
		letters = *p.USLetters
	}
	specialty := ""
	if p.Specialty != "" {
		specialty = canonicalSpecialty(p.Specialty)
	}

	semiWeeks := 0
	for _, e := range p.Experiences {
		w := max(e.Weeks, 0)
		tier := e.Tier()
		switch tier {
		case TierHandsOn:
			a.HandsOnWeeks += w
		case TierSemiHandsOn:
			semiWeeks += w
		case TierSupplemental:
			// Every supplemental experience is remote: the supplemental
			// kinds are tele or online by nature, and anything else is
			// supplemental only because it was remote.
			a.TeleWeeks += w
		}
		if !CountsAsUSCE(tier) {
			continue
		}
		a.USCEWeeks += w
		if specialty != "" && e.Specialty != "" && canonicalSpecialty(e.Specialty) == specialty {
			a.SpecialtyWeeks += w
		}
		if e.EndYear != 0 && appYear-e.EndYear <= 3 {
			a.RecentWeeks += w
		}
	}

	switch {
	case a.HandsOnWeeks >= 8 && a.RecentWeeks >= 8 && a.SpecialtyWeeks >= 4 && letters >= 2:
		a.Readiness = ReadinessCompetitive
	case a.USCEWeeks >= 4 && letters >= 1:
		a.Readiness = ReadinessBaseline
	case a.USCEWeeks > 0:
		a.Readiness = ReadinessBelowBaseline
	default:
		a.Readiness = ReadinessNone
	}

	late := a.Phase == PhaseFinal || a.Phase == PhaseApplication
	for _, g := range []struct {
		id    string
		holds bool
	}{
		{GapNoUSCE, a.USCEWeeks == 0},
		{GapBelowBaseline, 0 < a.USCEWeeks && a.USCEWeeks < 4},
		{GapNoUSLetter, letters == 0},
		{GapFewUSLetters, letters == 1},
		{GapBelowCompetitive, a.USCEWeeks >= 4 && a.HandsOnWeeks < 8},
		{GapObservershipOnly, a.USCEWeeks > 0 && a.HandsOnWeeks == 0 && semiWeeks == 0 && a.USCEWeeks < 8},
		{GapNoSpecialtyUSCE, specialty != "" && a.SpecialtyWeeks < 4},
		{GapStaleUSCE, a.USCEWeeks > 0 && a.RecentWeeks == 0},
		{GapYOG, p.Stage == StageGraduate && p.GradYear != nil && appYear-*p.GradYear > 3},
		{GapTeleOnly, a.TeleWeeks > 0 && a.USCEWeeks == 0},
		{GapTeleExcess, a.TeleWeeks > 8},
		{GapVisaTravel, p.Visa == VisaNeeded && p.CanTravel == No},
		{GapLowBudget, p.Budget == BudgetLow && a.USCEWeeks < 8},
		{GapLateStart, late && a.USCEWeeks < 4},
	} {
		if g.holds {
			a.Gaps = append(a.Gaps, g.id)
		}
	}

	steps, milestones := plan(p, a, now)
	a.Milestones = append(a.Milestones, milestones...)
	for _, s := range steps {
		a.Plan = append(a.Plan, s.text)
		for _, t := range s.topics {
			if !slices.Contains(a.ReadNext, t) {
				a.ReadNext = append(a.ReadNext, t)
			}
		}
	}
	return a
}

// monthsToApplication returns the whole months from now to September 1 of
// year, rounded down: 2026-11-21 to 2027-09-01 is 9, and any day past
// September 1 is below zero.
func monthsToApplication(now time.Time, year int) int {
	y, m, d := now.Date()
	months := (year-y)*12 + int(time.September-m)
	if d > 1 {
		months-- // the month under way is not a whole one
	}
	return months
}

func phaseOf(months int) string {
	switch {
	case months > 18:
		return PhaseEarly
	case months >= 12:
		return PhaseSecure
	case months >= 6:
		return PhaseFinal
	}
	return PhaseApplication
}
