package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
	"github.com/uscebot/uscebot/bot/telegram"
	"github.com/uscebot/uscebot/store"
)

// FuzzRouterOnPlatforms sends an arbitrary message or choice, in one of a
// few conversation states, to the router three ways:
//
//   - to Router.Handle itself, without the Recover middleware, so that a
//     panic fails the fuzzer instead of becoming an apology; its reply
//     must carry valid UTF-8, choice ids of 1-64 bytes (the smallest
//     platform limit, Telegram's callback data) and non-empty labels;
//   - through the full middleware chain, which must answer without an
//     error and without having had to recover from a panic;
//   - through the real Telegram and Discord adapters, shaped as each
//     platform delivers it (text in a private chat or a group, a button's
//     callback data, a slash command, a component's custom id, a modal),
//     to in-process fakes of the platforms' APIs that check every message
//     the adapters' renderers and splitters produce against the
//     platform's limits (Telegram: 4,096 per part, callback data 1-64
//     bytes; Discord: content 2,000, embed description 4,096, 6,000 per
//     message, components and labels).
//
// It complements FuzzRouter (router_fuzz_test.go), which fuzzes
// Router.Handle alone.
func FuzzRouterOnPlatforms(f *testing.F) {
	env := newPlatformEnv(f)
	long := strings.Repeat("how many weeks of USCE do I need before I apply? ", 400)
	for _, s := range []struct {
		state        uint8
		text, choice string
		group        bool
	}{
		{0, "/intake", "", false},
		{1, "graduated", "", false},
		{1, "", "intake:stage:graduate", false},
		{2, "", "intake:experience_confirm:yes", false},
		{2, "no, 6 weeks", "", false},
		{2, "back", "", false},
		{3, "/plan", "", false},
		{3, "/plan", "", true},
		{3, "/profile", "", false},
		{3, "/export", "", false},
		{3, "/forget", "", false},
		{3, "", "forget:yes:1795000000", false},
		{3, "", "forget:no", true},
		{4, "/intake", "", false},
		{5, "anything", "", false},
		{0, "does telehealth count as usce?", "", false},
		{0, "/ask@uscebot_fuzz_bot is an observership worth it?", "", true},
		{0, "@uscebot_fuzz_bot how do I find USCE?", "", true},
		{0, "/topics", "", true},
		{0, "/help", "", false},
		{0, "/classify 8-week IM externship in Chicago, 2025", "", true},
		{0, "/vet guaranteed LOR, pay $5000 now, virtual rotation", "", false},
		{0, "/profile set specialty IM", "", false},
		{1, "", "dc/mod:grad_year", false},
		{1, "2019", "dc/mod:grad_year", true},
		{1, "", "dc/sel:specialty", false},
		{0, "\xff\xfe<b>&amp;</b> @everyone ```", "", false},
		{0, long, "", false},
		{0, "/ask " + long, "", true},
		{0, "/" + strings.Repeat("x", 100), "", false},
		{0, "", strings.Repeat("intake:", 20), false},
		{0, "", "intake:stage:\xff", false},
		{0, "", "::", true},
	} {
		f.Add(s.state, s.text, s.choice, s.group)
	}
	f.Fuzz(func(t *testing.T, state uint8, text, choice string, group bool) {
		env.check(t, state, text, choice, group)
	})
}

