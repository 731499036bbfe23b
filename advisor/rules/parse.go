package rules

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
)

// The parsers below read one intake answer each, in the words people use.
// On failure the error's message is a one-line reason fit to show the user.

// answers are the words the parsers look for, by what they mean.
var answers = map[string][]string{
	"student": {"student", "studying", "school", "final year", "undergrad", "ms1", "ms2",
		"ms3", "ms4", "ms5", "ms6"},
	"graduating": {"still", "will graduate", "graduating", "going to graduate",
		"expect to graduate"},
	"graduated": {"graduated", "graduate", "grad", "img", "fmg", "finished", "completed",
		"done", "doctor", "physician", "md", "mbbs"},
	"failed": {"fail", "failed", "failing", "didnt pass", "did not pass"},
	"passed": {"pass", "passed", "cleared", "yes", "done", "p", "took"},
	"not taken": {"not", "no", "nope", "havent", "didnt", "yet", "scheduled", "planning",
		"preparing", "studying", "will", "upcoming", "taking", "n a", "none", "pending", "awaiting",
		"waiting"},
	// unsure comes first: a yes/no parser must not read "not sure" as "no".
	"unsure": {"not sure", "unsure", "dont know", "do not know", "no idea", "idk", "maybe",
		"perhaps", "probably"},
	"no visa": {"not needed", "no", "nope", "dont", "do not", "wont", "citizen",
		"green card", "gc", "permanent resident", "ead", "none"},
	"visa": {"yes", "y", "yeah", "yep", "need", "needs", "j1", "j 1", "h1b", "h1", "h 1b",
		"visa", "sponsor", "sponsorship"},
	"no": {"no", "n", "nope", "nah", "cant", "cannot", "can not", "unable", "not", "never"},
	"yes": {"yes", "y", "yeah", "yep", "yup", "ya", "sure", "ok", "okay", "definitely",
		"absolutely", "of course", "can"},
	"low": {"low", "cheap", "little", "limited", "tight", "small", "minimal", "minimum",
		"poor", "not much", "none", "zero", "broke", "no money", "modest"},
	"medium": {"medium", "mid", "moderate", "average", "some", "reasonable", "middle",
		"normal", "ok", "okay"},
	"high": {"high", "lots", "plenty", "big", "large", "flexible", "unlimited", "no limit",
		"generous", "a lot"},
	"none": {"none", "no", "nope", "nothing", "zero"},
}

// says reports whether ws says one of the answers meaning m.
func says(ws []string, m string) bool { return containsAny(ws, answers[m]...) }

// ParseStage reads "are you still in medical school or graduated?".
func ParseStage(text string) (string, error) {
	ws := newDoc(text).ws
	switch {
	case says(ws, "graduating"):
		return StageStudent, nil
	case affirmed(ws, answers["graduated"]...):
		return StageGraduate, nil
	case says(ws, "graduated"): // denied: "not graduated yet"
		return StageStudent, nil
	case says(ws, "student"):
		return StageStudent, nil
	}
	return "", errors.New(`please answer "student" or "graduated"`)
}

// ParseStep1 reads the Step 1 status.
func ParseStep1(text string) (string, error) {
	ws := newDoc(text).ws
	switch {
	case says(ws, "failed"):
		return Step1Failed, nil
	case affirmed(ws, answers["passed"]...):
		return Step1Passed, nil
	case says(ws, "not taken"):
		return Step1NotTaken, nil
	}
	return "", errors.New(`please answer "passed", "failed" or "not taken"`)
}

// negations before a word deny it: "not graduated", "haven't passed".
var negations = map[string]bool{"not": true, "no": true, "havent": true, "hasnt": true,
	"didnt": true, "dont": true, "never": true, "yet": true}

// affirmed reports whether one of the phrases occurs in ws without a
// negation in the two words before it.
func affirmed(ws []string, phrases ...string) bool {
	for i := range ws {
		for _, p := range phrases {
			if phraseAt(ws, i, p) && !(i >= 1 && negations[ws[i-1]]) && !(i >= 2 && negations[ws[i-2]]) {
				return true
			}
		}
	}
	return false
}

// ParseVisa reads "will you need a visa to train in the US?".
func ParseVisa(text string) (string, error) {
	ws := newDoc(text).ws
	switch {
	case says(ws, "unsure"):
	case says(ws, "no visa"):
		return VisaNotNeeded, nil
	case says(ws, "visa"):
		return VisaNeeded, nil
	}
	return "", errors.New(`please answer "yes" (I will need a visa) or "no"`)
}

