package telegram

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
)

func TestRenderHTML(t *testing.T) {
	tests := []struct {
		name string
		in   rich.Text
		want string
	}{
		{"escapes", rich.Para(rich.S(`a < b > c & "d" <b>x</b> &amp; *_[]`)),
			`a &lt; b &gt; c &amp; &quot;d&quot; &lt;b&gt;x&lt;/b&gt; &amp;amp; *_[]`},
		{"styles", rich.Para(rich.B("bold <"), rich.S(" and "), rich.Span{Text: "co&de", Style: rich.Code},
			rich.Span{Text: "both", Style: rich.Bold | rich.Code}),
			`<b>bold &lt;</b> and <code>co&amp;de</code><b><code>both</code></b>`},
		{"blocks", rich.Text{
			{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("intro")}},
			{Kind: rich.Bullet, Spans: []rich.Span{rich.S("one")}},
			{Kind: rich.Bullet, Spans: []rich.Span{rich.B("two")}},
			{Kind: rich.Pre, Spans: []rich.Span{rich.B("{\"a\": <1>}")}},
			{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("end")}},
		}, "intro\n\n• one\n• <b>two</b>\n\n<pre>{&quot;a&quot;: &lt;1&gt;}</pre>\n\nend"},
		{"empty spans", rich.Para(rich.B(""), rich.S("x")), "x"},
	}
	for _, tc := range tests {
		got := renderHTML(tc.in)
		if got != tc.want {
			t.Errorf("%s: renderHTML = %q, want %q", tc.name, got, tc.want)
		}
		if n := htmlLen(tc.in); n != len(got) {
			t.Errorf("%s: htmlLen = %d, want %d", tc.name, n, len(got))
		}
		if _, _, err := parseTelegramHTML(got); err != nil {
			t.Errorf("%s: Telegram would refuse %q: %v", tc.name, got, err)
		}
	}
}

func TestSanitize(t *testing.T) {
	in := rich.Text{
		{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("bad \xff utf8")}},
		{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("  "), rich.B("")}},
		{Kind: rich.Bullet},
	}
	got := sanitize(in)
	if len(got) != 1 || got[0].Spans[0].Text != "bad \uFFFD utf8" {
		t.Errorf("sanitize = %+v", got)
	}
}

// longText is a reply of about n characters: paragraphs with bold
// titles, bullets and escapable characters.
func longText(n int) rich.Text {
	var t rich.Text
	for i := 0; len(t.String()) < n; i++ {
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{
			rich.B(fmt.Sprintf("Section %d <&>", i)),
			rich.S(fmt.Sprintf(" externship%d observership%d \"quoted\" & more words to fill the paragraph with text, ", i, i)),
			rich.S(strings.Repeat(fmt.Sprintf("word%d ", i), 40)),
		}})
		for j := range 3 {
			t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.S(fmt.Sprintf("item%d.%d a < b", i, j))}})
		}
	}
	return t
}

// checkParts checks what split made of t: each part within the limit,
// valid HTML on its own, and together the same words in the same order
// (a word cut in two would show up as two words).
func checkParts(t *testing.T, name string, in rich.Text, parts []rich.Text, limit int, wordsMayBreak bool) {
	t.Helper()
	var all []string
	for i, p := range parts {
		html := renderHTML(p)
		if n := units(html); n > limit {
			t.Errorf("%s: part %d is %d units, limit %d", name, i, n, limit)
		}
		plain, _, err := parseTelegramHTML(html)
		if err != nil {
			t.Errorf("%s: part %d is not valid HTML: %v", name, i, err)
		}
		if strings.TrimSpace(plain) == "" {
			t.Errorf("%s: part %d is empty", name, i)
		}
		all = append(all, plain)
	}
	got := strings.Fields(strings.ReplaceAll(strings.Join(all, " "), "• ", ""))
	var want []string
	for _, b := range sanitize(in) {
		for _, sp := range b.Spans {
			want = append(want, strings.Fields(sp.Text)...)
		}
	}
	if wordsMayBreak {
		if strings.Join(got, "") != strings.Join(want, "") {
			t.Errorf("%s: the parts do not add up to the text", name)
		}
		return
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s: the parts do not add up to the text word for word", name)
	}
}

