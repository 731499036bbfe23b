package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/advisortest"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
	"github.com/uscebot/uscebot/store"
)

func TestStartPublishesCommands(t *testing.T) {
	e := newEnv(t)
	b := e.start(t, e.config(), nil)
	if got := b.Username(); got != e.f.username {
		t.Errorf("Username() = %q, want %q", got, e.f.username)
	}
	e.f.mu.Lock()
	cmds := e.f.commands
	e.f.mu.Unlock()
	if len(cmds) != len(e.router.Commands()) {
		t.Fatalf("setMyCommands got %d commands, want %d: %+v", len(cmds), len(e.router.Commands()), cmds)
	}
	for i, c := range e.router.Commands() {
		if cmds[i].Command != c.Name || cmds[i].Description != c.Description {
			t.Errorf("command %d = %+v, want %s - %s", i, cmds[i], c.Name, c.Description)
		}
	}

	c := e.convo(t, ana, privateChat(ana))
	m := c.say("/start")
	if m.ParseMode != "HTML" || !strings.Contains(m.Text, "/intake") || !strings.Contains(m.Raw, "<b>uscebot</b>") {
		t.Errorf("/start = %q (%s), want the help in HTML", m.Raw, m.ParseMode)
	}
	if !strings.Contains(m.Text, "• /ask <question>") || !strings.Contains(m.Raw, "• <b>/ask &lt;question&gt;</b>") {
		t.Errorf("/start: bullets not rendered as escaped bullet lines:\n%s", m.Raw)
	}
	e.checkLogs(t)
}

func TestQuestionAnswered(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	c := e.convo(t, ana, privateChat(ana))
	m := c.say("does telehealth count as USCE?")
	if !strings.Contains(m.Text, "Sources:") || !strings.Contains(m.Raw, "<b>Sources: </b>") {
		t.Errorf("answer = %q, want sources in bold", m.Raw)
	}
	if !strings.Contains(m.Raw, "&quot;") {
		t.Errorf("answer = %q: the quoted source titles should be escaped", m.Raw)
	}
	// The same through /ask, addressed to the bot by name.
	m = c.say("/ask@" + e.f.username + " does telehealth count as USCE?")
	if !strings.Contains(m.Text, "Sources:") {
		t.Errorf("/ask@bot = %q, want an answer", m.Text)
	}
	e.checkLogs(t, "telehealth count")
}

// A question close to two topics is asked back with a button per topic,
// and a press answers that topic.
func TestClarifyButtons(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	kb, err := loadKB()
	if err != nil {
		t.Fatal(err)
	}
	q, topics := advisortest.ClarifyingQuestion(t, kb)
	c := e.convo(t, ana, privateChat(ana))
	if m := c.say(q); !strings.HasPrefix(m.Text, "Do you mean: ") || m.Markup == nil {
		t.Fatalf("reply to %q = %q with markup %v, want 'Do you mean' with buttons", q, m.Text, m.Markup)
	}
	for _, tp := range topics {
		c.button(tp.Title) // fails the test when a topic has no button
	}
	if m := c.press(topics[1].Title); !strings.HasPrefix(m.Text, topics[1].Title) || !strings.Contains(m.Text, "Sources:") {
		t.Errorf("pressing %q answered %q", topics[1].Title, m.Text)
	}
}

func TestMarkupInQuestionIsEscaped(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	c := e.convo(t, ana, privateChat(ana))
	// The router echoes an unknown command's name: it must stay text.
	m := c.say("/x<b>&amp;*_[]")
	if !strings.Contains(m.Text, "/x<b>&amp;*_[]") {
		t.Errorf("reply = %q (raw %q), want the name shown as typed", m.Text, m.Raw)
	}
	m = c.say("does <i>telehealth</i> & *research* count_as [USCE]? </b> &lt; <")
	if !strings.Contains(m.Text, "Sources:") || m.ParseMode != "HTML" {
		t.Errorf("question with markup = %q, want an HTML answer", m.Text)
	}
	// Invalid UTF-8 and a 100 KB message break nothing.
	m = c.say("does research count\xff\xfe as USCE?")
	if m.Text == "" {
		t.Error("no answer to invalid UTF-8")
	}
	m = c.say(strings.Repeat("<b>&", 25_000))
	if !strings.Contains(m.Text, "too long") {
		t.Errorf("100 KB message = %q, want the router's refusal", m.Text)
	}
}

func TestPlainTextFallback(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	e.f.setRejectHTML(true)
	c := e.convo(t, ana, privateChat(ana))
	m := c.say("/start")
	if m.ParseMode != "" || !strings.Contains(m.Text, "- /ask <question>") || strings.Contains(m.Text, "<b>") {
		t.Errorf("fallback = %q (mode %q), want rich.Text.String() as plain text", m.Text, m.ParseMode)
	}
	if n := len(e.f.callsOf("sendMessage")); n != 2 {
		t.Errorf("sendMessage called %d times, want 2 (HTML refused, then plain)", n)
	}
	e.checkLogs(t, "/ask")
}

// intakeSteps answer the whole intake: a press or a typed answer, and
// what the next question asks.
var intakeSteps = []struct {
	press, say string
	want       string // in the next question
}{
	{press: "Graduated", want: "What year did you graduate"},
	{say: "2023", want: "ERAS application"},
	{say: "2027", want: "Which specialty"},
	{say: "IM", want: "USMLE Step 1"},
	{press: "Passed", want: "Step 2 CK"},
	{say: "skip", want: "visa"},
	{press: "Yes, I'll need a visa", want: "travel to the US"},
	{press: "Yes", want: "budget"},
	{press: "Low", want: "Describe one experience"},
	{say: "8-week IM externship in Chicago, 2025", want: "Right?"},
	{press: "Yes", want: "Any other experience"},
	{press: "That's all", want: "letters"},
	{say: "2", want: "/plan"},
}

