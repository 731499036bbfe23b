package rules

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// want is what Classify should read in a description: zero means null, and
// abroad and remote say where and how the experience was done.
type want struct {
	kind, tier, specialty string
	weeks, year           int
	abroad, remote        bool
}

var classifyTests = []struct {
	in   string
	want want
}{
	// Hands-on, with every part said.
	{"8-week IM externship in Chicago, 2025, strong letter", want{kind: KindExternship, tier: TierHandsOn, weeks: 8, specialty: InternalMedicine, year: 2025}},
	{"4 week FM elective at a community hospital in Texas 2024", want{kind: KindElective, tier: TierHandsOn, weeks: 4, specialty: FamilyMedicine, year: 2024}},
	{"Sub-I in general surgery, 4 wks, 2023", want{kind: KindSubInternship, tier: TierHandsOn, weeks: 4, specialty: GeneralSurgery, year: 2023}},
	{"acting internship in peds 2025 (4 weeks)", want{kind: KindSubInternship, tier: TierHandsOn, weeks: 4, specialty: Pediatrics, year: 2025}},
	{"AI in neurology, one month", want{kind: KindSubInternship, tier: TierHandsOn, weeks: 4, specialty: Neurology}},
	{"core clerkship in OB/GYN at a US hospital, 6 weeks", want{kind: KindClerkship, tier: TierHandsOn, weeks: 6, specialty: ObstetricsGynecology}},
	{"3 month psych rotation in New York, 2022", want{kind: KindRotation, tier: TierHandsOn, weeks: 12, specialty: Psychiatry, year: 2022}},
	{"Two month IM externship 2026", want{kind: KindExternship, tier: TierHandsOn, weeks: 8, specialty: InternalMedicine, year: 2026}},
	{"externship, eight weeks, Chicago", want{kind: KindExternship, tier: TierHandsOn, weeks: 8}},
	{"Medicine rotation at Johns Hopkins 1 month", want{kind: KindRotation, tier: TierHandsOn, weeks: 4, specialty: InternalMedicine}},
	{"elective at Yale School of Medicine, 4 weeks", want{kind: KindElective, tier: TierHandsOn, weeks: 4}},
	{"in-person externship (not virtual) in Atlanta, 4 weeks", want{kind: KindExternship, tier: TierHandsOn, weeks: 4}},
	{"ortho externship 2022-2023, 8 weeks", want{kind: KindExternship, tier: TierHandsOn, weeks: 8, specialty: OrthopedicSurgery, year: 2023}},
	{"gas elective 4 weeks", want{kind: KindElective, tier: TierHandsOn, weeks: 4, specialty: Anesthesiology}},
	{"EM sub-I 2024", want{kind: KindSubInternship, tier: TierHandsOn, specialty: EmergencyMedicine, year: 2024}},
	{"ob/gyn externship 8 wks", want{kind: KindExternship, tier: TierHandsOn, weeks: 8, specialty: ObstetricsGynecology}},

	// Semi-hands-on.
	{"Clinical research with patient contact at Emory, 6 months, 2024", want{kind: KindResearchClinical, tier: TierSemiHandsOn, weeks: 24, year: 2024}},
	{"research coordinator, consenting patients in the ED, 1 year", want{kind: KindResearchClinical, tier: TierSemiHandsOn, weeks: 52, specialty: EmergencyMedicine}},
	{"research with clinic time, 6 months 2023-2024", want{kind: KindResearchClinical, tier: TierSemiHandsOn, weeks: 24, year: 2024}},
	{"derm research with clinic time 2024", want{kind: KindResearchClinical, tier: TierSemiHandsOn, specialty: Dermatology, year: 2024}},
	{"medical scribe in the ER for 6 months", want{kind: KindScribe, tier: TierSemiHandsOn, weeks: 24, specialty: EmergencyMedicine}},
	{"scribing 2 yrs in an urgent care", want{kind: KindScribe, tier: TierSemiHandsOn, weeks: 104}},
	{"ER scribe 1 yr", want{kind: KindScribe, tier: TierSemiHandsOn, weeks: 52, specialty: EmergencyMedicine}},
	{"3 days a week scribe for 2 months", want{kind: KindScribe, tier: TierSemiHandsOn, weeks: 8}},

	// Non-hands-on.
	{"Observership in cardiology at Mount Sinai, 4 weeks, 2025", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 4, specialty: InternalMedicine, year: 2025}},
	{"obs 2 mo IM 2023", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 8, specialty: InternalMedicine, year: 2023}},
	{"shadowed a pediatrician for two weeks", want{kind: KindShadowing, tier: TierNonHandsOn, weeks: 2, specialty: Pediatrics}},
	{"hospital volunteer, 3 months, 2021", want{kind: KindVolunteering, tier: TierNonHandsOn, weeks: 12, year: 2021}},
	{"volunteering once a week for 6 months", want{kind: KindVolunteering, tier: TierNonHandsOn, weeks: 24}},
	{"a month-long observership in Boston", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 4}},
	{"a month and a half shadowing in Miami", want{kind: KindShadowing, tier: TierNonHandsOn, weeks: 6}},
	{"2-3 months observership in Florida", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 8}},
	{"10 days shadowing an anesthesiologist", want{kind: KindShadowing, tier: TierNonHandsOn, weeks: 1, specialty: Anesthesiology}},
	{"OBGYN observership 2 mo", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 8, specialty: ObstetricsGynecology}},
	{"obs and gynae observership 4 weeks", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 4, specialty: ObstetricsGynecology}},
	{"PM&R observership, 3 weeks", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 3, specialty: PhysicalMedicine}},
	{"ENT shadowing 1 week", want{kind: KindShadowing, tier: TierNonHandsOn, weeks: 1, specialty: Otolaryngology}},
	{"rads observership at Yale 2023", want{kind: KindObservership, tier: TierNonHandsOn, specialty: Radiology, year: 2023}},
	{"paid $2000 for a 4-week observership in NY 2023", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 4, year: 2023}},
	{"US clinical experience: observership, Dallas, TX, 2024, 8 wks", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 8, year: 2024}},
	{"Observership in Georgia 2022", want{kind: KindObservership, tier: TierNonHandsOn, year: 2022}},
	{"observership rotation in neuro, 4 weeks", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 4, specialty: Neurology}},
	{"elective in India, then an observership in Boston", want{kind: KindObservership, tier: TierNonHandsOn}},

	// Typos.
	{"Externshp in IM, Houston, 8 wks", want{kind: KindExternship, tier: TierHandsOn, weeks: 8, specialty: InternalMedicine}},
	{"obsevership in pediatics 1 month", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 4, specialty: Pediatrics}},
	{"shadowng a neurologist 2 weeks", want{kind: KindShadowing, tier: TierNonHandsOn, weeks: 2, specialty: Neurology}},
	{"FM rotaion 4 weeks 2024", want{kind: KindRotation, tier: TierHandsOn, weeks: 4, specialty: FamilyMedicine, year: 2024}},
	{"telehealht shadowing 4 weeks", want{kind: KindTelehealth, tier: TierSupplemental, weeks: 4, remote: true}},
	{"psychiatary elective 2025", want{kind: KindElective, tier: TierHandsOn, specialty: Psychiatry, year: 2025}},
	{"internal medcine observership for two monhts", want{kind: KindObservership, tier: TierNonHandsOn, weeks: 8, specialty: InternalMedicine}},
	{"volunter at a free clinic 6 months", want{kind: KindVolunteering, tier: TierNonHandsOn, weeks: 24}},

	// Remote: supplemental whatever the kind word says.
	{"tele obs w/ US internist 1 mo", want{kind: KindTelehealth, tier: TierSupplemental, weeks: 4, specialty: InternalMedicine, remote: true}},
	{"Telehealth shadowing with a US family physician, 8 weeks", want{kind: KindTelehealth, tier: TierSupplemental, weeks: 8, specialty: FamilyMedicine, remote: true}},
	{"tele-observership in psychiatry 2024", want{kind: KindTelehealth, tier: TierSupplemental, specialty: Psychiatry, year: 2024, remote: true}},
	{"virtual observership 12 weeks 2025", want{kind: KindTelehealth, tier: TierSupplemental, weeks: 12, year: 2025, remote: true}},
	{"virtual rotation in internal medicine, 4 weeks", want{kind: KindVirtualRotation, tier: TierSupplemental, weeks: 4, specialty: InternalMedicine, remote: true}},
	{"online clerkship, 2 weeks", want{kind: KindVirtualRotation, tier: TierSupplemental, weeks: 2, remote: true}},
	{"virtual externship with a New York clinic, 1 month, 2025", want{kind: KindVirtualRotation, tier: TierSupplemental, weeks: 4, year: 2025, remote: true}},
	{"hands-on rotation over Zoom", want{kind: KindVirtualRotation, tier: TierSupplemental, remote: true}},
	{"online case-based course in cardiology", want{kind: KindOnlineCourse, tier: TierSupplemental, specialty: InternalMedicine, remote: true}},
	{"remote research with a US mentor, 6 months", want{kind: KindTeleResearch, tier: TierSupplemental, weeks: 24, remote: true}},
	{"tele research on heart failure outcomes 2023", want{kind: KindTeleResearch, tier: TierSupplemental, year: 2023, remote: true}},
	{"QI project online with Baylor, 3 months", want{kind: KindRemoteQI, tier: TierSupplemental, weeks: 12, remote: true}},
	{"telemedicine", want{kind: KindTelehealth, tier: TierSupplemental, remote: true}},
	{"tele obs with a US doctor from Lagos, 6 weeks", want{kind: KindTelehealth, tier: TierSupplemental, weeks: 6, abroad: true, remote: true}},

	// Not clinical.
	{"1 yr research lab, no patients", want{kind: KindResearch, tier: TierNotClinical, weeks: 52}},
	{"research 2019-2021 at NIH, bench work", want{kind: KindResearch, tier: TierNotClinical, year: 2021}},
	{"clinical research, retrospective chart review only, 1 year", want{kind: KindResearch, tier: TierNotClinical, weeks: 52}},
	{"2 years as a research assistant, no patient contact", want{kind: KindResearch, tier: TierNotClinical, weeks: 104}},
	{"cardiology research, data analysis only", want{kind: KindResearch, tier: TierNotClinical, specialty: InternalMedicine}},
	{"QI project at a hospital in Ohio", want{kind: KindResearch, tier: TierNotClinical}},

	// Outside the US.
	{"house job in Lahore 2022, 1 year", want{tier: TierNonUS, weeks: 52, year: 2022, abroad: true}},
	{"IM rotation in Cairo, 2 months", want{kind: KindRotation, tier: TierNonUS, weeks: 8, specialty: InternalMedicine, abroad: true}},
	{"elective back home in surgery, 4 weeks", want{kind: KindElective, tier: TierNonUS, weeks: 4, specialty: GeneralSurgery, abroad: true}},
	{"Observership in Karachi 2023", want{kind: KindObservership, tier: TierNonUS, year: 2023, abroad: true}},
	{"clinical attachment in London 3 months", want{kind: KindObservership, tier: TierNonUS, weeks: 12, abroad: true}},
	{"worked as a medical officer in Dhaka for 2 years", want{tier: TierNonUS, weeks: 104, abroad: true}},
	{"20 years of practice in Egypt", want{tier: TierNonUS, abroad: true}},

	// Missing parts, and "I'm" is not IM.
	{"observership", want{kind: KindObservership, tier: TierNonHandsOn}},
	{"Chicago, 2025", want{year: 2025}},
	{"", want{}},
	{"I'm doing an elective in neurology", want{kind: KindElective, tier: TierHandsOn, specialty: Neurology}},
	{"im elective 4 weeks", want{kind: KindElective, tier: TierHandsOn, weeks: 4, specialty: InternalMedicine}},
	{"Im going to do research", want{kind: KindResearch, tier: TierNotClinical}},
	{"observership with Dr. Harry Smith in Ohio", want{kind: KindObservership, tier: TierNonHandsOn}},
}

