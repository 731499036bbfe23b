package rules

import "strings"

// The canonical specialties: the residencies IMGs apply to. Subspecialties
// reached through one of them are aliases of it (below).
const (
	InternalMedicine     = "internal medicine"
	FamilyMedicine       = "family medicine"
	Pediatrics           = "pediatrics"
	Psychiatry           = "psychiatry"
	Neurology            = "neurology"
	GeneralSurgery       = "general surgery"
	ObstetricsGynecology = "obstetrics and gynecology"
	EmergencyMedicine    = "emergency medicine"
	Pathology            = "pathology"
	Anesthesiology       = "anesthesiology"
	Radiology            = "radiology"
	Dermatology          = "dermatology"
	OrthopedicSurgery    = "orthopedic surgery"
	Ophthalmology        = "ophthalmology"
	PhysicalMedicine     = "physical medicine and rehabilitation"
	Urology              = "urology"
	Otolaryngology       = "otolaryngology"
	Neurosurgery         = "neurosurgery"
	PlasticSurgery       = "plastic surgery"
	RadiationOncology    = "radiation oncology"
)

// maxSpecialtyAliasWords is the length of the longest alias.
const maxSpecialtyAliasWords = 5

// Specialties returns the canonical specialty names, most applied-to first.
func Specialties() []string {
	return []string{
		InternalMedicine, FamilyMedicine, Pediatrics, Psychiatry, Neurology,
		GeneralSurgery, ObstetricsGynecology, EmergencyMedicine, Pathology,
		Anesthesiology, Radiology, Dermatology, OrthopedicSurgery, Ophthalmology,
		PhysicalMedicine, Urology, Otolaryngology, Neurosurgery, PlasticSurgery,
		RadiationOncology,
	}
}

// specialtyAliases maps what people write (lower case, words separated by
// one space, as tokenize leaves them: "OB/GYN" is "ob gyn", "PM&R" is "pm
// r") to the canonical name. An IM subspecialty counts as internal medicine
// because that is the residency an IMG applies to for it. An empty name
// blocks a phrase: "school of medicine" names a school, not internal
// medicine, "career path" is not pathology, and the rarer residencies named
// "... medicine" are not internal medicine either.
var specialtyAliases = indexAliases(map[string][]string{
	InternalMedicine: {"internal medicine", "internal med", "int med", "intmed", "im",
		"medicine", "general medicine", "gim", "internist", "hospital medicine", "hospitalist",
		"cardiology", "cardiologist", "nephrology", "gastroenterology", "gi",
		"pulmonology", "pulmonary", "pulm", "critical care", "endocrinology", "hematology",
		"oncology", "heme onc", "hematology oncology", "rheumatology", "infectious disease",
		"infectious diseases", "geriatrics"},
	FamilyMedicine: {"family medicine", "family med", "fm", "family practice",
		"family physician", "family doctor"},
	Pediatrics: {"pediatrics", "paediatrics", "pediatric", "paediatric", "peds", "paeds", "pedi",
		"pediatrician", "paediatrician", "neonatology", "nicu"},
	Psychiatry: {"psychiatry", "psych", "psychiatric", "psychiatrist"},
	Neurology:  {"neurology", "neuro", "neurologist"},
	GeneralSurgery: {"general surgery", "gen surg", "gensurg", "surgery", "surgical", "surg",
		"trauma surgery"},
	ObstetricsGynecology: {"obstetrics and gynecology", "obstetrics and gynaecology",
		"obstetrics gynecology", "ob gyn", "obgyn", "ob", "obg", "gyn", "obs gyn", "obs and gyn",
		"obs and gynae", "obs gynae", "obstetrics", "gynecology", "gynaecology", "obstetrician"},
	EmergencyMedicine: {"emergency medicine", "em", "emergency", "er", "ed",
		"emergency department", "emergency room"},
	Pathology: {"pathology", "path", "pathologist"},
	Anesthesiology: {"anesthesiology", "anaesthesiology", "anesthesia", "anaesthesia", "gas",
		"anesthesiologist", "anaesthetist", "anaesthetics"},
	Radiology: {"radiology", "rads", "diagnostic radiology", "interventional radiology",
		"radiologist"},
	Dermatology: {"dermatology", "derm", "dermatologist"},
	OrthopedicSurgery: {"orthopedic surgery", "orthopaedic surgery", "orthopedics",
		"orthopaedics", "ortho", "orthopedic"},
	Ophthalmology: {"ophthalmology", "ophtho", "optho", "ophthalmologist"},
	PhysicalMedicine: {"physical medicine and rehabilitation", "physical medicine", "pm r",
		"pmr", "pm and r", "physiatry", "rehab", "rehabilitation medicine"},
	Urology:           {"urology", "urologist"},
	Otolaryngology:    {"otolaryngology", "ent", "ear nose and throat", "head and neck surgery"},
	Neurosurgery:      {"neurosurgery", "neurological surgery", "neurosurgeon"},
	PlasticSurgery:    {"plastic surgery", "plastics"},
	RadiationOncology: {"radiation oncology", "rad onc"},
	"": {"school of medicine", "college of medicine", "faculty of medicine",
		"university of medicine", "career path", "nuclear medicine", "preventive medicine",
		"occupational medicine", "sports medicine"},
})