func TestFullIntake(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	c := e.convo(t, ana, privateChat(ana))

	m := c.say("/intake")
	if m.Markup == nil || !strings.Contains(m.Text, "medical school or graduated") {
		t.Fatalf("/intake = %q, want the stage question with buttons", m.Text)
	}
	for _, row := range m.Markup.InlineKeyboard {
		if len(row) < 1 || len(row) > 2 {
			t.Errorf("keyboard row of %d buttons", len(row))
		}
	}
	for _, s := range intakeSteps {
		var m fakeMsg
		if s.press != "" {
			q, _ := c.button(s.press)
			m = c.press(s.press)
			// The question now shows the answer, keeps its formatting
			// and has no buttons.
			for _, got := range e.f.sent(c.chat.ID) {
				if got.ID != q.ID {
					continue
				}
				if !strings.Contains(got.Text, "\n\n✓ "+s.press) || got.Markup != nil {
					t.Errorf("after pressing %q the question is %q with markup %v", s.press, got.Text, got.Markup)
				}
				if len(q.Entities) == 0 || !reflect.DeepEqual(got.Entities, q.Entities) {
					t.Errorf("after pressing %q the question's entities are %+v, were %+v", s.press, got.Entities, q.Entities)
				}
			}
		} else {
			m = c.say(s.say)
		}
		if !strings.Contains(m.Text, s.want) {
			t.Fatalf("after %q%q: %q, want %q", s.press, s.say, m.Text, s.want)
		}
	}
	p, st, err := e.db.LoadProfile(context.Background(), advisor.UserKey{Platform: Platform, ID: "5001"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Step != advisor.StepDone || p.Stage != rules.StageGraduate || *p.GradYear != 2023 || *p.ApplicationYear != 2027 ||
		p.Step1 != rules.Step1Passed || p.Visa != rules.VisaNeeded || p.Budget != rules.BudgetLow ||
		*p.USLetters != 2 || len(p.Experiences) != 1 || p.Experiences[0].Weeks != 8 {
		t.Errorf("stored profile = %+v, state %+v", p, st)
	}
	e.checkLogs(t, "Chicago", "externship")
}

func TestIntakeResumesAfterRestart(t *testing.T) {
	e := newEnv(t)
	b := e.start(t, e.config(), nil)
	c := e.convo(t, ana, privateChat(ana))
	c.say("/intake")
	c.press("Graduated")
	c.say("2023")
	if err := b.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	// A new process: the store reopened, a new router and bot.
	e.db.Close()
	e.openDB(t)
	kb, _ := loadKB()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	e.router = bot.NewRouter(kb, e.db, func() time.Time { return now })
	e.handler = e.router.Handler(slog.New(slog.NewTextHandler(e.logs, nil)))
	e.start(t, e.config(), nil)

	m := c.say("/intake")
	if !strings.Contains(m.Text, "middle of your profile") || !strings.Contains(m.Text, "ERAS application") {
		t.Fatalf("/intake after restart = %q, want the application year question again", m.Text)
	}
	m = c.say("2027")
	if !strings.Contains(m.Text, "Which specialty") {
		t.Errorf("next answer = %q", m.Text)
	}
	// Nothing the first bot handled was delivered again.
	if got := len(e.f.sent(c.chat.ID)); got != 5 {
		t.Errorf("%d messages in the chat, want 5", got)
	}
}

func TestTooManyRequestsRetried(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	e.f.failNext("sendMessage", 2, apiFailure{code: 429, desc: "Too Many Requests: retry after 7", retryAfter: 7})
	e.f.failNext("getUpdates", 1, apiFailure{code: 502, status: 502}) // a proxy's HTML page
	c := e.convo(t, ana, privateChat(ana))
	m := c.say("/start")
	if !strings.Contains(m.Text, "/intake") {
		t.Errorf("reply after 429s = %q", m.Text)
	}
	waits := 0
	for _, d := range e.slept() {
		if d == 7*time.Second {
			waits++
		}
	}
	if waits != 2 {
		t.Errorf("waits = %v, want two of retry_after (7s)", e.slept())
	}
	e.checkLogs(t)
}

func TestPollConflictBacksOff(t *testing.T) {
	e := newEnv(t)
	e.f.failNext("getUpdates", 3, apiFailure{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})
	e.start(t, e.config(), nil)
	m := e.convo(t, ana, privateChat(ana)).say("/start")
	if !strings.Contains(m.Text, "/intake") {
		t.Errorf("reply after conflicts = %q", m.Text)
	}
	if got := fmt.Sprint(e.slept()); got != "[1s 2s 4s]" {
		t.Errorf("waits after 409s = %s, want [1s 2s 4s]", got)
	}
}

func TestSendGivesUpAndLogs(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	e.f.failNext("sendMessage", maxAttempts, apiFailure{code: 500, desc: "Internal Server Error"})
	c := e.convo(t, ana, privateChat(ana))
	c.f.say(c.chat, c.user, "/topics")
	e.f.waitFor(t, "the retries", func() bool { return len(e.f.failures["sendMessage"]) == 0 })
	m := c.say("/start") // the user's next message still goes through
	if !strings.Contains(m.Text, "/intake") {
		t.Errorf("reply after a failure = %q", m.Text)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "message not delivered") || !strings.Contains(logs, "chat="+bot.HashID("5001")) {
		t.Errorf("final failure not logged with the chat:\n%s", logs)
	}
	e.checkLogs(t, "How do I")
}

func TestLongReplySplit(t *testing.T) {
	e := newEnv(t)
	long := longText(10_000)
	h := func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		return bot.Reply{Text: long, Choices: []bot.Choice{{ID: "a", Label: "OK"}, {ID: "b", Label: "Not OK"}}}, nil
	}
	e.start(t, e.config(), h)
	e.f.say(privateChat(ana), ana, "long please")
	e.f.waitFor(t, "the keyboard", func() bool {
		msgs := e.f.sentLocked(ana.ID)
		return len(msgs) > 0 && msgs[len(msgs)-1].Markup != nil
	})
	msgs := e.f.sent(ana.ID)
	if len(msgs) < 3 {
		t.Errorf("10,000 characters in %d parts, want at least 3", len(msgs))
	}
	var got strings.Builder
	for i, m := range msgs {
		if units(m.Raw) > maxMessageUnits {
			t.Errorf("part %d is %d units", i, units(m.Raw))
		}
		if (m.Markup != nil) != (i == len(msgs)-1) {
			t.Errorf("part %d markup = %v; the keyboard belongs on the last part only", i, m.Markup)
		}
		if i > 0 {
			got.WriteString("\n\n")
		}
		got.WriteString(m.Text)
	}
	if want := long.String(); normalize(got.String()) != normalize(strings.ReplaceAll(want, "- ", "• ")) {
		t.Errorf("the parts do not add up to the text")
	}
}

// normalize ignores white space, which is where parts are cut.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestGroup(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	// Ana has a profile: nothing of it may reach the group.
	pc := e.convo(t, ana, privateChat(ana))
	if _, err := e.handler(context.Background(), bot.Message{Platform: Platform, UserID: "5001", Chat: bot.Direct, Text: "/profile set specialty pediatrics"}); err != nil {
		t.Fatal(err)
	}
	gc := e.convo(t, ana, group)

	for _, cmd := range []string{"/intake", "/profile@" + e.f.username, "/export", "/forget", "/plan"} {
		m := gc.say(cmd)
		name := strings.TrimPrefix(strings.Split(cmd, "@")[0], "/")
		want := "https://t.me/" + e.f.username + "?start=" + name
		if !strings.Contains(m.Text, "Let's do that in private") || !strings.Contains(m.Text, want) {
			t.Errorf("%s in a group = %q, want a deep link %s", cmd, m.Text, want)
		}
		if strings.Contains(m.Text, "pediatrics") {
			t.Errorf("%s in a group leaked the profile: %q", cmd, m.Text)
		}
	}
	if n := len(e.f.callsOf("sendDocument")); n != 0 {
		t.Errorf("a document was sent %d times from a group command", n)
	}
	e.f.say(group, ana, "/intake") // the same link again at once: not repeated

	// Another bot's command and chatter are ignored; a mention is /ask.
	e.f.say(group, ana, "/ask@other_bot does telehealth count?")
	e.f.say(group, ravi, "does anyone want lunch?")
	m := gc.say("@" + e.f.username + " does telehealth count as USCE?")
	if !strings.Contains(m.Text, "Sources:") {
		t.Errorf("mention = %q, want an answer", m.Text)
	}
	if strings.Contains(m.Text, "For you:") {
		t.Errorf("an answer in a group was personalised: %q", m.Text)
	}
	m = gc.say("/help@" + strings.ToUpper(e.f.username))
	if !strings.Contains(m.Text, "Commands:") {
		t.Errorf("/help@BOT = %q", m.Text)
	}
	if got := len(e.f.sent(group.ID)); got != 7 {
		t.Errorf("%d messages in the group, want 7 (5 links, 1 answer, 1 help)", got)
	}

	// In private, the deep link's /start payload runs the command.
	m = pc.say("/start profile")
	if !strings.Contains(m.Text, "Your profile") || !strings.Contains(m.Text, "pediatrics") {
		t.Errorf("/start profile = %q, want the profile", m.Text)
	}
}

