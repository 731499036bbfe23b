package rules

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Kinds of experience.
const (
	KindElective         = "elective"
	KindClerkship        = "clerkship"
	KindSubInternship    = "sub_internship"
	KindExternship       = "externship"
	KindRotation         = "rotation"
	KindResearchClinical = "research_clinical"
	KindScribe           = "scribe"
	KindObservership     = "observership"
	KindShadowing        = "shadowing"
	KindVolunteering     = "volunteering"
	KindTelehealth       = "telehealth"
	KindVirtualRotation  = "virtual_rotation"
	KindOnlineCourse     = "online_course"
	KindTeleResearch     = "tele_research"
	KindRemoteQI         = "remote_qi"
	KindResearch         = "research"
)

// Tiers of experience, strongest first.
const (
	TierHandsOn      = "hands_on"
	TierSemiHandsOn  = "semi_hands_on"
	TierNonHandsOn   = "non_hands_on"
	TierSupplemental = "supplemental"
	TierNotClinical  = "not_clinical"
	TierNonUS        = "non_us"
)

// kindTier is assessment.md's table of kinds and tiers.
var kindTier = map[string]string{
	KindElective: TierHandsOn, KindClerkship: TierHandsOn, KindSubInternship: TierHandsOn,
	KindExternship: TierHandsOn, KindRotation: TierHandsOn,
	KindResearchClinical: TierSemiHandsOn, KindScribe: TierSemiHandsOn,
	KindObservership: TierNonHandsOn, KindShadowing: TierNonHandsOn, KindVolunteering: TierNonHandsOn,
	KindTelehealth: TierSupplemental, KindVirtualRotation: TierSupplemental,
	KindOnlineCourse: TierSupplemental, KindTeleResearch: TierSupplemental,
	KindRemoteQI: TierSupplemental,
	KindResearch: TierNotClinical,
}

// TierOf returns the tier of an experience of a kind, done in the US or
// not, remotely or not; "" when the kind is unknown and nothing else decides.
// Remote comes first: tele work with a US physician is usually done from
// abroad, and it is still tele work, not home-country clinical work.
func TierOf(kind string, inUS, remote bool) string {
	switch {
	case remote || kindTier[kind] == TierSupplemental:
		return TierSupplemental
	case !inUS:
		return TierNonUS
	}
	return kindTier[kind]
}

// CountsAsUSCE reports whether experience of a tier is US clinical
// experience.
func CountsAsUSCE(tier string) bool {
	return tier == TierHandsOn || tier == TierSemiHandsOn || tier == TierNonHandsOn
}

// Classification is what Classify read in a description; "" and nil mean the
// text did not say.
type Classification struct {
	Kind         string
	Tier         string
	CountsAsUSCE bool
	// Weeks is the length of everything the text describes: the total of
	// Count experiences when there are several.
	Weeks     *int
	Specialty string
	EndYear   *int
	InUS      bool
	Remote    bool
	// Count is how many experiences of the kind the text describes when it
	// says more than one ("two 4-week observerships", "a couple of
	// electives", "3 externships"); 0 otherwise.
	Count int
	// WeeksEach is the length of each of the Count experiences when the
	// text gives it per experience ("two 4-week observerships", "2
	// observerships of 4 weeks", "4 weeks each"), so Weeks is Count times
	// it; nil when the text gives one length for all ("two observerships, 8
	// weeks") or none. A caller should confirm a total with the user.
	WeeksEach *int
	// SpecialtyOfOne says the specialty is that of one of the Count
	// experiences only ("two observerships, one in IM").
	SpecialtyOfOne bool
}

// MarshalJSON gives the classify output of interfaces.md, with null for what
// the text did not say, plus in_us, remote, count (null for one) and
// weeks_each.
func (c Classification) MarshalJSON() ([]byte, error) {
	null := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var count *int
	if c.Count > 1 {
		count = &c.Count
	}
	return json.Marshal(struct {
		Kind         *string `json:"kind"`
		Tier         *string `json:"tier"`
		CountsAsUSCE bool    `json:"counts_as_usce"`
		Weeks        *int    `json:"weeks"`
		Specialty    *string `json:"specialty"`
		EndYear      *int    `json:"end_year"`
		InUS         bool    `json:"in_us"`
		Remote       bool    `json:"remote"`
		Count        *int    `json:"count"`
		WeeksEach    *int    `json:"weeks_each"`
	}{null(c.Kind), null(c.Tier), c.CountsAsUSCE, c.Weeks, null(c.Specialty), c.EndYear, c.InUS, c.Remote,
		count, c.WeeksEach})
}

