package advisor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// forumEval is a held-out set of messages in the style IMGs post in study
// groups and forums, written without seeing the knowledge base's
// phrasings, the matcher or the other labelled sets, so the lead can
// measure matching on text it was never tuned on.
var forumEval = filepath.Join("testdata", "forum.tsv")

// TestForumSetWellFormed checks the forum set's shape only (the lead
// measures the matcher on it): every label is a topic of the built-in
// knowledge base or "none", every topic has at least two messages, so a
// topic cannot go unmeasured, and no message appears twice, so none
// counts double.
func TestForumSetWellFormed(t *testing.T) {
	f, err := os.Open(forumEval)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadEval(f)
	if err != nil {
		t.Fatalf("%s: %v", forumEval, err)
	}
	kb := mustLoad(t)
	perTopic := map[string]int{}
	seen := map[string]bool{}
	for _, c := range cases {
		if c.Want != "none" && kb.Topic(c.Want) == nil {
			t.Errorf("label %q is neither a topic id nor none (question %q)", c.Want, c.Question)
		}
		perTopic[c.Want]++
		key := strings.ToLower(strings.TrimSpace(c.Question))
		if seen[key] {
			t.Errorf("question %q appears twice", c.Question)
		}
		seen[key] = true
	}
	for _, tp := range kb.Topics() {
		if n := perTopic[tp.ID]; n < 2 {
			t.Errorf("topic %s has %d questions, want at least 2", tp.ID, n)
		}
	}
	if perTopic["none"] < 2 {
		t.Errorf("%d out-of-scope questions, want at least 2", perTopic["none"])
	}
}