func TestPrivateReplyNeverInGroup(t *testing.T) {
	e := newEnv(t)
	h := func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		return bot.Reply{Text: rich.Plain("your secret profile"), Private: true, File: &bot.File{Name: "x.json", Data: []byte("{}")}}, nil
	}
	e.start(t, e.config(), h)
	m := e.convo(t, ana, group).say("/ask something")
	if strings.Contains(m.Text, "secret") || !strings.Contains(m.Text, "https://t.me/"+e.f.username) {
		t.Errorf("a private reply in a group = %q, want only a link", m.Text)
	}
	if n := len(e.f.callsOf("sendDocument")); n != 0 {
		t.Errorf("a private file went to the group")
	}
}

func TestStalePressAndForget(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	c := e.convo(t, ana, privateChat(ana))
	c.say("/intake")
	q, data := c.button("Graduated")
	c.say("graduated") // typed instead of pressed; the buttons stay
	m := c.pressData(q, data)
	if !strings.Contains(m.Text, "moved on") {
		t.Errorf("stale press = %q, want 'moved on'", m.Text)
	}
	// The old question loses its buttons but is not shown as answered
	// with the press it ignored.
	for _, edit := range e.f.callsOf("editMessageText") {
		if strings.Contains(edit.Get("text"), "✓ Graduated") {
			t.Errorf("the stale press marked its question answered: %q", edit.Get("text"))
		}
	}
	if n := len(e.f.callsOf("editMessageReplyMarkup")); n == 0 {
		t.Error("the stale press left its question's buttons")
	}

	m = c.say("/forget")
	if m.Markup == nil || !strings.Contains(m.Text, "Are you sure?") {
		t.Fatalf("/forget = %q, want a confirmation with buttons", m.Text)
	}
	m = c.press("Yes, delete everything")
	if !strings.Contains(m.Text, "everything I stored about you is deleted") {
		t.Errorf("confirmed /forget = %q", m.Text)
	}
	p, st, err := e.db.LoadProfile(context.Background(), advisor.UserKey{Platform: Platform, ID: "5001"})
	if err != nil || p.Stage != "" || st.Step != "" {
		t.Errorf("after /forget: profile %+v state %+v err %v", p, st, err)
	}
}

func TestExportSendsDocument(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	c := e.convo(t, ana, privateChat(ana))
	msgs := c.sayN("/export", 2)
	if !strings.Contains(msgs[0].Text, "everything I store") || msgs[1].DocName != "uscebot-export.json" {
		t.Fatalf("/export = %+v", msgs)
	}
	var v map[string]any
	if err := json.Unmarshal(msgs[1].DocData, &v); err != nil {
		t.Errorf("exported document is not JSON: %v", err)
	}
}