// fuzzNow is the router's clock: a fixed one, so a failure reproduces.
var fuzzNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// fuzzStates are the conversation states a fuzzed message arrives in.
var fuzzStates = []struct {
	p rules.Profile
	s advisor.IntakeState
}{
	{}, // a new user
	{s: advisor.IntakeState{Step: rules.FieldStage}},
	{ // in the experiences loop, a draft waiting for confirmation
		p: rules.Profile{Stage: rules.StageGraduate, GradYear: intPtr(2019), ApplicationYear: intPtr(2027), Specialty: rules.InternalMedicine,
			Step1: rules.Step1Passed, Visa: rules.VisaNeeded, CanTravel: rules.Yes, Budget: rules.BudgetLow},
		s: advisor.IntakeState{Step: "experience_confirm",
			Draft:   &rules.Experience{Kind: rules.KindExternship, Weeks: 8, Specialty: rules.InternalMedicine, EndYear: 2025, InUS: true},
			History: []string{"stage", "grad_year", "application_year", "specialty", "step1", "step2ck", "visa", "can_travel", "budget", "experience"}},
	},
	{ // finished
		p: rules.Profile{Stage: rules.StageGraduate, GradYear: intPtr(2019), ApplicationYear: intPtr(2027), Specialty: rules.Pediatrics,
			Step1: rules.Step1Passed, Step2CK: intPtr(240), Visa: rules.VisaNotNeeded, CanTravel: rules.No, Budget: rules.BudgetHigh, USLetters: intPtr(1),
			Experiences: []rules.Experience{{Kind: rules.KindObservership, Weeks: 4, Specialty: rules.Pediatrics, EndYear: 2025, InUS: true}}},
		s: advisor.IntakeState{Step: advisor.StepDone},
	},
	{s: advisor.IntakeState{Step: rules.FieldSpecialty, Paused: true}},
	// Saved by another version: a step this one does not know.
	{s: advisor.IntakeState{Step: "experience_country", Draft: &rules.Experience{Kind: rules.KindElective}}},
}

// fuzzSentinel is a message the handler of the adapters answers with
// nothing: once it is handled, everything the adapter had to send for the
// same user before it has been sent.
const fuzzSentinel = "\x00sentinel"

// platformEnv is one router over one store, reached directly and through
// both adapters.
type platformEnv struct {
	db      *store.DB
	router  *bot.Router
	chain   bot.Handler
	panics  atomic.Int64 // panics the Recover middleware logged
	fake    *fakePlatforms
	tg      *telegram.Bot
	dc      *discord.Bot
	dcS     *discordgo.Session
	seq     atomic.Int64
	waiting sync.Map // Telegram user id -> chan struct{}: the sentinel arrived
}

func newPlatformEnv(f *testing.F) *platformEnv {
	f.Helper()
	ctx := context.Background()
	env := &platformEnv{fake: newFakePlatforms()}
	var err error
	env.db, err = store.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	kb := mustKB(f)
	env.router = bot.NewRouter(kb, env.db, func() time.Time { return fuzzNow })
	env.chain = env.router.Handler(slog.New(panicCounter{&env.panics}))
	adapted := func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		if m.Text == fuzzSentinel {
			if c, ok := env.waiting.LoadAndDelete(m.UserID); ok {
				close(c.(chan struct{}))
			}
			return bot.Reply{}, nil
		}
		return env.chain(ctx, m)
	}
	client := &http.Client{Transport: env.fake}
	quiet := slog.New(slog.DiscardHandler)
	env.tg, err = telegram.New(ctx, telegram.Config{Token: fakeTelegramToken, APIEndpoint: "http://telegram.invalid/bot%s/%s",
		HTTPClient: client, Logger: quiet}, adapted, env.router.Commands())
	if err != nil {
		f.Fatal(err)
	}
	var titles []string
	for _, tp := range kb.Topics() {
		titles = append(titles, tp.Title)
	}
	env.dc, err = discord.New(ctx, discord.Config{Token: fakeDiscordToken, HTTPClient: client, Logger: quiet, Topics: titles,
		DeferAfter: time.Hour}, adapted, env.router.Commands())
	if err != nil {
		f.Fatal(err)
	}
	if env.dcS, err = discordgo.New("Bot " + fakeDiscordToken); err != nil {
		f.Fatal(err)
	}
	env.dcS.Client = client
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- env.tg.Run(run) }()
	f.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			f.Errorf("telegram Run: %v", err)
		}
		env.db.Close()
	})
	return env
}

// panicCounter is a slog.Handler counting the Recover middleware's
// reports of a panic.
type panicCounter struct{ n *atomic.Int64 }

func (panicCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h panicCounter) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		h.n.Add(1)
	}
	return nil
}
func (h panicCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panicCounter) WithGroup(string) slog.Handler      { return h }

