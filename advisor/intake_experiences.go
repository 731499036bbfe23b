package advisor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/uscebot/uscebot/advisor/rules"
)

// The experiences loop of the intake: one experience is described, its
// missing parts asked, read back and confirmed, then the next.

// finishExperiences leaves the experiences loop for us_letters.
func (t *turn) finishExperiences() (string, bool) {
	t.s.Draft, t.s.Also = nil, nil
	if t.s.Edit {
		t.finish()
	} else {
		t.goTo(rules.FieldUSLetters)
	}
	switch n := len(t.p.Experiences); n {
	case 0:
		return "No experiences for now: that's fine, your plan will start from there.", true
	default:
		return fmt.Sprintf("Got it: %s on your profile.", countNoun(n, "experience")), true
	}
}

// Words that answer the loop's questions, after answerKey().
var (
	noneWords = []string{"none", "no", "nope", "nothing", "done", "no more", "thats all",
		"that is all", "n a", "na", "none yet", "not yet", "no experience", "no experiences",
		"finished", "all done", "nothing else", "nothing more"}
	clearWords = []string{"clear", "clear all", "clear them", "start over", "delete all", "remove all"}
	yesWords   = []string{"yes", "y", "yeah", "yep", "yup", "ya", "right", "correct", "thats right",
		"that is right", "ok", "okay", "sure", "looks good", "confirm", "good", "perfect",
		"exactly", "yes thats right", "yes correct", "correct yes"}
	fixWords = []string{"fix", "fix it", "no", "nope", "wrong", "not right", "incorrect", "redo",
		"no thats wrong", "thats wrong"}
	addWords = []string{"add", "add another", "another", "another one", "yes", "y", "yeah", "yep",
		"sure", "more", "one more", "add more", "add one"}
)

// describe reads the description of one experience.
func (t *turn) describe(a, kw string) (string, bool) {
	switch {
	case slices.Contains(noneWords, kw):
		return t.finishExperiences()
	case slices.Contains(clearWords, kw) && len(t.p.Experiences) > 0:
		t.p.Experiences = nil
		return "Cleared your experiences: describe the first one, or send none.", true
	}
	c := rules.Classify(a)
	if !readSomething(c) {
		return t.refuse(loopSteps[stepExperience].reason)
	}
	d, also := drafts(c)
	if reason := lateExperience(t.p, d); reason != "" {
		return t.refuse(reason)
	}
	t.s.Draft, t.s.Also = &d, also
	t.goTo(nextDraftStep(d))
	if t.s.Step == stepExpConfirm {
		return "Thanks.", true
	}
	return "Got it: **" + DescribeExperience(d) + "**.", true
}

// drafts turns a description into the draft and the other experiences it
// describes: "two 4-week observerships" is two of 4 weeks, "two
// electives" two of a length still to ask; "two observerships, 8 weeks"
// is one entry of 8 weeks, as it gives no length of each (the read-back
// shows the 8 weeks for the user to confirm).
func drafts(c rules.Classification) (rules.Experience, []rules.Experience) {
	es := c.Experiences()
	if len(es) == 1 && c.Count >= 2 && c.Weeks == nil {
		for range c.Count - 1 {
			es = append(es, es[0])
		}
		if c.SpecialtyOfOne {
			es[0].Specialty = c.Specialty
		}
	}
	return es[0], slices.Clone(es[1:])
}

// syncAlso gives the other experiences of the description the draft's
// parts, their own specialty aside, after an answer changed the draft.
func (t *turn) syncAlso() {
	for i := range t.s.Also {
		d := *t.s.Draft
		d.Specialty = t.s.Also[i].Specialty
		t.s.Also[i] = d
	}
}

// lateExperience is the reason to refuse an experience that ends after the
// year of the application, "" when it does not: it cannot count for it.
func lateExperience(p rules.Profile, d rules.Experience) string {
	if p.ApplicationYear != nil && d.EndYear > *p.ApplicationYear {
		return fmt.Sprintf("That ends in %d, after you apply in %d, so it can't count for this application", d.EndYear, *p.ApplicationYear)
	}
	return ""
}

// readSomething reports whether Classify read anything at all in a text.
func readSomething(c rules.Classification) bool {
	return c.Kind != "" || c.Weeks != nil || c.EndYear != nil || c.Specialty != "" || c.Remote || !c.InUS
}

