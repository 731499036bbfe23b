package advisor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uscebot/uscebot/advisor/rules"
)

// Changing a finished profile: a second /intake offers to change one
// answer (or add or remove one experience) instead of walking through all
// of them, and /profile adds or removes one experience in a line.

// Steps of a finished profile's menus.
const (
	stepChange    = "change"            // which answer to change
	stepExpRemove = "experience_remove" // which experience to remove
)

// Values of the change menu besides the fields' names.
const (
	changeAdd     = "experience_add"
	changeRemove  = "experience_remove"
	changeAll     = "all"
	changeNothing = "nothing"
	removeNone    = "none"
)

// changeOptions are the change menu: every field with its answer, adding
// or removing an experience, going through everything, or nothing.
func changeOptions(p rules.Profile) []Option {
	var opts []Option
	for _, f := range Fields() {
		opts = append(opts, Option{f, fieldSpecs[f].label + ": " + FieldValue(p, f)})
	}
	opts = append(opts, Option{changeAdd, "Add an experience"})
	if len(p.Experiences) > 0 {
		opts = append(opts, Option{changeRemove, "Remove an experience"})
	}
	return append(opts, Option{changeAll, "Go through every answer"}, Option{changeNothing, "Nothing, it's fine"})
}

// removeOptions list the experiences by number, then "none".
func removeOptions(p rules.Profile) []Option {
	opts := make([]Option, 0, len(p.Experiences)+1)
	for i, e := range p.Experiences {
		n := strconv.Itoa(i + 1)
		opts = append(opts, Option{n, n + ". " + DescribeExperience(e)})
	}
	return append(opts, Option{removeNone, "None, keep them all"})
}

// change takes the choice of the change menu.
func (t *turn) change(a, kw string) (string, bool) {
	v, ok := matchOption(changeOptions(t.p), a)
	for _, f := range Fields() {
		if !ok && kw == answerKey(fieldSpecs[f].label) { // "step 2 ck", "travel to the us"
			v, ok = f, true
		}
	}
	switch {
	case ok && v == changeAll:
		t.s = IntakeState{Step: stepOrder[0], Explained: t.s.Explained}
		return "Let's go through it all: each question shows your current answer; send keep to keep it.", true
	case ok && v == changeNothing, slices.Contains(noneWords, kw):
		t.finish()
		return "Nothing changed: your profile is as it was.", true
	case ok && v == changeAdd:
		t.goTo(stepExperience)
		return "OK, a new experience.", true
	case ok:
		t.goTo(v) // a field, or stepExpRemove
		return "OK.", true
	}
	return t.refuse(loopSteps[stepChange].reason)
}

// remove takes the choice of the experience to remove.
func (t *turn) remove(a string) (string, bool) {
	v, ok := matchOption(removeOptions(t.p), a)
	if !ok {
		return t.refuse(loopSteps[stepExpRemove].reason)
	}
	t.finish()
	if v == removeNone {
		return "Nothing removed.", true
	}
	n, _ := strconv.Atoi(v) // an option's value: 1..len(experiences)
	e := t.p.Experiences[n-1]
	t.p.Experiences = removeAt(t.p.Experiences, n-1)
	return fmt.Sprintf("Removed %s. %s left on your profile.", DescribeExperience(e), countNoun(len(t.p.Experiences), "experience")), true
}

// removeAt returns a copy of es without es[i]; nil when none is left, as
// an intake that never had any leaves it.
func removeAt(es []rules.Experience, i int) []rules.Experience {
	out := slices.Delete(slices.Clone(es), i, i+1)
	if len(out) == 0 {
		return nil
	}
	return out
}

// RemoveExperience handles /profile remove experience <n>: n counts from 1,
// as /profile lists them.
func RemoveExperience(p rules.Profile, n int) (rules.Profile, rules.Experience, error) {
	if n < 1 || n > len(p.Experiences) {
		if len(p.Experiences) == 0 {
			return p, rules.Experience{}, fmt.Errorf("there's no experience %d: your profile has none", n)
		}
		return p, rules.Experience{}, fmt.Errorf("there's no experience %d: /profile lists them, from 1 to %d", n, len(p.Experiences))
	}
	e := p.Experiences[n-1]
	p.Experiences = removeAt(p.Experiences, n-1)
	return p, e, nil
}

// AddExperience handles /profile add experience <description>, read as the
// intake reads one. A complete description is added at once. One that
// lacks a part, on a finished profile, starts the intake's questions for
// the missing parts (Prompt set; answering finishes the intake again); in
// the middle of the intake, it says what is missing and how to add it. A
// refusal's Text is plain, without Markdown.
func AddExperience(p rules.Profile, s IntakeState, description string, now time.Time) (rules.Profile, IntakeState, IntakeReply) {
	description = strings.TrimSpace(strings.ToValidUTF8(description, " "))
	c := rules.Classify(description)
	if description == "" || !readSomething(c) {
		return p, s, IntakeReply{Text: "I couldn't read an experience there: " + loopSteps[stepExperience].ask + ".", Invalid: true}
	}
	d, also := drafts(c)
	if reason := lateExperience(p, d); reason != "" {
		return p, s, IntakeReply{Text: reason + ".", Invalid: true}
	}
	if nextDraftStep(d) == stepExpConfirm {
		np := cloneProfile(p)
		np.Experiences = append(append(np.Experiences, d), also...)
		if len(also) > 0 {
			return np, s, IntakeReply{Text: fmt.Sprintf("Added experiences %d to %d: **%s**.", len(p.Experiences)+1, len(np.Experiences), describeBatch(d, also)), Changed: true}
		}
		return np, s, IntakeReply{Text: fmt.Sprintf("Added experience %d: **%s**.", len(np.Experiences), DescribeExperience(d)), Changed: true}
	}
	if s.Step == StepDone || s.Edit {
		// A finished profile (or one in its change menu): the intake asks
		// for the missing parts and finishes again.
		t := turn{p: p, s: IntakeState{Step: stepExperience, Edit: true, Explained: s.Explained}, now: now}
		t.s.Draft, t.s.Also = &d, also
		t.goTo(nextDraftStep(d))
		ns, pr := present(p, t.s)
		return p, ns, IntakeReply{Text: "Got it: **" + DescribeExperience(d) + "**.", Prompt: pr, Changed: true}
	}
	// Plain text: a refusal is shown as an error line.
	return p, s, IntakeReply{Text: fmt.Sprintf("I read %s but not %s: send it again with %s, for example /profile add experience 8-week IM externship, 2025.",
		DescribeExperience(d), strings.Join(missingParts(d), " or "), pronoun(len(missingParts(d)))), Invalid: true}
}

// missingParts says what a draft lacks, in the order the intake asks.
func missingParts(d rules.Experience) []string {
	var out []string
	if d.Kind == "" {
		out = append(out, "what kind it was")
	}
	if d.Weeks <= 0 {
		out = append(out, "how long it was")
	}
	if d.EndYear == 0 {
		out = append(out, "when it ended")
	}
	return out
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