// Experience returns the classification as a profile experience; what the
// text did not say is left zero.
func (c Classification) Experience() Experience {
	e := Experience{Kind: c.Kind, Specialty: c.Specialty, InUS: c.InUS, Remote: c.Remote}
	if c.Weeks != nil {
		e.Weeks = *c.Weeks
	}
	if c.EndYear != nil {
		e.EndYear = *c.EndYear
	}
	return e
}

// Experiences returns what the text describes as profile experiences: Count
// of them when it gives the length of each, the specialty on the first only
// when it is said of one; otherwise one experience of the total length, as
// Experience, without a specialty said of only one of several (nothing is
// guessed that would overstate the USCE in the specialty).
func (c Classification) Experiences() []Experience {
	e := c.Experience()
	if c.SpecialtyOfOne {
		e.Specialty = ""
	}
	if c.Count < 2 || c.WeeksEach == nil {
		return []Experience{e}
	}
	e.Weeks = *c.WeeksEach
	out := make([]Experience, c.Count)
	for i := range out {
		out[i] = e
	}
	if c.SpecialtyOfOne {
		out[0].Specialty = c.Specialty
	}
	return out
}

// A kindWord is what a word or phrase says about the kind of experience.
// When a text has several, the highest weight wins, then the first: in
// "observership rotation" and "research elective" the specific word beats
// the generic one, and "AI" (acting internship, or artificial intelligence)
// counts only when nothing else does. An empty kind blocks a phrase ("obs
// and gyn" is a specialty, not an observership).
type kindWord struct {
	kind   string
	weight int
}

// qi stands for quality-improvement work until Classify knows whether it
// was remote (remote_qi) or not (research: academic work without patients).
const qi = "qi"

var kindWords = indexKinds([]struct {
	kindWord
	phrases []string
}{
	{kindWord{KindElective, 2}, []string{"elective", "electives", "visiting student", "away rotation"}},
	{kindWord{KindClerkship, 3}, []string{"clerkship", "clerkships"}},
	{kindWord{KindSubInternship, 3}, []string{"sub internship", "sub internships", "subinternship",
		"sub i", "subi", "sub intern", "acting internship", "acting intern"}},
	{kindWord{KindSubInternship, 1}, []string{"ai"}},
	{kindWord{KindExternship, 3}, []string{"externship", "externships", "extern", "externed"}},
	{kindWord{KindRotation, 2}, []string{"rotation", "rotations", "rotated", "rotating"}},
	{kindWord{KindRotation, 1}, []string{"hands on"}},
	{kindWord{KindResearchClinical, 3}, []string{"clinical research"}},
	{kindWord{KindScribe, 3}, []string{"scribe", "scribes", "scribing", "scribed"}},
	{kindWord{KindObservership, 3}, []string{"observership", "observerships", "observer", "obs",
		"observed", "observing", "clinical attachment"}},
	{kindWord{KindShadowing, 3}, []string{"shadowing", "shadowed", "shadow"}},
	{kindWord{KindVolunteering, 3}, []string{"volunteering", "volunteer", "volunteered", "volunteers"}},
	{kindWord{KindTelehealth, 1}, []string{"telehealth", "telemedicine", "tele"}},
	{kindWord{KindTelehealth, 3}, []string{"teleobs", "teleobservership", "teleshadowing"}},
	{kindWord{KindOnlineCourse, 3}, []string{"course", "courses", "mooc", "webinar", "webinars",
		"module", "modules"}},
	{kindWord{KindOnlineCourse, 1}, []string{"lectures", "case discussions", "didactics"}},
	{kindWord{qi, 3}, []string{"qi", "quality improvement"}},
	{kindWord{KindResearch, 3}, []string{"research", "researcher", "postdoc"}},
	{kindWord{KindResearch, 1}, []string{"lab"}},
	{kindWord{}, []string{"obs gyn", "obs and gyn", "obs and gynae", "obs gynae"}},
})

func indexKinds(table []struct {
	kindWord
	phrases []string
}) map[string]kindWord {
	m := map[string]kindWord{}
	for _, row := range table {
		for _, p := range row.phrases {
			m[p] = row.kindWord
		}
	}
	return m
}

const maxKindWords = 3

