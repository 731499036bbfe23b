package advisor

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor/rules"
)

func intp(v int) *int { return &v }

// personalProfile is a complete profile for the personal notes; tests
// change one thing.
func personalProfile(change func(*rules.Profile)) rules.Profile {
	p := rules.Profile{
		Stage: rules.StageGraduate, GradYear: intp(2022), ApplicationYear: intp(2027),
		Specialty: "FM", Step1: rules.Step1Passed, Visa: rules.VisaNeeded, CanTravel: rules.Yes,
		Budget: rules.BudgetMedium, USLetters: intp(1),
	}
	change(&p)
	return p
}

func inPerson(kind string, weeks, endYear int) rules.Experience {
	return rules.Experience{Kind: kind, Weeks: weeks, EndYear: endYear, InUS: true}
}

var tele = rules.Experience{Kind: rules.KindTelehealth, Weeks: 12, EndYear: 2026, InUS: true, Remote: true}

func TestPersonalize(t *testing.T) {
	now := time.Date(2026, time.December, 3, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, topic string
		p           rules.Profile
		has, hasNot []string // "" in has: no note at all
	}{
		{"tele beside recent USCE is optional", "telehealth-counts",
			personalProfile(func(p *rules.Profile) {
				p.Experiences = []rules.Experience{inPerson(rules.KindObservership, 4, 2026), tele}
			}),
			[]string{"You have 4 weeks of recent in-person USCE (from the last year or two), so tele work is optional"}, nil},
		{"a week of volunteering in 2015 is not recent", "telehealth-value",
			personalProfile(func(p *rules.Profile) { p.Experiences = []rules.Experience{inPerson(rules.KindVolunteering, 1, 2015)} }),
			[]string{"ended in 2015", "won't replace new in-person USCE"}, []string{"optional", "adds little"}},
		{"USCE three years old is not recent", "telehealth-counts",
			personalProfile(func(p *rules.Profile) { p.Experiences = []rules.Experience{inPerson(rules.KindExternship, 8, 2023)} }),
			[]string{"ended in 2023"}, []string{"optional"}},
		{"tele only: most programs, not all", "telehealth-counts",
			personalProfile(func(p *rules.Profile) { p.Experiences = []rules.Experience{tele} }),
			[]string{"no in-person USCE yet", "most programs won't count", "some IMG-friendly community programs"}, []string{"would not meet"}},
		{"complete profile without experiences", "telehealth-counts",
			personalProfile(func(p *rules.Profile) {}),
			[]string{"no in-person USCE yet"}, nil},
		{"intake not at the experiences yet", "telehealth-counts",
			rules.Profile{Stage: rules.StageStudent}, []string{""}, nil},
		{"student applying before graduating", "recency",
			personalProfile(func(p *rules.Profile) {
				p.Stage, p.GradYear, p.ApplicationYear = rules.StageStudent, intp(2027), intp(2026)
			}),
			[]string{"You will apply in 2026, before you graduate in 2027"}, []string{"years after"}},
		{"applying the year of graduation", "recency",
			personalProfile(func(p *rules.Profile) { p.GradYear = intp(2027) }),
			[]string{"You will apply in 2027, the year you graduate"}, nil},
		{"one year after", "yog-gap",
			personalProfile(func(p *rules.Profile) { p.GradYear = intp(2026) }),
			[]string{"You will apply in 2027, 1 year after graduating, with no USCE from within 3 years of that application yet."}, []string{"matters more"}},
		{"old graduate without recent USCE", "yog-gap",
			personalProfile(func(p *rules.Profile) {
				p.GradYear = intp(2015)
				p.Experiences = []rules.Experience{inPerson(rules.KindObservership, 4, 2025)}
			}),
			[]string{"12 years after graduating, with 4 weeks of USCE", "aim for 2-3 months"}, nil},
		{"old graduate with 12 recent weeks", "yog-gap",
			personalProfile(func(p *rules.Profile) {
				p.GradYear = intp(2015)
				p.Experiences = []rules.Experience{inPerson(rules.KindExternship, 12, 2026)}
			}),
			[]string{"with 12 weeks of USCE"}, []string{"aim for 2-3 months"}},
		{"timeline: student before Step 1", "timeline",
			personalProfile(func(p *rules.Profile) { p.Stage, p.Step1 = rules.StageStudent, rules.Step1NotTaken }),
			[]string{"You apply in September 2027, 8 months from now", "Step 1 is still ahead of you", "2-3 years before applying", "electives ask for Step 1"}, nil},
		{"timeline: Step 1 passed", "timeline",
			personalProfile(func(p *rules.Profile) {}),
			[]string{"8 months from now"}, []string{"Step 1"}},
		{"timeline: application season under way", "timeline",
			personalProfile(func(p *rules.Profile) { p.ApplicationYear = intp(2026) }), []string{""}, nil},
		{"specialty: canonical name, aim met", "specialty-match",
			personalProfile(func(p *rules.Profile) {
				p.Experiences = []rules.Experience{{Kind: rules.KindExternship, Weeks: 8, Specialty: "family medicine", EndYear: 2026, InUS: true}}
			}),
			[]string{"You have 8 weeks of USCE in family medicine, which meets the aim"}, []string{"FM"}},
		{"specialty: below the aim", "specialty-match",
			personalProfile(func(p *rules.Profile) { p.Experiences = []rules.Experience{inPerson(rules.KindExternship, 1, 2026)} }),
			[]string{"You have no USCE in family medicine yet; the aim is 1-2 months"}, nil},
		{"how much: tele only", "how-much-usce",
			personalProfile(func(p *rules.Profile) { p.Experiences = []rules.Experience{tele} }),
			[]string{"You have no in-person USCE yet."}, nil},
		{"how much: one week, none hands-on", "how-much-usce",
			personalProfile(func(p *rules.Profile) { p.Experiences = []rules.Experience{inPerson(rules.KindShadowing, 1, 2026)} }),
			[]string{"You have 1 week of USCE, none of it hands-on"}, nil},
	} {
		got := Personalize(tt.topic, tt.p, now)
		for _, want := range tt.has {
			if want == "" && got != "" || !strings.Contains(got, want) {
				t.Errorf("%s: Personalize(%s) = %q, want %q", tt.name, tt.topic, got, want)
			}
		}
		for _, bad := range tt.hasNot {
			if strings.Contains(got, bad) {
				t.Errorf("%s: Personalize(%s) = %q, want no %q", tt.name, tt.topic, got, bad)
			}
		}
		if regexp.MustCompile(`(^|[^\pL\pN])-\d|\b1 weeks\b|\b0 weeks\b`).MatchString(got) {
			t.Errorf("%s: Personalize(%s) = %q: a nonsense number", tt.name, tt.topic, got)
		}
	}
}