func TestSplit(t *testing.T) {
	words := strings.Repeat("alpha <beta> & gamma ", 600) // ~12,600 characters, more escaped
	lines := strings.Repeat("{\"key\": \"value & <more>\"}\n", 500)
	emoji := strings.Repeat("🩺 ", 5000) // two UTF-16 units each
	tests := []struct {
		name      string
		in        rich.Text
		limit     int
		minParts  int
		wordsMay  bool
		checkPart func(t *testing.T, html string)
	}{
		{name: "10,000 characters of blocks", in: longText(10_000), limit: maxMessageUnits, minParts: 3},
		{name: "one long paragraph", in: rich.Para(rich.S(words)), limit: maxMessageUnits, minParts: 4},
		{name: "one long bold paragraph", in: rich.Para(rich.B(words)), limit: maxMessageUnits, minParts: 4,
			checkPart: func(t *testing.T, html string) {
				if !strings.HasPrefix(html, "<b>") || !strings.HasSuffix(html, "</b>") {
					t.Errorf("a bold part is %q...%q", html[:10], html[len(html)-10:])
				}
			}},
		{name: "a long bullet", in: rich.Text{{Kind: rich.Bullet, Spans: []rich.Span{rich.S(words)}}}, limit: maxMessageUnits, minParts: 4},
		{name: "preformatted lines", in: rich.Preformatted(lines), limit: maxMessageUnits, minParts: 4,
			checkPart: func(t *testing.T, html string) {
				if !strings.HasPrefix(html, "<pre>") || !strings.HasSuffix(html, "\n</pre>") {
					t.Errorf("a preformatted part is not cut at a line end: %q", html[len(html)-20:])
				}
			}},
		{name: "emoji", in: rich.Para(rich.S(emoji)), limit: maxMessageUnits, minParts: 4},
		{name: "one enormous word", in: rich.Para(rich.S(strings.Repeat("x&", 6000))), limit: maxMessageUnits, minParts: 4, wordsMay: true},
		{name: "mixed styles, small limit", in: rich.Para(rich.S("plain words here "), rich.B("bold words here "), rich.S("tail")), limit: 20, minParts: 3},
	}
	for _, tc := range tests {
		parts := split(tc.in, tc.limit)
		if len(parts) < tc.minParts {
			t.Errorf("%s: %d parts, want at least %d", tc.name, len(parts), tc.minParts)
		}
		checkParts(t, tc.name, tc.in, parts, tc.limit, tc.wordsMay)
		if tc.checkPart != nil {
			for _, p := range parts {
				tc.checkPart(t, renderHTML(p))
			}
		}
	}
}

func TestSplitPrefersParagraphs(t *testing.T) {
	// Three paragraphs of 1,800 characters: two parts, cut between
	// paragraphs, not in the middle of the second.
	para := func(w string) rich.Block {
		return rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(strings.Repeat(w+" ", 1800/(len(w)+1)))}}
	}
	in := rich.Text{para("one"), para("two"), para("three")}
	parts := split(in, maxMessageUnits)
	if len(parts) != 2 || len(parts[0]) != 2 || len(parts[1]) != 1 {
		t.Errorf("split into %d parts of %v blocks, want [2 1]", len(parts), func() []int {
			var n []int
			for _, p := range parts {
				n = append(n, len(p))
			}
			return n
		}())
	}
	if got := split(rich.Plain("short"), maxMessageUnits); len(got) != 1 {
		t.Errorf("a short text is split into %d parts", len(got))
	}
	if got := split(nil, maxMessageUnits); len(got) != 0 {
		t.Errorf("an empty text is split into %d parts", len(got))
	}
}

func TestKeyboard(t *testing.T) {
	if kb := keyboard(nil); kb != nil {
		t.Errorf("keyboard(nil) = %+v, want nil", kb)
	}
	long := strings.Repeat("x", 65)
	kb := keyboard([]bot.Choice{
		{ID: "a", Label: "Yes"}, {ID: "b", Label: "No"},
		{ID: "c", Label: "A rather long label for one button"},
		{ID: long, Label: "too much data"},
		{ID: "d", Label: "Short"},
	})
	var rows [][]string
	for _, row := range kb.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, *b.CallbackData)
		}
		rows = append(rows, r)
	}
	if got := fmt.Sprint(rows); got != "[[a b] [c] [d]]" {
		t.Errorf("keyboard rows = %s, want [[a b] [c] [d]]", got)
	}
	none := keyboard([]bot.Choice{{ID: long, Label: "x"}})
	if none != nil {
		t.Errorf("a keyboard of unusable choices = %+v, want nil", none)
	}
	// Removing buttons sends an empty list, never null.
	p := tgbotapi.Params{}
	if err := p.AddInterface("reply_markup", tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}); err != nil {
		t.Fatal(err)
	}
	if p["reply_markup"] != `{"inline_keyboard":[]}` {
		t.Errorf("empty keyboard = %s", p["reply_markup"])
	}
}

