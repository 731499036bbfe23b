package discord

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"*bold* _it_ ~~s~~ `code` ||spoiler||", `\*bold\* \_it\_ \~\~s\~\~ \` + "`" + `code\` + "`" + ` \|\|spoiler\|\|`},
		{"> quote # head - item", `\> quote \# head \- item`},
		{"[link](https://x.example)", `\[link\]\(https://x.example\)`},
		{`back\slash`, `back\\slash`},
		{"hi @everyone and @HERE", "hi @\u200beveryone and @\u200bHERE"},
		{"<@123> <#456> <t:1:R>", `\<@123\> \<\#456\> \<t:1:R\>`},
	} {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRenderLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix string
		spans  []rich.Span
		want   string
	}{
		{"bold outside spaces", "", []rich.Span{rich.B("Related: "), rich.S("a / b")}, "**Related:** a / b"},
		{"user text stays literal", "", []rich.Span{rich.S("**not bold** @here")}, "\\*\\*not bold\\*\\* @\u200bhere"},
		{"code", "", []rich.Span{{Text: "a`b *c*", Style: rich.Code}}, "`aˋb *c*`"},
		{"bold code", "", []rich.Span{{Text: "x", Style: rich.Code | rich.Bold}}, "**`x`**"},
		{"trimmed after the prefix", "- ", []rich.Span{rich.S("  (x) "), rich.B("y "), rich.S(" ")}, "- \\(x\\) **y**"},
	} {
		if got := renderLine(tc.prefix, tc.spans); got != tc.want {
			t.Errorf("%s: renderLine(%q) = %q, want %q", tc.name, tc.prefix, got, tc.want)
		}
	}
}

