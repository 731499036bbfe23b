package rules

import "testing"

func TestParseSpecialty(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // "": not recognised
	}{
		{"IM", InternalMedicine},
		{"im", InternalMedicine},
		{"Internal Medicine", InternalMedicine},
		{"internal medcine", InternalMedicine},
		{"cardiology", InternalMedicine},
		{"I want to do IM", InternalMedicine},
		{"FM", FamilyMedicine},
		{"family med", FamilyMedicine},
		{"peds", Pediatrics},
		{"paeds", Pediatrics},
		{"pediatics", Pediatrics},
		{"psychiatary", Psychiatry},
		{"probably psych", Psychiatry},
		{"neuro", Neurology},
		{"gen surg", GeneralSurgery},
		{"surgery", GeneralSurgery},
		{"OB/GYN", ObstetricsGynecology},
		{"obgyn", ObstetricsGynecology},
		{"OBG", ObstetricsGynecology},
		{"obs & gynae", ObstetricsGynecology},
		{"EM", EmergencyMedicine},
		{"emergency medicine", EmergencyMedicine},
		{"path", Pathology},
		{"gas", Anesthesiology},
		{"anaesthesia", Anesthesiology},
		{"rads", Radiology},
		{"derm", Dermatology},
		{"ortho", OrthopedicSurgery},
		{"PM&R", PhysicalMedicine},
		{"ENT", Otolaryngology},
		{"neurosurgery", Neurosurgery},
		{"rad onc", RadiationOncology},
		{"nuclear medicine", ""},
		{"undecided", ""},
		{"I'm not sure", ""},
		{"im not sure yet", ""},
		{"", ""},
	} {
		got, ok := ParseSpecialty(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("ParseSpecialty(%q) = %q, %t, want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestFindSpecialty(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"8-week IM externship in Chicago", InternalMedicine},
		{"8-week im externship in Chicago", InternalMedicine},
		{"did 4 weeks in im at Mercy", InternalMedicine},
		{"I'm in Chicago for an externship", ""},
		{"Im in Chicago", ""},
		{"ER doc supervised me", EmergencyMedicine},
		{"er, I think it was a month", ""},
		{"elective at Yale School of Medicine", ""},
		{"a career path in medicine", InternalMedicine},
		{"pediatric cardiology elective", Pediatrics},
		{"physical medicine and rehabilitation observership", PhysicalMedicine},
		{"radiation oncology research", RadiationOncology},
	} {
		got, ok := FindSpecialty(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("FindSpecialty(%q) = %q, %t, want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestSpecialties(t *testing.T) {
	names := Specialties()
	if len(names) < 15 || len(names) > 25 {
		t.Errorf("Specialties() has %d names, want about 20 (a select menu holds 25)", len(names))
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("Specialties() lists %q twice", n)
		}
		seen[n] = true
		if got, ok := ParseSpecialty(n); !ok || got != n {
			t.Errorf("ParseSpecialty(%q) = %q, %t, want itself", n, got, ok)
		}
	}
	for alias, name := range specialtyAliases {
		if name != "" && !seen[name] {
			t.Errorf("alias %q maps to %q, not a canonical specialty", alias, name)
		}
	}
}