// remoteKind is what a kind becomes when it is done over video or online:
// whatever the kind word says, a remote experience is supplemental, and its
// kind is the supplemental one people would call it ("virtual externship" is
// a virtual rotation, "tele obs" is telehealth). Kinds with no remote
// counterpart keep their name; their tier still follows Remote.
var remoteKind = map[string]string{
	KindElective: KindVirtualRotation, KindClerkship: KindVirtualRotation,
	KindSubInternship: KindVirtualRotation, KindExternship: KindVirtualRotation,
	KindRotation: KindVirtualRotation, KindObservership: KindTelehealth,
	KindShadowing: KindTelehealth, KindResearch: KindTeleResearch,
	KindResearchClinical: KindTeleResearch, qi: KindRemoteQI,
}

// remoteWords say the experience was done over video or online; any word
// starting with "tele" does too ("teleneurology").
var remoteWords = []string{"virtual", "virtually", "online", "zoom", "video", "videos",
	"remote", "remotely", "internet", "skype", "webex", "from home", "web based",
	"e learning", "elearning", "from anywhere"}

// inPersonWords overrule remoteWords: "in-person, not virtual".
var inPersonWords = []string{"in person", "on site", "onsite", "face to face"}

// Words about research that decide whether it had patient contact.
var (
	noPatientWords = []string{"no patient", "no patients", "without patients",
		"without patient", "no contact", "non clinical", "nonclinical", "no clinical",
		"bench", "wet lab", "basic science", "chart review", "data analysis", "dry lab"}
	patientWords = []string{"patient contact", "patients", "patient", "clinic", "clinics",
		"bedside", "consenting", "consented", "consent", "enrolling", "enrolled",
		"recruiting", "recruited", "rounds", "wards", "clinical exposure", "interviewing"}
)

// Classify reads a free-text description of one experience ("8-week IM
// externship in Chicago, 2025, strong letter") and returns its kind, tier,
// length, specialty and end year, each empty where the text does not say.
func Classify(description string) Classification {
	d := newDoc(description)
	c := Classification{Remote: isRemote(d), InUS: inUS(d)}
	c.Kind = kindOf(d)
	switch {
	case c.Kind == KindResearch && containsAny(d.ws, noPatientWords...):
	case c.Kind == KindResearch && containsAny(d.ws, patientWords...):
		c.Kind = KindResearchClinical
	case c.Kind == KindResearchClinical && containsAny(d.ws, noPatientWords...):
		c.Kind = KindResearch
	}
	if c.Remote {
		if k, ok := remoteKind[c.Kind]; ok {
			c.Kind = k
		}
	} else if c.Kind == qi {
		c.Kind = KindResearch
	}
	if kindTier[c.Kind] == TierSupplemental {
		c.Remote = true // telehealth and online courses are remote by nature
	}
	c.Tier = TierOf(c.Kind, c.InUS, c.Remote)
	c.CountsAsUSCE = CountsAsUSCE(c.Tier)
	c.readLength(d)
	if ys := years(d); len(ys) > 0 {
		y := slices.Max(ys) // "2023-2024": the later
		c.EndYear = &y
	}
	c.Specialty, _ = findSpecialty(d)
	return c
}

// readLength sets Weeks, and Count and WeeksEach when the text describes
// several experiences.
func (c *Classification) readLength(d doc) {
	ds := durations(d)
	n, at, kindAt := experienceCount(d)
	total, each := 0.0, false
	switch {
	case len(ds) == 0:
	case n < 2:
		total = ds[0].weeks
	default:
		each = perExperience(d, ds[0], at, kindAt)
		total = ds[0].weeks
		switch {
		case each:
			total *= float64(n)
		case len(ds) == n: // "two electives (4 weeks and 6 weeks)"
			total = 0
			for _, x := range ds {
				total += x.weeks
			}
		}
	}
	if n >= 2 {
		c.Count = n
		c.SpecialtyOfOne = saidOfOne(d)
	}
	if len(ds) == 0 {
		return
	}
	w := roundWeeks(total)
	var e *int
	if each {
		per := roundWeeks(ds[0].weeks)
		e, w = &per, per*n // the total of the rounded lengths, so the two agree
	}
	if w <= maxWeeks {
		c.Weeks, c.WeeksEach = &w, e
	}
}

// pluralKinds are the plural words of the clinical kinds: a number before
// one counts experiences ("two observerships", "3 sub-internships").
var pluralKinds = map[string]bool{"electives": true, "clerkships": true, "externships": true,
	"rotations": true, "observerships": true, "subinternships": true, "internships": true,
	"attachments": true}

// maxCount bounds a count of experiences; a larger number is something else.
const maxCount = 20

