package advisor

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uscebot/uscebot/advisor/rules"
)

// The profile fields of the intake: how each is asked, read, checked and
// shown, shared by the intake and /profile set.

// Fields returns the field names SetField accepts, in intake order.
func Fields() []string {
	var out []string
	for _, s := range stepOrder {
		if _, ok := fieldSpecs[s]; ok {
			out = append(out, s)
		}
	}
	return out
}

// A fieldSpec is everything the intake and SetField know about one profile
// field.
type fieldSpec struct {
	question func(p rules.Profile) string
	why      string
	options  []Option
	optional bool
	// reason and ask make the one-line refusal: "reason: ask." ask alone
	// says what is accepted, with an example.
	reason string
	ask    func(now time.Time) string
	// parse reads an answer; ok is false when it cannot be used.
	parse func(answer string, now time.Time) (set func(*rules.Profile), ok bool)
	// show is the field's value for a person, "" when unset.
	show func(p rules.Profile) string
	// label names the field for a person, in the menu of answers to change.
	label string
	// check cross-checks the answer, set in p, against the rest of the
	// profile and the date: the reason of a refusal and what the intake
	// asks instead, "" when it holds.
	check func(p rules.Profile, now time.Time) (reason, ask string)
	// doubt returns an answer, set in p, that is possible but so unusual
	// that the user confirms it, with why; "" when it is usual.
	doubt func(p rules.Profile) (value, reason string)
}

func fixedQuestion(s string) func(rules.Profile) string {
	return func(rules.Profile) string { return s }
}
func fixedAsk(s string) func(time.Time) string { return func(time.Time) string { return s } }

