package rules

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var vetTests = []struct {
	offer   string
	flags   []string
	verdict string
}{
	// guaranteed-letter: alone it is caution, with any other flag avoid.
	{"4-week hands-on IM externship at Mercy Hospital, Chicago, supervised by Dr. Amal Haddad. Fee: $2,800. Guaranteed LOR upon completion! Limited seats, act now!",
		[]string{FlagGuaranteedLetter, FlagHype, FlagHighPrice}, VerdictAvoid},
	{"Guaranteed letter of recommendation from a US physician. Only $1,200 for 4 weeks of in-person shadowing at Riverside Medical Center, NJ.",
		[]string{FlagGuaranteedLetter}, VerdictCaution},
	{"You will receive a strong LOR at the end of your 4-week observership with Dr. Osei at Springfield General Hospital. $1,500.",
		[]string{FlagGuaranteedLetter}, VerdictCaution},
	{"Students may receive a letter of recommendation if they perform well. Rotation at Springfield General Hospital with Dr. Osei.",
		nil, VerdictAskFirst},
	{"Letters are not guaranteed; they depend on your work. Observership at Mount Sinai Hospital with Dr. Lee, 4 weeks, $1,500.",
		nil, VerdictAskFirst},
	{"We send an invitation letter for your visa. Observership with Dr. Chen at Maple Hospital, 4 weeks, $900.",
		nil, VerdictAskFirst},
	{"Price includes housing and airport pickup; letters upon request. Externship at Cedar Hospital with Dr. Ali, 4 weeks, $1,500.",
		nil, VerdictAskFirst},
	{"Fee includes a letter of recommendation. Externship at Cedar Hospital with Dr. Ali, 4 weeks, $1,500.",
		[]string{FlagGuaranteedLetter}, VerdictCaution},
	{"LOR guaranteed, interview guaranteed.",
		[]string{FlagGuaranteedLetter, FlagGuaranteedMatch, FlagNoSupervisorNamed}, VerdictAvoid},

	// guaranteed-match: always avoid.
	{"Residency placement guaranteed or your money back. $5k for 2 weeks.",
		[]string{FlagGuaranteedMatch, FlagNoSupervisorNamed, FlagHighPrice}, VerdictAvoid},
	{"Our program guarantees interviews at partner residency programs. 4-week rotation with Dr. Patel at St. Mary's Hospital, $1,800.",
		[]string{FlagGuaranteedMatch}, VerdictAvoid},
	{"Guaranteed interview preparation and residency application support. Observership at Cedar Hospital with Dr. Ali.",
		nil, VerdictAskFirst},
	{"We will place you in residency after the program.",
		[]string{FlagGuaranteedMatch, FlagNoSupervisorNamed}, VerdictAvoid},
	{"We do not guarantee a match or interviews; nobody can. Observership with Dr. Chen at Maple Hospital, 4 weeks, $800.",
		nil, VerdictAskFirst},

	// no-live-patients.
	{"Online clerkship with case-based modules and webinars. 4 weeks. Certificate included.",
		[]string{FlagNoLivePatients, FlagRemoteOnly, FlagNoSupervisorNamed}, VerdictCaution},
	{"Virtual clerkship: live lectures and recorded cases over Zoom, 8 weeks, USD 1500. Letters may be provided based on performance.",
		[]string{FlagNoLivePatients, FlagRemoteOnly, FlagNoSupervisorNamed}, VerdictCaution},
	{"Hands-on elective with Dr. Ruiz at Hope Hospital. Case discussions, bedside teaching and ward rounds with live patients. 4 weeks, $1,000.",
		nil, VerdictAskFirst},

	// remote-only.
	{"Telehealth observership with Dr. Sarah Kim, board-certified internist. Join live telehealth visits with patients twice a week from home. 6 weeks, $600.",
		[]string{FlagRemoteOnly}, VerdictCaution},
	{"100% online observership. Learn from home, no visa needed!",
		[]string{FlagRemoteOnly, FlagHype, FlagNoSupervisorNamed}, VerdictCaution},
	{"Hybrid rotation: two weeks online, two weeks on site at Cedar Hospital with Dr. Ali.",
		nil, VerdictAskFirst},
	{"Apply online today. In-person observership at Riverside Hospital with Dr. Shah, 4 weeks, $1,200.",
		nil, VerdictAskFirst},

	// hype.
	{"This program gives you a HUGE advantage in the Match: 100% of our students matched!",
		[]string{FlagHype, FlagNoSupervisorNamed}, VerdictCaution},
	{"Don't miss out, only a few spots! Externship with Dr. Brown at Oak Valley Medical Center, 4 weeks, $1,900.",
		[]string{FlagHype}, VerdictCaution},

	// no-supervisor-named.
	{"Supervised by board-certified attendings at our affiliated teaching hospitals. 4 weeks in person.",
		[]string{FlagNoSupervisorNamed}, VerdictCaution},
	{"Observership in internal medicine at a Top US Teaching Hospital, $400 per week.",
		[]string{FlagNoSupervisorNamed}, VerdictCaution},
	{"observership with dr smith at a clinic in texas, 4 weeks, $500",
		nil, VerdictAskFirst},
	{"Research observership at the University of Michigan, 4 weeks, free.",
		nil, VerdictAskFirst},
	{"Clinical rotation supervised by John Carter, MD, 4 weeks, $1,500.",
		nil, VerdictAskFirst},
	{"Clinical rotation supervised by Maria Lopez, DO, 4 weeks, $1,500.",
		nil, VerdictAskFirst},
	{"Guaranteed Letter DO NOT MISS, 4 weeks, $1,500.",
		[]string{FlagGuaranteedLetter, FlagHype, FlagNoSupervisorNamed}, VerdictAvoid},

	// high-price: 2,000 USD or more for 4 weeks or less.
	{"Clinical rotation at Lakeview Hospital, Ohio, supervised by John Carter, MD. 4 weeks. Fee $2,000.",
		[]string{FlagHighPrice}, VerdictCaution},
	{"Clinical rotation at Lakeview Hospital, Ohio, supervised by John Carter, MD. 4 weeks. Fee $1,999.",
		nil, VerdictAskFirst},
	{"Externship at Lakeview Hospital with Dr. Carter, 5 weeks, $2,500.",
		nil, VerdictAskFirst},
	{"Externship at Lakeview Hospital with Dr. Carter: 2,500 USD per month.",
		[]string{FlagHighPrice}, VerdictCaution},
	{"Shadowing with Dr. Gomez at Bayview Clinic: $2,100 USD per month, 8 weeks minimum.",
		[]string{FlagHighPrice}, VerdictCaution},
	{"Shadowing with Dr. Gomez at Bayview Clinic. $450 per week.",
		nil, VerdictAskFirst},
	{"Shadowing with Dr. Gomez at Bayview Clinic: $500/week.",
		[]string{FlagHighPrice}, VerdictCaution},
	{"Shadowing with Dr. Gomez at Bayview Clinic, USD 3000 for a 2-week block.",
		[]string{FlagHighPrice}, VerdictCaution},
	{"Observership with Dr. Gomez at Bayview Clinic: $3k.",
		[]string{FlagHighPrice}, VerdictCaution},
	{"Observership with Dr. Gomez at Bayview Clinic: 2.5k dollars for one month.",
		[]string{FlagHighPrice}, VerdictCaution},
	{"Program fee 2800 USD for a 4-week IM observership with Dr. Jane Doe, Northside University Hospital.",
		[]string{FlagHighPrice}, VerdictCaution},
	{"Observership with Dr. Gomez at Bayview Clinic: 12 weeks for $4,000.",
		nil, VerdictAskFirst},
}