// indexAliases turns canonical name -> aliases into alias -> canonical name.
func indexAliases(byName map[string][]string) map[string]string {
	m := map[string]string{}
	for name, aliases := range byName {
		for _, a := range aliases {
			m[a] = name
		}
	}
	return m
}

// contextAliases are abbreviations that are also English ("im" is how many
// people type "I'm"; "er" and "ed" are a hesitation and a name). They name a
// specialty only when written in capitals, after "in", or next to an
// experience word, a duration or a number: "IM", "8-week im externship",
// "elective in im".
var contextAliases = map[string]bool{"im": true, "er": true, "ed": true}

// ParseSpecialty reads a target specialty answer ("IM", "peds",
// "pediatics", "probably psych") and returns its canonical name.
func ParseSpecialty(text string) (string, bool) {
	d := newDoc(text)
	if name, ok := specialtyAliases[strings.Join(d.ws, " ")]; ok && name != "" {
		return name, true
	}
	return findSpecialty(d)
}

// FindSpecialty returns the first specialty mentioned in a longer text:
// "8-week IM externship in Chicago" gives internal medicine.
func FindSpecialty(text string) (string, bool) {
	return findSpecialty(newDoc(text))
}

func findSpecialty(d doc) (string, bool) {
	for i := 0; i < len(d.ws); i++ {
		name, n := longestAt(d.ws, i, maxSpecialtyAliasWords, specialtyAliases)
		switch {
		case n == 0:
			continue
		case name == "":
			i += n - 1 // a blocked phrase: skip all of it
		case n == 1 && contextAliases[d.ws[i]] && !abbreviation(d, i):
		default:
			return name, true
		}
	}
	return "", false
}

// abbreviation reports whether the ambiguous short word at i is meant as a
// specialty (see contextAliases).
func abbreviation(d doc, i int) bool {
	t := d.toks[i]
	if t.apos {
		return false
	}
	if t.upper {
		return true
	}
	if i > 0 && d.ws[i-1] == "in" { // "elective in im", never "im in Chicago"
		return true
	}
	for _, j := range []int{i - 1, i + 1} {
		if j < 0 || j >= len(d.ws) {
			continue
		}
		w := d.ws[j]
		if _, ok := kindWords[w]; ok || unitWeeks[w] > 0 {
			return true
		}
		if _, ok := number(w); ok {
			return true
		}
	}
	return false
}

// canonicalSpecialty returns the canonical name of a stored specialty, so a
// profile written by hand with "IM" meets an experience in "internal
// medicine"; an unknown name is compared as written.
func canonicalSpecialty(s string) string {
	if name, ok := ParseSpecialty(s); ok {
		return name
	}
	return strings.ToLower(strings.TrimSpace(s))
}