func TestClassify(t *testing.T) {
	for _, tt := range classifyTests {
		got, w := Classify(tt.in), tt.want
		if got.Kind != w.kind {
			t.Errorf("Classify(%q) kind = %q, want %q", tt.in, got.Kind, w.kind)
		}
		if got.Tier != w.tier {
			t.Errorf("Classify(%q) tier = %s, want %s", tt.in, got.Tier, w.tier)
		}
		usce := w.tier == TierHandsOn || w.tier == TierSemiHandsOn || w.tier == TierNonHandsOn
		if got.CountsAsUSCE != usce {
			t.Errorf("Classify(%q) counts_as_usce = %t, want %t", tt.in, got.CountsAsUSCE, usce)
		}
		if g := deref(got.Weeks); g != w.weeks {
			t.Errorf("Classify(%q) weeks = %d, want %d (0: null)", tt.in, g, w.weeks)
		}
		if got.Specialty != w.specialty {
			t.Errorf("Classify(%q) specialty = %q, want %q", tt.in, got.Specialty, w.specialty)
		}
		if g := deref(got.EndYear); g != w.year {
			t.Errorf("Classify(%q) end_year = %d, want %d (0: null)", tt.in, g, w.year)
		}
		if got.InUS == w.abroad {
			t.Errorf("Classify(%q) in_us = %t, want %t", tt.in, got.InUS, !w.abroad)
		}
		if got.Remote != w.remote {
			t.Errorf("Classify(%q) remote = %t, want %t", tt.in, got.Remote, w.remote)
		}
	}
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func TestClassifyJSON(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"8-week IM externship in Chicago, 2025, strong letter",
			`{"kind":"externship","tier":"hands_on","counts_as_usce":true,"weeks":8,"specialty":"internal medicine","end_year":2025,"in_us":true,"remote":false,"count":null,"weeks_each":null}`},
		{"two 4-week observerships in 2019, one in IM",
			`{"kind":"observership","tier":"non_hands_on","counts_as_usce":true,"weeks":8,"specialty":"internal medicine","end_year":2019,"in_us":true,"remote":false,"count":2,"weeks_each":4}`},
		{"something I did",
			`{"kind":null,"tier":null,"counts_as_usce":false,"weeks":null,"specialty":null,"end_year":null,"in_us":true,"remote":false,"count":null,"weeks_each":null}`},
	} {
		b, err := json.Marshal(Classify(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("json.Marshal(Classify(%q)) = %s, want %s", tt.in, b, tt.want)
		}
	}
}

