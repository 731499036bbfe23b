package advisor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// topicIDs are the ids of topics.md: a contract, so they are listed here
// rather than read from ../shared, and the test holds in a user's clone.
var topicIDs = strings.Fields(`usce-definition usce-types-hierarchy hands-on-vs-observership
usce-why-important usce-mandatory telehealth-counts telehealth-types telehealth-value
virtual-rotation-scam tele-lor tele-duration tele-vs-home-clinical skip-tele
no-usce-alternatives observership-counts externship electives-students research-usce
scribe-roles volunteering-shadowing premed-clinical how-much-usce recency specialty-match
timeline yog-gap visa-constraints limited-funds finding-usce cold-email vetting-programs
maximize-rotation lor-hierarchy lor-request eras-entry personal-statement interview-usce`)

func TestBuiltinKnowledge(t *testing.T) {
	kb := mustLoad(t)
	for _, id := range topicIDs {
		tp := kb.Topic(id)
		if tp == nil {
			t.Errorf("topic %s is missing", id)
			continue
		}
		if n := len(tp.Phrasings); n < 6 {
			t.Errorf("topic %s has %d phrasings, want at least 6", id, n)
		}
		if n := utf8.RuneCountInString(tp.Body); n < 600 || n > 1400 {
			t.Errorf("topic %s body has %d characters, want 600..1400", id, n)
		}
		if !strings.HasPrefix(tp.Body, "**") {
			t.Errorf("topic %s does not lead with a bold direct answer", id)
		}
		if len(tp.Related) == 0 || len(tp.Keywords) == 0 {
			t.Errorf("topic %s lacks related topics or keywords", id)
		}
	}
	if got, want := len(kb.Topics()), len(topicIDs); got != want {
		t.Errorf("%d built-in topics, want %d", got, want)
	}
	if got := len(kb.categories); got < 13 {
		t.Errorf("%d built-in out-of-scope categories, want the 13 of issue 10", got)
	}
	for _, c := range kb.categories {
		if n := len(c.Phrasings); n < 20 || n > 30 {
			t.Errorf("category %s has %d phrasings, want 20..30", c.ID, n)
		}
		if len(c.Keywords) == 0 {
			t.Errorf("category %s has no keywords", c.ID)
		}
		// The abstain line reads "That is about {title}, which I don't
		// cover.": a title starts lower-case (or with an acronym).
		first, _, _ := strings.Cut(c.Title, " ")
		if r, _ := utf8.DecodeRuneInString(first); !unicode.IsLower(r) && first != strings.ToUpper(first) || strings.HasSuffix(c.Title, ".") {
			t.Errorf("category %s title %q does not fit mid-sentence", c.ID, c.Title)
		}
		if kb.Topic(c.ID) != nil {
			t.Errorf("category %s is served as a topic", c.ID)
		}
	}
}

const validTopic = `+++
id = "local-observerships"
title = "Which observerships have our members vetted?"
phrasings = ["vetted observership list", "which observerships do members recommend"]
keywords = ["vetted", "list"]
related = ["observership-counts"]

[[sources]]
title = "Members' reports"
publisher = "Server admins"
+++
**Three so far.** St. Example Hospital internal medicine, ...
`

// validCategory is an out-of-scope category a server might add: its file
// ends on the closing fence, as a category has no answer.
const validCategory = `+++
id = "oos-meetups"
kind = "out-of-scope"
title = "meet-ups and conferences"
phrasings = ["where should we meet up at the conference", "anyone going to the ACP meeting"]
keywords = ["meet up", "meetup", "conference", "acp meeting"]
+++`