func TestBadToken(t *testing.T) {
	e := newEnv(t)
	cfg := e.config()
	cfg.Token = "999:wrong-TEST-token"
	_, err := New(context.Background(), cfg, e.handler, nil)
	if err == nil {
		t.Fatal("New with a bad token succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || strings.Contains(msg, cfg.Token) || !strings.Contains(msg, "401") {
		t.Errorf("error = %q, want one line naming 401, without the token", msg)
	}
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.Code != 401 {
		t.Errorf("error %v does not unwrap to the *tgbotapi.Error", err)
	}

	// An unreachable endpoint: the transport error names the URL, which
	// holds the token; ours must not.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg.APIEndpoint = "http://" + addr + "/bot%s/%s"
	_, err = New(context.Background(), cfg, e.handler, nil)
	if err == nil || strings.Contains(err.Error(), cfg.Token) || strings.Contains(err.Error(), "\n") {
		t.Errorf("unreachable endpoint: error = %v", err)
	}
	if len(e.slept()) != maxAttempts-1 {
		t.Errorf("network errors at start: %d retries, want %d", len(e.slept()), maxAttempts-1)
	}
	e.checkLogs(t, cfg.Token)
}

func TestWebhook(t *testing.T) {
	e := newEnv(t)
	cfg := e.config()
	cfg.Mode = ModeWebhook
	cfg.WebhookListen = "127.0.0.1:0"
	cfg.WebhookPath = "/telegram"
	cfg.WebhookURL = "https://bot.example.org/telegram"
	cfg.WebhookSecret = "s3cret_Value-1"
	addr := make(chan net.Addr, 1)
	cfg.onListen = func(a net.Addr) { addr <- a }
	b := e.start(t, cfg, nil)
	url := "http://" + (<-addr).String() + "/telegram"
	e.f.waitFor(t, "setWebhook", func() bool { return e.f.webhook != nil })
	e.f.mu.Lock()
	hook := e.f.webhook
	e.f.mu.Unlock()
	if hook.Get("url") != cfg.WebhookURL || hook.Get("secret_token") != cfg.WebhookSecret {
		t.Errorf("setWebhook params = %v", hook)
	}

	update := func(id int, text string) string {
		raw, _ := json.Marshal(map[string]any{"update_id": id, "message": e.f.textMessage(privateChat(ana), ana, text)})
		return string(raw)
	}
	post := func(secret, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("", update(1, "/start")); got != http.StatusForbidden {
		t.Errorf("no secret: status %d, want 403", got)
	}
	if got := post("wrong", update(2, "/start")); got != http.StatusForbidden {
		t.Errorf("wrong secret: status %d, want 403", got)
	}
	if got := post(cfg.WebhookSecret, "{not json"); got != http.StatusOK {
		t.Errorf("unreadable update: status %d, want 200 (skipped, not sent again)", got)
	}
	if got := post(cfg.WebhookSecret, update(3, "/start")); got != http.StatusOK {
		t.Errorf("right secret: status %d, want 200", got)
	}
	post(cfg.WebhookSecret, update(3, "/start")) // a redelivery
	post(cfg.WebhookSecret, update(4, "/topics"))
	msgs := e.f.waitSent(t, ana.ID, 2)
	if !strings.Contains(msgs[0].Text, "/intake") || !strings.Contains(msgs[1].Text, "I can answer") {
		t.Errorf("webhook replies = %q, %q", msgs[0].Text, msgs[1].Text)
	}
	resp, err := http.Get(url)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET: status %d, want 405", resp.StatusCode)
		}
	}
	if err := b.stop(t); err != nil {
		t.Errorf("Run = %v", err)
	}
	if got := len(e.f.sent(ana.ID)); got != 2 {
		t.Errorf("%d messages, want 2 (the redelivery is dropped)", got)
	}
	e.checkLogs(t, cfg.WebhookSecret)
}

func TestShutdownFinishesInFlight(t *testing.T) {
	e := newEnv(t)
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	h := func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		once.Do(func() { close(started) })
		<-release
		return bot.Reply{Text: rich.Plain("finished " + m.Text)}, nil
	}
	b := e.start(t, e.config(), h)
	e.f.say(privateChat(ana), ana, "slow one")
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- b.stop(t) }()
	// Polling stops first: the long poll in flight is cancelled.
	e.f.waitFor(t, "the long poll cancelled", func() bool { return e.f.inPoll == 0 })
	select {
	case <-stopped:
		t.Fatal("Run returned before the message in flight was answered")
	default:
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Errorf("Run = %v", err)
	}
	if msgs := e.f.sent(ana.ID); len(msgs) != 1 || msgs[0].Text != "finished slow one" {
		t.Errorf("after shutdown: %+v, want the in-flight reply", msgs)
	}
}

func TestShutdownGraceBounded(t *testing.T) {
	e := newEnv(t)
	cfg := e.config()
	cfg.ShutdownGrace = 50 * time.Millisecond
	started := make(chan struct{})
	h := func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		close(started)
		<-ctx.Done() // a handler stuck until it is cancelled
		return bot.Reply{}, ctx.Err()
	}
	b := e.start(t, cfg, h)
	e.f.say(privateChat(ana), ana, "stuck")
	<-started
	if err := b.stop(t); err != nil {
		t.Errorf("Run = %v", err)
	}
	if !strings.Contains(e.logs.String(), "shutdown grace expired") {
		t.Errorf("the abandoned message was not logged")
	}
}

func TestOrderPerUser(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	got := map[string][]string{}
	h := func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		mu.Lock()
		got[m.UserID] = append(got[m.UserID], m.Text)
		mu.Unlock()
		return bot.Reply{Text: rich.Plain("ok " + m.Text)}, nil
	}
	e.start(t, e.config(), h)
	for i := range 20 {
		e.f.say(privateChat(ana), ana, "a"+string(rune('A'+i)))
		e.f.say(privateChat(ravi), ravi, "r"+string(rune('A'+i)))
	}
	e.f.waitSent(t, ana.ID, 20)
	e.f.waitSent(t, ravi.ID, 20)
	mu.Lock()
	defer mu.Unlock()
	for _, u := range []string{"5001", "5002"} {
		for i, text := range got[u] {
			if text[1] != byte('A'+i) {
				t.Fatalf("user %s: messages handled in order %v", u, got[u])
			}
		}
	}
}

func TestRevokedTokenStopsRun(t *testing.T) {
	e := newEnv(t)
	b := e.start(t, e.config(), nil)
	e.f.mu.Lock()
	e.f.token = "revoked"
	e.f.notify()
	e.f.mu.Unlock()
	e.f.say(privateChat(ana), ana, "/start") // ends the long poll in flight
	select {
	case err := <-b.done:
		b.done <- err
		if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), e.config().Token) {
			t.Errorf("Run = %v, want the 401 without the token", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after the token was revoked")
	}
}

func TestConfigErrors(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"no token", func(c *Config) { c.Token = "" }},
		{"bad mode", func(c *Config) { c.Mode = "push" }},
		{"bad endpoint", func(c *Config) { c.APIEndpoint = "http://127.0.0.1:1/bot" }},
		{"webhook without secret", func(c *Config) {
			c.Mode, c.WebhookListen, c.WebhookPath, c.WebhookURL = ModeWebhook, "127.0.0.1:0", "/t", "https://x/t"
		}},
	} {
		cfg := e.config()
		tc.edit(&cfg)
		if _, err := New(context.Background(), cfg, e.handler, nil); err == nil {
			t.Errorf("%s: New succeeded", tc.name)
		}
	}
}