// nextDraftStep is the step asking for the first part of d still missing,
// or the confirmation once nothing is.
func nextDraftStep(d rules.Experience) string {
	switch {
	case d.Kind == "":
		return stepExpKind
	case d.Weeks <= 0:
		return stepExpWeeks
	case d.EndYear == 0:
		return stepExpYear
	}
	return stepExpConfirm
}

// fill adds to the draft what c read and the draft lacks: an answer to one
// question may say more ("externship, 8 weeks").
func (t *turn) fill(c rules.Classification) {
	d := t.s.Draft
	if d.Kind == "" {
		d.Kind = c.Kind
	}
	if d.Weeks <= 0 && c.Weeks != nil {
		d.Weeks = *c.Weeks
	}
	if d.EndYear == 0 && c.EndYear != nil {
		d.EndYear = *c.EndYear
	}
	if d.Specialty == "" {
		d.Specialty = c.Specialty
	}
	d.Remote = d.Remote || c.Remote
	d.InUS = d.InUS && c.InUS
}

// next moves from one draft question to the next missing part.
func (t *turn) next() (string, bool) {
	t.syncAlso()
	if reason := lateExperience(t.p, *t.s.Draft); reason != "" {
		return t.refuse(reason)
	}
	t.goTo(nextDraftStep(*t.s.Draft))
	if t.s.Step == stepExpConfirm {
		return "Thanks.", true // the confirmation reads it all back
	}
	return "Got it: **" + DescribeExperience(*t.s.Draft) + "**.", true
}

func (t *turn) kind(a string) (string, bool) {
	if v, ok := matchOption(kindOptions, a); ok {
		t.s.Draft.Kind = v
		if rules.TierOf(v, true, false) == rules.TierSupplemental {
			t.s.Draft.Remote = true // tele and online kinds are remote by nature
		}
		return t.next()
	}
	c := rules.Classify(a)
	if c.Kind == "" {
		return t.refuse(loopSteps[stepExpKind].reason)
	}
	t.s.Draft.Kind = "" // the answer replaces the kind, whatever fill would keep
	t.fill(c)
	return t.next()
}

func (t *turn) weeks(a string) (string, bool) {
	c := rules.Classify(a)
	if c.Weeks == nil {
		// A bare number is weeks, as the question asks: "8", "six".
		c.Weeks = rules.Classify(a + " weeks").Weeks
	}
	if c.Weeks == nil {
		return t.refuse(loopSteps[stepExpWeeks].reason)
	}
	t.s.Draft.Weeks = 0
	t.fill(c)
	return t.next()
}

func (t *turn) year(a, kw string) (string, bool) {
	y := 0
	switch kw {
	case "this year", "now", "ongoing", "current", "currently", "still going", "present":
		y = t.now.Year()
	case "last year":
		y = t.now.Year() - 1
	default:
		if c := rules.Classify(a); c.EndYear != nil {
			y = *c.EndYear
		}
	}
	if y == 0 {
		return t.refuse(loopSteps[stepExpYear].reason)
	}
	t.s.Draft.EndYear = y
	return t.next()
}

// confirm takes yes, fix, or a correction of one part ("no, 6 weeks").
func (t *turn) confirm(a, kw string) (string, bool) {
	switch {
	case slices.Contains(yesWords, kw):
		t.p.Experiences = append(append(t.p.Experiences, *t.s.Draft), t.s.Also...)
		added := 1 + len(t.s.Also)
		t.s.Draft, t.s.Also = nil, nil
		t.goTo(stepExpMore)
		if added > 1 {
			return fmt.Sprintf("Added %d: that's %s so far.", added, countNoun(len(t.p.Experiences), "experience")), true
		}
		return fmt.Sprintf("Added: that's %s so far.", countNoun(len(t.p.Experiences), "experience")), true
	case slices.Contains(fixWords, kw):
		t.restartDraft()
		return "OK, let's describe it again.", true
	}
	c := rules.Classify(a)
	if !readSomething(c) {
		return t.refuse(loopSteps[stepExpConfirm].reason)
	}
	d := t.s.Draft
	if c.Kind != "" {
		d.Kind = c.Kind
	}
	if c.Weeks != nil {
		d.Weeks = *c.Weeks
	}
	if c.EndYear != nil {
		d.EndYear = *c.EndYear
	}
	if c.Specialty != "" {
		d.Specialty = c.Specialty
		for i := range t.s.Also {
			t.s.Also[i].Specialty = c.Specialty // "no, all in IM"
		}
	}
	d.Remote = d.Remote || c.Remote
	d.InUS = d.InUS && c.InUS
	t.syncAlso()
	if reason := lateExperience(t.p, *d); reason != "" {
		return t.refuse(reason)
	}
	return "Updated.", true
}

