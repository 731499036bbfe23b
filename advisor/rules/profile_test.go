package rules

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, time.November, 21, 10, 0, 0, 0, time.UTC)

func ptr(n int) *int { return &n }

// complete returns a valid profile; tests change one thing.
func complete() Profile {
	return Profile{
		Stage: StageGraduate, GradYear: ptr(2023), ApplicationYear: ptr(2027),
		Specialty: InternalMedicine, Step1: Step1Passed, Step2CK: ptr(245),
		Visa: VisaNeeded, CanTravel: Yes, Budget: BudgetMedium, USLetters: ptr(1),
		Experiences: []Experience{{Kind: KindExternship, Weeks: 8, Specialty: InternalMedicine, EndYear: 2026, InUS: true}},
	}
}

func TestExperienceInUSDefault(t *testing.T) {
	var p Profile
	in := `{"experiences":[{"kind":"elective","weeks":4,"end_year":2026},{"kind":"rotation","weeks":4,"in_us":false}]}`
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	want := []Experience{
		{Kind: KindElective, Weeks: 4, EndYear: 2026, InUS: true},
		{Kind: KindRotation, Weeks: 4, InUS: false},
	}
	if diff := cmp.Diff(want, p.Experiences); diff != "" {
		t.Errorf("experiences (-want +got):\n%s", diff)
	}
	if err := json.Unmarshal([]byte(`{"experiences":[{"weeks":"four"}]}`), &p); err == nil {
		t.Error("json.Unmarshal of a bad experience: no error")
	}
}

func TestProfileJSONRoundTrip(t *testing.T) {
	p := complete()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got Profile
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if b, _ := json.Marshal(Profile{Stage: StageStudent}); string(b) != `{"stage":"student"}` {
		t.Errorf("json.Marshal(incomplete profile) = %s, want only the set fields", b)
	}
}