// keep the store import for the restart test's type.
var _ bot.Store = (*store.DB)(nil)

func TestOffsetConfirmedAtShutdown(t *testing.T) {
	e := newEnv(t)
	cfg := e.config()
	cfg.sleep = bot.Sleep // waits until Run's context is cancelled
	b := e.start(t, cfg, nil)
	e.f.waitFor(t, "a long poll", func() bool { return e.f.inPoll == 1 })
	// The poll after this message fails, so only the confirmation at
	// shutdown can tell Telegram the message was handled.
	e.f.failNext("getUpdates", 1, apiFailure{code: 429, desc: "Too Many Requests: retry after 60", retryAfter: 60})
	e.convo(t, ana, privateChat(ana)).say("/start")
	// Stop only once the failing poll has happened: stopped earlier, the
	// confirmation itself would meet the injected failure.
	e.f.waitFor(t, "the failing poll", func() bool { return len(e.f.failures["getUpdates"]) == 0 })
	if err := b.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	e.f.mu.Lock()
	left := len(e.f.updates)
	e.f.mu.Unlock()
	if left != 0 {
		t.Errorf("%d handled updates left unconfirmed: a restart would handle them again", left)
	}
}

func TestCommandsChecked(t *testing.T) {
	e := newEnv(t)
	_, err := New(context.Background(), e.config(), e.handler, []bot.CommandInfo{
		{Name: "ask", Description: strings.Repeat("long words ", 40)},
		{Name: "Bad-Name", Description: "not a Telegram command"},
		{Name: "hi", Description: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	if len(e.f.commands) != 2 || e.f.commands[0].Command != "ask" || len([]rune(e.f.commands[0].Description)) != 256 ||
		e.f.commands[1].Description != "/hi" {
		t.Errorf("published commands = %+v", e.f.commands)
	}
}

// A personal command is taken out of a group however its word is
// separated from its arguments: the adapter reads commands with the
// router's own SplitCommand.
func TestPersonalCommandWithAnySpaceInGroup(t *testing.T) {
	e := newEnv(t)
	e.start(t, e.config(), nil)
	ctx := context.Background()
	var spaces []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.IsSpace(r) {
			spaces = append(spaces, r)
		}
	}
	seen := 0
	for i, sp := range spaces {
		u := fakeUser{ID: int64(7000 + i), FirstName: "Lee"}
		id := strconv.FormatInt(u.ID, 10)
		if _, err := e.handler(ctx, bot.Message{Platform: Platform, UserID: id, Chat: bot.Direct, Text: "/profile set budget high"}); err != nil {
			t.Fatal(err)
		}
		e.f.say(group, u, "/profile"+string(sp)+"set budget low")
		e.f.say(group, u, "/intake"+string(sp))
		seen += 2
		for _, m := range e.f.waitSent(t, group.ID, seen)[seen-2:] {
			if !strings.Contains(m.Text, "Let's do that in private") {
				t.Errorf("space %U: a personal command in the group got %q, want the deep link", sp, m.Text)
			}
		}
		p, st, err := e.db.LoadProfile(ctx, advisor.UserKey{Platform: Platform, ID: id})
		if err != nil {
			t.Fatal(err)
		}
		if p.Budget != rules.BudgetHigh || st.Step != "" {
			t.Errorf("space %U: after the group commands the budget is %q and the intake at %q; want high and not started", sp, p.Budget, st.Step)
		}
	}
}

// tokenCharacters are the characters a token read from an environment
// variable or a file may carry by mistake: every C0 control, DEL, the C1
// line end and the Unicode spaces that are not ASCII.
func tokenCharacters() []rune {
	var out []rune
	for r := rune(0); r < 0x20; r++ {
		out = append(out, r)
	}
	return append(out, 0x7f, 0x85, 0xa0, 0x2028, 0x2029, 0x3000, 0xfeff)
}

// A token carrying a stray character, wherever it is, never shows in an
// error or a log line, in any form: as is, quoted or escaped.
func TestTokenWithControlCharacters(t *testing.T) {
	e := newEnv(t)
	secret := strings.TrimPrefix(e.f.token, "123456:")
	for _, c := range tokenCharacters() {
		for _, tok := range []string{e.f.token + string(c), string(c) + e.f.token, "123456:TEST-" + string(c) + strings.TrimPrefix(secret, "TEST-")} {
			cfg := e.config()
			cfg.Token = tok
			b, err := New(context.Background(), cfg, e.handler, nil)
			if err == nil {
				// Only white space around the token is forgiven.
				if strings.TrimSpace(tok) != e.f.token {
					t.Errorf("New accepted the token %q", tok)
				}
				if b.Username() != e.f.username {
					t.Errorf("token %q: connected as %q", tok, b.Username())
				}
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, "USCEBOT_TELEGRAM_TOKEN") || strings.Contains(msg, "\n") {
				t.Errorf("token %q: error %q, want one line naming USCEBOT_TELEGRAM_TOKEN", tok, msg)
			}
			for _, leak := range []string{"TEST-", "token_abc", strconv.Quote(tok)} {
				if strings.Contains(msg, leak) {
					t.Errorf("token %q: error %q shows the token", tok, msg)
				}
			}
		}
	}
	e.checkLogs(t, "token_abc")
}

// The error the library returns for a token with a line end quotes the
// URL with the token in it (url.Error uses %q); what we make of it does
// not, whichever way it is reported.
func TestURLErrorScrubbed(t *testing.T) {
	f := newFakeAPI(t)
	checked := 0
	for _, c := range tokenCharacters() {
		tok := "123:SECRETabc" + string(c)
		_, libErr := tgbotapi.NewBotAPIWithClient(tok, f.endpoint(), http.DefaultClient)
		if libErr == nil || !strings.Contains(libErr.Error(), "SECRETabc") {
			continue // a character the URL takes: the fake refused the token
		}
		checked++
		b := &Bot{cfg: Config{Token: tok}}
		for _, got := range []string{b.describe(libErr), b.startError(libErr).Error(), b.safe(libErr, "x: "+libErr.Error()).Error()} {
			if strings.Contains(got, "SECRET") {
				t.Errorf("token %q: %q shows the token", tok, got)
			}
		}
		if err := b.startError(libErr); errors.Unwrap(err) != nil {
			t.Errorf("token %q: the error unwraps to one that shows the token", tok)
		}
	}
	if checked < 33 {
		t.Errorf("the library quoted the token in %d errors, want one for each ASCII control: this test checks less than it says", checked)
	}
}

// countingHandler answers "ok <text>" at once, except texts starting with
// "slow", which wait for release (or for their context to end); it counts
// how often it saw each text.
type countingHandler struct {
	mu      sync.Mutex
	calls   map[string]int
	release chan struct{}
}

func newCountingHandler() *countingHandler {
	return &countingHandler{calls: map[string]int{}, release: make(chan struct{})}
}

func (c *countingHandler) handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	c.mu.Lock()
	c.calls[m.Text]++
	c.mu.Unlock()
	if strings.HasPrefix(m.Text, "slow") {
		select {
		case <-c.release:
		case <-ctx.Done():
			return bot.Reply{}, ctx.Err()
		}
	}
	return bot.Reply{Text: rich.Plain("ok " + m.Text)}, nil
}

// waitCalled waits until the handler has seen text (webhook calls change
// nothing in the fake to wait on).
func (c *countingHandler) waitCalled(t *testing.T, text string) {
	t.Helper()
	for range 20_000 {
		if c.count(text) > 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the handler never saw %q", text)
}

func (c *countingHandler) count(text string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[text]
}

// unconfirmed returns the ids of the updates Telegram would deliver again.
func (f *fakeAPI) unconfirmed() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []int
	for _, u := range f.updates {
		ids = append(ids, u.id)
	}
	return ids
}

// An update is confirmed only once handled, however many later ones are
// handled before it, and each is handled once although Telegram sends the
// unconfirmed ones with every poll.
func TestOffsetWaitsForUnhandledUpdate(t *testing.T) {
	e := newEnv(t)
	h := newCountingHandler()
	e.start(t, e.config(), h.handle)
	e.f.say(privateChat(ana), ana, "slow one")
	e.f.waitFor(t, "the slow update fetched", func() bool { return h.count("slow one") == 1 })
	slowID := e.f.unconfirmed()[0]
	for i := range 5 {
		e.f.say(privateChat(ravi), ravi, fmt.Sprintf("fast %d", i))
	}
	e.f.waitSent(t, ravi.ID, 5)
	polls := len(e.f.callsOf("getUpdates"))
	e.f.waitFor(t, "two more polls", func() bool {
		n := 0
		for _, c := range e.f.calls {
			if c.Method == "getUpdates" {
				n++
			}
		}
		return n >= polls+2
	})
	if ids := e.f.unconfirmed(); len(ids) == 0 || ids[0] != slowID {
		t.Errorf("unconfirmed updates = %v while %d is being handled: it must stay unconfirmed", ids, slowID)
	}
	close(h.release)
	if m := e.f.waitSent(t, ana.ID, 1); m[0].Text != "ok slow one" {
		t.Errorf("reply = %q", m[0].Text)
	}
	e.f.waitFor(t, "every update confirmed", func() bool { return len(e.f.updates) == 0 && e.f.inPoll == 1 })
	for _, text := range []string{"slow one", "fast 0", "fast 4"} {
		if n := h.count(text); n != 1 {
			t.Errorf("%q handled %d times, want once", text, n)
		}
	}
	if n := len(e.f.sent(ravi.ID)) + len(e.f.sent(ana.ID)); n != 6 {
		t.Errorf("%d replies, want 6", n)
	}
}

// A bot stopped before it handled an update (its grace over) leaves it
// unconfirmed: the next process gets it again and answers it, once.
func TestRestartAnswersWhatWasNotHandled(t *testing.T) {
	e := newEnv(t)
	cfg := e.config()
	cfg.ShutdownGrace = 50 * time.Millisecond
	h := newCountingHandler()
	b := e.start(t, cfg, h.handle)
	for i := range 3 {
		e.f.say(privateChat(ravi), ravi, fmt.Sprintf("fast %d", i))
	}
	e.f.waitSent(t, ravi.ID, 3)
	e.f.say(privateChat(ana), ana, "slow one")
	e.f.waitFor(t, "the slow update fetched", func() bool { return h.count("slow one") == 1 })
	if err := b.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := len(e.f.sent(ana.ID)); got != 0 {
		t.Fatalf("the abandoned message got %d replies", got)
	}
	if ids := e.f.unconfirmed(); len(ids) != 1 {
		t.Errorf("after the stop, unconfirmed updates = %v; want the slow one alone", ids)
	}

	h2 := newCountingHandler()
	close(h2.release)
	e.start(t, e.config(), h2.handle)
	if m := e.f.waitSent(t, ana.ID, 1); m[0].Text != "ok slow one" {
		t.Errorf("after the restart: %q, want the slow one answered", m[0].Text)
	}
	e.f.waitFor(t, "every update confirmed", func() bool { return len(e.f.updates) == 0 })
	if n := h2.count("slow one"); n != 1 {
		t.Errorf("the second process handled the slow one %d times, want once", n)
	}
	for i := range 3 {
		if n := h2.count(fmt.Sprintf("fast %d", i)); n != 0 {
			t.Errorf("the second process handled fast %d again", i)
		}
	}
	if n := len(e.f.sent(ravi.ID)); n != 3 {
		t.Errorf("ravi got %d replies, want 3", n)
	}
}

// A slow update does not stop the others forever: when whole windows of
// 100 updates come back with nothing new for a while, the offset moves
// past them.
func TestFullWindowMovesOn(t *testing.T) {
	e := newEnv(t)
	h := newCountingHandler()
	cfg := e.config()
	cfg.stuckAfter = time.Millisecond
	e.start(t, cfg, h.handle)
	e.f.say(privateChat(ana), ana, "slow one")
	e.f.waitFor(t, "the slow update fetched", func() bool { return h.count("slow one") == 1 })
	for i := range pollWindow + 20 {
		e.f.say(privateChat(ravi), ravi, fmt.Sprintf("fast %d", i))
	}
	e.f.waitSent(t, ravi.ID, pollWindow+20)
	if !strings.Contains(e.logs.String(), "confirming updates still being handled") {
		t.Error("moving past an update in flight was not logged")
	}
	close(h.release)
	e.f.waitSent(t, ana.ID, 1)
	if n := h.count("slow one"); n != 1 {
		t.Errorf("the slow one was handled %d times, want once", n)
	}
}

// floodClock is a fake clock for flood control: a wait makes the time
// pass at once.
type floodClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *floodClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *floodClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	return ctx.Err()
}