// experienceCount returns how many experiences d describes (0 when it does
// not say), the index of the count word (-1 when none) and that of the
// plural kind word it counts (-1 when none). The count comes before the
// plural, perhaps with a length and a specialty between ("two 4-week IM
// observerships", "a couple of 2-week electives"), or right after it
// ("observerships x2"). A number followed by a unit is a length, not a
// count ("two months of observerships").
func experienceCount(d doc) (n, at, kindAt int) {
	ws := d.ws
	for k, w := range ws {
		if !pluralKinds[w] || (w == "internships" && (k == 0 || (ws[k-1] != "sub" && ws[k-1] != "acting"))) {
			continue
		}
		for j := k - 1; j >= 0 && j >= k-6; j-- {
			if strings.ContainsAny(d.text[d.toks[j].end:d.toks[j+1].start], ",;.:()") {
				break // another part of the description
			}
			v, ok := number(ws[j])
			if !ok {
				continue
			}
			if j+1 < len(ws) && unitWeeks[ws[j+1]] > 0 {
				continue // a length: "4-week"
			}
			if v >= 2 && v <= maxCount && v == math.Trunc(v) {
				return int(v), j, k
			}
			break
		}
		if k+1 < len(ws) {
			after := ws[k+1]
			if after == "x" && k+2 < len(ws) {
				after += ws[k+2]
			}
			if v, err := strconv.Atoi(strings.TrimPrefix(after, "x")); err == nil && strings.HasPrefix(after, "x") && v >= 2 && v <= maxCount {
				return v, k + 1, k
			}
		}
		return 0, -1, k
	}
	return 0, -1, -1
}

// perExperience reports whether the length x is given per experience:
// between the count and the plural ("two 4-week observerships"), after
// "of" right after the plural ("2 observerships of 4 weeks"), or followed
// by "each" or "apiece".
func perExperience(d doc, x duration, at, kindAt int) bool {
	toks := d.toks
	if at >= 0 && at < kindAt && x.start >= toks[at].end && x.end <= toks[kindAt].start {
		return true
	}
	if kindAt+2 < len(toks) && d.ws[kindAt+1] == "of" && x.start == toks[kindAt+2].start {
		return true
	}
	for i, t := range toks {
		if t.start >= x.end {
			return d.ws[i] == "each" || d.ws[i] == "apiece"
		}
	}
	return false
}

// saidOfOne reports whether d gives the specialty of one of several
// experiences: "one in IM", "one of them in peds", "one was in FM".
func saidOfOne(d doc) bool {
	ws := d.ws
	for i, w := range ws {
		if w != "one" {
			continue
		}
		for j := i + 1; j < len(ws) && j <= i+4; j++ {
			if ws[j] != "in" {
				continue
			}
			if name, n := longestAt(ws, j+1, maxSpecialtyAliasWords, specialtyAliases); n > 0 && name != "" {
				return true
			}
		}
	}
	return false
}

// kindOf returns the kind the words of d name ("" if none), by weight then
// position (see kindWord).
func kindOf(d doc) string {
	best := kindWord{}
	for i := 0; i < len(d.ws); i++ {
		for n := min(maxKindWords, len(d.ws)-i); n >= 1; n-- {
			kw, ok := kindWords[strings.Join(d.ws[i:i+n], " ")]
			if !ok {
				continue
			}
			if kw.weight > best.weight {
				best = kw
			}
			i += n - 1
			break
		}
	}
	return best.kind
}

// isRemote reports whether d says the experience is done over video or
// online, and not in person. "Apply online" and "telephone" are about the
// paperwork, not the experience.
func isRemote(d doc) bool {
	if containsAny(d.ws, inPersonWords...) {
		return false
	}
	paperwork := func(i int) bool {
		for _, j := range []int{i - 1, i + 1} {
			if j >= 0 && j < len(d.ws) && paperworkWords[d.ws[j]] {
				return true
			}
		}
		return false
	}
	for i, w := range d.ws {
		if paperwork(i) {
			continue
		}
		if strings.HasPrefix(w, "tele") && w != "telephone" {
			return true
		}
		for _, p := range remoteWords {
			if phraseAt(d.ws, i, p) {
				return true
			}
		}
	}
	return false
}

var paperworkWords = map[string]bool{"apply": true, "applied": true, "application": true,
	"applications": true, "register": true, "registration": true, "enroll": true,
	"enrol": true, "pay": true, "payment": true, "book": true, "booking": true, "form": true}