// check runs one fuzzed message the three ways.
func (env *platformEnv) check(t *testing.T, state uint8, text, choice string, group bool) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	st := fuzzStates[int(state)%len(fuzzStates)]
	n := env.seq.Add(1)
	user := func(platform, id string) string {
		if st.s.Step != "" {
			if err := env.db.SaveProfile(ctx, advisor.UserKey{Platform: platform, ID: id}, st.p, st.s, fuzzNow); err != nil {
				t.Fatalf("SaveProfile: %v", err)
			}
		}
		return id
	}
	m := bot.Message{Platform: "fuzz", Text: text, Choice: choice, ChatID: "c"}
	if group {
		m.Chat = bot.Group
	}

	// The router itself: a panic here fails the fuzzer.
	m.UserID = user("fuzz", fmt.Sprintf("direct-%d", n))
	reply, err := env.router.Handle(ctx, m)
	if err != nil {
		if bot.ErrorMessage(err) == "" {
			t.Fatalf("Handle(%+v) error %v has no message for the user", m, err)
		}
	} else {
		checkReply(t, m, reply)
	}

	// The full chain: no error, no panic recovered.
	m.UserID = user("fuzz", fmt.Sprintf("chain-%d", n))
	panics := env.panics.Load()
	reply, err = env.chain(ctx, m)
	if err != nil {
		t.Fatalf("chain(%+v) error = %v; the middleware turns every error into a reply", m, err)
	}
	if env.panics.Load() != panics {
		t.Fatalf("chain(%+v) recovered from a panic", m)
	}
	checkReply(t, m, reply)

	bad := env.fake.badCount()
	env.telegram(ctx, t, user(telegram.Platform, strconv.FormatInt(2_000_000+n, 10)), text, choice, group)
	if err := env.discord(ctx, user(discord.Platform, fmt.Sprintf("18%017d", n)), text, choice, group); err != nil {
		t.Fatalf("discord, %q / %q: %v", text, choice, err)
	}
	if env.fake.badCount() != bad {
		t.Fatalf("a reply broke a platform's limits:\n%s", strings.Join(env.fake.violations(), "\n"))
	}
	if env.panics.Load() != panics {
		t.Fatalf("the adapters' messages made the router panic")
	}
}

// checkReply checks what any platform needs of a reply.
func checkReply(t *testing.T, m bot.Message, r bot.Reply) {
	t.Helper()
	if s := r.Text.String(); !utf8.ValidString(s) {
		t.Fatalf("reply to %+v is not valid UTF-8: %q", m, s)
	}
	for _, c := range r.Choices {
		if len(c.ID) < 1 || len(c.ID) > 64 || !utf8.ValidString(c.ID) || strings.TrimSpace(c.Label) == "" || !utf8.ValidString(c.Label) {
			t.Fatalf("reply to %+v: choice %+v: want an id of 1-64 bytes of UTF-8 and a label", m, c)
		}
	}
	if r.Input != nil && (r.Input.Step == "" || strings.TrimSpace(r.Input.Label) == "") {
		t.Fatalf("reply to %+v: input %+v without a step or a label", m, r.Input)
	}
	if r.File != nil && r.File.Name == "" {
		t.Fatalf("reply to %+v: a file without a name", m)
	}
}

// telegram sends the message as Telegram would deliver it, then the
// sentinel, and waits for the sentinel to be handled.
func (env *platformEnv) telegram(ctx context.Context, t *testing.T, id, text, choice string, group bool) {
	from := `{"id":` + id + `,"is_bot":false,"first_name":"F"}`
	private := `{"id":` + id + `,"type":"private","first_name":"F"}`
	chat := private
	if group {
		chat = `{"id":-1001234567890,"type":"supergroup","title":"IMGs"}`
	}
	jsonString := func(s string) []byte {
		b, _ := json.Marshal(s)
		return b
	}
	switch {
	case choice != "":
		// Telegram carries 1-64 bytes of callback data.
		data := choice
		for len(data) > 64 {
			data = data[:len(data)-1]
		}
		env.fake.pushUpdate(func(uid int64) []byte {
			return fmt.Appendf(nil, `{"update_id":%d,"callback_query":{"id":"cb%d","from":%s,"chat_instance":"ci",`+
				`"message":{"message_id":1,"date":1,"chat":%s,"text":"Choose","reply_markup":{"inline_keyboard":[[{"text":"B","callback_data":%s}]]}},"data":%s}}`,
				uid, uid, from, chat, jsonString(data), jsonString(data))
		})
	default:
		env.fake.pushUpdate(func(uid int64) []byte {
			return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1,"from":%s,"chat":%s,"text":%s}}`,
				uid, uid, from, chat, jsonString(text))
		})
	}
	done := make(chan struct{})
	env.waiting.Store(id, done)
	env.fake.pushUpdate(func(uid int64) []byte {
		return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1,"from":%s,"chat":%s,"text":%s}}`,
			uid, uid, from, private, jsonString(fuzzSentinel))
	})
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("telegram: the sentinel after %q / %q was never handled", text, choice)
	}
}

