package advisor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/uscebot/uscebot/advisor/match"
)

// The CLINC150 harness: the public intent data set of Larson et al. (150
// intents, crowd-written queries, out-of-scope queries; see
// ../shared/data/clinc150/README.md) served as a knowledge base, to
// measure the engine on a knowledge base nobody tuned it for. Print the
// figures with
//
//	go test ./advisor -run CLINC -v
//
// Its train split becomes one topic file per intent and oos_train one
// out-of-scope category, loaded by the same loader as uscebot eval
// without the built-in topics; val and oos_val were used for design
// choices, test and oos_test only for the reported figures.

var clincData = filepath.Join("..", "..", "shared", "data", "clinc150", "data_full.json")

// clinc is the data set written as a knowledge folder and labelled TSVs.
type clinc struct {
	dir       string                // the knowledge folder
	questions map[string][]EvalCase // "val" and "test", out-of-scope ones labelled none
}

func loadCLINC(tb testing.TB) clinc {
	tb.Helper()
	if testing.Short() || raceEnabled {
		tb.Skip("CLINC150 is heavy: skipped with -short and under the race detector")
	}
	data, err := os.ReadFile(clincData)
	if os.IsNotExist(err) {
		tb.Skipf("%s is absent (it lives in ../shared beside the repo)", clincData)
	}
	if err != nil {
		tb.Fatal(err)
	}
	var split map[string][][2]string
	if err := json.Unmarshal(data, &split); err != nil {
		tb.Fatalf("%s: %v", clincData, err)
	}
	id := func(intent string) string { return "clinc-" + strings.ReplaceAll(intent, "_", "-") }
	phrasings := make(map[string][]string)
	var order []string
	for _, row := range split["train"] {
		if _, ok := phrasings[row[1]]; !ok {
			order = append(order, row[1])
		}
		phrasings[row[1]] = append(phrasings[row[1]], row[0])
	}
	c := clinc{dir: tb.TempDir(), questions: make(map[string][]EvalCase)}
	for _, intent := range order {
		title := strings.ReplaceAll(intent, "_", " ")
		writeKnowledge(tb, c.dir, intent, fmt.Sprintf("id = %q\ntitle = %q\nphrasings = %s\n\n[[sources]]\ntitle = %q\npublisher = %q\n",
			id(intent), title, tomlList(phrasings[intent]), "CLINC150", "Larson et al. 2019"), title)
	}
	var oos []string
	for _, row := range split["oos_train"] {
		oos = append(oos, row[0])
	}
	writeKnowledge(tb, c.dir, "oos", fmt.Sprintf("id = \"clinc-oos\"\nkind = \"out-of-scope\"\ntitle = \"requests none of the intents covers\"\nphrasings = %s\n", tomlList(oos)), "")
	for _, s := range []string{"val", "test"} {
		for _, row := range split[s] {
			c.questions[s] = append(c.questions[s], EvalCase{id(row[1]), row[0]})
		}
		for _, row := range split["oos_"+s] {
			c.questions[s] = append(c.questions[s], EvalCase{"none", row[0]})
		}
	}
	return c
}

func writeKnowledge(tb testing.TB, dir, name, front, body string) {
	tb.Helper()
	content := "+++\n" + front + "+++\n" + body + "\n"
	if err := os.WriteFile(filepath.Join(dir, name+".md"), []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func tomlList(ss []string) string {
	quoted := make([]string, len(ss))
	for i, s := range ss {
		quoted[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// TestCLINC prints the figures on CLINC150's test split, comparable with
// the paper's table: strict top-1 accuracy (a clarification counts as
// wrong), answered-or-clarified (the success rule of uscebot eval), and
// out-of-scope recall, for the engine as the bot runs it and for one that
// never asks back (match.Options.NoClarify), which is what a top-1
// benchmark measures. It holds them to the bar of issue 10: ahead of Rasa
// (91.5% in scope, 45.3% out-of-scope recall), strictly for the engine
// that never asks back.
func TestCLINC(t *testing.T) {
	c := loadCLINC(t)
	for _, mode := range []struct {
		name string
		opt  match.Options
	}{{"as the bot runs it", match.Options{}}, {"never asking back", match.Options{NoClarify: true}}} {
		kb, err := LoadWith(c.dir, false, mode.opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(kb.Topics()); got != 150 {
			t.Fatalf("%d topics, want 150 intents", got)
		}
		t.Logf("%s, learned: %s", mode.name, kb.engine.Describe())
		for _, s := range []string{"val", "test"} {
			r, err := kb.Evaluate(c.questions[s])
			if err != nil {
				t.Fatal(err)
			}
			strict := rate(r.InScope.Answered, r.InScope.N)
			success := rate(r.InScope.Correct, r.InScope.N)
			recall := rate(r.OutOfScope.Abstained, r.OutOfScope.N)
			t.Logf("CLINC150 %s, %s: strict top-1 %.1f%%, answered or clarified %.1f%% (%.1f%% clarified), out-of-scope recall %.1f%%",
				s, mode.name, 100*strict, 100*success, 100*rate(r.InScope.Clarified, r.InScope.N), 100*recall)
			if s == "test" && (success < 0.915 || recall < 0.453 || mode.opt.NoClarify && strict < 0.915) {
				t.Errorf("CLINC150 test %s below Rasa's 91.5%% / 45.3%%", mode.name)
			}
		}
	}
}

// BenchmarkLoadCLINC measures loading CLINC150's 15,000 phrasings as a
// knowledge base, training and calibration included.
func BenchmarkLoadCLINC(b *testing.B) {
	c := loadCLINC(b)
	for b.Loop() {
		if _, err := Load(c.dir, false); err != nil {
			b.Fatal(err)
		}
	}
}