func TestRenderTextShape(t *testing.T) {
	text := rich.Para(rich.B("Does it count?"))
	text = append(text, rich.Markdown("**Usually no.** Body.\n\n- one\n- two")...)
	text = append(text,
		rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Related: "), rich.S("A / B")}},
		rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Sources: "), rich.S(`"Guide" (AAMC)`)}})
	msgs := renderText(text)
	if len(msgs) != 1 || len(msgs[0]) != 1 {
		t.Fatalf("renderText gave %d messages, want one embed", len(msgs))
	}
	e := msgs[0][0]
	want := &discordgo.MessageEmbed{
		Title:       "Does it count?",
		Description: "**Usually no.** Body.\n\n- one\n- two",
		Color:       embedColor,
		Fields:      []*discordgo.MessageEmbedField{{Name: "Related", Value: "A / B"}},
		Footer:      &discordgo.MessageEmbedFooter{Text: `Sources: "Guide" (AAMC)`},
	}
	if e.Title != want.Title || e.Description != want.Description || e.Footer.Text != want.Footer.Text ||
		len(e.Fields) != 1 || *e.Fields[0] != *want.Fields[0] {
		t.Errorf("embed = %+v\nwant %+v", e, want)
	}
	// Bullets render as Discord list items: "- " unescaped at the start.
	bullets := renderText(rich.Text{{Kind: rich.Bullet, Spans: []rich.Span{rich.S("-1 item")}}})
	if got := bullets[0][0].Description; got != `- \-1 item` {
		t.Errorf("bullet = %q, want %q", got, `- \-1 item`)
	}
}

// checkLimits fails if a message breaks one of Discord's limits.
func checkLimits(t *testing.T, msgs [][]*discordgo.MessageEmbed) {
	t.Helper()
	for i, m := range msgs {
		total := 0
		if len(m) > maxEmbedsPerMessage {
			t.Errorf("message %d: %d embeds", i, len(m))
		}
		for _, e := range m {
			if n := ulen(e.Description); n > maxEmbedDescription {
				t.Errorf("message %d: description of %d", i, n)
			}
			if n := ulen(e.Title); n > maxEmbedTitle {
				t.Errorf("message %d: title of %d", i, n)
			}
			total += embedSize(e)
		}
		if total > maxEmbedsTotal {
			t.Errorf("message %d: %d characters of embeds", i, total)
		}
	}
}

func unescapeAll(s string) string {
	s = strings.ReplaceAll(s, "\u200b", "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return strings.ReplaceAll(b.String(), "**", "")
}

// descriptionWords are the words of all descriptions, unescaped.
func descriptionWords(msgs [][]*discordgo.MessageEmbed) []string {
	var out []string
	for _, m := range msgs {
		for _, e := range m {
			out = append(out, strings.Fields(unescapeAll(e.Description))...)
		}
	}
	return out
}

// TestRenderLongText drives the renderer with text far past every limit:
// many paragraphs and bullets, one paragraph of 9,000 characters with bold
// runs, and astral characters that count double.
func TestRenderLongText(t *testing.T) {
	var text rich.Text
	var want []string
	add := func(kind rich.Kind, spans ...rich.Span) {
		text = append(text, rich.Block{Kind: kind, Spans: spans})
		if kind == rich.Bullet {
			want = append(want, "-")
		}
		for _, s := range spans {
			want = append(want, strings.Fields(s.Text)...)
		}
	}
	for i := range 60 {
		add(rich.Paragraph, rich.S(strings.Repeat("observership_"+string(rune('a'+i%26))+" ", 30)))
		add(rich.Bullet, rich.B("Step: "), rich.S("ask for a *letter* 🙂 "+strings.Repeat("word ", 20)))
	}
	var huge []rich.Span
	for i := range 300 {
		huge = append(huge, rich.S(strings.Repeat("plain ", 4)), rich.B("bold run "+strings.Repeat("x", i%7)+" "))
	}
	add(rich.Paragraph, huge...)

	msgs := renderText(text)
	checkLimits(t, msgs)
	if len(msgs) < 5 {
		t.Errorf("%d messages for ~50,000 characters, want several", len(msgs))
	}
	// Every word whole and in order, markers and escapes aside.
	if got := descriptionWords(msgs); !slices.Equal(got, want) {
		t.Errorf("words lost or cut: got %d words, want %d", len(got), len(want))
	}
}

func TestRenderOverlongWord(t *testing.T) {
	word := strings.Repeat("a*", 3000) // 6,000 characters, 9,000 escaped
	msgs := renderText(rich.Para(rich.S("before"), rich.S(" "+word+" "), rich.S("after")))
	checkLimits(t, msgs)
	got := descriptionWords(msgs)
	if got[0] != "before" || got[len(got)-1] != "after" || strings.Join(got[1:len(got)-1], "") != word {
		t.Errorf("the overlong word was not kept whole across pieces")
	}
}

func TestRenderPre(t *testing.T) {
	lines := strings.Repeat("{\"key\": \"value ```\"}\n", 500)
	msgs := renderText(rich.Preformatted(lines))
	checkLimits(t, msgs)
	for _, m := range msgs {
		for _, e := range m {
			if !strings.HasPrefix(e.Description, "```\n") || !strings.HasSuffix(e.Description, "\n```") || strings.Count(e.Description, "```") != 2 {
				t.Fatalf("code block chunk not fenced once: %.80q", e.Description)
			}
		}
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"What year will you submit your ERAS application?", 45, "What year will you submit your ERAS…"},
		{"Supercalifragilistic", 10, "Supercali…"},
	} {
		if got := clip(tc.in, tc.n); got != tc.want || ulen(got) > tc.n {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	if got := clipBytes("Which specialty é é é", 20); len(got) > 20 || got != "Which specialty é" {
		t.Errorf("clipBytes = %q (%d bytes)", got, len(got))
	}
}

func TestComponentsLayout(t *testing.T) {
	rows := func(c []discordgo.MessageComponent) [][]discordgo.MessageComponent {
		var out [][]discordgo.MessageComponent
		for _, r := range c {
			out = append(out, r.(discordgo.ActionsRow).Components)
		}
		return out
	}
	var kinds []bot.Choice
	for i := range 16 {
		kinds = append(kinds, bot.Choice{ID: bot.AnswerChoice("experience_kind", string(rune('a'+i))), Label: "Kind"})
	}
	// 16 buttons in 4 rows, then Back and Pause.
	got := rows(components(bot.Reply{Choices: kinds}, true))
	if len(got) != 5 || len(got[0]) != 5 || len(got[3]) != 1 || len(got[4]) != 2 {
		t.Fatalf("16 choices laid out as %d rows", len(got))
	}
	if b := got[4][0].(discordgo.Button); b.CustomID != "intake:experience_kind:back" {
		t.Errorf("nav button %q, want the step's back", b.CustomID)
	}
	// Too many for buttons: a select menu of their ids.
	var many []bot.Choice
	for i := range 30 {
		many = append(many, bot.Choice{ID: "pick:" + string(rune('a'+i)), Label: "Option"})
	}
	got = rows(components(bot.Reply{Choices: many}, true))
	if m, ok := got[0][0].(discordgo.SelectMenu); len(got) != 1 || !ok || m.CustomID != idPick || len(m.Options) != maxSelectOptions {
		t.Errorf("30 choices: %+v, want one select menu of 25", got)
	}
	// Free text: a modal button in a server, none in a DM.
	in := bot.Reply{Input: &bot.Input{Step: "grad_year", Label: "What year did you graduate?"}}
	guild := rows(components(in, true))
	if b := guild[0][0].(discordgo.Button); b.CustomID != "dc/ans:grad_year:What year did you graduate?" || len(guild[0]) != 3 {
		t.Errorf("free text in a server: %+v", guild)
	}
	if dm := rows(components(in, false)); len(dm) != 1 || len(dm[0]) != 2 {
		t.Errorf("free text in a DM: %+v, want Back and Pause only", dm)
	}
	// Suggestions: a select menu whose id carries the step.
	sug := rows(components(bot.Reply{Input: &bot.Input{Step: "specialty", Label: "Which?", Suggestions: []string{"a", "b"}}}, true))
	if m := sug[0][0].(discordgo.SelectMenu); m.CustomID != "dc/sel:specialty" || len(m.Options) != 2 {
		t.Errorf("suggestions: %+v", sug)
	}
	// Choices of no intake step: no nav buttons.
	if got := rows(components(bot.Reply{Choices: []bot.Choice{{ID: "forget:no", Label: "No"}}}, true)); len(got) != 1 || len(got[0]) != 1 {
		t.Errorf("forget choices: %+v", got)
	}
}

func TestAnswerIDFitsAndParses(t *testing.T) {
	q := strings.Repeat("How many strong letters from US physicians do you have? ", 4)
	id := answerID("us_letters", q)
	if len(id) > maxCustomID {
		t.Fatalf("answerID is %d bytes", len(id))
	}
	step, question := parseAnswerID(id)
	if step != "us_letters" || !strings.HasPrefix(q, question) || question == "" {
		t.Errorf("parseAnswerID(%q) = %q, %q", id, step, question)
	}
	m := modal(step, question)
	if ulen(m.Data.Title) > maxModalTitle || m.Data.CustomID != "dc/mod:us_letters" {
		t.Errorf("modal title %q, id %q", m.Data.Title, m.Data.CustomID)
	}
}

func TestSuggest(t *testing.T) {
	topics := []string{"How much USCE do I need?", "Does telehealth count as USCE?", "Tele observerships: which types exist?",
		strings.Repeat("Very long title ", 10)}
	names := func(typed string) []string {
		var out []string
		for _, c := range suggest(topics, nil, typed) {
			out = append(out, c.Name)
		}
		return out
	}
	if got := names("tele"); len(got) != 2 || got[0] != topics[2] {
		t.Errorf("suggest(tele) = %q, want the title starting with it first, then the other", got)
	}
	if got := names("count usc"); !slices.Equal(got, []string{topics[1]}) {
		t.Errorf("suggest(count usc) = %q", got)
	}
	// The matcher's order leads among the titles that match the text.
	ranked := func(typed string) []string {
		var out []string
		for _, c := range suggest(topics, []string{topics[1], "Not a title of the list"}, typed) {
			out = append(out, c.Name)
		}
		return out
	}
	if got := ranked("tele"); !slices.Equal(got, []string{topics[1], topics[2]}) {
		t.Errorf("suggest(tele) with the matcher's ranking = %q, want %q first", got, topics[1])
	}
	for _, c := range suggest(topics, nil, "long") {
		if v := c.Value.(string); ulen(c.Name) > maxChoiceText || ulen(v) > maxChoiceText || strings.HasSuffix(v, "…") {
			t.Errorf("long title gave name %q value %q", c.Name, v)
		}
	}
}

// benchTexts are the replies the bot sends most, every topic's answer
// from the real knowledge base with a personal note carrying markup
// characters and multi-byte text, and a long reply cut into several
// embeds, one of its paragraphs between words.
func benchTexts(b *testing.B) []benchCase {
	b.Helper()
	kb, err := advisor.Load("", true)
	if err != nil {
		b.Fatal(err)
	}
	note := "As a 2019 graduate (6 years < 7) with *tele* rotations_ & [no] `hands-on` work — “virtual” ≠ USCE 🩺 #1 | ~ @here."
	var answers []rich.Text
	for _, tp := range kb.Topics() {
		answers = append(answers, bot.AnswerText(kb, advisor.Answer{Topic: tp, Text: tp.Body}, note))
	}
	var long rich.Text
	for i := range 30 {
		long = append(long,
			rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Section <" + strconv.Itoa(i) + ">"), rich.S(" " + strings.Repeat("observership (a_b) ", 20))}},
			rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.B("Step: "), rich.S("ask for a *letter* 🙂 " + strings.Repeat("word ", 20))}})
	}
	long = append(long, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(strings.Repeat("plain words é ", 400)), rich.B("bold tail")}})
	return []benchCase{{"answers", answers}, {"long", []rich.Text{long}}}
}

type benchCase struct {
	name  string
	texts []rich.Text
}

func BenchmarkRenderText(b *testing.B) {
	for _, bc := range benchTexts(b) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, t := range bc.texts {
					renderText(t)
				}
			}
		})
	}
}
