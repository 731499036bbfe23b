package rules

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Red flags of an offer, in assessment.md's order.
const (
	FlagGuaranteedLetter  = "guaranteed-letter"
	FlagGuaranteedMatch   = "guaranteed-match"
	FlagNoLivePatients    = "no-live-patients"
	FlagRemoteOnly        = "remote-only"
	FlagHype              = "hype"
	FlagNoSupervisorNamed = "no-supervisor-named"
	FlagHighPrice         = "high-price"
)

// Verdicts on an offer.
const (
	VerdictAvoid    = "avoid"
	VerdictCaution  = "caution"
	VerdictAskFirst = "ask-first"
)

// highPriceUSD is the price from which 4 weeks or less is a red flag.
const highPriceUSD = 2000

// Vetting is the verdict on an offer: its red flags, the verdict, and the
// questions to ask before paying.
type Vetting struct {
	Flags     []string `json:"flags"`
	Verdict   string   `json:"verdict"`
	Questions []string `json:"questions"`
}

// Vet reads the text of a program's offer or advert and returns its red
// flags, a verdict and the questions to ask before paying.
func Vet(offer string) Vetting {
	d := newDoc(offer)
	v := Vetting{Flags: []string{}}
	for _, f := range []struct {
		id    string
		holds bool
	}{
		{FlagGuaranteedLetter, promisesLetter(d)},
		{FlagGuaranteedMatch, promisesMatch(d)},
		{FlagNoLivePatients, noLivePatients(d)},
		{FlagRemoteOnly, isRemote(d) && !containsAny(d.ws, onSiteWords...)},
		{FlagHype, hype(d)},
		{FlagNoSupervisorNamed, !namesSupervisor(d.text)},
		{FlagHighPrice, highPrice(d)},
	} {
		if f.holds {
			v.Flags = append(v.Flags, f.id)
		}
	}
	switch {
	case slices.Contains(v.Flags, FlagGuaranteedMatch),
		slices.Contains(v.Flags, FlagGuaranteedLetter) && len(v.Flags) > 1:
		v.Verdict = VerdictAvoid
	case len(v.Flags) > 0:
		v.Verdict = VerdictCaution
	default:
		v.Verdict = VerdictAskFirst
	}
	v.Questions = VettingQuestions()
	return v
}

// VettingQuestions returns the questions to ask a program before paying
// (topic vetting-programs).
func VettingQuestions() []string {
	return []string{
		"Who supervises you, by name? Are they academic physicians involved in residency selection?",
		"Will you see live patients, or only lectures and recorded cases?",
		"Can you take histories, present patients and write notes?",
		"How will you be evaluated, and what does the letter look like? Ask for a redacted sample.",
		"Can you contact past participants who matched?",
		"Is it affiliated with a teaching hospital or a residency program?",
	}
}

// sentences returns, for each token of d, the index of its sentence, so
// that a promise and what it promises are read together.
func sentences(d doc) []int {
	out := make([]int, len(d.toks))
	n := 0
	for i := 1; i < len(d.toks); i++ {
		if strings.ContainsAny(d.text[d.toks[i-1].end:d.toks[i].start], ".!?;\n•") {
			n++
		}
		out[i] = n
	}
	return out
}

// A promise is found when a promise word is near an object word (a letter,
// a match) in the same sentence and no denial comes just before the promise
// word ("letters are not guaranteed"). "Guaranteed" and its kin promise
// outright; weaker words ("you will receive", "includes") are undone by a
// hedge in the sentence ("may", "upon request").
type promise struct {
	objects  map[string]bool
	weak     map[string]bool
	window   int             // how many words apart the promise word may be
	services map[string]bool // words near an object that make it something else: "visa letter", "interview preparation"
	outright []string        // phrases that are promises by themselves
}

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

var (
	strongPromise = set("guaranteed", "guarantee", "guarantees", "guaranteeing", "assured",
		"promised", "promise", "promises", "certain")
	denials = set("not", "no", "never", "cannot", "cant", "dont", "doesnt", "wont", "nor", "without")
	hedges  = set("may", "might", "can", "could", "possible", "possibly", "eligible", "earned",
		"earn", "depending", "depends", "discretion", "based", "optional", "request")

	letterPromise = promise{
		objects: set("letter", "letters", "lor", "lors", "loe", "recommendation", "recommendations"),
		weak: set("will", "receive", "receives", "get", "gets", "provided", "provide",
			"provides", "upon", "every", "benefits", "plus", "comes", "included", "includes",
			"including"),
		window: 6,
		services: set("invitation", "visa", "acceptance", "offer", "cover", "confirmation",
			"completion", "support", "attendance"),
	}
	matchPromise = promise{
		objects: set("match", "residency", "interview", "interviews", "placement", "position"),
		window:  5,
		services: set("preparation", "prep", "coaching", "tips", "skills", "practice", "training",
			"guidance", "support", "assistance", "help", "workshop", "workshops", "application",
			"applications", "advising", "advice", "counseling", "counselling", "strategy", "rate"),
		outright: []string{"get you matched", "we will place you", "place you in residency",
			"secure a residency", "secure your residency", "secure you a residency",
			"match or your money back", "money back if you dont match"},
	}
)