// ParseYesNo reads a yes/no answer (can_travel).
func ParseYesNo(text string) (string, error) {
	ws := newDoc(text).ws
	switch {
	case says(ws, "unsure"):
	case says(ws, "no"): // before yes: "I can not"
		return No, nil
	case says(ws, "yes"):
		return Yes, nil
	}
	return "", errors.New(`please answer "yes" or "no"`)
}

// ParseBudget reads the budget for rotations: a word ("low", "cheap",
// "plenty"), "$" to "$$$", or an amount in US dollars. The sources give no
// prices, so the amounts are the project's own reading, not a fact to show
// users: under 2,000 USD is low (assessment.md's vet rule calls 2,000 USD
// for 4 weeks a high price), under 6,000 medium, the rest high.
func ParseBudget(text string) (string, error) {
	switch strings.TrimSpace(text) {
	case "$":
		return BudgetLow, nil
	case "$$":
		return BudgetMedium, nil
	case "$$$":
		return BudgetHigh, nil
	}
	d := newDoc(text)
	switch {
	case says(d.ws, "low"):
		return BudgetLow, nil
	case says(d.ws, "medium"):
		return BudgetMedium, nil
	case says(d.ws, "high"):
		return BudgetHigh, nil
	}
	if ps := prices(d); len(ps) > 0 {
		switch usd := ps[0].usd; {
		case usd < 2000:
			return BudgetLow, nil
		case usd < 6000:
			return BudgetMedium, nil
		default:
			return BudgetHigh, nil
		}
	}
	return "", errors.New(`please answer "low", "medium" or "high"`)
}

// ParseGradYear reads the (past or expected) year of graduation.
func ParseGradYear(text string) (int, error) {
	y, ok := answerInt(text)
	if !ok {
		return 0, errors.New("please type the year, for example 2021")
	}
	if y < minYear || y > maxYear {
		return 0, fmt.Errorf("the year must be between %d and %d", minYear, maxYear)
	}
	return y, nil
}

// ParseApplicationYear reads the year the ERAS application is submitted:
// a year, "this year", "next year" or "in 2 years".
func ParseApplicationYear(text string, now time.Time) (int, error) {
	lo, hi := now.Year(), now.Year()+maxYearsAhead
	ws := newDoc(text).ws
	y, ok := firstInt(text)
	switch {
	case containsAny(ws, "this year"):
		y, ok = lo, true
	case containsAny(ws, "next year"):
		y, ok = lo+1, true
	case ok && y <= maxYearsAhead && containsAny(ws, "year", "years"):
		y += lo
	}
	if !ok {
		return 0, fmt.Errorf("please type the year you will apply, for example %d", lo+1)
	}
	if y < lo || y > hi {
		return 0, fmt.Errorf("the year must be between %d and %d", lo, hi)
	}
	return y, nil
}

// ParseStep2CK reads a Step 2 CK score.
func ParseStep2CK(text string) (int, error) {
	s, ok := answerInt(text)
	if !ok || s < 1 || s > maxStep2CK {
		return 0, fmt.Errorf("please type your score (1-%d), or skip if you have not taken it", maxStep2CK)
	}
	return s, nil
}

// ParseUSLetters reads how many strong US letters the user has or is
// promised: "2", "two", "none".
func ParseUSLetters(text string) (int, error) {
	n, ok := answerInt(text)
	if !ok && says(newDoc(text).ws, "none") {
		n, ok = 0, true
	}
	if !ok || n < 0 || n > maxUSLetters {
		return 0, fmt.Errorf("please type a number from 0 to %d", maxUSLetters)
	}
	return n, nil
}

// negativeNumber finds a minus sign right before a digit ("-1", "- 2019").
var negativeNumber = regexp.MustCompile(`(^|[^\pL\pN])-\s*\d`)

// answerInt reads a number typed as the whole point of an answer: exactly
// one number, not negative, and not a duration or a date ("I'll take it in
// 2 months" is not a Step 2 CK score of 2).
func answerInt(text string) (int, bool) {
	if negativeNumber.MatchString(text) {
		return 0, false
	}
	ws := newDoc(text).ws
	n, at := 0, -1
	for i, w := range ws {
		if v, ok := number(w); ok && v == math.Trunc(v) && v < 1e6 {
			if at >= 0 {
				return 0, false // two numbers: which one is the answer?
			}
			n, at = int(v), i
		}
	}
	if at < 0 {
		return 0, false
	}
	if at+1 < len(ws) {
		if _, unit := unitWeeks[ws[at+1]]; unit {
			return 0, false
		}
	}
	return n, true
}