// more asks whether there is another experience; a description typed
// straight away is taken as one.
func (t *turn) more(a, kw string) (string, bool) {
	switch {
	case slices.Contains(addWords, kw):
		t.goTo(stepExperience)
		return "OK, next one.", true
	case slices.Contains(noneWords, kw):
		return t.finishExperiences()
	}
	if rules.Classify(a).Kind != "" {
		t.goTo(stepExperience)
		return t.describe(a, kw)
	}
	return t.refuse(loopSteps[stepExpMore].reason)
}

// loopSpec is what the intake says at a step that is not a profile field:
// the experiences loop and the menus of a finished profile.
type loopSpec struct {
	why    string
	reason string
	ask    string
}

var loopSteps = map[string]loopSpec{
	stepExperience: {
		why:    "Your US clinical experience (USCE) is the core of the assessment: its kind, length, specialty and recency.",
		reason: "I couldn't read an experience there",
		ask:    `describe it like "8-week IM externship in Chicago, 2025", or send none`,
	},
	stepExpKind: {
		why:    "The kind decides its tier: hands-on work counts most, and for most programs tele or online work isn't USCE.",
		reason: "I couldn't tell the kind",
		ask:    "please name it, for example externship, elective, observership, research or telehealth",
	},
	stepExpWeeks: {
		why:    "Programs look for at least 4 weeks of USCE; competitive applicants have 8 or more hands-on.",
		reason: "I couldn't read a length",
		ask:    "please type it like 4 weeks or 2 months",
	},
	stepExpYear: {
		why:    "USCE from within 3 years of your application counts as recent.",
		reason: "I couldn't read a year",
		ask:    "please type the year it ended, for example 2025",
	},
	stepExpConfirm: {
		reason: "I couldn't tell",
		ask:    `please answer "yes", or "fix" to describe it again (or say what to change, for example "6 weeks")`,
	},
	stepExpMore: {
		why:    "Every experience adds to your weeks of USCE: list them all, tele and research too.",
		reason: "I couldn't tell",
		ask:    `please answer "add" to add another experience, or "done"`,
	},
	// The menu of a finished profile (intake_change.go).
	stepChange: {
		why:    "You can change one answer without going through them all.",
		reason: "I couldn't tell which answer",
		ask:    "please pick one of the choices, or type its name, for example specialty",
	},
	stepExpRemove: {
		why:    "Your plan counts only the experiences on your profile.",
		reason: "I couldn't tell which experience",
		ask:    "please type its number from the list, or none",
	},
}

// kindOptions offer every kind, most common first.
var kindOptions = []Option{
	{rules.KindExternship, "Externship"}, {rules.KindElective, "Elective"},
	{rules.KindSubInternship, "Sub-internship"}, {rules.KindClerkship, "Clerkship"},
	{rules.KindRotation, "Hands-on rotation"}, {rules.KindObservership, "Observership"},
	{rules.KindShadowing, "Shadowing"}, {rules.KindResearchClinical, "Clinical research (with patients)"},
	{rules.KindResearch, "Research (no patients)"}, {rules.KindScribe, "Scribe"},
	{rules.KindVolunteering, "Volunteering"}, {rules.KindTelehealth, "Tele observership"},
	{rules.KindVirtualRotation, "Virtual rotation"}, {rules.KindOnlineCourse, "Online course"},
	{rules.KindTeleResearch, "Remote research"}, {rules.KindRemoteQI, "Remote QI project"},
}