func (p promise) in(d doc) bool {
	if containsAny(d.ws, p.outright...) {
		return true
	}
	sent := sentences(d)
	near := func(i, j int) bool { return j >= 0 && j < len(d.ws) && sent[j] == sent[i] }
	// service reports whether the object at i is part of a service: "visa
	// letter", "letter of acceptance", "interview preparation".
	service := func(i int) bool {
		return near(i, i-1) && p.services[d.ws[i-1]] || near(i, i+1) && p.services[d.ws[i+1]] ||
			near(i, i+2) && (d.ws[i+1] == "of" || d.ws[i+1] == "for") && p.services[d.ws[i+2]]
	}
	for i, w := range d.ws {
		if !p.objects[w] || service(i) {
			continue
		}
		hedged := false
		for j := i - p.window; j <= i+p.window; j++ {
			hedged = hedged || near(i, j) && hedges[d.ws[j]]
		}
		for j := i - p.window; j <= i+p.window; j++ {
			if !near(i, j) || !(strongPromise[d.ws[j]] || p.weak[d.ws[j]] && !hedged) {
				continue
			}
			denied := false
			for k := j - 3; k < j; k++ {
				denied = denied || near(j, k) && denials[d.ws[k]]
			}
			if !denied {
				return true
			}
		}
	}
	return false
}

func promisesLetter(d doc) bool { return letterPromise.in(d) }

func promisesMatch(d doc) bool { return matchPromise.in(d) }

// Words about live patients: an offer of lectures and recorded cases with
// none of these has no live patients.
var (
	noPatientsSure = []string{"no live patients", "no live patient", "no patient contact",
		"without patients", "without live patients", "no direct patient", "no real patients",
		"recorded cases", "recorded patient", "prerecorded"}
	noPatientsLikely = []string{"lectures", "lecture", "case discussions", "case discussion",
		"case based", "didactic", "didactics", "webinars", "webinar", "modules", "simulated",
		"virtual cases", "online clerkship", "virtual clerkship", "slides"}
	livePatientWords = []string{"live patients", "live patient", "patient contact",
		"see patients", "seeing patients", "bedside", "inpatient", "outpatient", "wards",
		"clinic", "clinics", "examine patients", "h p", "write notes", "writing notes",
		"history and physical", "rounding", "patient care", "real patients", "present patients",
		"presenting patients", "direct patient"}
)

func noLivePatients(d doc) bool {
	return containsAny(d.ws, noPatientsSure...) ||
		containsAny(d.ws, noPatientsLikely...) && !containsAny(d.ws, livePatientWords...)
}

// onSiteWords say at least part of an offer happens in person.
var onSiteWords = []string{"hybrid", "housing", "accommodation", "travel to", "airport",
	"visa letter", "at our hospital", "on the wards", "in hospital", "at our clinic",
	"in our clinic"}

// hypeWords are the marketing of an infomercial.
var hypeWords = []string{
	"huge advantage", "100 percent", "limited seats", "limited spots", "limited slots",
	"limited availability", "limited time", "act now", "act fast", "hurry", "dont miss",
	"do not miss", "last chance", "seats left", "spots left", "slots left", "enroll now",
	"enrol now", "apply now", "book now", "register now", "sign up now", "enroll today",
	"guaranteed success", "life changing", "secure your future", "skyrocket",
	"boost your chances", "stand out", "top rated", "world class", "exclusive offer",
	"exclusive opportunity", "first come first served", "few seats", "few spots",
	"dream residency", "game changer", "unbeatable", "once in a lifetime", "best in",
	"massive advantage", "fast track"}

var hundredPercent = regexp.MustCompile(`100\s*%|!!`)

func hype(d doc) bool {
	return hundredPercent.MatchString(d.text) || containsAny(d.ws, hypeWords...)
}

