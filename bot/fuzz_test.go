package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
	"github.com/uscebot/uscebot/bot/platformfake"
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
	fake    *platformfake.Platforms
	tg      *telegram.Bot
	dc      *discord.Bot
	dcS     *discordgo.Session
	seq     atomic.Int64
	waiting sync.Map // Telegram user id -> chan struct{}: the sentinel arrived
}

func newPlatformEnv(f *testing.F) *platformEnv {
	f.Helper()
	ctx := context.Background()
	env := &platformEnv{fake: platformfake.New()}
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
	env.tg, err = telegram.New(ctx, telegram.Config{Token: platformfake.TelegramToken, APIEndpoint: "http://telegram.invalid/bot%s/%s",
		HTTPClient: client, Logger: quiet}, adapted, env.router.Commands())
	if err != nil {
		f.Fatal(err)
	}
	var titles []string
	for _, tp := range kb.Topics() {
		titles = append(titles, tp.Title)
	}
	env.dc, err = discord.New(ctx, discord.Config{Token: platformfake.DiscordToken, HTTPClient: client, Logger: quiet, Topics: titles,
		DeferAfter: time.Hour}, adapted, env.router.Commands())
	if err != nil {
		f.Fatal(err)
	}
	if env.dcS, err = discordgo.New("Bot " + platformfake.DiscordToken); err != nil {
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

	bad := env.fake.BadCount()
	env.telegram(ctx, t, user(telegram.Platform, strconv.FormatInt(2_000_000+n, 10)), text, choice, group)
	if err := env.discord(ctx, user(discord.Platform, fmt.Sprintf("18%017d", n)), text, choice, group); err != nil {
		t.Fatalf("discord, %q / %q: %v", text, choice, err)
	}
	if env.fake.BadCount() != bad {
		t.Fatalf("a reply broke a platform's limits:\n%s", strings.Join(env.fake.Violations(), "\n"))
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
		env.fake.PushUpdate(func(uid int64) []byte {
			return fmt.Appendf(nil, `{"update_id":%d,"callback_query":{"id":"cb%d","from":%s,"chat_instance":"ci",`+
				`"message":{"message_id":1,"date":1,"chat":%s,"text":"Choose","reply_markup":{"inline_keyboard":[[{"text":"B","callback_data":%s}]]}},"data":%s}}`,
				uid, uid, from, chat, jsonString(data), jsonString(data))
		})
	default:
		env.fake.PushUpdate(func(uid int64) []byte {
			return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1,"from":%s,"chat":%s,"text":%s}}`,
				uid, uid, from, chat, jsonString(text))
		})
	}
	done := make(chan struct{})
	env.waiting.Store(id, done)
	env.fake.PushUpdate(func(uid int64) []byte {
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
	i := &discordgo.Interaction{ID: strconv.FormatInt(1_600_000_000_000_000_000+n, 10), AppID: platformfake.DiscordApp,
		Token: "interaction-token-" + strconv.FormatInt(n, 10), ChannelID: "1400000000000000001", User: user}
	if group {
		i.GuildID, i.ChannelID, i.User = platformfake.DiscordGuild, platformfake.DiscordChannel, nil
		i.Member = &discordgo.Member{User: user, GuildID: platformfake.DiscordGuild}
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