// discord sends the message as Discord would deliver it: a direct message,
// a slash command (the only text a server sends a bot), a component's
// custom id or a modal; the adapter returns once it has answered (or ctx
// is done: the adapter waits on a context of its own, which only Run
// cancels, so a lost reply would otherwise hang the fuzzer).
func (env *platformEnv) discord(ctx context.Context, id, text, choice string, group bool) error {
	n := env.seq.Add(1)
	user := &discordgo.User{ID: id, Username: "f"}
	i := &discordgo.Interaction{ID: strconv.FormatInt(1_600_000_000_000_000_000+n, 10), AppID: fakeDiscordApp,
		Token: "interaction-token-" + strconv.FormatInt(n, 10), ChannelID: "1400000000000000001", User: user}
	if group {
		i.GuildID, i.ChannelID, i.User = fakeDiscordGuild, fakeDiscordChan, nil
		i.Member = &discordgo.Member{User: user, GuildID: fakeDiscordGuild}
	}
	on := &discordgo.Message{ID: "1360000000000000001", ChannelID: i.ChannelID}
	if group {
		on.Flags = discordgo.MessageFlagsEphemeral
	}
	clip := func(s string, n int) string { // Discord's limits on what a user sends, in characters
		if r := []rune(s); len(r) > n {
			return string(r[:n])
		}
		return s
	}
	switch {
	case strings.HasPrefix(choice, "dc/mod:"):
		i.Type, i.Message = discordgo.InteractionModalSubmit, on
		i.Data = discordgo.ModalSubmitInteractionData{CustomID: clip(choice, 100), Components: []discordgo.MessageComponent{
			&discordgo.ActionsRow{Components: []discordgo.MessageComponent{&discordgo.TextInput{CustomID: "answer", Value: clip(text, 400)}}}}}
	case choice != "":
		i.Type, i.Message = discordgo.InteractionMessageComponent, on
		d := discordgo.MessageComponentInteractionData{CustomID: clip(choice, 100), ComponentType: discordgo.ButtonComponent}
		if strings.HasPrefix(choice, "dc/") {
			d.ComponentType, d.Values = discordgo.SelectMenuComponent, []string{clip(text, 100)}
		}
		i.Data = d
	case !group && !strings.HasPrefix(text, "/"):
		if text == "" {
			return nil // Discord sends no empty message
		}
		mc := &discordgo.MessageCreate{Message: &discordgo.Message{
			ID: strconv.FormatInt(1_500_000_000_000_000_000+n, 10), ChannelID: "1400000000000000001",
			Content: clip(text, 2000), Author: user, Type: discordgo.MessageTypeDefault}}
		return within(ctx, func() { env.dc.HandleMessage(env.dcS, mc) })
	default:
		// A slash command: a command the router knows, with its text in
		// the command's option; anything else is a question for /ask.
		name, rest := "ask", text
		if w, r, _ := strings.Cut(strings.TrimPrefix(text, "/"), " "); strings.HasPrefix(text, "/") && knownCommand(env.router, w) {
			name, rest = w, r
		}
		d := discordgo.ApplicationCommandInteractionData{ID: "1310000000000000001", Name: name}
		opt := map[string]string{"ask": "question", "classify": "description", "vet": "offer"}[name]
		if name == "profile" {
			field, value, _ := strings.Cut(strings.TrimPrefix(rest, "set "), " ")
			d.Options = []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: "field", Type: discordgo.ApplicationCommandOptionString, Value: clip(field, 100)},
				{Name: "value", Type: discordgo.ApplicationCommandOptionString, Value: clip(value, 200)}}
		} else if opt != "" && rest != "" {
			d.Options = []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: opt, Type: discordgo.ApplicationCommandOptionString, Value: clip(rest, 4000)}}
		}
		i.Type, i.Data = discordgo.InteractionApplicationCommand, d
	}
	return within(ctx, func() { env.dc.HandleInteraction(env.dcS, &discordgo.InteractionCreate{Interaction: i}) })
}