// kindNames name the kinds in plain words, one and several.
var kindNames = map[string]struct{ one, several string }{
	rules.KindElective:         {"elective", "electives"},
	rules.KindClerkship:        {"clerkship", "clerkships"},
	rules.KindSubInternship:    {"sub-internship", "sub-internships"},
	rules.KindExternship:       {"externship", "externships"},
	rules.KindRotation:         {"rotation", "rotations"},
	rules.KindResearchClinical: {"clinical research", "clinical research positions"},
	rules.KindScribe:           {"scribe work", "scribe jobs"},
	rules.KindObservership:     {"observership", "observerships"},
	rules.KindShadowing:        {"shadowing", "shadowing experiences"},
	rules.KindVolunteering:     {"volunteering", "volunteering roles"},
	rules.KindTelehealth:       {"tele observership", "tele observerships"},
	rules.KindVirtualRotation:  {"virtual rotation", "virtual rotations"},
	rules.KindOnlineCourse:     {"online course", "online courses"},
	rules.KindTeleResearch:     {"remote research", "remote research projects"},
	rules.KindRemoteQI:         {"remote QI project", "remote QI projects"},
	rules.KindResearch:         {"research", "research projects"},
}

// DescribeExperience says an experience (or what is known of a draft) in
// plain words: "hands-on externship, 8 weeks, internal medicine, ended 2025".
func DescribeExperience(e rules.Experience) string {
	var parts []string
	if e.Kind != "" {
		parts = append(parts, kindPhrase(e))
	} else {
		if e.Remote {
			parts = append(parts, "done remotely")
		}
		if !e.InUS {
			parts = append(parts, "outside the US")
		}
	}
	if e.Weeks > 0 {
		parts = append(parts, countNoun(e.Weeks, "week"))
	}
	if e.Specialty != "" {
		parts = append(parts, e.Specialty)
	}
	if e.EndYear != 0 {
		parts = append(parts, "ended "+strconv.Itoa(e.EndYear))
	}
	return strings.Join(parts, ", ")
}

// kindPhrase is the kind with its tier in plain words.
func kindPhrase(e rules.Experience) string {
	noun := kindNames[e.Kind].one
	if noun == "" {
		noun = spaced(e.Kind)
	}
	switch e.Tier() {
	case rules.TierHandsOn:
		return "hands-on " + noun
	case rules.TierSemiHandsOn:
		return "semi-hands-on " + noun
	case rules.TierNonHandsOn:
		return "non-hands-on " + noun
	case rules.TierSupplemental:
		if rules.TierOf(e.Kind, true, false) == rules.TierSupplemental {
			return noun // remote by name: "virtual rotation"
		}
		return noun + " done remotely"
	case rules.TierNotClinical:
		return noun + " without patient contact"
	case rules.TierNonUS:
		return noun + " outside the US"
	}
	return noun
}

// tierWhy is the confirmation's Why: what the tier means for the user.
var tierWhy = map[string]string{
	rules.TierHandsOn:      "Hands-on US experience is what programs weigh most.",
	rules.TierSemiHandsOn:  "Clinical research and scribe work aren't traditional USCE, but they rank just below hands-on work, and your plan counts them.",
	rules.TierNonHandsOn:   "Observerships and shadowing count as USCE, though less than hands-on work.",
	rules.TierSupplemental: "For most programs tele and online work isn't USCE, so it's kept apart from your USCE weeks.",
	rules.TierNotClinical:  "Research without patients doesn't count as USCE, though it helps your application.",
	rules.TierNonUS:        "Clinical work outside the US doesn't count as USCE.",
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// describeBatch says a draft and the other experiences of its description
// in plain words: "2 non-hands-on observerships of 4 weeks each, one of
// them in internal medicine, ended 2019".
func describeBatch(d rules.Experience, also []rules.Experience) string {
	phrase := kindPhrase(d)
	if n, ok := kindNames[d.Kind]; ok {
		phrase = strings.Replace(phrase, n.one, n.several, 1)
	}
	parts := []string{strconv.Itoa(1+len(also)) + " " + phrase}
	if d.Weeks > 0 {
		parts[0] += " of " + countNoun(d.Weeks, "week") + " each"
	}
	same := true
	for _, e := range also {
		same = same && e.Specialty == d.Specialty
	}
	switch {
	case same && d.Specialty != "":
		parts = append(parts, d.Specialty)
	case !same && d.Specialty != "":
		parts = append(parts, "one of them in "+d.Specialty)
	}
	if d.EndYear != 0 {
		parts = append(parts, "ended "+strconv.Itoa(d.EndYear))
	}
	return strings.Join(parts, ", ")
}
