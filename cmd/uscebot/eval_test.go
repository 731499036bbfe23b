package main

import (
	"strings"
	"testing"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/advisortest"
)

// evalJSON is eval --json as interfaces.md gives it.
type evalJSON struct {
	InScope struct {
		N         int `json:"n"`
		Correct   int `json:"correct"`
		Clarified int `json:"clarified"`
	} `json:"in_scope"`
	OutOfScope struct {
		N         int `json:"n"`
		Abstained int `json:"abstained"`
	} `json:"out_of_scope"`
	Misses []struct {
		Question string  `json:"question"`
		Want     string  `json:"want"`
		Got      *string `json:"got"`
		// Beyond interfaces.md: the choices of a clarification and the score.
		Clarify []string `json:"clarify"`
		Score   float64  `json:"score"`
	} `json:"misses"`
}

// evalQuestions has two questions answered right, one deliberately
// mislabelled, and two out of scope.
const evalQuestions = "topic\tquestion\n" +
	"telehealth-counts\tdoes telehealth count as USCE?\n" +
	"how-much-usce\thow many months of USCE do I need?\n" +
	"lor-hierarchy\tdoes telemedicine count as US clinical experience?\n" +
	"none\twhich qbank is best for step 1, uworld or amboss?\n" +
	"none\thow do I treat hyperkalemia with peaked T waves?\n"

func TestEvalJSON(t *testing.T) {
	path := writeFile(t, "questions.tsv", evalQuestions)
	code, out, errOut := runCmd(t, "", "eval", "--json", "--questions", path)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got evalJSON
	strictly(t, out, &got)
	if got.InScope.N != 3 || got.InScope.Correct != 2 || got.OutOfScope.N != 2 || got.OutOfScope.Abstained != 2 {
		t.Errorf("eval --json counts = %+v / %+v, want 2 of 3 right and 2 of 2 abstained", got.InScope, got.OutOfScope)
	}
	if len(got.Misses) != 1 {
		t.Fatalf("eval --json misses = %+v, want the mislabelled question only", got.Misses)
	}
	m := got.Misses[0]
	if m.Want != "lor-hierarchy" || m.Got == nil || *m.Got != "telehealth-counts" || !strings.Contains(m.Question, "telemedicine") {
		t.Errorf("miss = %+v, want lor-hierarchy answered by telehealth-counts", m)
	}
}

func TestEvalText(t *testing.T) {
	path := writeFile(t, "questions.tsv", evalQuestions)
	code, out, errOut := runCmd(t, "", "eval", "--questions", path)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"miss: want lor-hierarchy, got telehealth-counts", "in scope: 2/3 right", "out of scope: 2/2 abstained"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalBadInput(t *testing.T) {
	noHeader := writeFile(t, "noheader.tsv", "telehealth-counts\tdoes telehealth count?\n")
	noTab := writeFile(t, "notab.tsv", "topic\tquestion\ntelehealth-counts does telehealth count?\n")
	unknown := writeFile(t, "unknown.tsv", "topic\tquestion\nno-such-topic\tdoes telehealth count?\n")
	empty := writeFile(t, "empty.tsv", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --questions", []string{"eval", "--json"}, "--questions is missing"},
		{"an argument", []string{"eval", "--questions", noTab, "extra"}, "unexpected argument"},
		{"missing file", []string{"eval", "--questions", noTab + ".missing"}, "notab.tsv.missing"},
		{"no header", []string{"eval", "--questions", noHeader}, "header"},
		{"no tab", []string{"eval", "--questions", noTab}, "line 2"},
		{"unknown topic", []string{"eval", "--json", "--questions", unknown}, "no-such-topic"},
		{"empty file", []string{"eval", "--questions", empty}, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkUsageError(t, tt.args, tt.want)
		})
	}
}

func TestAskJSONClarify(t *testing.T) {
	_, out, _ := runCmd(t, "", "ask", "--json", "does telehealth count as USCE?")
	if !strings.Contains(out, `"clarify": []`) {
		t.Errorf("ask --json lacks an empty clarify list when it answers: %s", out)
	}
}

// [advisor] clarify = false: a question the bot would ask back about is
// answered or declined instead.
func TestAskNoClarify(t *testing.T) {
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := advisortest.ClarifyingQuestion(t, kb)
	var got askOutput
	_, out, _ := runCmd(t, "", "ask", "--json", q)
	strictly(t, out, &got)
	if len(got.Clarify) < 2 || len(got.Clarify) > 3 || got.Topic != nil {
		t.Fatalf("ask --json %q = %s, want 2 or 3 topics to clarify and topic null by default", q, out)
	}
	cfg := writeFile(t, "config.toml", "[advisor]\nclarify = false\n")
	_, out, _ = runCmd(t, "", "ask", "--json", "--config", cfg, q)
	got = askOutput{}
	strictly(t, out, &got)
	if len(got.Clarify) != 0 || !strings.Contains(out, `"clarify": []`) {
		t.Errorf("ask --json %q with clarify = false = %s, want no clarification", q, out)
	}
}
