package advisor

import (
	"slices"
	"testing"

	"github.com/uscebot/uscebot/advisor/match"
)

// Long posts read as a whole, then by their question sentences: the
// question carries the match, a life story does not pull it away, and a
// second question is offered beside the first (either may be the main
// one). The posts are written for this test.
func TestReadLongPosts(t *testing.T) {
	kb := mustLoad(t)
	tests := []struct {
		text string
		want []string // the main topic and the others offered, in any order
	}{
		{"Egyptian grad 2019, CK 236, visa needed, been studying for a year. Does telehealth count as USCE?", []string{"telehealth-counts"}},
		{"Are observerships considered USCE? Including observerships completed after graduation?", []string{"observership-counts"}},
		{"Does telehealth count as USCE? Also who should write my letters, a community or an academic attending?", []string{"lor-hierarchy", "telehealth-counts"}},
		{"Sudanese grad, no USCE yet, CK 241, tight budget. Would a research year in a US lab count as clinical experience?", []string{"research-usce"}},
	}
	for _, tt := range tests {
		r := kb.Read(tt.text, nil)
		var got []string
		if r.Answer.Topic != nil {
			got = append(got, r.Answer.Topic.ID)
		}
		for _, tp := range r.Also {
			got = append(got, tp.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Read(%q) topics = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// A message whose question is outside the knowledge base as a whole is
// not answered from one of its sentences that happens to name a topic.
func TestReadOutsideWhole(t *testing.T) {
	kb := mustLoad(t)
	for _, text := range []string{
		"which qbank for step 1? i did 2 months of observerships last year",
		"is a 229 on CK good enough for IM? I have 4 months of hands-on USCE.",
	} {
		if r := kb.Read(text, nil); r.Answer.Topic != nil || len(r.Answer.Clarify) > 0 {
			t.Errorf("Read(%q) answered %v %v, want an abstention", text, r.Answer.Topic, r.Answer.Clarify)
		}
	}
}

// A topic written for what the bot takes for small talk answers it: a
// knowledge base with a "thanks" or an "are you a bot" topic wants it
// shown, while the built-in knowledge, which has none, keeps the bot's
// replies.
func TestReadSmallTalkTopics(t *testing.T) {
	dir := t.TempDir()
	writeTopic(t, dir, "thanks.md", `+++
id = "server-thanks"
title = "You are welcome"
phrasings = ["thank you for your help", "thanks a lot", "thank you so much", "thanks for the help", "many thanks"]

[[sources]]
title = "Server rules"
publisher = "Server admins"
+++
Glad it helped: the admins read every thank-you.
`)
	writeTopic(t, dir, "bot.md", `+++
id = "server-bot"
title = "Who answers here"
phrasings = ["are you a bot", "is this a bot", "am i talking to a bot", "are you a real person"]

[[sources]]
title = "Server rules"
publisher = "Server admins"
+++
A bot run by the admins answers here.
`)
	writeTopic(t, dir, "rules.md", `+++
id = "server-rules"
title = "What may I post here?"
phrasings = ["what are the server rules", "can i post job offers", "is advertising allowed", "where do i post my question"]

[[sources]]
title = "Server rules"
publisher = "Server admins"
+++
Questions and answers only; no advertising.
`)
	// The server's own topics alone: the built-in out-of-scope categories
	// include small talk, which would compete with them.
	withTopics, err := Load(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	builtin := mustLoad(t)
	for text, want := range map[string]string{"thanks so much for your help": "server-thanks", "are you a bot?": "server-bot"} {
		if r := withTopics.Read(text, nil); r.Act != match.ActQuestion || r.Answer.Topic == nil || r.Answer.Topic.ID != want {
			t.Errorf("Read(%q) with the topics = act %v, topic %v; want %s", text, r.Act, r.Answer.Topic, want)
		}
		if r := builtin.Read(text, nil); r.Act != match.ActSocial || r.Answer.Topic != nil {
			t.Errorf("Read(%q) on the built-in knowledge = act %v, topic %v; want the bot's own reply", text, r.Act, r.Answer.Topic)
		}
	}
}