func TestClassificationExperience(t *testing.T) {
	got := Classify("tele obs w/ US internist from Lagos, 1 mo, 2025").Experience()
	want := Experience{Kind: KindTelehealth, Weeks: 4, Specialty: InternalMedicine, EndYear: 2025, InUS: false, Remote: true}
	if got != want {
		t.Errorf("Experience() = %+v, want %+v", got, want)
	}
	if tier := got.Tier(); tier != TierSupplemental {
		t.Errorf("Experience().Tier() = %s, want %s", tier, TierSupplemental)
	}
	if got := Classify("").Experience(); got != (Experience{InUS: true}) {
		t.Errorf("Classify(\"\").Experience() = %+v, want only in_us", got)
	}
}

// TestClassifyCount checks descriptions of several experiences at once:
// weeks is the total, each the length of one when the text gives it.
func TestClassifyCount(t *testing.T) {
	for _, tt := range []struct {
		in                 string
		weeks, count, each int // 0: null
		specialty          string
		specialtyOfOne     bool
	}{
		{"two 4-week observerships in 2019, one in IM", 8, 2, 4, InternalMedicine, true},
		{"2 observerships of 4 weeks each", 8, 2, 4, "", false},
		{"2 observerships of 4 weeks", 8, 2, 4, "", false},
		{"3 externships, 4 weeks each", 12, 3, 4, "", false},
		{"a couple of 2-week electives", 4, 2, 2, "", false},
		{"two IM observerships of 1 month, 2019", 8, 2, 4, InternalMedicine, false},
		{"2 sub-internships in surgery, 4 weeks each, 2024", 8, 2, 4, GeneralSurgery, false},
		{"three 1-month electives in peds", 12, 3, 4, Pediatrics, false},
		// One length for several: the total, to be confirmed.
		{"two observerships, 8 weeks total", 8, 2, 0, "", false},
		{"observerships x2, 4 wks", 4, 2, 0, "", false},
		// A length per experience listed: their sum.
		{"two electives (4 weeks and 6 weeks)", 10, 2, 0, "", false},
		// No count.
		{"two months of observerships", 8, 0, 0, "", false},
		{"8-week IM externship in Chicago, 2025", 8, 0, 0, InternalMedicine, false},
		{"4-6 weeks observership", 4, 0, 0, "", false},
		{"observerships in 2019", 0, 0, 0, "", false},
		{"2 observerships", 0, 2, 0, "", false},
	} {
		c := Classify(tt.in)
		if deref(c.Weeks) != tt.weeks || c.Count != tt.count || deref(c.WeeksEach) != tt.each {
			t.Errorf("Classify(%q) weeks, count, each = %d, %d, %d; want %d, %d, %d (0: null)",
				tt.in, deref(c.Weeks), c.Count, deref(c.WeeksEach), tt.weeks, tt.count, tt.each)
		}
		if c.Specialty != tt.specialty || c.SpecialtyOfOne != tt.specialtyOfOne {
			t.Errorf("Classify(%q) specialty = %q (of one: %t), want %q (%t)", tt.in, c.Specialty, c.SpecialtyOfOne, tt.specialty, tt.specialtyOfOne)
		}
	}
}