func TestTranslate(t *testing.T) {
	b := &Bot{username: "uscebot_test_bot", personal: map[string]bool{"intake": true, "profile": true, "plan": true, "export": true, "forget": true}}
	tests := []struct {
		text     string
		kind     bot.ChatKind
		want     string
		wantCmd  string
		wantAct  action
		wantNote string
	}{
		{"/start", bot.Direct, "/start", "start", dispatch, ""},
		{"/ask@uscebot_test_bot does it count", bot.Group, "/ask does it count", "ask", dispatch, ""},
		{"/ASK@USCEBOT_TEST_BOT x", bot.Group, "/ask x", "ask", dispatch, ""},
		{"/profile\u00a0set budget low", bot.Group, "", "profile", goPrivate, ""},
		{"/intake\u3000", bot.Group, "", "intake", goPrivate, ""},
		{"/ask@", bot.Group, "", "", ignore, ""},
		{"/start\u2003intake", bot.Direct, "/intake", "intake", dispatch, ""},
		{"/ask@other_bot does it count", bot.Group, "", "", ignore, ""},
		{"/ask@other_bot does it count", bot.Direct, "", "", ignore, ""},
		{"/ask\ndoes it count", bot.Direct, "/ask does it count", "ask", dispatch, ""},
		{"/intake", bot.Group, "", "intake", goPrivate, ""},
		{"/export@uscebot_test_bot", bot.Group, "", "export", goPrivate, ""},
		{"/intake", bot.Direct, "/intake", "intake", dispatch, ""},
		{"/start intake", bot.Direct, "/intake", "intake", dispatch, ""},
		{"/start Profile", bot.Direct, "/profile", "profile", dispatch, ""},
		{"/start nonsense", bot.Direct, "/start nonsense", "start", dispatch, ""},
		{"/start intake", bot.Group, "/start intake", "start", dispatch, ""},
		{"@uscebot_test_bot does telehealth count?", bot.Group, "/ask does telehealth count?", "ask", dispatch, ""},
		{"hey @USCEbot_test_bot, does it count?", bot.Group, "/ask hey , does it count?", "ask", dispatch, ""},
		{"@uscebot_test_bot", bot.Group, "/ask", "ask", dispatch, ""},
		{"@uscebot_test_bots is another bot", bot.Group, "", "", ignore, ""},
		{"mail me@uscebot_test_bot", bot.Group, "", "", ignore, ""},
		{"lunch anyone?", bot.Group, "", "", ignore, ""},
		{"@uscebot_test_bot 2023", bot.Direct, "2023", "", dispatch, ""},
		{"does it count?", bot.Direct, "does it count?", "", dispatch, ""},
	}
	for _, tc := range tests {
		got, cmd, act := b.translate(tc.text, tc.kind)
		if got != tc.want || cmd != tc.wantCmd || act != tc.wantAct {
			t.Errorf("translate(%q, %d) = %q, %q, %d; want %q, %q, %d", tc.text, tc.kind, got, cmd, act, tc.want, tc.wantCmd, tc.wantAct)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"429", &tgbotapi.Error{Code: 429, Message: "Too Many Requests: retry after 3", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 3}}, "3s true"},
		{"429 from an upload (no code)", &tgbotapi.Error{Message: "Too Many Requests", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 2}}, "2s true"},
		{"500", &tgbotapi.Error{Code: 500, Message: "Internal Server Error"}, "4s true"},
		{"400", &tgbotapi.Error{Code: 400, Message: "Bad Request: chat not found"}, "0s false"},
		{"403", &tgbotapi.Error{Code: 403, Message: "Forbidden: bot was blocked by the user"}, "0s false"},
		{"502 page", &statusError{method: "sendMessage", code: 502}, "4s true"},
		{"network", &netError{msg: "sendMessage: connection refused"}, "4s true"},
		{"other", fmt.Errorf("decode: bad"), "0s false"},
	}
	for _, tc := range tests {
		d, ok := retryDelay(tc.err, 3)
		if got := fmt.Sprint(d, " ", ok); got != tc.want {
			t.Errorf("retryDelay(%s, 3) = %s, want %s", tc.name, got, tc.want)
		}
	}
	if d, _ := retryDelay(&netError{}, 40); d != maxBackoff {
		t.Errorf("backoff after 40 attempts = %v, want the cap %v", d, maxBackoff)
	}
}