// Names of supervisors and institutions. A title before a name ("Dr. Amal
// Haddad", "dr smith"), a name before "MD", or capitalised words before an
// institution word ("Mercy Hospital", "Cleveland Clinic") or after one
// ("University of Chicago"), as long as they are not generic ("a Top US
// Teaching Hospital" names nothing).
var (
	titledName    = regexp.MustCompile(`(?i:\bdr\b\.?)\s+([A-Za-z][A-Za-z'’-]+)|\b(?:Doctor|Prof\.?|Professor)\s+([A-Z][a-z'’-]+)`)
	nameMD        = regexp.MustCompile(`\b[A-Z][a-z'’-]+\s+[A-Z][a-z'’-]+(?:,?\s+M\.?D\b|,\s*D\.?O\b)`)
	institution   = regexp.MustCompile(`\b((?:[A-Z][A-Za-z'’.&-]*\s+){1,4})(?:Hospital|Medical Cent(?:er|re)|Health System|Health|Clinic|University|College|Institute|Infirmary)\b`)
	institutionOf = regexp.MustCompile(`\b(?:Hospital|University|College|Institute) of (?:the )?([A-Z][A-Za-z]+)`)
	notNames      = set(
		"will", "who", "is", "at", "in", "on", "the", "a", "an", "and", "or", "of", "to", "with",
		"from", "our", "your", "supervise", "supervises", "supervision", "supervising",
		"assigned", "tba", "tbd", "available")
	genericCapital = set("a", "an", "the", "our", "your", "in", "at", "of", "for", "with", "top",
		"us", "u.s.", "usa", "american", "teaching", "affiliated", "partner", "partnered",
		"leading", "private", "community", "academic", "major", "local", "accredited",
		"prestigious", "reputable", "renowned", "best", "premier", "clinical", "rotation",
		"rotations", "observership", "observerships", "externship", "externships", "elective",
		"electives", "hands-on", "program", "programs", "large", "busy", "multiple", "various",
		"approved", "certified", "licensed", "real", "any", "network", "big",
		"state-of-the-art", "modern", "virtual", "online", "telehealth", "this", "free",
		"join", "and", "or", "&", "new")
)

func namesSupervisor(text string) bool {
	for _, m := range titledName.FindAllStringSubmatch(text, -1) {
		if name := m[1] + m[2]; !notNames[strings.ToLower(name)] {
			return true
		}
	}
	if nameMD.MatchString(text) || institutionOf.MatchString(text) {
		return true
	}
	for _, m := range institution.FindAllStringSubmatch(text, -1) {
		for w := range strings.FieldsSeq(m[1]) {
			if !genericCapital[strings.ToLower(w)] {
				return true
			}
		}
	}
	return false
}

// A price is an amount of US dollars found in a text.
type price struct {
	usd        float64
	start, end int
}

// priceRE finds amounts of US dollars: "$2,800", "$3k", "US$2,500",
// "USD 3000", "2800 USD", "2.5k dollars", "3000$".
var priceRE = regexp.MustCompile(`(?i)(?:US\s?\$|\$|\bUSD\s?)\s?(\d[\d,]*(?:\.\d+)?)(\s?k\b)?|\b(\d[\d,]*(?:\.\d+)?)(\s?k)?\s?(?:USD\b|US\s?dollars?\b|dollars?\b|bucks\b|\$)`)

func prices(d doc) []price {
	var out []price
	for _, m := range priceRE.FindAllStringSubmatchIndex(d.text, -1) {
		num, k := group(d.text, m, 1), group(d.text, m, 2)
		if num == "" {
			num, k = group(d.text, m, 3), group(d.text, m, 4)
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
		if err != nil {
			continue
		}
		if k != "" {
			v *= 1000
		}
		out = append(out, price{usd: v, start: m[0], end: m[1]})
	}
	return out
}

func group(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}

// perUnit finds a rate right after a price: "/week", "per month", "a week".
var perUnit = regexp.MustCompile(`(?i)^\s*(?:USD|dollars?)?\s*(?:/|per\b|a\b|an\b|each\b|every\b)\s*(week|wk|month|mo|mth)`)

// highPrice reports whether d asks 2,000 USD or more for 4 weeks or less. A
// price per week or per month is turned into the cost of 4 weeks; any other
// price goes with the nearest length of time in the text, or, when there is
// none, with one 4-week block, the usual length of a US rotation.
func highPrice(d doc) bool {
	ds := durations(d)
	for _, p := range prices(d) {
		if m := perUnit.FindStringSubmatch(d.text[p.end:]); m != nil {
			cost := p.usd
			if strings.HasPrefix(strings.ToLower(m[1]), "w") {
				cost *= 4
			}
			if cost >= highPriceUSD {
				return true
			}
			continue
		}
		weeks, dist := 4.0, -1
		for _, du := range ds {
			gap := max(du.start-p.end, p.start-du.end)
			if dist < 0 || gap < dist {
				weeks, dist = du.weeks, gap
			}
		}
		if p.usd >= highPriceUSD && weeks <= 4 {
			return true
		}
	}
	return false
}
