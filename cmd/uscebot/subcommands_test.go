package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeFields decodes a JSON object into its fields, failing the test if
// it is not one object.
func decodeFields(t *testing.T, out string) map[string]json.RawMessage {
	t.Helper()
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&fields); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("output has more than one JSON value:\n%s", out)
	}
	return fields
}

// checkFields fails the test unless fields has every one of want and,
// besides them, only the fields of extra.
func checkFields(t *testing.T, cmd string, fields map[string]json.RawMessage, want, extra []string) {
	t.Helper()
	for _, f := range want {
		if _, ok := fields[f]; !ok {
			t.Errorf("%s --json lacks the field %q", cmd, f)
		}
	}
	for f := range fields {
		if !slices.Contains(want, f) && !slices.Contains(extra, f) {
			t.Errorf("%s --json has the field %q, which interfaces.md does not name", cmd, f)
		}
	}
}

// strictly decodes data into v, refusing fields v does not have.
func strictly(t *testing.T, data string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, data)
	}
}

// classifyJSON is classify --json as interfaces.md gives it; a nil
// pointer is a JSON null.
type classifyJSON struct {
	Kind         *string `json:"kind"`
	Tier         *string `json:"tier"`
	CountsAsUSCE *bool   `json:"counts_as_usce"`
	Weeks        *int    `json:"weeks"`
	Specialty    *string `json:"specialty"`
	EndYear      *int    `json:"end_year"`
	// Beyond interfaces.md, documented by rules.Classification.MarshalJSON.
	InUS   *bool `json:"in_us"`
	Remote *bool `json:"remote"`
}

var classifyFields = []string{"kind", "tier", "counts_as_usce", "weeks", "specialty", "end_year"}

