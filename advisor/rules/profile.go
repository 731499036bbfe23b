// Package rules owns the profile model and the rules of assessment.md:
// classify (an experience's kind and tier), assess (readiness, gaps, phase
// and plan) and vet (an offer's red flags). It is pure Go: no I/O, and it
// never reads the clock (callers pass now).
package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Profile fields, by their JSON names; also the intake's step ids.
const (
	FieldStage           = "stage"
	FieldGradYear        = "grad_year"
	FieldApplicationYear = "application_year"
	FieldSpecialty       = "specialty"
	FieldStep1           = "step1"
	FieldStep2CK         = "step2ck"
	FieldVisa            = "visa"
	FieldCanTravel       = "can_travel"
	FieldBudget          = "budget"
	FieldUSLetters       = "us_letters"
	FieldExperiences     = "experiences"
)

// Values of stage.
const (
	StageStudent  = "student"
	StageGraduate = "graduate"
)

// Values of step1.
const (
	Step1Passed   = "passed"
	Step1Failed   = "failed"
	Step1NotTaken = "not_taken"
)

// Values of visa.
const (
	VisaNotNeeded = "not_needed"
	VisaNeeded    = "needs_visa"
)

// Values of can_travel.
const (
	Yes = "yes"
	No  = "no"
)

// Values of budget.
const (
	BudgetLow    = "low"
	BudgetMedium = "medium"
	BudgetHigh   = "high"
)

// Limits of the numeric answers.
const (
	maxStep2CK    = 300
	maxUSLetters  = 10
	maxWeeks      = 520 // ten years: one experience is never longer
	maxYearsAhead = 6   // how far ahead an application may be planned
)

// Profile is what the advisor knows about a user. A profile being filled in
// by the intake may have any field unset: "" for strings, nil for numbers.
type Profile struct {
	Stage           string       `json:"stage,omitempty"`
	GradYear        *int         `json:"grad_year,omitempty"`
	ApplicationYear *int         `json:"application_year,omitempty"`
	Specialty       string       `json:"specialty,omitempty"`
	Step1           string       `json:"step1,omitempty"`
	Step2CK         *int         `json:"step2ck,omitempty"` // nil: not taken
	Visa            string       `json:"visa,omitempty"`
	CanTravel       string       `json:"can_travel,omitempty"`
	Budget          string       `json:"budget,omitempty"`
	USLetters       *int         `json:"us_letters,omitempty"`
	Experiences     []Experience `json:"experiences,omitempty"`
}

// Clone returns a copy of p that shares no memory with it, so that a copy
// kept (a cache) cannot be changed through p. A new pointer or slice field
// needs a line here; the store's tests fill every field to check.
func (p Profile) Clone() Profile {
	p.GradYear = cloneInt(p.GradYear)
	p.ApplicationYear = cloneInt(p.ApplicationYear)
	p.Step2CK = cloneInt(p.Step2CK)
	p.USLetters = cloneInt(p.USLetters)
	p.Experiences = slices.Clone(p.Experiences)
	return p
}

func cloneInt(v *int) *int {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

// Experience is one clinical or academic experience of a profile.
type Experience struct {
	Kind      string `json:"kind"`
	Weeks     int    `json:"weeks"`
	Specialty string `json:"specialty,omitempty"`
	EndYear   int    `json:"end_year,omitempty"` // 0: unknown
	InUS      bool   `json:"in_us"`
	Remote    bool   `json:"remote"`
}

// UnmarshalJSON decodes an experience; in_us is true when absent, as
// assessment.md says.
func (e *Experience) UnmarshalJSON(data []byte) error {
	type plain Experience // no UnmarshalJSON: no recursion
	p := plain{InUS: true}
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*e = Experience(p)
	return nil
}

// Tier returns the experience's tier (see TierOf).
func (e Experience) Tier() string { return TierOf(e.Kind, e.InUS, e.Remote) }

// Missing returns the required fields not yet set, in intake order (all but
// step2ck and experiences, which are optional).
func (p Profile) Missing() []string {
	var out []string
	add := func(field string, unset bool) {
		if unset {
			out = append(out, field)
		}
	}
	add(FieldStage, p.Stage == "")
	add(FieldGradYear, p.GradYear == nil)
	add(FieldApplicationYear, p.ApplicationYear == nil)
	add(FieldSpecialty, p.Specialty == "")
	add(FieldStep1, p.Step1 == "")
	add(FieldVisa, p.Visa == "")
	add(FieldCanTravel, p.CanTravel == "")
	add(FieldBudget, p.Budget == "")
	add(FieldUSLetters, p.USLetters == nil)
	return out
}

// Validate checks a complete profile, such as one read from a file; the
// error names the first bad field.
func (p Profile) Validate(now time.Time) error {
	if m := p.Missing(); len(m) > 0 {
		return fmt.Errorf("%s: missing", m[0])
	}
	oneOf := func(field, v string, allowed ...string) error {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("%s: %q is not one of %s", field, v, strings.Join(allowed, ", "))
		}
		return nil
	}
	inRange := func(field string, v, lo, hi int) error {
		if v < lo || v > hi {
			return fmt.Errorf("%s: %d is not between %d and %d", field, v, lo, hi)
		}
		return nil
	}
	var step2 error
	if p.Step2CK != nil {
		step2 = inRange(FieldStep2CK, *p.Step2CK, 1, maxStep2CK)
	}
	var specialty error
	if _, ok := ParseSpecialty(p.Specialty); !ok {
		specialty = fmt.Errorf("%s: %q is not a specialty I know", FieldSpecialty, p.Specialty)
	}
	for _, err := range []error{
		oneOf(FieldStage, p.Stage, StageStudent, StageGraduate),
		inRange(FieldGradYear, *p.GradYear, minYear, maxYear),
		inRange(FieldApplicationYear, *p.ApplicationYear, now.Year(), now.Year()+maxYearsAhead),
		specialty,
		oneOf(FieldStep1, p.Step1, Step1Passed, Step1Failed, Step1NotTaken),
		step2,
		oneOf(FieldVisa, p.Visa, VisaNotNeeded, VisaNeeded),
		oneOf(FieldCanTravel, p.CanTravel, Yes, No),
		oneOf(FieldBudget, p.Budget, BudgetLow, BudgetMedium, BudgetHigh),
		inRange(FieldUSLetters, *p.USLetters, 0, maxUSLetters),
	} {
		if err != nil {
			return err // the first problem only: the CLI prints one line
		}
	}
	for i, e := range p.Experiences {
		field := fmt.Sprintf("%s[%d]", FieldExperiences, i)
		// Outside the US the kind changes nothing: "house job in Lahore" has none.
		if _, ok := kindTier[e.Kind]; !ok && (e.Kind != "" || e.InUS) {
			return fmt.Errorf("%s.kind: %q is not a kind of experience", field, e.Kind)
		}
		if err := inRange(field+".weeks", e.Weeks, 1, maxWeeks); err != nil {
			return err
		}
		if e.EndYear != 0 {
			if err := inRange(field+".end_year", e.EndYear, minYear, maxYear); err != nil {
				return err
			}
		}
		if _, ok := ParseSpecialty(e.Specialty); e.Specialty != "" && !ok {
			return fmt.Errorf("%s.specialty: %q is not a specialty I know", field, e.Specialty)
		}
	}
	return nil
}