func (c *floodClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// flooded wraps the env's handler in flood control at the default limit
// (8 messages per 10 s) on a fake clock, counting what it skips.
func (e *env) flooded(clock *floodClock, dropped *atomic.Int64) bot.Handler {
	return bot.Chain(e.handler, bot.RateLimit(8, 10*time.Second, clock.Now, bot.FloodSleep(clock.Sleep),
		bot.FloodDropped(func(bot.Message) { dropped.Add(1) }),
		bot.FloodLog(slog.New(slog.NewTextHandler(e.logs, nil)))))
}

// Tapping through the intake twice, at a human pace and fast, under the
// default flood limit: every answer is saved, every question shows the
// answer saved, and nothing is skipped; fast, the replies come slower.
func TestIntakeTappedFastIsSlowedNotDropped(t *testing.T) {
	for _, pace := range []time.Duration{2 * time.Second, 400 * time.Millisecond, 100 * time.Millisecond} {
		t.Run(pace.String(), func(t *testing.T) {
			e := newEnv(t)
			clock := &floodClock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
			var dropped atomic.Int64
			e.start(t, e.config(), e.flooded(clock, &dropped))
			c := e.convo(t, ana, privateChat(ana))
			for round := range 2 {
				if round > 0 {
					// Start afresh: an intake on file asks differently.
					clock.advance(pace)
					c.say("/forget")
					clock.advance(pace)
					c.press("Yes, delete everything")
				}
				clock.advance(pace)
				if m := c.say("/intake"); !strings.Contains(m.Text, "medical school or graduated") {
					t.Fatalf("round %d: /intake = %q", round+1, m.Text)
				}
				for _, s := range intakeSteps {
					clock.advance(pace)
					var m fakeMsg
					if s.press != "" {
						q, _ := c.button(s.press)
						m = c.press(s.press)
						for _, got := range e.f.sent(c.chat.ID) {
							if got.ID == q.ID && !strings.Contains(got.Text, "✓ "+s.press) {
								t.Errorf("round %d: after pressing %q the question reads %q", round+1, s.press, got.Text)
							}
						}
					} else {
						m = c.say(s.say)
					}
					if !strings.Contains(m.Text, s.want) {
						t.Fatalf("round %d: after %q%q: %q, want %q", round+1, s.press, s.say, m.Text, s.want)
					}
				}
				_, st, err := e.db.LoadProfile(context.Background(), advisor.UserKey{Platform: Platform, ID: "5001"})
				if err != nil || st.Step != advisor.StepDone {
					t.Fatalf("round %d: intake at %q (%v), want done", round+1, st.Step, err)
				}
			}
			if n := dropped.Load(); n != 0 {
				t.Errorf("%d messages skipped, want none", n)
			}
			clock.mu.Lock()
			slept := clock.slept
			clock.mu.Unlock()
			if fast := pace < 1250*time.Millisecond; fast != (slept > 0) {
				t.Errorf("at one answer every %v the replies waited %v in all", pace, slept)
			}
		})
	}
}

// Fifty messages at once: every one is answered, slowed down, or skipped
// and counted; the user is told once; the logs name no text.
func TestFloodOfMessagesCounted(t *testing.T) {
	e := newEnv(t)
	clock := &floodClock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	var dropped atomic.Int64
	h := newCountingHandler()
	close(h.release)
	e.handler = h.handle
	e.start(t, e.config(), e.flooded(clock, &dropped))
	const n = 50
	for i := range n {
		e.f.say(privateChat(ana), ana, fmt.Sprintf("question number %d", i))
	}
	var answered, notices int
	e.f.waitFor(t, "every message answered or skipped", func() bool {
		answered, notices = 0, 0
		for _, m := range e.f.sentLocked(ana.ID) {
			if m.Text == bot.FloodNotice {
				notices++
			} else {
				answered++
			}
		}
		return answered+int(dropped.Load()) == n && len(e.f.updates) == 0
	})
	if answered < bot.MaxQueued {
		t.Errorf("%d answered, want at least a full queue, %d", answered, bot.MaxQueued)
	}
	if (dropped.Load() > 0) != (notices == 1) || notices > 1 {
		t.Errorf("%d skipped, and the user told %d times; want told once if any was skipped", dropped.Load(), notices)
	}
	if got := strings.Count(e.logs.String(), "message skipped by flood control"); int64(got) != dropped.Load() {
		t.Errorf("%d skipped messages logged, %d counted", got, dropped.Load())
	}
	e.checkLogs(t, "question number")
}

// Three hundred updates from thirty users, a third of them still being
// handled when the bot stops past its grace (as after a crash): the next
// process answers every one the first did not, and all are answered.
func TestManyUpdatesSurviveAStop(t *testing.T) {
	e := newEnv(t)
	cfg := e.config()
	cfg.ShutdownGrace = 50 * time.Millisecond
	h := newCountingHandler()
	b := e.start(t, cfg, h.handle)
	const users, each = 30, 10
	for i := range users * each {
		u := fakeUser{ID: int64(8000 + i%users), FirstName: "U"}
		text := fmt.Sprintf("question %d", i)
		if i%3 == 0 {
			text = fmt.Sprintf("slow %d", i)
		}
		e.f.say(privateChat(u), u, text)
	}
	e.f.waitFor(t, "every update fetched", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.calls) >= users // each user's first is slow: one each in flight
	})
	if err := b.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	first := map[string]bool{}
	for i := range users {
		for _, m := range e.f.sent(int64(8000 + i)) {
			first[strings.TrimPrefix(m.Text, "ok ")] = true
		}
	}
	h2 := newCountingHandler()
	close(h2.release)
	e.start(t, e.config(), h2.handle)
	e.f.waitFor(t, "every update confirmed", func() bool { return len(e.f.updates) == 0 })
	answered := map[string]int{}
	for i := range users {
		for _, m := range e.f.sent(int64(8000 + i)) {
			answered[strings.TrimPrefix(m.Text, "ok ")]++
		}
	}
	for i := range users * each {
		text := fmt.Sprintf("question %d", i)
		if i%3 == 0 {
			text = fmt.Sprintf("slow %d", i)
		}
		switch {
		case answered[text] == 0:
			t.Errorf("%q was never answered", text)
		case !first[text] && answered[text] != 1:
			t.Errorf("%q, unanswered by the first process, was answered %d times after the restart", text, answered[text])
		}
	}
	if len(first) == users*each {
		t.Error("the first process answered everything: this test stopped nothing")
	}
}