func TestMissing(t *testing.T) {
	all := []string{FieldStage, FieldGradYear, FieldApplicationYear, FieldSpecialty,
		FieldStep1, FieldVisa, FieldCanTravel, FieldBudget, FieldUSLetters}
	if diff := cmp.Diff(all, Profile{}.Missing()); diff != "" {
		t.Errorf("Profile{}.Missing() (-want +got):\n%s", diff)
	}
	if got := complete().Missing(); len(got) != 0 {
		t.Errorf("complete().Missing() = %v, want none", got)
	}
	p := complete()
	p.Step2CK, p.Experiences = nil, nil // optional
	p.USLetters = ptr(0)                // zero is an answer
	p.Visa = ""
	if diff := cmp.Diff([]string{FieldVisa}, p.Missing()); diff != "" {
		t.Errorf("Missing() (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	if err := complete().Validate(now); err != nil {
		t.Errorf("complete().Validate() = %v, want nil", err)
	}
	noStep2 := complete()
	noStep2.Step2CK, noStep2.Experiences = nil, nil
	if err := noStep2.Validate(now); err != nil {
		t.Errorf("Validate() without step2ck and experiences = %v, want nil", err)
	}
	for _, tt := range []struct {
		name   string
		change func(*Profile)
		field  string // the error must name it
	}{
		{"missing", func(p *Profile) { p.Budget = "" }, "budget"},
		{"stage", func(p *Profile) { p.Stage = "grad" }, "stage"},
		{"grad year", func(p *Profile) { p.GradYear = ptr(1960) }, "grad_year"},
		{"application year past", func(p *Profile) { p.ApplicationYear = ptr(2025) }, "application_year"},
		{"application year far", func(p *Profile) { p.ApplicationYear = ptr(2033) }, "application_year"},
		{"specialty", func(p *Profile) { p.Specialty = "astrology" }, "specialty"},
		{"step1", func(p *Profile) { p.Step1 = "maybe" }, "step1"},
		{"step2ck", func(p *Profile) { p.Step2CK = ptr(301) }, "step2ck"},
		{"visa", func(p *Profile) { p.Visa = "j1" }, "visa"},
		{"can_travel", func(p *Profile) { p.CanTravel = "y" }, "can_travel"},
		{"budget", func(p *Profile) { p.Budget = "huge" }, "budget"},
		{"us_letters", func(p *Profile) { p.USLetters = ptr(11) }, "us_letters"},
		{"kind", func(p *Profile) { p.Experiences[0].Kind = "holiday" }, "experiences[0].kind"},
		{"weeks", func(p *Profile) { p.Experiences[0].Weeks = 0 }, "experiences[0].weeks"},
		{"end year", func(p *Profile) { p.Experiences[0].EndYear = 1900 }, "experiences[0].end_year"},
		{"experience specialty", func(p *Profile) { p.Experiences[0].Specialty = "astrology" }, "experiences[0].specialty"},
	} {
		p := complete()
		tt.change(&p)
		err := p.Validate(now)
		if err == nil || !strings.HasPrefix(err.Error(), tt.field+":") {
			t.Errorf("%s: Validate() = %v, want an error naming %s", tt.name, err, tt.field)
		}
	}
	edge := complete()
	edge.ApplicationYear, edge.Specialty = ptr(2032), "peds"
	edge.Experiences[0].EndYear = 0 // unknown is allowed
	edge.Experiences = append(edge.Experiences, Experience{Weeks: 52, InUS: false})
	if err := edge.Validate(now); err != nil {
		t.Errorf("Validate() at the edges = %v, want nil", err)
	}
}

// parseCase is one answer to an intake question; want "" means rejected.
type parseCase struct{ in, want string }

func checkParse(t *testing.T, name string, parse func(string) (string, error), cases []parseCase) {
	t.Helper()
	for _, tt := range cases {
		got, err := parse(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%s(%q) = %q, want an error", name, tt.in, got)
		case tt.want == "" && (err.Error() == "" || strings.Contains(err.Error(), "\n")):
			t.Errorf("%s(%q) error %q, want one line", name, tt.in, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("%s(%q) = %q, %v, want %q", name, tt.in, got, err, tt.want)
		}
	}
}

func TestParseStage(t *testing.T) {
	checkParse(t, "ParseStage", ParseStage, []parseCase{
		{"student", StageStudent}, {"still in school", StageStudent}, {"MS4", StageStudent},
		{"final year med student", StageStudent}, {"not graduated yet", StageStudent},
		{"I will graduate in 2027", StageStudent}, {"graduating next year", StageStudent},
		{"graduate", StageGraduate}, {"grad", StageGraduate}, {"graduated", StageGraduate},
		{"IMG", StageGraduate}, {"I graduated in 2020, studying for Step 2", StageGraduate},
		{"finished med school", StageGraduate}, {"MBBS done", StageGraduate},
		{"banana", ""}, {"", ""},
	})
}

func TestParseStep1(t *testing.T) {
	checkParse(t, "ParseStep1", ParseStep1, []parseCase{
		{"passed", Step1Passed}, {"Pass", Step1Passed}, {"yes", Step1Passed},
		{"cleared it", Step1Passed}, {"passed, studying for CK now", Step1Passed},
		{"failed", Step1Failed}, {"fail once then passed", Step1Failed}, {"didn't pass", Step1Failed},
		{"not taken", Step1NotTaken}, {"not yet", Step1NotTaken}, {"no", Step1NotTaken},
		{"not passed yet", Step1NotTaken}, {"haven't taken it", Step1NotTaken},
		{"scheduled for March", Step1NotTaken}, {"n/a", Step1NotTaken}, {"pending", Step1NotTaken},
		{"waiting for my result", Step1NotTaken},
		{"hmm", ""},
	})
}

func TestParseVisa(t *testing.T) {
	checkParse(t, "ParseVisa", ParseVisa, []parseCase{
		{"yes", VisaNeeded}, {"y", VisaNeeded}, {"I need a J-1", VisaNeeded},
		{"need H1B sponsorship", VisaNeeded}, {"visa", VisaNeeded},
		{"no", VisaNotNeeded}, {"nope", VisaNotNeeded}, {"I'm a US citizen", VisaNotNeeded},
		{"green card holder", VisaNotNeeded}, {"don't need one", VisaNotNeeded},
		{"not needed", VisaNotNeeded},
		{"not sure", ""}, {"no idea", ""}, {"purple", ""},
	})
}

func TestParseYesNo(t *testing.T) {
	checkParse(t, "ParseYesNo", ParseYesNo, []parseCase{
		{"yes", Yes}, {"Y", Yes}, {"yeah", Yes}, {"sure", Yes}, {"yes I can", Yes},
		{"no", No}, {"n", No}, {"nope", No}, {"nah", No}, {"I can't", No},
		{"cannot travel", No}, {"not this year", No},
		{"not sure", ""}, {"maybe", ""}, {"idk", ""}, {"", ""},
	})
}

func TestParseBudget(t *testing.T) {
	checkParse(t, "ParseBudget", ParseBudget, []parseCase{
		{"low", BudgetLow}, {"cheap", BudgetLow}, {"$", BudgetLow}, {"tight", BudgetLow},
		{"not much", BudgetLow}, {"under $1,500", BudgetLow},
		{"medium", BudgetMedium}, {"$$", BudgetMedium}, {"moderate", BudgetMedium},
		{"about 4000 USD", BudgetMedium},
		{"high", BudgetHigh}, {"$$$", BudgetHigh}, {"plenty", BudgetHigh},
		{"no limit", BudgetHigh}, {"$10k", BudgetHigh},
		{"whatever", ""},
	})
}

// parseIntCase is one numeric answer; ok false means rejected.
type parseIntCase struct {
	in   string
	want int
	ok   bool
}

func checkParseInt(t *testing.T, name string, parse func(string) (int, error), cases []parseIntCase) {
	t.Helper()
	for _, tt := range cases {
		got, err := parse(tt.in)
		if (err == nil) != tt.ok || tt.ok && got != tt.want {
			t.Errorf("%s(%q) = %d, %v, want %d (ok %t)", name, tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseGradYear(t *testing.T) {
	checkParseInt(t, "ParseGradYear", ParseGradYear, []parseIntCase{
		{"2021", 2021, true}, {"graduated in 2019", 2019, true}, {"class of 2028", 2028, true},
		{"1970", 1970, true}, {"2040", 2040, true},
		{"1969", 0, false}, {"2041", 0, false}, {"last year", 0, false}, {"", 0, false},
		{"-2019", 0, false}, {"2019 or 2020", 0, false},
	})
}

func TestParseApplicationYear(t *testing.T) {
	parse := func(s string) (int, error) { return ParseApplicationYear(s, now) }
	checkParseInt(t, "ParseApplicationYear", parse, []parseIntCase{
		{"2027", 2027, true}, {"2026", 2026, true}, {"2032", 2032, true},
		{"this year", 2026, true}, {"next year", 2027, true}, {"in 2 years", 2028, true},
		{"2025", 0, false}, {"2033", 0, false}, {"soon", 0, false},
	})
}

func TestParseStep2CK(t *testing.T) {
	checkParseInt(t, "ParseStep2CK", ParseStep2CK, []parseIntCase{
		{"245", 245, true}, {"I got 238", 238, true}, {"1", 1, true}, {"300", 300, true},
		{"0", 0, false}, {"301", 0, false}, {"not taken", 0, false},
		{"I'll take it in 2 months", 0, false}, {"-240", 0, false}, {"240 on my 2nd try", 0, false},
	})
}

func TestParseUSLetters(t *testing.T) {
	checkParseInt(t, "ParseUSLetters", ParseUSLetters, []parseIntCase{
		{"2", 2, true}, {"two", 2, true}, {"I have three", 3, true}, {"0", 0, true},
		{"none", 0, true}, {"no", 0, true}, {"zero", 0, true}, {"10", 10, true},
		{"a couple", 2, true},
		{"11", 0, false}, {"lots", 0, false}, {"-1", 0, false}, {"2 or 3", 0, false},
	})
}