func writeTopic(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestKnowledgeDirAddsAndOverrides(t *testing.T) {
	dir := t.TempDir()
	writeTopic(t, dir, "local.md", validTopic)
	writeTopic(t, dir, "override.md", strings.NewReplacer(
		`id = "local-observerships"`, `id = "telehealth-counts"`,
		`related = ["observership-counts"]`, `related = ["local-observerships"]`,
	).Replace(validTopic))
	kb, err := Load(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if kb.Topic("local-observerships") == nil {
		t.Error("local topic was not added")
	}
	if got := kb.Topic("telehealth-counts").Title; got != "Which observerships have our members vetted?" {
		t.Errorf("override title = %q", got)
	}
	if a := kb.Ask("which observerships have members vetted"); a.Topic == nil || a.Topic.ID != "local-observerships" && a.Topic.ID != "telehealth-counts" {
		t.Errorf("Ask on a local topic = %+v", a.Topic)
	}
}

func TestKnowledgeDirOutOfScope(t *testing.T) {
	dir := t.TempDir()
	writeTopic(t, dir, "pets.md", `+++
id = "pets"
kind = "out-of-scope"
title = "Pets and their care"
phrasings = ["what should i feed my puppy", "my cat keeps scratching the sofa", "how often do i walk a dog",
  "is my hamster sick", "best food for a kitten", "how do i train my dog to sit"]
keywords = ["dog", "puppy", "cat", "kitten", "hamster", "pet", "vet"]
+++
`)
	kb, err := Load(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if kb.Topic("pets") != nil || len(kb.Topics()) != len(topicIDs) {
		t.Errorf("the out-of-scope category is listed as a topic")
	}
	a := kb.Ask("what should I feed my new puppy?")
	if a.Topic != nil || a.OutOfScope != "Pets and their care" {
		t.Errorf("Ask(puppy) = topic %v, out of scope %q; want the pets category", a.Topic, a.OutOfScope)
	}
}

func TestKnowledgeDirCategory(t *testing.T) {
	dir := t.TempDir()
	writeTopic(t, dir, "local.md", validTopic)
	writeTopic(t, dir, "meetups.md", validCategory)
	kb, err := Load(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if kb.Topic("oos-meetups") != nil {
		t.Error("a category is served as a topic")
	}
	for _, tp := range kb.Topics() {
		if tp.outOfScope {
			t.Errorf("Topics() lists category %s", tp.ID)
		}
	}
	if a := kb.Ask("anyone going to the ACP meeting this year? where do we meet up"); a.Topic != nil {
		t.Errorf("Ask on the local category answered with topic %s", a.Topic.ID)
	}
	if a := kb.Ask("which observerships have members vetted"); a.Topic == nil || a.Topic.ID != "local-observerships" {
		t.Errorf("Ask on the local topic = %+v, want local-observerships", a.Topic)
	}
}

func TestBuiltinOff(t *testing.T) {
	dir := t.TempDir()
	writeTopic(t, dir, "local.md", strings.Replace(validTopic, `related = ["observership-counts"]`, "", 1))
	writeTopic(t, dir, "meetups.md", validCategory)
	kb, err := Load(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(kb.Topics()); got != 1 {
		t.Errorf("%d topics with builtin off, want only the folder's 1", got)
	}
	if got := len(kb.categories); got != 1 || kb.categories[0].ID != "oos-meetups" {
		t.Errorf("categories with builtin off = %v, want only oos-meetups", kb.categories)
	}
	if a := kb.Ask("does telehealth count as usce"); a.Topic != nil && a.Topic.ID != "local-observerships" {
		t.Errorf("Ask answered with built-in topic %s while builtin is off", a.Topic.ID)
	}

	// A folder that relies on built-in topics fails without them, naming
	// the file and the missing id.
	writeTopic(t, dir, "local.md", validTopic)
	if _, err := Load(dir, false); err == nil || !strings.Contains(err.Error(), "local.md") || !strings.Contains(err.Error(), "observership-counts") {
		t.Errorf("Load of a folder relating to a built-in topic, builtin off: error %v", err)
	}

	only := t.TempDir()
	writeTopic(t, only, "meetups.md", validCategory)
	if _, err := Load(only, false); err == nil || !strings.Contains(err.Error(), "no topics") {
		t.Errorf("Load of categories only, builtin off: error %v, want one saying there are no topics", err)
	}
	if _, err := Load("", false); err == nil {
		t.Error("Load with builtin off and no folder succeeded")
	}
}

func TestKnowledgeDirErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr []string // substrings: the file and the field
	}{
		{"no front matter", map[string]string{"a.md": "just text"}, []string{"a.md", "front matter"}},
		{"unclosed front matter", map[string]string{"a.md": "+++\nid = \"x\"\n"}, []string{"a.md", "closing"}},
		{"bad toml", map[string]string{"a.md": "+++\nid = \n+++\nbody"}, []string{"a.md", "front matter"}},
		{"missing title", map[string]string{"a.md": strings.Replace(validTopic, "title = \"Which observerships have our members vetted?\"\n", "", 1)}, []string{"a.md", "title"}},
		{"bad id", map[string]string{"a.md": strings.Replace(validTopic, `"local-observerships"`, `"Local Obs"`, 1)}, []string{"a.md", "field id"}},
		{"unknown field", map[string]string{"a.md": strings.Replace(validTopic, "keywords", "keywrds", 1)}, []string{"a.md", "keywrds"}},
		{"no sources", map[string]string{"a.md": validTopic[:strings.Index(validTopic, "[[sources]]")] + "+++\nbody"}, []string{"a.md", "sources"}},
		{"empty body", map[string]string{"a.md": validTopic[:strings.LastIndex(validTopic, "+++")+4]}, []string{"a.md", "body"}},
		{"unknown related", map[string]string{"a.md": strings.Replace(validTopic, `["observership-counts"]`, `["no-such-topic"]`, 1)}, []string{"a.md", "related", "no-such-topic"}},
		{"duplicate id", map[string]string{"a.md": validTopic, "b.md": validTopic}, []string{"b.md", "already used by", "a.md"}},
		{"empty folder", map[string]string{}, []string{"no *.md"}},
		{"bad kind", map[string]string{"a.md": strings.Replace(validTopic, "keywords", "kind = \"faq\"\nkeywords", 1)}, []string{"a.md", "field kind"}},
		{"category without phrasings", map[string]string{"a.md": "+++\nid = \"pets\"\nkind = \"out-of-scope\"\ntitle = \"Pets\"\n+++\n"}, []string{"a.md", "phrasings"}},
		{"unknown kind", map[string]string{"a.md": strings.Replace(validCategory, `"out-of-scope"`, `"faq"`, 1)}, []string{"a.md", "field kind", "faq"}},
		{"category without phrasings", map[string]string{"a.md": strings.Replace(validCategory, `phrasings = ["where should we meet up at the conference", "anyone going to the ACP meeting"]`, "", 1)}, []string{"a.md", "phrasings"}},
		{"category without title", map[string]string{"a.md": strings.Replace(validCategory, `title = "meet-ups and conferences"`, "", 1)}, []string{"a.md", "title"}},
		{"category with an answer", map[string]string{"a.md": validCategory + "\nWe meet on Fridays.\n"}, []string{"a.md", "body", "never answered"}},
		{"category with sources", map[string]string{"a.md": strings.Replace(validCategory, "\n+++", "\n[[sources]]\ntitle = \"x\"\npublisher = \"y\"\n+++", 1)}, []string{"a.md", "sources"}},
		{"category with related", map[string]string{"a.md": strings.Replace(validCategory, "kind", "related = [\"timeline\"]\nkind", 1)}, []string{"a.md", "related"}},
		{"related to a category", map[string]string{"a.md": strings.Replace(validTopic, `["observership-counts"]`, `["oos-meetups"]`, 1), "b.md": validCategory}, []string{"a.md", "related", "oos-meetups", "out-of-scope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				writeTopic(t, dir, name, content)
			}
			_, err := Load(dir, true)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load error %q does not name %q", err, w)
				}
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing"), true); err == nil {
		t.Error("Load of a missing folder succeeded")
	}
}

func TestAskBadInput(t *testing.T) {
	kb := mustLoad(t)
	for _, q := range []string{"", "   ", "?!?!", "\xff\xfe\xfd", strings.Repeat("a", 100_000),
		strings.Repeat("usce telehealth ", 10_000), "<script>alert(1)</script>", "**__[]()``", "\x00\x01"} {
		a := kb.Ask(q)
		if a.Text == "" {
			t.Errorf("Ask(%.20q) gave an empty answer", q)
		}
	}
}

func TestAskGeneralises(t *testing.T) {
	// Questions written for this test, not taken from any evaluation set:
	// the flagship questions of the issue and paraphrases using the lexicon.
	kb := mustLoad(t)
	tests := []struct{ q, want string }{
		{"does telehealth count as USCE?", "telehealth-counts"},
		{"Does telemedicine count as US clinical experience?", "telehealth-counts"},
		{"is an observership enough?", "observership-counts"},
		{"how many months do I need?", "how-much-usce"},
		{"how many months of USCE do I need?", "how-much-usce"},
		{"whose rec letter weighs more, an academic or a community attending?", "lor-hierarchy"},
		{"Étudiant: how do I get US électives as a student?", "electives-students"},
		{"what's the best tpye of usce", "usce-types-hierarchy"},
		// Short basic questions, chat shorthand and invisible characters.
		{"what is usce", "usce-definition"},
		{"hw mch usce do i nead", "how-much-usce"},
		{"tele\u00adhealth count?", "telehealth-counts"},
		{"hi", ""},
		{"help", ""},
		{"what is the capital of France", ""},
	}
	for _, tt := range tests {
		a := kb.Ask(tt.q)
		got := ""
		if a.Topic != nil {
			got = a.Topic.ID
		}
		if got != tt.want {
			t.Errorf("Ask(%q) topic = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestShortQuestions holds the short basic questions of issue 10: each is
// answered or clarified, never refused.
func TestShortQuestions(t *testing.T) {
	kb := mustLoad(t)
	for _, q := range []string{"what is usce", "usce?", "obs = usce?", "hw mch usce do i nead", "can i apply w/o usce fr"} {
		if a := kb.Ask(q); a.Topic == nil && len(a.Clarify) == 0 {
			t.Errorf("Ask(%q) abstained: %q", q, a.Text)
		}
	}
}

func TestAskOutOfScopeNamesCategory(t *testing.T) {
	kb := mustLoad(t)
	a := kb.Ask("which qbank is best for step 1, uworld or amboss?")
	if a.Topic != nil || a.OutOfScope == "" {
		t.Fatalf("Ask(qbank) = topic %v, out of scope %q; want the exam-prep category", a.Topic, a.OutOfScope)
	}
	if !strings.HasPrefix(a.Text, "That is about ") || !strings.Contains(a.Text, "which I don't cover") {
		t.Errorf("Ask(qbank) text = %q", a.Text)
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load("", true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAsk measures the average time of one question over a fixed,
// varied set (ns/op is per question).
func BenchmarkAsk(b *testing.B) {
	kb := mustLoad(b)
	var qs []string
	for _, tp := range kb.Topics() {
		qs = append(qs, tp.Phrasings...)
	}
	qs = append(qs, "what is the max dose of metformin", "hi", strings.Repeat("long question ", 200))
	b.ResetTimer()
	i := 0
	for b.Loop() {
		kb.Ask(qs[i%len(qs)])
		i++
	}
}

// FuzzAsk checks that no input makes Ask panic or answer with nothing.
func FuzzAsk(f *testing.F) {
	kb := mustLoad(f)
	for _, s := range []string{"does telehealth count as usce", "", "\xff", "$$$ 3k 4wks", "sub-I / b1-b2 ob/gyn", "ＵＳＣＥ électif"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		a := kb.Ask(q)
		if a.Text == "" {
			t.Fatalf("Ask(%q) has no text", q)
		}
		if a.Topic != nil && (len(a.Suggestions) > 0 || len(a.Clarify) > 0) {
			t.Fatalf("Ask(%q) answers and suggests or clarifies at once", q)
		}
		if n := len(a.Clarify); n == 1 || n > 3 {
			t.Fatalf("Ask(%q) offers %d choices", q, n)
		}
		if a.Score < 0 || a.Score > 1.0001 {
			t.Fatalf("Ask(%q) score %v outside 0..1", q, a.Score)
		}
	})
}

// Closest ranks what a user is typing, for autocomplete: "tele" puts the
// telehealth topic first.
func TestClosest(t *testing.T) {
	kb := mustLoad(t)
	got := kb.Closest("does tele count")
	if len(got) == 0 || got[0].ID != "telehealth-counts" {
		t.Errorf("Closest(does tele count) = %v, want telehealth-counts first", got)
	}
}
