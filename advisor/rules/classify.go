package rules

import (
	"encoding/json"
	"slices"
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
	Weeks        *int
	Specialty    string
	EndYear      *int
	InUS         bool
	Remote       bool
}

// MarshalJSON gives the classify output of interfaces.md, with null for what
// the text did not say, plus in_us and remote.
func (c Classification) MarshalJSON() ([]byte, error) {
	null := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
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
	}{null(c.Kind), null(c.Tier), c.CountsAsUSCE, c.Weeks, null(c.Specialty), c.EndYear, c.InUS, c.Remote})
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
	if ds := durations(d); len(ds) > 0 && ds[0].weeks <= maxWeeks {
		w := roundWeeks(ds[0].weeks)
		c.Weeks = &w
	}
	if ys := years(d); len(ys) > 0 {
		y := slices.Max(ys) // "2023-2024": the later
		c.EndYear = &y
	}
	c.Specialty, _ = findSpecialty(d)
	return c
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
