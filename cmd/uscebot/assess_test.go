package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/store"
)

// exportOf stores the profile of a file in a new database, as the intake
// would, and returns what /export gives for its user (and, when profile is
// empty, for a user who never started the intake).
func exportOf(t *testing.T, profile string) []byte {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "uscebot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u := advisor.UserKey{Platform: "console", ID: "1"}
	now := time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	if profile == "" {
		if err := db.Touch(ctx, u, now); err != nil {
			t.Fatal(err)
		}
	} else {
		p, err := readProfile([]byte(profile))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveProfile(ctx, u, p, advisor.IntakeState{Step: advisor.StepDone}, now); err != nil {
			t.Fatal(err)
		}
	}
	data, err := db.Export(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestAssessExport(t *testing.T) {
	bare := writeFile(t, "profile.json", competitiveProfile)
	exported := writeFile(t, "uscebot-export.json", string(exportOf(t, competitiveProfile)))
	var outs []string
	for _, path := range []string{bare, exported} {
		code, out, errOut := runCmd(t, "", "assess", "--json", "--profile", path, "--now", "2026-11-21")
		if code != 0 || errOut != "" {
			t.Fatalf("assess --profile %s: exit %d, stderr %q", filepath.Base(path), code, errOut)
		}
		outs = append(outs, out)
	}
	if diff := cmp.Diff(outs[0], outs[1]); diff != "" {
		t.Errorf("assess of the export differs from assess of the profile (-profile +export):\n%s", diff)
	}
	var a assessJSON
	if err := json.Unmarshal([]byte(outs[1]), &a); err != nil || a.Readiness != "competitive" {
		t.Errorf("assess of the export = %s (%v), want competitive", outs[1], err)
	}

	// An export with no profile, and a file with an unknown member, get one
	// clear line and exit 2.
	for _, tt := range []struct {
		name, content, want string
	}{
		{"export without a profile", string(exportOf(t, "")), "no profile yet"},
		{"not a profile", `{"stage": "graduate", "favourite_colour": "blue"}`, "not a profile"},
		{"two values", competitiveProfile + competitiveProfile, "more than one JSON value"},
	} {
		path := writeFile(t, "profile.json", tt.content)
		code, out, errOut := runCmd(t, "", "assess", "--profile", path, "--now", "2026-11-21")
		if code != 2 || out != "" || !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tt.name, code, out, errOut, tt.want)
		}
	}
}

func TestAssessTextAfterSeptember(t *testing.T) {
	path := writeFile(t, "profile.json", competitiveProfile)
	code, out, errOut := runCmd(t, "", "assess", "--profile", path, "--now", "2027-10-02")
	if code != 0 || errOut != "" {
		t.Fatalf("assess: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"phase: application (the 2027 application season is under way)", "weeks of USCE 8, hands-on 8"} {
		if !strings.Contains(out, want) {
			t.Errorf("assess output lacks %q:\n%s", want, out)
		}
	}
	if regexp.MustCompile(`(^|[^\pL\pN])-\d`).MatchString(out) {
		t.Errorf("assess output has a negative number:\n%s", out)
	}
}
