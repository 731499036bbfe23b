package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCmd runs the binary's entry point in-process.
func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestAskJSON(t *testing.T) {
	code, out, errOut := runCmd(t, "", "ask", "--json", "does telehealth count as USCE?")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got struct {
		Topic       *string  `json:"topic"`
		Score       float64  `json:"score"`
		Answer      string   `json:"answer"`
		Suggestions []string `json:"suggestions"`
		Sources     []string `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Topic == nil || *got.Topic != "telehealth-counts" || got.Answer == "" || len(got.Sources) == 0 || got.Score <= 0 {
		t.Errorf("ask --json = %+v", got)
	}
	if strings.Contains(got.Answer, "**") {
		t.Errorf("answer keeps Markdown markers: %q", got.Answer)
	}
}

func TestAskJSONOutOfScope(t *testing.T) {
	_, out, _ := runCmd(t, "", "ask", "--json", "tell me a joke")
	if !strings.Contains(out, `"topic": null`) || !strings.Contains(out, `"suggestions": [`) {
		t.Errorf("out-of-scope ask --json = %s", out)
	}
}

// ask reads a message as a chat does: a social message or a control word
// gets its short line, and a long post is matched by the question it asks.
func TestAskReadsLikeAChat(t *testing.T) {
	tests := []struct {
		msg, topic, answer string
	}{
		{"i matched! thank you", "", "Congratulations"},
		{"thanks bro u r the best", "", "You're welcome"},
		{"cancel", "", "Nothing to cancel."},
		{"Pakistani grad 2021, CK 239, on a J1 later. Does telehealth count as USCE?", "telehealth-counts", ""},
		{"is 229 on CK good enough for IM? I have 4 months of hands-on USCE.", "", "USMLE scores"},
	}
	for _, tt := range tests {
		_, out, _ := runCmd(t, "", "ask", "--json", tt.msg)
		var got askOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("ask --json %q: %v in %s", tt.msg, err, out)
		}
		topic := ""
		if got.Topic != nil {
			topic = *got.Topic
		}
		if topic != tt.topic || !strings.Contains(got.Answer, tt.answer) {
			t.Errorf("ask %q = topic %q, answer %q; want topic %q, answer containing %q", tt.msg, topic, got.Answer, tt.topic, tt.answer)
		}
	}
}

func TestAskText(t *testing.T) {
	code, out, _ := runCmd(t, "", "ask", "how", "many", "months", "of", "USCE", "do", "I", "need?")
	if code != 0 || !strings.Contains(out, "Sources:") {
		t.Errorf("exit %d, output %q", code, out)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "usage: uscebot"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"ask without question", []string{"ask"}, "question is missing"},
		{"ask with empty question", []string{"ask", "--json", "  "}, "question is missing"},
		{"unknown flag", []string{"ask", "--jsn", "x"}, "flag provided but not defined"},
		{"backup without out", []string{"backup", "--db", "x.db"}, "usage: uscebot backup"},
		{"backup of a missing db", []string{"backup", "--db", filepath.Join(t.TempDir(), "none.db"), "out.db"}, "no such database"},
		{"console with argument", []string{"console", "extra"}, "unexpected argument"},
		{"missing config", []string{"ask", "--config", filepath.Join(t.TempDir(), "nope.toml"), "q"}, "nope.toml"},
		{"version with argument", []string{"version", "x"}, "usage: uscebot version"},
		{"unanswered without --db", []string{"unanswered"}, "usage: uscebot unanswered"},
		{"unanswered of a missing db", []string{"unanswered", "--db", filepath.Join(t.TempDir(), "none.db")}, "no such database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, "", tt.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 && tt.args != nil {
				t.Errorf("stderr = %q, want one line containing %q", errOut, tt.want)
			}
		})
	}
}

func TestHostileQuestions(t *testing.T) {
	for _, q := range []string{strings.Repeat("é", 50_000), "\xff\xfe", "?!.,;", "<>&*_[]`", "\x00"} {
		code, out, errOut := runCmd(t, "", "ask", "--json", q)
		if code != 0 || !json.Valid([]byte(out)) {
			t.Errorf("ask %.10q: exit %d, stdout %q, stderr %q", q, code, out, errOut)
		}
	}
}

func TestConsolePipeAndBackup(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bot.db")
	code, out, errOut := runCmd(t, "hi\ndoes telehealth count?\n", "console", "--db", db)
	if code != 0 {
		t.Fatalf("console exit %d, stderr %q", code, errOut)
	}
	if strings.Count(out, "\n\n") < 2 || !strings.Contains(out, "Ask me anything") || !strings.Contains(out, "telehealth") {
		t.Errorf("console output = %q, want both replies", out)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("database not created: %v", err)
	}
	backup := filepath.Join(dir, "copy.db")
	if code, _, errOut := runCmd(t, "", "backup", "--db", db, backup); code != 0 {
		t.Fatalf("backup exit %d: %s", code, errOut)
	}
	// The copy is a working database holding the console user.
	code, out, _ = runCmd(t, "/export\n", "console", "--db", backup, "--user", "local")
	if code != 0 || !strings.Contains(out, `"id": "local"`) {
		t.Errorf("export from the backup: exit %d, %q", code, out)
	}
	if code, _, errOut := runCmd(t, "", "backup", "--db", db, backup); code == 0 || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over an existing file: exit %d, %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "uscebot ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}

func TestKnowledgeDirFromConfig(t *testing.T) {
	dir := t.TempDir()
	kdir := filepath.Join(dir, "faq")
	if err := os.Mkdir(kdir, 0o755); err != nil {
		t.Fatal(err)
	}
	topic := `+++
id = "server-rules"
title = "What are this server's rules for promoting rotations?"
phrasings = ["can I advertise my agency's rotations in this server", "server rules for promotion posts"]
keywords = ["advertise", "promotion", "server rules"]
related = ["vetting-programs"]

[[sources]]
title = "Server handbook"
publisher = "Server admins"
+++
**No advertising.** Agencies may not post offers here; members share their own experiences only.
`
	if err := os.WriteFile(filepath.Join(kdir, "rules.md"), []byte(topic), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[advisor]\nknowledge_dir = %q\n", kdir)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, errOut := runCmd(t, "", "ask", "--json", "--config", cfg, "can I advertise rotations in this server?")
	if !strings.Contains(out, `"topic": "server-rules"`) {
		t.Errorf("local topic not answered: %s %s", out, errOut)
	}
}

// With builtin = false the bot serves the folder alone: its topics are
// answered, a built-in one is not, and a folder that still relates to a
// built-in topic is refused by name.
func TestBuiltinOffServesOnlyTheFolder(t *testing.T) {
	dir := t.TempDir()
	kdir := filepath.Join(dir, "faq")
	if err := os.Mkdir(kdir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(kdir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A server's own knowledge base: a few topics, so that a word's rarity
	// among them means something to the matcher.
	topic := func(id, title, phrasing, keywords string) string {
		return fmt.Sprintf("+++\nid = %q\ntitle = %q\nphrasings = [%q]\nkeywords = [%s]\n\n"+
			"[[sources]]\ntitle = \"Server handbook\"\npublisher = \"Server admins\"\n+++\n**%s** Ask a moderator.\n",
			id, title, phrasing, keywords, title)
	}
	rules := topic("server-rules", "What are this server's rules for promoting rotations?",
		"can I advertise my agency's rotations in this server", `"advertise", "promotion", "server rules"`)
	writeFile("rules.md", rules)
	writeFile("mentors.md", topic("mentors", "How do I get a mentor from the server?",
		"can someone from the server mentor me", `"mentor", "mentorship", "buddy"`))
	writeFile("study-group.md", topic("study-group", "When does the server's study group meet?",
		"what time is the study group call", `"study group", "call", "voice channel"`))
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[advisor]\nknowledge_dir = %q\nbuiltin = false\n", kdir)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, out, errOut := runCmd(t, "", "ask", "--json", "--config", cfg, "can I advertise rotations in this server?"); !strings.Contains(out, `"topic": "server-rules"`) {
		t.Errorf("local topic not answered: %s %s", out, errOut)
	}
	if _, out, errOut := runCmd(t, "", "ask", "--json", "--config", cfg, "does telehealth count as USCE?"); !strings.Contains(out, `"topic": null`) {
		t.Errorf("built-in topic answered with builtin = false: %s %s", out, errOut)
	}

	writeFile("rules.md", strings.Replace(rules, "\n\n[[sources]]", "\nrelated = [\"vetting-programs\"]\n\n[[sources]]", 1))
	code, _, errOut := runCmd(t, "", "ask", "--config", cfg, "can I advertise rotations in this server?")
	if code == 0 || !strings.Contains(errOut, "rules.md") || !strings.Contains(errOut, "vetting-programs") {
		t.Errorf("folder relating to a built-in topic with builtin = false: exit %d, stderr %q", code, errOut)
	}
}