func TestScrub(t *testing.T) {
	b := &Bot{cfg: Config{Token: "123:abc/def"}}
	for _, in := range []string{
		`Post "https://api.telegram.org/bot123:abc/def/getMe": dial tcp`,
		`Post "https://api.telegram.org/bot123:abc%2Fdef/getMe"`,
	} {
		if got := b.scrub(in); strings.Contains(got, "abc") {
			t.Errorf("scrub(%q) = %q", in, got)
		}
	}
	err := b.safe(fmt.Errorf("x 123:abc/def y"), "telegram: failed\nbadly")
	if err.Error() != "telegram: failed badly" {
		t.Errorf("safe error = %q, want one line", err)
	}
	var inner error = err
	for inner != nil {
		if strings.Contains(inner.Error(), "abc") {
			t.Errorf("the wrapped error %q shows the token", inner)
		}
		inner = unwrap(inner)
	}
}

func unwrap(err error) error {
	u, ok := err.(interface{ Unwrap() error })
	if !ok {
		return nil
	}
	return u.Unwrap()
}

func TestLimiter(t *testing.T) {
	var l limiter
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !l.allow("k", now) || l.allow("k", now.Add(time.Second)) || !l.allow("other", now) {
		t.Error("the limiter does not let each key through once")
	}
	if !l.allow("k", now.Add(linkInterval)) {
		t.Error("the limiter does not let a key through again after the interval")
	}
}

// benchTexts are the replies the bot sends most, every topic's answer
// from the real knowledge base with a personal note carrying markup
// characters and multi-byte text, and long replies that need splitting,
// one of them between words.
func benchTexts(b *testing.B) []benchCase {
	b.Helper()
	kb, err := loadKB()
	if err != nil {
		b.Fatal(err)
	}
	note := `As a 2019 graduate (6 years < 7) with "tele" rotations & *no* hands-on_work — “virtual” ≠ USCE 🩺.`
	var answers []rich.Text
	for _, tp := range kb.Topics() {
		answers = append(answers, bot.AnswerText(kb, advisor.Answer{Topic: tp, Text: tp.Body}, note))
	}
	return []benchCase{{"answers", answers}, {"long", []rich.Text{longText(10_000)}},
		{"long paragraph", []rich.Text{rich.Para(rich.S(strings.Repeat("alpha <beta> & gamma é ", 600)), rich.B("bold 🩺 tail"))}}}
}

type benchCase struct {
	name  string
	texts []rich.Text
}

func BenchmarkRenderHTML(b *testing.B) {
	for _, bc := range benchTexts(b) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, t := range bc.texts {
					renderHTML(t)
				}
			}
		})
	}
}

func BenchmarkSplit(b *testing.B) {
	for _, bc := range benchTexts(b) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, t := range bc.texts {
					split(t, maxMessageUnits)
				}
			}
		})
	}
}

// TestMeasures holds the lengths split and renderHTML count without
// rendering to what is rendered.
func TestMeasures(t *testing.T) {
	spans := []rich.Span{rich.S(`a < b > c & "d" `), rich.B("bold 🩺 "), rich.S(""), {Text: "co&de", Style: rich.Code},
		{Text: "both <", Style: rich.Bold | rich.Code}, rich.S("bad \xff utf8 é")}
	var all rich.Text
	for _, k := range []rich.Kind{rich.Paragraph, rich.Bullet, rich.Bullet, rich.Pre, rich.Paragraph} {
		b := rich.Block{Kind: k, Spans: spans}
		if got, want := blockUnits(b), units(renderHTML(rich.Text{b})); got != want {
			t.Errorf("blockUnits(kind %d) = %d, want %d", k, got, want)
		}
		all = append(all, b)
	}
	for _, in := range []rich.Text{all, longText(10_000)} {
		if got, want := htmlLen(in), len(renderHTML(in)); got != want {
			t.Errorf("htmlLen = %d, want %d", got, want)
		}
	}
}

// TestSplitTinyLimitsEnd: however small the limit, split finishes and
// keeps every character (parts may then exceed it: no part could be made
// shorter than a pair of tags).
func TestSplitTinyLimitsEnd(t *testing.T) {
	text := rich.Text{
		{Kind: rich.Bullet, Spans: []rich.Span{rich.B("bold & <tagged>"), rich.S(" then "), {Text: "code", Style: rich.Code}, rich.S(" é€😀")}},
		{Kind: rich.Pre, Spans: []rich.Span{rich.S("a <pre> block\nwith lines")}},
	}
	want := strings.Join(strings.Fields(text.String()), "")
	for limit := 1; limit <= 40; limit++ {
		done := make(chan []rich.Text, 1)
		go func() { done <- split(text, limit) }()
		select {
		case parts := <-done:
			var got strings.Builder
			for _, p := range parts {
				got.WriteString(strings.Join(strings.Fields(p.String()), ""))
			}
			if got.String() != want {
				t.Errorf("split(limit %d) kept %q, want %q", limit, got.String(), want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("split(limit %d) did not finish", limit)
		}
	}
}