// within runs f, giving up when ctx is done first.
func within(ctx context.Context, f func()) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Ids of the fake platforms.
const (
	fakeTelegramToken = "123456:fuzz-test-token"
	fakeTelegramBot   = "uscebot_fuzz_bot"
	fakeDiscordToken  = "MTEwMDAwMDAwMDAwMDAwMDAwMg.GabcDe.fuzz-test-token"
	fakeDiscordApp    = "1100000000000000001"
	fakeDiscordBot    = "1100000000000000002"
	fakeDiscordGuild  = "1200000000000000001"
	fakeDiscordChan   = "1300000000000000001"
)

func knownCommand(r *bot.Router, name string) bool {
	for _, c := range r.Commands() {
		if c.Name == name {
			return true
		}
	}
	return false
}

// Fake Telegram and Discord: just enough of their HTTP APIs, answered in
// process, with every message the adapters send checked against the
// platform's limits. (The same as cmd/uscebot/load_test.go's, which
// cannot be imported from a test of another package; keep them in step.)

// fakePlatforms is an http.RoundTripper answering for api.telegram.org
// (at telegram.invalid) and discord.com.
type fakePlatforms struct {
	mu      sync.Mutex
	pending [][]byte // Telegram updates not yet confirmed, in order
	firstID int64    // id of pending[0]
	nextID  int64
	wake    chan struct{}

	checked map[string]bool // bodies already checked: most replies repeat
	bad     []string
	nBad    int
}

func newFakePlatforms() *fakePlatforms {
	return &fakePlatforms{firstID: 1, nextID: 1, wake: make(chan struct{}, 1), checked: make(map[string]bool)}
}

// pushUpdate queues a Telegram update, built once its id is known.
func (f *fakePlatforms) pushUpdate(build func(id int64) []byte) {
	f.mu.Lock()
	f.pending = append(f.pending, build(f.nextID))
	f.nextID++
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *fakePlatforms) violation(format string, args ...any) {
	f.nBad++
	if len(f.bad) < 10 {
		f.bad = append(f.bad, fmt.Sprintf(format, args...))
	}
}

// badCount is how many limit violations the fake has seen.
func (f *fakePlatforms) badCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nBad
}

func (f *fakePlatforms) violations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.bad)
	if f.nBad > len(f.bad) {
		out = append(out, fmt.Sprintf("... and %d more limit violations", f.nBad-len(f.bad)))
	}
	return out
}

func (f *fakePlatforms) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	switch req.URL.Host {
	case "telegram.invalid":
		return f.telegram(req, body)
	case "discord.com":
		return f.discord(req, body)
	}
	return nil, fmt.Errorf("fake platforms: unexpected request to %s", req.URL.Host)
}