var fieldSpecs = map[string]fieldSpec{
	rules.FieldStage: {
		label:    "Stage",
		question: fixedQuestion("Are you still in medical school or graduated?"),
		why:      "Students look for electives and sub-internships, graduates for externships and observerships, and years since graduation count.",
		options:  stageOptions,
		reason:   "I couldn't tell which",
		ask:      fixedAsk(`please answer "student" or "graduated"`),
		parse:    choiceParser(stageOptions, rules.ParseStage, func(p *rules.Profile, v string) { p.Stage = v }),
		show:     func(p rules.Profile) string { return p.Stage },
	},
	rules.FieldGradYear: {
		label: "Graduation year",
		question: func(p rules.Profile) string {
			switch p.Stage {
			case rules.StageStudent:
				return "What year do you expect to graduate?"
			case rules.StageGraduate:
				return "What year did you graduate?"
			}
			return "What year did you (or will you) graduate?"
		},
		why:    "Programs look at how recently you graduated; more than 3 years before applying makes recent USCE matter more.",
		reason: "That isn't a year I can use",
		ask:    fixedAsk("please type a year from 1970 to 2040, for example 2021"),
		parse: func(a string, _ time.Time) (func(*rules.Profile), bool) {
			y, err := rules.ParseGradYear(a)
			return func(p *rules.Profile) { p.GradYear = &y }, err == nil
		},
		check: func(p rules.Profile, now time.Time) (string, string) {
			if p.Stage == rules.StageGraduate && p.GradYear != nil && *p.GradYear > now.Year() {
				return fmt.Sprintf("You said you've graduated, but %d is still ahead", *p.GradYear),
					"please type the year you graduated, or send back to change that answer"
			}
			return "", ""
		},
		show: func(p rules.Profile) string { return showInt(p.GradYear) },
	},
	rules.FieldApplicationYear: {
		label:    "Application year",
		question: fixedQuestion("What year will you submit your ERAS application?"),
		why:      "It sets your timeline: how long you have to get USCE and letters before September of that year.",
		reason:   "That isn't a year I can use",
		ask: func(now time.Time) string {
			first := firstApplicationYear(now)
			return fmt.Sprintf("please type a year from %d to %d, for example %d", first, now.Year()+6, first+1)
		},
		parse: func(a string, now time.Time) (func(*rules.Profile), bool) {
			y, err := rules.ParseApplicationYear(a, now)
			return func(p *rules.Profile) { p.ApplicationYear = &y }, err == nil
		},
		check: func(p rules.Profile, now time.Time) (string, string) {
			if y := p.ApplicationYear; y != nil && *y < firstApplicationYear(now) {
				return fmt.Sprintf("September 1, %d has passed, so that year's applications are already in", *y),
					fmt.Sprintf("please type %d or later", *y+1)
			}
			for i, e := range p.Experiences {
				if y := p.ApplicationYear; y != nil && e.EndYear > *y {
					return fmt.Sprintf("Your experience %d ends in %d, after you'd apply", i+1, e.EndYear),
						fmt.Sprintf("please type %d or later, or remove that experience first with /profile remove experience %d", e.EndYear, i+1)
				}
			}
			return "", ""
		},
		show: func(p rules.Profile) string { return showInt(p.ApplicationYear) },
	},
	rules.FieldSpecialty: {
		label:    "Specialty",
		question: fixedQuestion("Which specialty are you applying to, e.g. internal medicine, IM or peds?"),
		why:      "Programs want USCE and letters in your own specialty: 1-2 months of it count most.",
		reason:   "I don't know that specialty",
		ask:      fixedAsk("please type a specialty like internal medicine, pediatrics or psychiatry (IM, peds and psych work too)"),
		parse: func(a string, _ time.Time) (func(*rules.Profile), bool) {
			name, ok := rules.ParseSpecialty(a)
			return func(p *rules.Profile) { p.Specialty = name }, ok
		},
		show: func(p rules.Profile) string { return p.Specialty },
	},
	rules.FieldStep1: {
		label:    "Step 1",
		question: fixedQuestion("Have you passed USMLE Step 1, failed it, or not taken it yet?"),
		why:      "Step 1 and Step 2 CK are best done 2-3 years before you apply, so your plan fits rotations around an exam still to take.",
		options:  step1Options,
		reason:   "I couldn't read that",
		ask:      fixedAsk(`please answer "passed", "failed" or "not taken"`),
		parse:    choiceParser(step1Options, rules.ParseStep1, func(p *rules.Profile, v string) { p.Step1 = v }),
		show:     func(p rules.Profile) string { return spaced(p.Step1) },
	},
	rules.FieldStep2CK: {
		label:    "Step 2 CK",
		question: fixedQuestion("What's your Step 2 CK score, if you've taken it?"),
		why:      "If you haven't taken it yet, your plan makes room for it before you apply.",
		optional: true,
		reason:   "That isn't a Step 2 CK score",
		ask:      fixedAsk("please type your score from 1 to 300, for example 245, or none if you haven't taken it"),
		parse: func(a string, _ time.Time) (func(*rules.Profile), bool) {
			if s, err := rules.ParseStep2CK(a); err == nil {
				return func(p *rules.Profile) { p.Step2CK = &s }, true
			}
			// "not yet", "none", "no": the same as skip.
			if st, err := rules.ParseStep1(a); (err == nil && st == rules.Step1NotTaken) || isSkip(answerKey(a)) {
				return func(p *rules.Profile) { p.Step2CK = nil }, true
			}
			return nil, false
		},
		doubt: func(p rules.Profile) (string, string) {
			if p.Step2CK == nil || *p.Step2CK >= minUsualStep2CK {
				return "", ""
			}
			v := strconv.Itoa(*p.Step2CK)
			return v, fmt.Sprintf("A Step 2 CK score under %d is very rare, so let me check: send %s again (or yes) if it's right, or type the right score", minUsualStep2CK, v)
		},
		show: func(p rules.Profile) string {
			if p.Step2CK == nil {
				return "" // nil is both "not asked yet" and "not taken": show nothing
			}
			return strconv.Itoa(*p.Step2CK)
		},
	},
	rules.FieldVisa: {
		label:    "Visa",
		question: fixedQuestion("Will you need a visa to train in the US?"),
		why:      "Needing a visa narrows where you can rotate, and with no travel possible the plan turns to alternatives.",
		options:  visaOptions,
		reason:   "I couldn't tell",
		ask:      fixedAsk(`please answer "yes" if you'll need a visa, or "no" (if unsure, say yes)`),
		parse:    choiceParser(visaOptions, rules.ParseVisa, func(p *rules.Profile, v string) { p.Visa = v }),
		show: func(p rules.Profile) string {
			switch p.Visa {
			case rules.VisaNeeded:
				return "needs a visa"
			case rules.VisaNotNeeded:
				return "no visa needed"
			}
			return ""
		},
	},
	rules.FieldCanTravel: {
		label:    "Travel to the US",
		question: fixedQuestion("Can you travel to the US in the next 12 months?"),
		why:      "In-person USCE needs you in the US; if you can't travel, the plan leans on alternatives.",
		options:  travelOptions,
		reason:   "I couldn't tell",
		ask:      fixedAsk(`please answer "yes" or "no"`),
		parse:    choiceParser(travelOptions, rules.ParseYesNo, func(p *rules.Profile, v string) { p.CanTravel = v }),
		show:     func(p rules.Profile) string { return p.CanTravel },
	},
	rules.FieldBudget: {
		label:    "Budget",
		question: fixedQuestion("What's your budget for rotations: low, medium or high?"),
		why:      "Paid rotations often cost thousands; on a tight budget the plan starts with free and high-yield options.",
		options:  budgetOptions,
		reason:   "I couldn't read a budget",
		ask:      fixedAsk(`please answer "low", "medium" or "high"`),
		parse:    choiceParser(budgetOptions, rules.ParseBudget, func(p *rules.Profile, v string) { p.Budget = v }),
		show:     func(p rules.Profile) string { return p.Budget },
	},
	rules.FieldUSLetters: {
		label:    "US letters",
		question: fixedQuestion("How many strong letters from US physicians do you have or are promised, not counting tele letters?"),
		why:      "Programs want 2-3 US letters; letters from tele or online work are left out because most of them carry little weight.",
		reason:   "That isn't a number of letters I can use",
		ask:      fixedAsk("please type a number from 0 to 10, for example 2"),
		parse: func(a string, _ time.Time) (func(*rules.Profile), bool) {
			n, err := rules.ParseUSLetters(a)
			return func(p *rules.Profile) { p.USLetters = &n }, err == nil
		},
		show: func(p rules.Profile) string { return showInt(p.USLetters) },
	},
}