func TestClassificationExperiences(t *testing.T) {
	obs := func(weeks int, specialty string) Experience {
		return Experience{Kind: KindObservership, Weeks: weeks, Specialty: specialty, EndYear: 2019, InUS: true}
	}
	for _, tt := range []struct {
		in   string
		want []Experience
	}{
		{"two 4-week observerships in 2019, one in IM", []Experience{obs(4, InternalMedicine), obs(4, "")}},
		{"two 4-week IM observerships in 2019", []Experience{obs(4, InternalMedicine), obs(4, InternalMedicine)}},
		// No length of each: one experience of the total, and no specialty
		// that only one of them had.
		{"two observerships in 2019, 8 weeks in all, one in IM", []Experience{obs(8, "")}},
		{"IM observership, 4 weeks, 2019", []Experience{obs(4, InternalMedicine)}},
	} {
		if diff := cmp.Diff(tt.want, Classify(tt.in).Experiences()); diff != "" {
			t.Errorf("Classify(%q).Experiences() (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestTierOf(t *testing.T) {
	for _, tt := range []struct {
		kind         string
		inUS, remote bool
		want         string
	}{
		{KindExternship, true, false, TierHandsOn},
		{KindExternship, true, true, TierSupplemental},
		{KindExternship, false, false, TierNonUS},
		{KindObservership, false, true, TierSupplemental},
		{KindScribe, true, false, TierSemiHandsOn},
		{KindVolunteering, true, false, TierNonHandsOn},
		{KindTelehealth, true, false, TierSupplemental},
		{KindTelehealth, false, false, TierSupplemental},
		{KindResearch, true, false, TierNotClinical},
		{KindResearch, false, false, TierNonUS},
		{"", true, false, ""},
		{"", false, false, TierNonUS},
		{"unknown", true, false, ""},
	} {
		if got := TierOf(tt.kind, tt.inUS, tt.remote); got != tt.want {
			t.Errorf("TierOf(%q, %t, %t) = %q, want %q", tt.kind, tt.inUS, tt.remote, got, tt.want)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, tt := range classifyTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c := Classify(in)
		if _, ok := kindTier[c.Kind]; c.Kind != "" && !ok {
			t.Errorf("Classify(%q) kind = %q, not a kind", in, c.Kind)
		}
		switch c.Tier {
		case "", TierHandsOn, TierSemiHandsOn, TierNonHandsOn, TierSupplemental, TierNotClinical, TierNonUS:
		default:
			t.Errorf("Classify(%q) tier = %q, not a tier", in, c.Tier)
		}
		if c.CountsAsUSCE != CountsAsUSCE(c.Tier) {
			t.Errorf("Classify(%q) counts_as_usce = %t with tier %q", in, c.CountsAsUSCE, c.Tier)
		}
		if c.Weeks != nil && (*c.Weeks < 1 || *c.Weeks > maxWeeks) {
			t.Errorf("Classify(%q) weeks = %d, want null or 1..%d", in, *c.Weeks, maxWeeks)
		}
		if c.WeeksEach != nil && (c.Weeks == nil || *c.Weeks != c.Count**c.WeeksEach) {
			t.Errorf("Classify(%q) weeks = %v for %d of %d weeks each", in, c.Weeks, c.Count, *c.WeeksEach)
		}
		if c.Count == 1 || c.Count < 0 || c.Count > maxCount {
			t.Errorf("Classify(%q) count = %d, want 0 or 2..%d", in, c.Count, maxCount)
		}
		if c.EndYear != nil && (*c.EndYear < minYear || *c.EndYear > maxYear) {
			t.Errorf("Classify(%q) end_year = %d, want null or %d..%d", in, *c.EndYear, minYear, maxYear)
		}
		if _, err := json.Marshal(c); err != nil {
			t.Errorf("json.Marshal(Classify(%q)): %v", in, err)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	for _, bb := range []struct{ name, in string }{
		{"short", "8-week IM externship in Chicago, 2025, strong letter"},
		{"paste", strings.Repeat("obsevership in pediatics 1 month, Karachi 2023. ", 100)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				Classify(bb.in)
			}
		})
	}
}