func TestLedger(t *testing.T) {
	l := newLedger()
	for _, id := range []int{10, 11, 12, 13} {
		if !l.admit(id) {
			t.Fatalf("admit(%d) = false for a new update", id)
		}
	}
	if l.admit(11) {
		t.Error("an update in flight was admitted again")
	}
	l.finish(12)
	l.finish(11)
	if got := l.offset(); got != 10 {
		t.Errorf("offset with 10 in flight = %d, want 10", got)
	}
	if l.admit(12) {
		t.Error("an update done above the offset was admitted again")
	}
	_, moved := l.busy()
	l.finish(10)
	select {
	case <-moved:
	default:
		t.Error("finishing the oldest did not signal that the offset moved")
	}
	if got := l.offset(); got != 13 {
		t.Errorf("offset with 13 in flight = %d, want 13", got)
	}
	if n := l.skipAhead(); n != 1 || l.offset() != 14 || l.admit(13) {
		t.Errorf("skipAhead: %d in flight, offset %d; want 1, 14, and 13 never admitted again", n, l.offset())
	}
	l.finish(13)
	if busy, _ := l.busy(); busy || !l.admit(14) {
		t.Errorf("after every update finished: busy %v, or 14 refused", busy)
	}
}

func TestUpdateID(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want int
	}{
		{`{"update_id":1001,"message":{"text":"x"}}`, 1001},
		{`{"message":{"text":"\"update_id\":5"},"update_id": 77}`, 77},
		{"{\n  \"update_id\" : 42\n}", 42}, // not the compact form: decoded
		{`{"update_id":"x"}`, 0},
		{`not json`, 0},
	} {
		if got := updateID([]byte(tc.raw)); got != tc.want {
			t.Errorf("updateID(%s) = %d, want %d", tc.raw, got, tc.want)
		}
	}
}