func fakeResponse(req *http.Request, status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

const tgOK = `{"ok":true,"result":true}`

func (f *fakePlatforms) telegram(req *http.Request, body []byte) (*http.Response, error) {
	method := req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]
	if !strings.HasPrefix(req.URL.Path, "/bot"+fakeTelegramToken+"/") {
		return fakeResponse(req, http.StatusUnauthorized, `{"ok":false,"error_code":401,"description":"Unauthorized"}`), nil
	}
	switch method {
	case "getMe":
		return fakeResponse(req, http.StatusOK, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"uscebot","username":"`+fakeTelegramBot+`"}}`), nil
	case "getUpdates":
		return f.getUpdates(req, body)
	case "sendMessage", "editMessageText":
		f.checkTelegram(method, body)
		return fakeResponse(req, http.StatusOK, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"ok"}}`), nil
	case "sendDocument":
		return fakeResponse(req, http.StatusOK, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}`), nil
	}
	return fakeResponse(req, http.StatusOK, tgOK), nil // setMyCommands, deleteWebhook, answerCallbackQuery, editMessageReplyMarkup
}

// getUpdates hands out the pending updates from offset on, waiting up to
// the request's timeout for one to come.
func (f *fakePlatforms) getUpdates(req *http.Request, body []byte) (*http.Response, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	offset, _ := strconv.ParseInt(form.Get("offset"), 10, 64)
	limit, _ := strconv.Atoi(form.Get("limit"))
	timeout, _ := strconv.Atoi(form.Get("timeout"))
	if limit <= 0 {
		limit = 100
	}
	wait := time.NewTimer(time.Duration(timeout) * time.Second)
	defer wait.Stop()
	for {
		f.mu.Lock()
		if drop := min(max(offset-f.firstID, 0), int64(len(f.pending))); drop > 0 {
			f.pending = f.pending[drop:]
			f.firstID += drop
		}
		if len(f.pending) > 0 || timeout == 0 {
			batch := f.pending[:min(limit, len(f.pending))]
			var out bytes.Buffer
			out.WriteString(`{"ok":true,"result":[`)
			for i, u := range batch {
				if i > 0 {
					out.WriteByte(',')
				}
				out.Write(u)
			}
			out.WriteString(`]}`)
			f.mu.Unlock()
			return fakeResponse(req, http.StatusOK, out.String()), nil
		}
		f.mu.Unlock()
		select {
		case <-f.wake:
		case <-wait.C:
			timeout = 0
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
}

// checkTelegram checks a message the Telegram adapter sent: at most 4,096
// UTF-16 units of text (Telegram counts after parsing the HTML, which is
// never longer), valid UTF-8, not empty; buttons with a label and 1-64
// bytes of callback data.
func (f *fakePlatforms) checkTelegram(method string, body []byte) {
	key := body
	if bytes.HasPrefix(key, []byte("chat_id=")) {
		if i := bytes.IndexByte(key, '&'); i >= 0 {
			key = key[i+1:] // the same reply to another chat is the same reply
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.checked[string(key)] {
		return
	}
	if len(f.checked) >= 1<<16 { // a long fuzz run: forget, rather than grow
		clear(f.checked)
	}
	f.checked[string(key)] = true
	form, err := url.ParseQuery(string(body))
	if err != nil {
		f.violation("telegram %s: body is not a form: %v", method, err)
		return
	}
	text := form.Get("text")
	n := utf16Len(text)
	switch {
	case n > 4096:
		f.violation("telegram %s: text of %d UTF-16 units, limit 4096", method, n)
	case strings.TrimSpace(text) == "":
		f.violation("telegram %s: empty text", method)
	case !utf8.ValidString(text):
		f.violation("telegram %s: text is not UTF-8", method)
	}
	if rm := form.Get("reply_markup"); rm != "" && rm != "null" {
		var markup struct {
			InlineKeyboard [][]struct {
				Text         string  `json:"text"`
				CallbackData *string `json:"callback_data"`
				URL          string  `json:"url"`
			} `json:"inline_keyboard"`
		}
		if err := json.Unmarshal([]byte(rm), &markup); err != nil {
			f.violation("telegram %s: reply_markup %q: %v", method, rm, err)
			return
		}
		for _, row := range markup.InlineKeyboard {
			for _, b := range row {
				switch {
				case strings.TrimSpace(b.Text) == "":
					f.violation("telegram %s: a button without a label", method)
				case b.CallbackData == nil && b.URL == "":
					f.violation("telegram %s: button %q does nothing", method, b.Text)
				case b.CallbackData != nil && (len(*b.CallbackData) < 1 || len(*b.CallbackData) > 64):
					f.violation("telegram %s: button %q has %d bytes of callback data, limit 64", method, b.Text, len(*b.CallbackData))
				}
			}
		}
	}
}

const dcMessageJSON = `{"id":"1360000000000000002","channel_id":"` + fakeDiscordChan + `","type":0,"content":"",` +
	`"author":{"id":"` + fakeDiscordBot + `","username":"uscebot","bot":true},"timestamp":"2026-03-01T12:00:01Z"}`

func (f *fakePlatforms) discord(req *http.Request, body []byte) (*http.Response, error) {
	p := strings.TrimPrefix(req.URL.Path, "/api/v9/")
	switch {
	case req.Method == http.MethodGet && p == "users/@me":
		return fakeResponse(req, http.StatusOK, `{"id":"`+fakeDiscordBot+`","username":"uscebot","bot":true,"discriminator":"0"}`), nil
	case req.Method == http.MethodGet && p == "oauth2/applications/@me":
		return fakeResponse(req, http.StatusOK, `{"id":"`+fakeDiscordApp+`","name":"uscebot"}`), nil
	case req.Method == http.MethodPut && strings.HasPrefix(p, "applications/"):
		return fakeResponse(req, http.StatusOK, `[]`), nil
	case req.Method == http.MethodPost && strings.HasPrefix(p, "interactions/") && strings.HasSuffix(p, "/callback"):
		f.checkDiscord("interaction response", req.Header.Get("Content-Type"), body, true)
		return fakeResponse(req, http.StatusNoContent, ""), nil
	case req.Method == http.MethodPost && strings.HasPrefix(p, "webhooks/"):
		f.checkDiscord("follow-up", req.Header.Get("Content-Type"), body, false)
		return fakeResponse(req, http.StatusOK, dcMessageJSON), nil
	case req.Method == http.MethodPatch && strings.HasPrefix(p, "webhooks/"):
		f.checkDiscord("edit", req.Header.Get("Content-Type"), body, false)
		return fakeResponse(req, http.StatusOK, dcMessageJSON), nil
	case req.Method == http.MethodPost && strings.HasPrefix(p, "channels/") && strings.HasSuffix(p, "/messages"):
		f.checkDiscord("channel message", req.Header.Get("Content-Type"), body, false)
		return fakeResponse(req, http.StatusOK, dcMessageJSON), nil
	}
	f.mu.Lock()
	f.violation("discord: unexpected %s %s", req.Method, req.URL.Path)
	f.mu.Unlock()
	return fakeResponse(req, http.StatusNotFound, `{"message":"404: Not Found","code":0}`), nil
}

// dcPayload is the part of a Discord message body the limits are about.
type dcPayload struct {
	Content    *string       `json:"content"`
	Embeds     *[]dcEmbed    `json:"embeds"`
	Components []dcComponent `json:"components"`
	CustomID   string        `json:"custom_id"` // a modal's
	Title      string        `json:"title"`     // a modal's
}

type dcEmbed struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Fields      []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

type dcComponent struct {
	Type        int           `json:"type"`
	CustomID    string        `json:"custom_id"`
	Label       string        `json:"label"`
	Placeholder string        `json:"placeholder"`
	URL         string        `json:"url"`
	Options     []dcOption    `json:"options"`
	Components  []dcComponent `json:"components"`
}

type dcOption struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// checkDiscord checks one message the Discord adapter sent against
// Discord's limits: content 2,000; embed title 256, description 4,096,
// field value 1,024, footer 2,048, 6,000 in all, 10 embeds; 5 rows of 5
// buttons or one menu; custom ids 100, labels 80 and not empty; 25 menu
// options of 100; modal titles 45; and never an empty message.
func (f *fakePlatforms) checkDiscord(what, ctype string, body []byte, response bool) {
	files := 0
	if mt, params, err := mime.ParseMediaType(ctype); err == nil && mt == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		body = nil
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(part)
			if part.FormName() == "payload_json" {
				body = data
			} else {
				files++
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := what + "\x00" + string(body)
	if f.checked[key] && files == 0 {
		return
	}
	if len(f.checked) >= 1<<16 {
		clear(f.checked)
	}
	f.checked[key] = true
	typ := 0
	var p dcPayload
	if response {
		var r struct {
			Type int        `json:"type"`
			Data *dcPayload `json:"data"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			f.violation("discord %s: %v in %s", what, err, body)
			return
		}
		typ = r.Type
		if r.Data != nil {
			p = *r.Data
		}
	} else if err := json.Unmarshal(body, &p); err != nil {
		f.violation("discord %s: %v in %s", what, err, body)
		return
	}
	bad := func(format string, args ...any) {
		f.violation("discord %s: "+format+" in %s", append(append([]any{what}, args...), body)...)
	}
	if p.Content != nil && utf16Len(*p.Content) > 2000 {
		bad("content of %d characters, limit 2000", utf16Len(*p.Content))
	}
	var embeds []dcEmbed
	if p.Embeds != nil {
		embeds = *p.Embeds
	}
	if len(embeds) > 10 {
		bad("%d embeds, limit 10", len(embeds))
	}
	total := 0
	for _, e := range embeds {
		n := utf16Len(e.Title) + utf16Len(e.Description)
		if utf16Len(e.Title) > 256 {
			bad("embed title of %d characters, limit 256", utf16Len(e.Title))
		}
		if utf16Len(e.Description) > 4096 {
			bad("embed description of %d characters, limit 4096", utf16Len(e.Description))
		}
		if len(e.Fields) > 25 {
			bad("%d fields, limit 25", len(e.Fields))
		}
		for _, fl := range e.Fields {
			n += utf16Len(fl.Name) + utf16Len(fl.Value)
			if utf16Len(fl.Name) > 256 || utf16Len(fl.Value) > 1024 || strings.TrimSpace(fl.Name) == "" || strings.TrimSpace(fl.Value) == "" {
				bad("field %q: name 1-256, value 1-1024 characters", fl.Name)
			}
		}
		if e.Footer != nil {
			n += utf16Len(e.Footer.Text)
			if utf16Len(e.Footer.Text) > 2048 {
				bad("footer of %d characters, limit 2048", utf16Len(e.Footer.Text))
			}
		}
		if e.Author != nil {
			n += utf16Len(e.Author.Name)
		}
		if n == 0 {
			bad("an empty embed")
		}
		total += n
	}
	if total > 6000 {
		bad("embeds of %d characters in all, limit 6000", total)
	}
	if typ == int(discordgo.InteractionResponseModal) {
		if t := utf16Len(p.Title); t < 1 || t > 45 {
			bad("modal title of %d characters, limit 1-45", t)
		}
		if len(p.CustomID) < 1 || len(p.CustomID) > 100 {
			bad("modal custom id of %d bytes, limit 1-100", len(p.CustomID))
		}
	}
	checkDiscordComponents(p.Components, bad)
	// Messages must say something; deferrals (5, 6) and modals carry none.
	empty := (p.Content == nil || strings.TrimSpace(*p.Content) == "") && total == 0 && len(p.Components) == 0 && files == 0
	if empty && (!response || typ == int(discordgo.InteractionResponseChannelMessageWithSource) || typ == int(discordgo.InteractionResponseUpdateMessage)) {
		bad("an empty message")
	}
}