func TestVet(t *testing.T) {
	for _, tt := range vetTests {
		got := Vet(tt.offer)
		if diff := cmp.Diff(tt.flags, got.Flags, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Vet(%q) flags (-want +got):\n%s", tt.offer, diff)
		}
		if got.Verdict != tt.verdict {
			t.Errorf("Vet(%q) verdict = %s, want %s", tt.offer, got.Verdict, tt.verdict)
		}
		if diff := cmp.Diff(VettingQuestions(), got.Questions); diff != "" {
			t.Errorf("Vet(%q) questions (-want +got):\n%s", tt.offer, diff)
		}
	}
}

func TestVettingQuestions(t *testing.T) {
	all := strings.ToLower(strings.Join(VettingQuestions(), "\n"))
	// The questions of topic vetting-programs.
	for _, want := range []string{"supervises", "live patients", "write notes", "evaluated",
		"letter", "past participants who matched", "teaching hospital"} {
		if !strings.Contains(all, want) {
			t.Errorf("VettingQuestions() = %q, want one about %q", all, want)
		}
	}
}

func TestVetJSON(t *testing.T) {
	b, err := json.Marshal(Vet("Observership at Mount Sinai Hospital with Dr. Lee."))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"flags":[],"verdict":"ask-first","questions":["`) {
		t.Errorf("vet JSON = %s, want flags, verdict and questions", b)
	}
}

func TestPrices(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
	}{
		{"$2,800", 2800}, {"$2800.00", 2800}, {"2800 USD", 2800}, {"USD 3000", 3000},
		{"US$2,500", 2500}, {"$3k", 3000}, {"$2.5K", 2500}, {"2.5k dollars", 2500},
		{"3000$", 3000}, {"1,200 bucks", 1200},
	} {
		ps := prices(newDoc("fee " + tt.in + " total"))
		if len(ps) != 1 || ps[0].usd != tt.want {
			t.Errorf("prices(%q) = %+v, want one of %g", tt.in, ps, tt.want)
		}
	}
	for _, in := range []string{"4 weeks in 2025", "€3000", "3 kids", "Step 2 CK 250"} {
		if ps := prices(newDoc(in)); len(ps) != 0 {
			t.Errorf("prices(%q) = %+v, want none", in, ps)
		}
	}
}

func FuzzVet(f *testing.F) {
	for _, tt := range vetTests {
		f.Add(tt.offer)
	}
	f.Fuzz(func(t *testing.T, offer string) {
		v := Vet(offer)
		want := VerdictAskFirst
		switch {
		case slices.Contains(v.Flags, FlagGuaranteedMatch),
			slices.Contains(v.Flags, FlagGuaranteedLetter) && len(v.Flags) > 1:
			want = VerdictAvoid
		case len(v.Flags) > 0:
			want = VerdictCaution
		}
		if v.Verdict != want {
			t.Errorf("Vet(%q) = %+v, verdict want %s", offer, v, want)
		}
	})
}
