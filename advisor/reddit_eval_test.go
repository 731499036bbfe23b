package advisor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// redditEval is a held-out set of long, forum-style posts (a title, then a
// body with background, venting and edits) like those IMGs write on Reddit,
// Student Doctor Network and Telegram groups. It was written without seeing
// the knowledge base's phrasings, the matcher or the other labelled sets, and
// many of its out-of-scope posts mention rotations or letters while asking
// something else, so the lead can measure matching on text it was never
// tuned on.
var redditEval = filepath.Join("testdata", "reddit.tsv")

// TestRedditSetWellFormed checks the set's shape only (the lead measures the
// matcher on it): every label is a topic of the built-in knowledge base or
// "none", every topic has at least two posts, so none goes unmeasured, and
// no post appears twice, so none counts double.
func TestRedditSetWellFormed(t *testing.T) {
	f, err := os.Open(redditEval)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ReadEval(f)
	if err != nil {
		t.Fatalf("%s: %v", redditEval, err)
	}
	kb := mustLoad(t)
	perTopic := map[string]int{}
	seen := map[string]bool{}
	for _, c := range cases {
		if c.Want != "none" && kb.Topic(c.Want) == nil {
			t.Errorf("label %q is neither a topic id nor none (post %q)", c.Want, c.Question)
		}
		perTopic[c.Want]++
		key := strings.ToLower(strings.TrimSpace(c.Question))
		if seen[key] {
			t.Errorf("post %q appears twice", c.Question)
		}
		seen[key] = true
	}
	for _, tp := range kb.Topics() {
		if n := perTopic[tp.ID]; n < 2 {
			t.Errorf("topic %s has %d posts, want at least 2", tp.ID, n)
		}
	}
	if perTopic["none"] < 2 {
		t.Errorf("%d out-of-scope posts, want at least 2", perTopic["none"])
	}
}