// The options of the closed-set fields.
var (
	stageOptions = []Option{{rules.StageStudent, "Still in medical school"}, {rules.StageGraduate, "Graduated"}}
	step1Options = []Option{{rules.Step1Passed, "Passed"}, {rules.Step1Failed, "Failed"},
		{rules.Step1NotTaken, "Not taken yet"}}
	visaOptions   = []Option{{rules.VisaNeeded, "Yes, I'll need a visa"}, {rules.VisaNotNeeded, "No visa needed"}}
	travelOptions = []Option{{rules.Yes, "Yes"}, {rules.No, "No"}}
	// No dollar bands: the sources give none, and what is "low" depends
	// on the person.
	budgetOptions = []Option{{rules.BudgetLow, "Low"}, {rules.BudgetMedium, "Medium"}, {rules.BudgetHigh, "High"}}
)

// minUsualStep2CK: a Step 2 CK score below it is far under any passing
// score, more often a typo ("24" for 245) than a result, so it is
// confirmed before it is kept.
const minUsualStep2CK = 150

// firstApplicationYear is the first year whose application season is still
// ahead: ERAS applications go in from September, so once September 1 of
// this year has passed, this year's are in.
func firstApplicationYear(now time.Time) int {
	y := now.Year()
	if now.After(time.Date(y, time.September, 1, 23, 59, 59, 0, now.Location())) {
		return y + 1
	}
	return y
}

// choice makes the parser of a closed-set field: an option's value or
// label first (a button press, or the label typed back), then the rules'
// reading of free words ("grad", "cleared it", "$$").
func choiceParser(opts []Option, parse func(string) (string, error), set func(*rules.Profile, string)) func(string, time.Time) (func(*rules.Profile), bool) {
	return func(a string, _ time.Time) (func(*rules.Profile), bool) {
		v, ok := matchOption(opts, a)
		if !ok {
			var err error
			if v, err = parse(a); err != nil {
				return nil, false
			}
		}
		return func(p *rules.Profile) { set(p, v) }, true
	}
}

// FieldValue shows one profile field for a person: "not set" when it has
// no value (for step2ck, "not taken or not set").
func FieldValue(p rules.Profile, field string) string {
	spec, ok := fieldSpecs[field]
	if !ok {
		return "not set"
	}
	if v := spec.show(p); v != "" {
		return v
	}
	if field == rules.FieldStep2CK {
		return "not taken or not set"
	}
	return "not set"
}

func showInt(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}

// spaced turns an id into words: "not_taken" is "not taken".
func spaced(id string) string { return strings.ReplaceAll(id, "_", " ") }

// SetField sets one profile field from a typed value (/profile set <field>
// <value>), validated as in the intake.
func SetField(p rules.Profile, field, value string, now time.Time) (rules.Profile, error) {
	field = strings.ToLower(strings.TrimSpace(field))
	spec, ok := fieldSpecs[field]
	switch {
	case field == rules.FieldExperiences:
		return p, errors.New("experiences are added and removed one at a time: /profile add experience <description>, /profile remove experience <number>")
	case !ok:
		return p, fmt.Errorf("there's no field by that name: use one of %s", strings.Join(Fields(), ", "))
	}
	value = strings.TrimSpace(strings.ToValidUTF8(value, " "))
	confirmed := false
	if spec.doubt != nil {
		// "/profile set step2ck 142 confirmed" keeps an unusual answer.
		for _, w := range []string{" confirmed", " confirm", " yes"} {
			if v, ok := strings.CutSuffix(strings.ToLower(value), w); ok {
				value, confirmed = strings.TrimSpace(v), true
				break
			}
		}
	}
	set, ok := spec.parse(value, now)
	if value == "" || !ok {
		return p, fmt.Errorf("%s: %s", field, spec.ask(now))
	}
	np := cloneProfile(p)
	set(&np)
	if spec.check != nil {
		if reason, _ := spec.check(np, now); reason != "" {
			return p, fmt.Errorf("%s: %s: %s", field, reason, spec.ask(now))
		}
	}
	if spec.doubt != nil && !confirmed {
		if v, _ := spec.doubt(np); v != "" {
			return p, fmt.Errorf("%s: a score under %d is very rare; if %s is right, send /profile set %s %s confirmed", field, minUsualStep2CK, v, field, v)
		}
	}
	return np, nil
}