func TestClassifyJSON(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	boolean := func(b bool) *bool { return &b }
	tests := []struct {
		name string
		text string
		want classifyJSON
	}{
		{"everything stated", "8-week IM externship in Chicago, 2025, strong letter", classifyJSON{
			Kind: str("externship"), Tier: str("hands_on"), CountsAsUSCE: boolean(true), Weeks: num(8),
			Specialty: str("internal medicine"), EndYear: num(2025), InUS: boolean(true), Remote: boolean(false)}},
		{"months and abbreviations", "2 mo obs in peds 2024", classifyJSON{
			Kind: str("observership"), Tier: str("non_hands_on"), CountsAsUSCE: boolean(true), Weeks: num(8),
			Specialty: str("pediatrics"), EndYear: num(2024), InUS: boolean(true), Remote: boolean(false)}},
		{"tele, nothing else stated", "tele observership", classifyJSON{
			Kind: str("telehealth"), Tier: str("supplemental"), CountsAsUSCE: boolean(false),
			InUS: boolean(true), Remote: boolean(true)}},
		{"outside the US", "house job in Lahore, 6 months", classifyJSON{
			Tier: str("non_us"), CountsAsUSCE: boolean(false), Weeks: num(24), InUS: boolean(false), Remote: boolean(false)}},
		{"nothing recognised", "I like cats", classifyJSON{
			CountsAsUSCE: boolean(false), InUS: boolean(true), Remote: boolean(false)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", "classify", "--json", tt.text)
			if code != 0 || errOut != "" {
				t.Fatalf("classify --json %q: exit %d, stderr %q", tt.text, code, errOut)
			}
			checkFields(t, "classify", decodeFields(t, out), classifyFields, []string{"in_us", "remote"})
			var got classifyJSON
			strictly(t, out, &got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("classify --json %q (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// assessJSON is assess --json with the fields of interfaces.md.
type assessJSON struct {
	Readiness      string   `json:"readiness"`
	Phase          string   `json:"phase"`
	USCEWeeks      int      `json:"usce_weeks"`
	HandsOnWeeks   int      `json:"hands_on_weeks"`
	SpecialtyWeeks int      `json:"specialty_weeks"`
	RecentWeeks    int      `json:"recent_weeks"`
	TeleWeeks      int      `json:"tele_weeks"`
	Gaps           []string `json:"gaps"`
	Plan           []string `json:"plan"`
}

var assessFields = []string{"readiness", "phase", "usce_weeks", "hands_on_weeks", "specialty_weeks", "recent_weeks", "tele_weeks", "gaps", "plan"}

// writeFile writes content to a new file in a temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// competitiveProfile is a complete profile file; assessed at 2026-11-21 it
// is competitive, in the final phase, with one gap.
const competitiveProfile = `{
  "stage": "graduate",
  "grad_year": 2023,
  "application_year": 2027,
  "specialty": "IM",
  "step1": "passed",
  "visa": "needs_visa",
  "can_travel": "yes",
  "budget": "low",
  "us_letters": 2,
  "experiences": [
    {"kind": "externship", "weeks": 8, "specialty": "internal medicine", "end_year": 2025}
  ]
}`

func TestAssessJSON(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		now     string
		want    assessJSON // but Plan, checked apart
		// planHas are lines the plan must have.
		planHas []string
	}{
		{
			name:    "competitive, final phase",
			profile: competitiveProfile,
			now:     "2026-11-21",
			want: assessJSON{Readiness: "competitive", Phase: "final", USCEWeeks: 8, HandsOnWeeks: 8, SpecialtyWeeks: 8, RecentWeeks: 8,
				Gaps: []string{"yog-gap"}},
			planHas: []string{"Around September 1, 2027: submit your ERAS application."},
		},
		{
			name: "tele only, early phase",
			profile: `{"stage": "student", "grad_year": 2028, "application_year": 2029, "specialty": "peds",
				"step1": "not_taken", "visa": "needs_visa", "can_travel": "no", "budget": "low", "us_letters": 0,
				"experiences": [{"kind": "telehealth", "weeks": 12, "end_year": 2026, "remote": true}]}`,
			now: "2026-11-21",
			want: assessJSON{Readiness: "none", Phase: "early", TeleWeeks: 12,
				Gaps: []string{"no-usce", "no-us-letter", "no-specialty-usce", "tele-only", "tele-excess", "visa-travel", "low-budget"}},
			planHas: []string{"Around September 1, 2029: submit your ERAS application."},
		},
		{
			name: "observerships only, baseline",
			profile: `{"stage": "graduate", "grad_year": 2024, "application_year": 2027, "specialty": "psychiatry",
				"step1": "passed", "step2ck": 240, "visa": "not_needed", "can_travel": "yes", "budget": "medium", "us_letters": 1,
				"experiences": [{"kind": "observership", "weeks": 4, "specialty": "internal medicine", "end_year": 2026}]}`,
			now: "2026-11-21",
			want: assessJSON{Readiness: "baseline", Phase: "final", USCEWeeks: 4, RecentWeeks: 4,
				Gaps: []string{"few-us-letters", "below-competitive", "observership-only", "no-specialty-usce"}},
		},
		{
			name: "old shadowing, application phase",
			profile: `{"stage": "graduate", "grad_year": 2019, "application_year": 2027, "specialty": "FM",
				"step1": "passed", "visa": "not_needed", "can_travel": "yes", "budget": "high", "us_letters": 0,
				"experiences": [{"kind": "shadowing", "weeks": 2, "specialty": "family medicine", "end_year": 2020}]}`,
			now: "2027-05-01",
			want: assessJSON{Readiness: "below_baseline", Phase: "application", USCEWeeks: 2, SpecialtyWeeks: 2,
				Gaps: []string{"below-baseline", "no-us-letter", "observership-only", "no-specialty-usce", "stale-usce", "yog-gap", "late-start"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "profile.json", tt.profile)
			code, out, errOut := runCmd(t, "", "assess", "--json", "--profile", path, "--now", tt.now)
			if code != 0 || errOut != "" {
				t.Fatalf("assess --json: exit %d, stderr %q", code, errOut)
			}
			checkFields(t, "assess", decodeFields(t, out), assessFields, []string{"read_next", "months_to_application", "milestones"})
			var got assessJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("assess --json: %v\n%s", err, out)
			}
			if len(got.Plan) == 0 {
				t.Errorf("assess --json plan is empty")
			}
			for _, line := range tt.planHas {
				if !slices.Contains(got.Plan, line) {
					t.Errorf("assess --json plan lacks %q: %q", line, got.Plan)
				}
			}
			got.Plan = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("assess --json (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssessText(t *testing.T) {
	path := writeFile(t, "profile.json", competitiveProfile)
	code, out, errOut := runCmd(t, "", "assess", "--profile", path, "--now", "2026-11-21")
	if code != 0 || errOut != "" {
		t.Fatalf("assess: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"readiness: competitive", "phase: final (9 months to the application)", "gaps: yog-gap", "- Around September 1, 2027"} {
		if !strings.Contains(out, want) {
			t.Errorf("assess output lacks %q:\n%s", want, out)
		}
	}
}

// vetJSON is vet --json as interfaces.md gives it.
type vetJSON struct {
	Flags     []string `json:"flags"`
	Verdict   string   `json:"verdict"`
	Questions []string `json:"questions"`
}

func TestVetJSON(t *testing.T) {
	tests := []struct {
		name        string
		offer       string
		wantFlags   []string
		wantVerdict string
	}{
		{"guaranteed letter and more", "Guaranteed letter of recommendation! 100% online, limited seats, act now. $3000 for 4 weeks",
			[]string{"guaranteed-letter", "remote-only", "hype", "no-supervisor-named", "high-price"}, "avoid"},
		{"guaranteed interview", "We guarantee a residency interview",
			[]string{"guaranteed-match", "no-supervisor-named"}, "avoid"},
		{"hype only", "4-week observership with Dr. Jane Smith at Mount Sinai Hospital, internal medicine inpatient service: a huge advantage for your match",
			[]string{"hype"}, "caution"},
		{"clean", "4-week observership with Dr. Jane Smith at Mount Sinai Hospital, internal medicine inpatient service, fee 500 USD",
			[]string{}, "ask-first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", "vet", "--json", tt.offer)
			if code != 0 || errOut != "" {
				t.Fatalf("vet --json: exit %d, stderr %q", code, errOut)
			}
			fields := []string{"flags", "verdict", "questions"}
			checkFields(t, "vet", decodeFields(t, out), fields, nil)
			var got vetJSON
			strictly(t, out, &got)
			if diff := cmp.Diff(tt.wantFlags, got.Flags); diff != "" {
				t.Errorf("vet --json %q flags (-want +got):\n%s", tt.offer, diff)
			}
			if got.Verdict != tt.wantVerdict {
				t.Errorf("vet --json %q verdict = %q, want %q", tt.offer, got.Verdict, tt.wantVerdict)
			}
			if len(got.Questions) == 0 {
				t.Errorf("vet --json %q has no questions", tt.offer)
			}
		})
	}
}

func TestSubcommandBadInput(t *testing.T) {
	dir := t.TempDir()
	profile := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := profile("good.json", competitiveProfile)
	doctor := profile("doctor.json", strings.Replace(competitiveProfile, `"graduate"`, `"doctor"`, 1))
	unknownField := profile("unknown.json", strings.Replace(competitiveProfile, `"budget": "low",`, `"budget": "low", "favourite_color": "red",`, 1))
	incomplete := profile("incomplete.json", `{"stage": "graduate"}`)
	notJSON := profile("not.json", "stage: graduate\n")
	empty := profile("empty.json", "")
	badExperience := profile("badexp.json", strings.Replace(competitiveProfile, `"weeks": 8`, `"weeks": 0`, 1))
	missing := filepath.Join(dir, "missing.json")

	tests := []struct {
		name string
		args []string
		want string // in the one line on stderr
	}{
		{"classify without description", []string{"classify"}, "description is missing"},
		{"classify --json without description", []string{"classify", "--json"}, "description is missing"},
		{"classify blank description", []string{"classify", "--json", " \t "}, "description is missing"},
		{"classify unknown flag", []string{"classify", "--yaml", "externship"}, "-yaml"},
		{"vet without text", []string{"vet"}, "offer text is missing"},
		{"vet --json without text", []string{"vet", "--json"}, "offer text is missing"},
		{"vet unknown flag", []string{"vet", "--strict", "offer"}, "-strict"},
		{"assess without profile", []string{"assess", "--json"}, "--profile"},
		{"assess --profile without value", []string{"assess", "--json", "--profile"}, "-profile"},
		{"assess with an argument", []string{"assess", "--profile", good, "extra"}, "usage"},
		{"assess missing profile file", []string{"assess", "--json", "--profile", missing, "--now", "2026-11-21"}, "missing.json"},
		{"assess unreadable profile", []string{"assess", "--json", "--profile", dir, "--now", "2026-11-21"}, "--profile"},
		{"assess invalid stage", []string{"assess", "--json", "--profile", doctor, "--now", "2026-11-21"}, `stage: "doctor"`},
		{"assess unknown field", []string{"assess", "--json", "--profile", unknownField, "--now", "2026-11-21"}, "favourite_color"},
		{"assess incomplete profile", []string{"assess", "--json", "--profile", incomplete, "--now", "2026-11-21"}, "missing"},
		{"assess profile not JSON", []string{"assess", "--json", "--profile", notJSON, "--now", "2026-11-21"}, "not.json"},
		{"assess empty profile file", []string{"assess", "--json", "--profile", empty, "--now", "2026-11-21"}, "empty.json"},
		{"assess experience of 0 weeks", []string{"assess", "--json", "--profile", badExperience, "--now", "2026-11-21"}, "experiences[0].weeks"},
		{"assess application year past at --now", []string{"assess", "--json", "--profile", good, "--now", "2028-01-01"}, "application_year"},
		{"assess bad --now month", []string{"assess", "--json", "--profile", good, "--now", "2026-13-01"}, "--now"},
		{"assess --now not a date", []string{"assess", "--json", "--profile", good, "--now", "yesterday"}, "--now"},
		{"assess --now with a time", []string{"assess", "--json", "--profile", good, "--now", "2026-11-21T10:00:00Z"}, "--now"},
		{"assess --now day first", []string{"assess", "--json", "--profile", good, "--now", "21/11/2026"}, "--now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkUsageError(t, tt.args, tt.want)
		})
	}
}

// checkUsageError runs args and fails the test unless they exit 2 with
// nothing on stdout and one line on stderr that mentions want.
func checkUsageError(t *testing.T, args []string, want string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
	if code != 2 {
		t.Errorf("run(%q) = %d, want 2", args, code)
	}
	errOut := stderr.String()
	if strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") {
		t.Errorf("run(%q) stderr = %q, want exactly one line", args, errOut)
	}
	if !strings.Contains(errOut, want) {
		t.Errorf("run(%q) stderr = %q, want it to mention %q", args, errOut, want)
	}
	if stdout.Len() > 0 {
		t.Errorf("run(%q) stdout = %q, want nothing", args, stdout.String())
	}
}

// TestAssessRejectsDataAfterProfile fails on a bug in runAssess
// (main.go, the dec.Decode of the profile): json.Decoder.Decode reads the
// first JSON value and ignores the rest of the file, so a file holding two
// profiles, or a profile followed by garbage, is assessed from its first
// value with exit 0 instead of refused with exit 2 as interfaces.md asks of
// bad input. The fix is to check that the decoder is at EOF after the
// profile (dec.More(), or a second Decode returning io.EOF).
func TestAssessRejectsDataAfterProfile(t *testing.T) {
	for _, tt := range []struct{ name, after string }{
		{"a second profile", "\n" + competitiveProfile + "\n"},
		{"an empty object", "\n{}\n"},
		{"garbage", "\ngarbage\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "trailing.json", competitiveProfile+tt.after)
			checkUsageError(t, []string{"assess", "--json", "--profile", path, "--now", "2026-11-21"}, "trailing.json")
		})
	}
}

// TestUsageErrorOneLineWithNewlineInArgument: an argument holding a newline
// (a path, a flag name the flag package quotes raw) must not split the
// error over two lines on stderr.
func TestUsageErrorOneLineWithNewlineInArgument(t *testing.T) {
	checkUsageError(t, []string{"assess", "--json", "--profile", filepath.Join(t.TempDir(), "no\nsuch.json")}, "such.json")
	checkUsageError(t, []string{"classify", "--a\nb", "externship"}, "-a")
}