// startWebhook starts a bot in webhook mode and returns it with the URL
// Telegram would call.
func (e *env) startWebhook(t *testing.T, h bot.Handler, grace time.Duration) (*running, string) {
	t.Helper()
	cfg := e.config()
	cfg.Mode, cfg.WebhookListen, cfg.WebhookPath = ModeWebhook, "127.0.0.1:0", "/telegram"
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example.org/telegram", "s3cret_Value-1"
	cfg.ShutdownGrace = grace
	addr := make(chan net.Addr, 1)
	cfg.onListen = func(a net.Addr) { addr <- a }
	b := e.start(t, cfg, h)
	return b, "http://" + (<-addr).String() + "/telegram"
}

// postUpdate delivers an update as Telegram's webhook does, in the
// background; the channel gets the status, or 0 if the call failed.
func (e *env) postUpdate(url string, id int, text string) <-chan int {
	raw, _ := json.Marshal(map[string]any{"update_id": id, "message": e.f.textMessage(privateChat(ana), ana, text)})
	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(raw)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret_Value-1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	return status
}

// A webhook update is acknowledged only once handled (a redelivery waits
// for the first), and one abandoned at shutdown is not acknowledged, so
// Telegram sends it again.
func TestWebhookAcknowledgesHandledUpdates(t *testing.T) {
	e := newEnv(t)
	h := newCountingHandler()
	b, url := e.startWebhook(t, h.handle, 50*time.Millisecond)
	first := e.postUpdate(url, 10, "slow one")
	h.waitCalled(t, "slow one")
	again := e.postUpdate(url, 10, "slow one")
	select {
	case s := <-first:
		t.Fatalf("the update was acknowledged (%d) before it was handled", s)
	default:
	}
	close(h.release)
	if s1, s2 := <-first, <-again; s1 != http.StatusOK || s2 != http.StatusOK {
		t.Errorf("once handled: statuses %d and %d, want 200 for the update and its redelivery", s1, s2)
	}
	if n := h.count("slow one"); n != 1 || len(e.f.sent(ana.ID)) != 1 {
		t.Errorf("handled %d times, %d replies; want once", n, len(e.f.sent(ana.ID)))
	}

	h.release = make(chan struct{}) // the next slow one never finishes
	stuck := e.postUpdate(url, 11, "slow two")
	h.waitCalled(t, "slow two")
	if err := b.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if s := <-stuck; s == http.StatusOK {
		t.Error("an update abandoned at shutdown was acknowledged: Telegram would not send it again")
	}
}

// A press whose handling failed (the store could not save it) says so and
// leaves its question as it was: nothing is shown as answered that was
// not applied.
func TestFailedPressIsNotMarkedAnswered(t *testing.T) {
	e := newEnv(t)
	h := bot.Chain(func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		if m.Choice != "" {
			return bot.Reply{}, errors.New("store down")
		}
		return bot.Reply{Text: rich.Plain("Still in school or graduated?"), Choices: []bot.Choice{{ID: "intake:stage:graduate", Label: "Graduated"}}}, nil
	}, bot.ErrorReplies())
	e.start(t, e.config(), h)
	c := e.convo(t, ana, privateChat(ana))
	c.say("/intake")
	q, data := c.button("Graduated")
	id := e.f.press(ana, q, data)
	msgs := e.f.waitSent(t, privateChat(ana).ID, 2)
	e.f.waitFor(t, "the callback answered", func() bool { return e.f.answered[id] > 0 })
	if m := msgs[1]; m.Text == "" || strings.Contains(m.Text, "✓") {
		t.Errorf("failed press = %q, want the error line", m.Text)
	}
	for _, edit := range e.f.callsOf("editMessageText") {
		if strings.Contains(edit.Get("text"), "✓") {
			t.Errorf("the failed press marked its question answered: %q", edit.Get("text"))
		}
	}
	if n := len(e.f.callsOf("editMessageReplyMarkup")); n != 0 {
		t.Error("the failed press took its question's buttons away")
	}
}