func checkDiscordComponents(rows []dcComponent, bad func(string, ...any)) {
	if len(rows) > 5 {
		bad("%d component rows, limit 5", len(rows))
	}
	ids := map[string]bool{}
	for _, row := range rows {
		if row.Type != int(discordgo.ActionsRowComponent) {
			bad("a top-level component of type %d, want an action row", row.Type)
			continue
		}
		menus, buttons := 0, 0
		for _, c := range row.Components {
			if c.CustomID != "" {
				if len(c.CustomID) > 100 {
					bad("custom id of %d bytes, limit 100", len(c.CustomID))
				}
				if ids[c.CustomID] {
					bad("duplicate custom id %q", c.CustomID)
				}
				ids[c.CustomID] = true
			}
			switch c.Type {
			case int(discordgo.ButtonComponent):
				buttons++
				if l := utf16Len(c.Label); l < 1 || l > 80 || strings.TrimSpace(c.Label) == "" {
					bad("button label %q: 1-80 characters", c.Label)
				}
				if c.CustomID == "" && c.URL == "" {
					bad("button %q without a custom id", c.Label)
				}
			case int(discordgo.SelectMenuComponent):
				menus++
				if len(c.Options) < 1 || len(c.Options) > 25 {
					bad("select menu of %d options, limit 1-25", len(c.Options))
				}
				if utf16Len(c.Placeholder) > 150 {
					bad("select placeholder of %d characters, limit 150", utf16Len(c.Placeholder))
				}
				for _, o := range c.Options {
					if l, v := utf16Len(o.Label), utf16Len(o.Value); l < 1 || l > 100 || v < 1 || v > 100 {
						bad("select option %q/%q: 1-100 characters each", o.Label, o.Value)
					}
				}
			default:
				bad("a component of type %d in a message", c.Type)
			}
		}
		if buttons > 5 || menus > 1 || (menus == 1 && buttons > 0) || buttons+menus == 0 {
			bad("a row of %d buttons and %d menus: 1-5 buttons or one menu", buttons, menus)
		}
	}
}

// utf16Len is the length of s in UTF-16 code units, as the platforms
// count; computed here the obvious way, apart from the adapters' count.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }
