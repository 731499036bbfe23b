package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/advisortest"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
	"github.com/uscebot/uscebot/bot/rich"
)

const ephemeral = int(discordgo.MessageFlagsEphemeral)

func registered(t *testing.T, r request) []discordgo.ApplicationCommand {
	t.Helper()
	var cmds []discordgo.ApplicationCommand
	if err := json.Unmarshal(r.Body, &cmds); err != nil {
		t.Fatalf("decode the commands: %v", err)
	}
	return cmds
}

func TestCommandsRegisteredGloballyInOneBulkOverwrite(t *testing.T) {
	h := newHarness(t, options{})
	puts := h.f.all(func(r request) bool { return r.Method == http.MethodPut })
	if len(puts) != 1 || puts[0].Path != "/api/v9/applications/"+appID+"/commands" {
		t.Fatalf("registration requests = %+v, want one PUT /applications/%s/commands", puts, appID)
	}
	if puts[0].Auth != "Bot "+goodToken {
		t.Errorf("registration sent Authorization %q", puts[0].Auth)
	}
	cmds := registered(t, puts[0])
	var names []string
	byName := map[string]discordgo.ApplicationCommand{}
	for _, c := range cmds {
		names = append(names, c.Name)
		byName[c.Name] = c
		if c.Description == "" || len([]rune(c.Description)) > 100 {
			t.Errorf("/%s description %q: want 1-100 characters", c.Name, c.Description)
		}
		if c.Contexts == nil || !slices.Contains(*c.Contexts, discordgo.InteractionContextBotDM) {
			t.Errorf("/%s contexts = %v, want servers and DMs", c.Name, c.Contexts)
		}
	}
	var want []string
	for _, c := range h.router.Commands() {
		want = append(want, c.Name)
	}
	if want = append(want, "start"); !slices.Equal(names, want) {
		t.Errorf("registered %v, want the router's %v", names, want)
	}
	for _, c := range h.router.Commands() {
		if c.Name == "help" && (byName["start"].Description != c.Description || c.Description == "this message") {
			t.Errorf("/start reads %q and /help %q: want both to say what they do", byName["start"].Description, c.Description)
		}
	}
	if _, r := h.command(true, "start", ""); len(r.Data.Embeds) == 0 || !strings.Contains(r.Data.Embeds[0].Description, "/intake") {
		t.Errorf("/start answered %+v, want the help", r.Data)
	}

	ask := byName["ask"].Options
	if len(ask) != 2 {
		t.Fatalf("/ask options = %d, want question and private", len(ask))
	}
	if q := ask[0]; q.Name != "question" || q.Type != discordgo.ApplicationCommandOptionString || !q.Required || !q.Autocomplete || len(q.Choices) != 0 {
		t.Errorf("/ask question option = %+v, want a required string with autocomplete", q)
	}
	if p := ask[1]; p.Name != "private" || p.Type != discordgo.ApplicationCommandOptionBoolean || p.Required {
		t.Errorf("/ask private option = %+v, want an optional boolean", p)
	}
	prof := byName["profile"].Options
	if len(prof) != 2 || prof[0].Name != "field" || prof[1].Name != "value" || prof[0].Required || prof[1].Required {
		t.Fatalf("/profile options = %+v, want optional field and value", prof)
	}
	var fields []string
	for _, c := range prof[0].Choices {
		fields = append(fields, c.Name)
	}
	if want := append(advisor.Fields(), "add experience", "remove experience"); !slices.Equal(fields, want) {
		t.Errorf("/profile field choices = %v, want %v", fields, want)
	}
	for name, opt := range map[string]string{"classify": "description", "vet": "offer"} {
		o := byName[name].Options
		if len(o) != 1 || o[0].Name != opt || !o[0].Required || o[0].Type != discordgo.ApplicationCommandOptionString {
			t.Errorf("/%s options = %+v, want a required string %q", name, o, opt)
		}
	}
	for _, name := range []string{"topics", "intake", "plan", "export", "forget", "help", "start"} {
		if o := byName[name].Options; len(o) != 0 {
			t.Errorf("/%s has options %+v, want none", name, o)
		}
	}
}

func TestCommandsRegisteredPerGuild(t *testing.T) {
	h := newHarness(t, options{cfg: discord.Config{GuildIDs: []string{guildID, guild2ID}}})
	puts := h.f.all(func(r request) bool { return r.Method == http.MethodPut })
	var paths []string
	for _, p := range puts {
		paths = append(paths, p.Path)
		if cmds := registered(t, p); len(cmds) != len(h.router.Commands())+1 || cmds[0].Contexts != nil {
			t.Errorf("%s: %d commands (contexts %v), want %d (the router's and /start) without contexts", p.Path, len(cmds), cmds[0].Contexts, len(h.router.Commands())+1)
		}
	}
	want := []string{
		"/api/v9/applications/" + appID + "/guilds/" + guildID + "/commands",
		"/api/v9/applications/" + appID + "/guilds/" + guild2ID + "/commands",
	}
	if !slices.Equal(paths, want) {
		t.Errorf("registration = %v, want one bulk overwrite per guild %v", paths, want)
	}
}

func TestOnlyShardZeroRegistersCommands(t *testing.T) {
	h := newHarness(t, options{cfg: discord.Config{ShardID: 1, ShardCount: 2}})
	if puts := h.f.all(func(r request) bool { return r.Method == http.MethodPut }); len(puts) != 0 {
		t.Errorf("shard 1 sent %d registrations, want none", len(puts))
	}
}

func TestNewRejectsBadTokens(t *testing.T) {
	f := newFake(t)
	for _, tc := range []struct {
		name, token string
		is          error
		want        string
	}{
		{"rejected", "MTEw.GwrOng.not-the-right-token-0123456789", discord.ErrTokenRejected, "401 Unauthorized"},
		{"empty", "", nil, "no bot token"},
		{"spaces", "abc def.ghi", nil, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := discord.New(context.Background(), discord.Config{Token: tc.token, HTTPClient: f.client(), Logger: discardLog()},
				func(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, nil }, nil)
			if err == nil {
				t.Fatal("New succeeded")
			}
			msg := err.Error()
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("New error = %v, want %v", err, tc.is)
			}
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "USCEBOT_DISCORD_TOKEN") {
				t.Errorf("New error = %q, want it to say %q and name USCEBOT_DISCORD_TOKEN", msg, tc.want)
			}
			if strings.Contains(msg, "\n") || (tc.token != "" && strings.Contains(msg, tc.token)) {
				t.Errorf("New error = %q: want one line without the token", msg)
			}
		})
	}
	if puts := f.all(func(r request) bool { return r.Method == http.MethodPut }); len(puts) != 0 {
		t.Errorf("commands were registered with a bad token: %d requests", len(puts))
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	f := newFake(t)
	for _, tc := range []struct {
		name string
		cfg  discord.Config
		want string
	}{
		{"shard out of range", discord.Config{ShardID: 2, ShardCount: 2}, "shard 2 of 2"},
		{"negative shard", discord.Config{ShardID: -1}, "shard -1"},
		{"bad guild id", discord.Config{GuildIDs: []string{"my-server"}}, `guild id "my-server"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Token, tc.cfg.HTTPClient, tc.cfg.Logger = goodToken, f.client(), discardLog()
			_, err := discord.New(context.Background(), tc.cfg, func(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, nil }, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %v, want it to say %q", err, tc.want)
			}
		})
	}
	if n := len(f.all(nil)); n != 0 {
		t.Errorf("%d requests with a bad configuration, want none", n)
	}
}

func TestInviteURL(t *testing.T) {
	h := newHarness(t, options{})
	want := "https://discord.com/oauth2/authorize?client_id=" + appID + "&scope=bot+applications.commands&permissions=0"
	if got := h.b.InviteURL(); got != want {
		t.Errorf("InviteURL() = %q, want %q (the application's id, not the bot user's)", got, want)
	}
}

func TestAskPublicAndPrivate(t *testing.T) {
	h := newHarness(t, options{})
	// A profile with tele work only: the telehealth answer has a personal
	// note for this user, which only the private answer may carry.
	tele := rules.Profile{Experiences: []rules.Experience{{Kind: rules.KindTelehealth, Weeks: 4, InUS: true, Remote: true}}}
	if err := h.db.SaveProfile(context.Background(), advisor.UserKey{Platform: discord.Platform, ID: userID}, tele, advisor.IntakeState{}, now); err != nil {
		t.Fatal(err)
	}
	title := h.kb.Ask("does telehealth count as usce?").Topic.Title
	for _, tc := range []struct {
		name, options string
		flags         int
		note          bool
	}{
		{"public", `[{"name": "question", "type": 3, "value": "does telehealth count as usce?"}]`, 0, false},
		{"private", `[{"name": "question", "type": 3, "value": "does telehealth count as usce?"}, {"name": "private", "type": 5, "value": true}]`, ephemeral, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, resp := h.command(true, "ask", tc.options)
			if resp.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || resp.Data.Flags != tc.flags {
				t.Fatalf("/ask %s: response type %d flags %d, want 4 with flags %d", tc.name, resp.Type, resp.Data.Flags, tc.flags)
			}
			if note := strings.Contains(string(h.f.all(isCallback(v.ID))[0].Body), "For you"); note != tc.note {
				t.Errorf("/ask %s: personal note shown = %t, want %t", tc.name, note, tc.note)
			}
			if len(resp.Data.Embeds) == 0 {
				t.Fatal("/ask answered without an embed")
			}
			e := resp.Data.Embeds[0]
			if e.Title != title {
				t.Errorf("embed title = %q, want the topic title %q", e.Title, title)
			}
			last := resp.Data.Embeds[len(resp.Data.Embeds)-1]
			if last.Footer == nil || !strings.HasPrefix(last.Footer.Text, "Sources: ") {
				t.Errorf("last embed footer = %+v, want the sources", last.Footer)
			}
			if len(last.Fields) != 1 || last.Fields[0].Name != "Related" {
				t.Errorf("last embed fields = %+v, want Related", last.Fields)
			}
			if am := resp.Data.AllowedMentions; am == nil || am.Parse == nil || len(am.Parse) != 0 {
				t.Errorf("allowed_mentions = %+v, want an empty parse list", am)
			}
		})
	}
}

func TestAutocompleteSuggestsTopics(t *testing.T) {
	h := newHarness(t, options{})
	for _, tc := range []struct {
		typed string
		check func(t *testing.T, names []string)
	}{
		{"", func(t *testing.T, names []string) {
			if len(names) != 25 {
				t.Errorf("%d choices for nothing typed, want 25 (Discord's limit; %d topics)", len(names), len(h.kb.Topics()))
			}
		}},
		{"tele", func(t *testing.T, names []string) {
			if len(names) == 0 {
				t.Fatal("no choice for tele")
			}
			for _, n := range names {
				if !strings.Contains(strings.ToLower(n), "tele") {
					t.Errorf("choice %q does not match tele", n)
				}
			}
		}},
		{"how much us", func(t *testing.T, names []string) {
			if len(names) == 0 || !strings.HasPrefix(strings.ToLower(names[0]), "how much us") {
				t.Errorf("choices = %q, want a title starting with the typed text first", names)
			}
		}},
		{"qwxz unknown", func(t *testing.T, names []string) {
			if !slices.Equal(names, []string{"qwxz unknown"}) {
				t.Errorf("choices = %q, want the typed text itself", names)
			}
		}},
	} {
		t.Run(tc.typed, func(t *testing.T) {
			v := h.vars(true)
			v.Type, v.Name = int(discordgo.InteractionApplicationCommandAutocomplete), "ask"
			opts, _ := json.Marshal([]map[string]any{{"type": 3, "name": "question", "value": tc.typed, "focused": true}})
			v.Options = string(opts)
			h.b.HandleInteraction(h.s, interaction(t, payload(t, "command_guild.json", v)))
			resp := h.callback(v.ID)
			if resp.Type != int(discordgo.InteractionApplicationCommandAutocompleteResult) {
				t.Fatalf("response type %d, want 8", resp.Type)
			}
			if len(resp.Data.Choices) > 25 {
				t.Errorf("%d choices, more than Discord's 25", len(resp.Data.Choices))
			}
			var names []string
			for _, c := range resp.Data.Choices {
				s, ok := c.Value.(string)
				if !ok || len([]rune(c.Name)) > 100 || len([]rune(s)) > 100 || c.Name == "" {
					t.Errorf("choice %q = %v: want name and string value of 1-100 characters", c.Name, c.Value)
				}
				names = append(names, c.Name)
			}
			tc.check(t, names)
		})
	}
}

// TestIntakeInGuild goes through the whole intake in a server: ephemeral
// throughout, buttons for closed choices, the select menu for the
// specialty, modals for free-text answers, the message updated in place.
func TestIntakeInGuild(t *testing.T) {
	guildIntake(t, newHarness(t, options{}))
}

// Under the default flood limit (8 messages per 10 s), on a fake clock,
// an intake answered fast is slowed down, never cut: every step updates
// the question in place, nothing is skipped.
func TestIntakeInGuildAnsweredFast(t *testing.T) {
	for _, pace := range []time.Duration{2 * time.Second, 400 * time.Millisecond, 100 * time.Millisecond} {
		t.Run(pace.String(), func(t *testing.T) {
			var mu sync.Mutex
			clock, slept := now, time.Duration(0)
			read := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
			sleep := func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				clock, slept = clock.Add(d), slept+d
				return ctx.Err()
			}
			dropped := 0
			flood := func(next bot.Handler) bot.Handler {
				limited := bot.RateLimit(8, 10*time.Second, read, bot.FloodSleep(sleep), bot.FloodDropped(func(bot.Message) { mu.Lock(); dropped++; mu.Unlock() }))(next)
				return func(ctx context.Context, m bot.Message) (bot.Reply, error) {
					mu.Lock()
					clock = clock.Add(pace) // the next answer comes this much later
					mu.Unlock()
					return limited(ctx, m)
				}
			}
			guildIntake(t, newHarness(t, options{wrap: flood}))
			mu.Lock()
			defer mu.Unlock()
			if dropped != 0 {
				t.Errorf("%d answers skipped, want none", dropped)
			}
			if fast := pace < 1250*time.Millisecond; fast != (slept > 0) {
				t.Errorf("at one answer every %v the answers waited %v in all", pace, slept)
			}
		})
	}
}

// guildIntake goes through the whole intake in a server, checking each
// step (see TestIntakeInGuild).
func guildIntake(t *testing.T, h *harness) {
	t.Helper()
	_, resp := h.command(true, "intake", "")
	if resp.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || resp.Data.Flags != ephemeral {
		t.Fatalf("/intake: type %d flags %d, want an ephemeral message (4, 64)", resp.Type, resp.Data.Flags)
	}
	msg := onResponse(resp, ephemeral)
	cur := resp.Data

	// update checks a step's response and moves to its message.
	update := func(what string, r sentResponse) {
		t.Helper()
		if r.Type != int(discordgo.InteractionResponseUpdateMessage) {
			t.Fatalf("%s: response type %d, want 7 (update the ephemeral message)\n%s", what, r.Type, r.Data.text())
		}
		if strings.Contains(r.Data.text(), "I didn't") || strings.Contains(r.Data.text(), "couldn't") {
			t.Fatalf("%s: the answer was refused:\n%s", what, r.Data.text())
		}
		if am := r.Data.AllowedMentions; am == nil || len(am.Parse) != 0 {
			t.Errorf("%s: allowed_mentions = %+v, want none", what, am)
		}
		cur, msg = r.Data, onResponse(r, ephemeral)
	}
	button := func(id string) {
		t.Helper()
		cur.component(t, id)
		update(id, h.press(true, id, msg))
	}
	typed := func(step, answer string) {
		t.Helper()
		open := cur.componentWithPrefix(t, "dc/ans:"+step+":")
		if open.Type != int(discordgo.ButtonComponent) {
			t.Fatalf("%s: the answer component is type %d, want a button", step, open.Type)
		}
		m := h.press(true, open.CustomID, msg)
		if m.Type != int(discordgo.InteractionResponseModal) || m.Data.CustomID != "dc/mod:"+step {
			t.Fatalf("%s: type %d custom id %q, want a modal (9) dc/mod:%s", step, m.Type, m.Data.CustomID, step)
		}
		if n := len([]rune(m.Data.Title)); n == 0 || n > 45 {
			t.Errorf("%s: modal title %q, want 1-45 characters", step, m.Data.Title)
		}
		in := m.Data.component(t, "answer")
		if in.Type != int(discordgo.TextInputComponent) || !in.Required || in.MaxLength == 0 {
			t.Errorf("%s: modal input = %+v, want a required text input", step, in)
		}
		update(step+" modal", h.submit(true, m.Data.CustomID, answer, msg))
	}

	for _, id := range []string{"intake:stage:student", "intake:stage:graduate", "intake:stage:back", "intake:stage:cancel"} {
		cur.component(t, id)
	}
	button("intake:stage:graduate")
	typed("grad_year", "2019")
	typed("application_year", "2027")

	menu := cur.component(t, "dc/sel:specialty")
	if menu.Type != int(discordgo.SelectMenuComponent) || len(menu.Options) == 0 || len(menu.Options) > 25 {
		t.Fatalf("specialty menu = %+v, want a string select of 1-25 options", menu)
	}
	cur.componentWithPrefix(t, "dc/ans:specialty:") // any other specialty is typed
	update("specialty", h.choose(true, "dc/sel:specialty", rules.InternalMedicine, msg))

	button("intake:step1:passed")
	typed("step2ck", "245")
	button("intake:visa:" + rules.VisaNeeded)
	button("intake:can_travel:yes")
	button("intake:budget:low")
	typed("experience", "8-week IM externship in Chicago, 2025")
	if !strings.Contains(cur.text(), "hands-on externship, 8 weeks, internal medicine, ended 2025") {
		t.Fatalf("the experience was not read back:\n%s", cur.text())
	}
	button("intake:experience_confirm:yes")
	button("intake:experience_more:done")
	typed("us_letters", "2")
	if !strings.Contains(cur.text(), "profile is complete") || len(cur.flat()) != 0 {
		t.Fatalf("the last step: want the end of the intake and no components left, got %s\n%s", cur.ids(), cur.text())
	}

	p, s := h.profile()
	if s.Step != advisor.StepDone {
		t.Errorf("intake step = %q, want done", s.Step)
	}
	got := map[string]string{}
	for _, f := range advisor.Fields() {
		got[f] = advisor.FieldValue(p, f)
	}
	want := map[string]string{"stage": "graduate", "grad_year": "2019", "application_year": "2027",
		"specialty": "internal medicine", "step1": "passed", "step2ck": "245", "visa": "needs a visa",
		"can_travel": "yes", "budget": "low", "us_letters": "2"}
	for f, w := range want {
		if got[f] != w {
			t.Errorf("stored %s = %q, want %q", f, got[f], w)
		}
	}
	if len(p.Experiences) != 1 || p.Experiences[0].Kind != rules.KindExternship || p.Experiences[0].Weeks != 8 {
		t.Errorf("stored experiences = %+v, want one 8-week externship", p.Experiences)
	}
	for _, r := range h.f.all(func(r request) bool { return strings.HasPrefix(r.Path, "/api/v9/webhooks/") }) {
		t.Errorf("unexpected follow-up %s %s: every step fits the update", r.Method, r.Path)
	}
}

// TestStaleButton: a button of a question that has moved on gets "moved
// on", and nothing is stored.
func TestStaleButton(t *testing.T) {
	h := newHarness(t, options{})
	_, first := h.command(true, "intake", "")
	old := onResponse(first, ephemeral)
	h.press(true, "intake:stage:graduate", old)
	before, _ := h.profile()

	r := h.press(true, "intake:stage:student", old)
	if !strings.Contains(r.Data.text(), "moved on") {
		t.Errorf("stale press answered:\n%s\nwant \"moved on\"", r.Data.text())
	}
	if r.Type != int(discordgo.InteractionResponseUpdateMessage) {
		t.Errorf("stale press: response type %d, want 7", r.Type)
	}
	after, s := h.profile()
	if after.Stage != rules.StageGraduate || before.Stage != after.Stage || s.Step != rules.FieldGradYear {
		t.Errorf("after a stale press: stage %q, step %q; want graduate, grad_year", after.Stage, s.Step)
	}
	// A stale modal (its question moved on) is refused the same way.
	r = h.submit(true, "dc/mod:stage", "student", old)
	if after, _ := h.profile(); !strings.Contains(r.Data.text(), "moved on") || after.Stage != rules.StageGraduate {
		t.Errorf("stale modal: %q stored stage %q", r.Data.text(), after.Stage)
	}
}

// gate holds the handler until released: a handler slower than any
// deadline, without sleeping.
type gate chan struct{}

func (g gate) wrap(next bot.Handler) bot.Handler {
	return func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		select {
		case <-g:
		case <-ctx.Done():
		}
		return next(ctx, m)
	}
}

// TestSlowCommandIsDeferred: a handler slower than the deadline gets a
// deferred response (type 5, ephemeral for a personal command), then the
// answer as a follow-up.
func TestSlowCommandIsDeferred(t *testing.T) {
	g := make(gate)
	h := newHarness(t, options{cfg: discord.Config{DeferAfter: time.Nanosecond}, wrap: g.wrap})
	seen := h.f.subscribe()
	v, ic := h.commandPayload(true, "profile", "")
	done := make(chan struct{})
	go func() {
		h.b.HandleInteraction(h.s, ic)
		close(done)
	}()
	deferred := decodeResponse(t, await(t, seen, "deferred response", isCallback(v.ID)))
	if deferred.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) || deferred.Data.Flags != ephemeral {
		t.Fatalf("deferred response: type %d flags %d, want 5 with the ephemeral flag", deferred.Type, deferred.Data.Flags)
	}
	close(g)
	<-done
	follow := h.f.all(isWebhook(http.MethodPost, v.Token))
	if len(follow) != 1 {
		t.Fatalf("%d follow-ups, want 1", len(follow))
	}
	m := decodeMessage(t, follow[0])
	if !strings.Contains(m.text(), "Your profile") || m.Flags != ephemeral {
		t.Errorf("follow-up (flags %d):\n%s\nwant the profile, ephemeral", m.Flags, m.text())
	}
}

// stageButtons are the components of the intake's first question, as
// Discord sends them back in the message of a component interaction.
const stageButtons = `[{"type": 1, "id": 1, "components": [
	{"type": 2, "id": 2, "style": 1, "label": "Still in medical school", "custom_id": "intake:stage:student"},
	{"type": 2, "id": 3, "style": 1, "label": "Graduated", "custom_id": "intake:stage:graduate"}]}]`

// TestSlowButtonIsDeferredUpdate: a slow button press is acknowledged
// with a deferred update (type 6), then its message is edited.
func TestSlowButtonIsDeferredUpdate(t *testing.T) {
	g := make(gate)
	h := newHarness(t, options{cfg: discord.Config{DeferAfter: time.Nanosecond}, wrap: g.wrap})
	seen := h.f.subscribe()
	v, ic := h.componentPayload(true, discordgo.InteractionMessageComponent, buttonData("intake:stage:graduate"),
		on{components: json.RawMessage(stageButtons), flags: ephemeral})
	done := make(chan struct{})
	go func() {
		h.b.HandleInteraction(h.s, ic)
		close(done)
	}()
	deferred := decodeResponse(t, await(t, seen, "deferred update", isCallback(v.ID)))
	if deferred.Type != int(discordgo.InteractionResponseDeferredMessageUpdate) {
		t.Fatalf("deferred response type %d, want 6", deferred.Type)
	}
	close(g)
	<-done
	edits := h.f.all(isWebhook(http.MethodPatch, v.Token))
	if len(edits) != 1 || !strings.HasSuffix(edits[0].Path, "/messages/@original") {
		t.Fatalf("edits = %+v, want one PATCH of @original", edits)
	}
	// This user has no intake going: the press is stale, and says so.
	m := decodeMessage(t, edits[0])
	if !strings.Contains(m.text(), "moved on") || m.Components == nil || len(m.Components) != 0 {
		t.Errorf("edited message (components %s):\n%s\nwant \"moved on\" and the buttons removed", m.ids(), m.text())
	}
}

// TestDeferredPublicButPrivateReply: when a command deferred in public
// turns out to answer privately, the public response says so and the
// answer goes ephemerally.
func TestDeferredPublicButPrivateReply(t *testing.T) {
	g := make(gate)
	secret := func(next bot.Handler) bot.Handler {
		return g.wrap(func(ctx context.Context, m bot.Message) (bot.Reply, error) {
			return bot.Reply{Text: rich.Plain("something personal"), Private: true}, nil
		})
	}
	h := newHarness(t, options{cfg: discord.Config{DeferAfter: time.Nanosecond}, wrap: secret})
	seen := h.f.subscribe()
	v, ic := h.commandPayload(true, "topics", "")
	done := make(chan struct{})
	go func() {
		h.b.HandleInteraction(h.s, ic)
		close(done)
	}()
	deferred := decodeResponse(t, await(t, seen, "deferred response", isCallback(v.ID)))
	if deferred.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) || deferred.Data.Flags != 0 {
		t.Fatalf("deferred /topics: type %d flags %d, want a public 5", deferred.Type, deferred.Data.Flags)
	}
	close(g)
	<-done
	edits := h.f.all(isWebhook(http.MethodPatch, v.Token))
	posts := h.f.all(isWebhook(http.MethodPost, v.Token))
	if len(edits) != 1 || len(posts) != 1 {
		t.Fatalf("%d edits and %d follow-ups, want 1 and 1", len(edits), len(posts))
	}
	if m := decodeMessage(t, edits[0]); strings.Contains(m.text(), "personal") {
		t.Errorf("the public response shows the private answer: %q", m.text())
	}
	if m := decodeMessage(t, posts[0]); m.Flags != ephemeral || !strings.Contains(m.text(), "personal") {
		t.Errorf("follow-up flags %d text %q, want the answer, ephemeral", m.Flags, m.text())
	}
}

// longReply is a topic-shaped answer of about 5,000 characters.
func longReply() (bot.Reply, []string) {
	var words []string
	t := rich.Para(rich.B("A long answer"))
	for i := 0; len(strings.Join(words, " ")) < 5000; i++ {
		var para []string
		for j := 0; j < 40; j++ {
			w := []string{"externship", "observership", "letters", "*stars*", "under_score", "[link](x)", "@everyone"}[(i+j)%7]
			para = append(para, w)
		}
		words = append(words, para...)
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(strings.Join(para, " "))}})
	}
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Related: "), rich.S("One / Two")}},
		rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Sources: "), rich.S(`"Guide" (AAMC)`)}})
	return bot.Reply{Text: t}, words
}

// unescape undoes the renderer's escaping, for comparing words.
func unescape(s string) string {
	s = strings.ReplaceAll(s, "\u200b", "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestLongAnswerIsSplit(t *testing.T) {
	reply, words := longReply()
	h := newHarness(t, options{wrap: func(bot.Handler) bot.Handler {
		return func(context.Context, bot.Message) (bot.Reply, error) { return reply, nil }
	}})
	v, resp := h.command(true, "ask", `[{"name": "question", "type": 3, "value": "tell me everything"}]`)
	msgs := []sentMessage{resp.Data}
	for _, r := range h.f.all(isWebhook(http.MethodPost, v.Token)) {
		msgs = append(msgs, decodeMessage(t, r))
	}
	var got []string
	embeds := 0
	for i, m := range msgs {
		total := 0
		if len(m.Embeds) > 10 {
			t.Errorf("message %d has %d embeds, more than 10", i, len(m.Embeds))
		}
		for _, e := range m.Embeds {
			embeds++
			if n := len([]rune(e.Description)); n > 4096 {
				t.Errorf("embed description of %d characters, more than 4,096", n)
			}
			total += len([]rune(e.Title + e.Description))
			for _, f := range e.Fields {
				total += len([]rune(f.Name + f.Value))
			}
			if e.Footer != nil {
				total += len([]rune(e.Footer.Text))
			}
			got = append(got, strings.Fields(unescape(e.Description))...)
		}
		if total > 6000 || len([]rune(m.Content)) > 2000 {
			t.Errorf("message %d: %d characters of embeds, %d of content; limits 6,000 and 2,000", i, total, len([]rune(m.Content)))
		}
	}
	if embeds < 2 {
		t.Errorf("a 5,000-character answer in %d embed(s), want it split", embeds)
	}
	if !slices.Equal(got, words) {
		t.Errorf("the words of the split answer differ from the answer's (a word was cut or lost): got %d words, want %d", len(got), len(words))
	}
	first, last := msgs[0].Embeds[0], msgs[len(msgs)-1].Embeds[len(msgs[len(msgs)-1].Embeds)-1]
	if first.Title != "A long answer" || last.Footer == nil || len(last.Fields) != 1 {
		t.Errorf("title %q on the first embed, footer %+v and fields %+v on the last: want all three", first.Title, last.Footer, last.Fields)
	}
	if strings.Contains(resp.Data.raw(), "@everyone") {
		t.Error("@everyone was sent live")
	}
}

// /profile reaches the experiences too: the field choices "add experience"
// and "remove experience" add one from its description and remove one by
// number, privately.
func TestProfileExperiences(t *testing.T) {
	h := newHarness(t, options{})
	_, add := h.command(true, "profile", `[{"name": "field", "type": 3, "value": "add experience"}, {"name": "value", "type": 3, "value": "8-week IM externship in Chicago, 2025, hands-on"}]`)
	if got := add.Data.text(); !strings.Contains(got, "externship") || add.Data.Flags != ephemeral {
		t.Fatalf("/profile add experience answered (flags %d):\n%s", add.Data.Flags, got)
	}
	_, prof := h.command(true, "profile", "")
	if !strings.Contains(prof.Data.text(), "experience 1: hands-on externship") {
		t.Fatalf("/profile after adding an experience:\n%s", prof.Data.text())
	}
	_, rm := h.command(true, "profile", `[{"name": "field", "type": 3, "value": "remove experience"}, {"name": "value", "type": 3, "value": "1"}]`)
	if rm.Data.Flags != ephemeral || !strings.Contains(strings.ToLower(rm.Data.text()), "removed") {
		t.Fatalf("/profile remove experience 1 answered (flags %d):\n%s", rm.Data.Flags, rm.Data.text())
	}
}

func TestExportIsEphemeralFile(t *testing.T) {
	h := newHarness(t, options{})
	_, set := h.command(true, "profile", `[{"name": "field", "type": 3, "value": "visa"}, {"name": "value", "type": 3, "value": "yes"}]`)
	if !strings.Contains(set.Data.text(), "Saved: visa") || set.Data.Flags != ephemeral {
		t.Fatalf("/profile field:visa value:yes answered (flags %d):\n%s", set.Data.Flags, set.Data.text())
	}
	v, resp := h.command(true, "export", "")
	if resp.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || resp.Data.Flags != ephemeral {
		t.Fatalf("/export: type %d flags %d, want an ephemeral message", resp.Type, resp.Data.Flags)
	}
	req := h.f.all(isCallback(v.ID))[0]
	if !strings.HasPrefix(req.ContentType, "multipart/form-data") || len(req.Files) != 1 {
		t.Fatalf("/export sent %q with %d files, want multipart with one file", req.ContentType, len(req.Files))
	}
	f := req.Files[0]
	if f.Name != "uscebot-export.json" || f.ContentType != "application/json" || f.Field != "files[0]" || !json.Valid(f.Data) {
		t.Errorf("file %q (%s, field %s, valid JSON %v), want uscebot-export.json as JSON", f.Name, f.ContentType, f.Field, json.Valid(f.Data))
	}
	if !strings.Contains(string(f.Data), "needs_visa") {
		t.Errorf("the export lacks the stored profile:\n%s", f.Data)
	}
}

func TestForgetAsksForConfirmation(t *testing.T) {
	h := newHarness(t, options{})
	h.command(true, "intake", "") // something to delete

	_, resp := h.command(true, "forget", "")
	if resp.Data.Flags != ephemeral {
		t.Fatalf("/forget flags %d, want ephemeral", resp.Data.Flags)
	}
	no := resp.Data.component(t, "forget:no")
	yes := resp.Data.componentWithPrefix(t, "forget:yes:")
	if no.Type != int(discordgo.ButtonComponent) || yes.Type != int(discordgo.ButtonComponent) {
		t.Fatalf("confirmation components %+v %+v, want buttons", yes, no)
	}
	r := h.press(true, "forget:no", onResponse(resp, ephemeral))
	if r.Type != int(discordgo.InteractionResponseUpdateMessage) || !strings.Contains(r.Data.text(), "Nothing was deleted") || len(r.Data.flat()) != 0 {
		t.Errorf("No: type %d, %q, components %s; want the message updated, buttons gone", r.Type, r.Data.text(), r.Data.ids())
	}
	if _, s := h.profile(); s.Step == "" {
		t.Fatal("No deleted the profile")
	}
	r = h.press(true, yes.CustomID, onResponse(resp, ephemeral))
	if !strings.Contains(r.Data.text(), "everything I stored about you is deleted") || len(r.Data.flat()) != 0 {
		t.Errorf("Yes: %q, components %s", r.Data.text(), r.Data.ids())
	}
	if _, s := h.profile(); s.Step != "" {
		t.Errorf("after Yes the intake state is %+v, want nothing stored", s)
	}
}

// TestDMConversation: in a DM, plain messages are questions or intake
// answers, answered in the DM channel; nothing is ephemeral.
func TestDMConversation(t *testing.T) {
	h := newHarness(t, options{})
	msgs := h.dm("does telehealth count as usce?")
	if len(msgs) != 1 || len(msgs[0].Embeds) == 0 {
		t.Fatalf("DM question answered with %d messages", len(msgs))
	}
	if want := h.kb.Ask("does telehealth count as usce?").Topic.Title; msgs[0].Embeds[0].Title != want {
		t.Errorf("DM answer title %q, want %q", msgs[0].Embeds[0].Title, want)
	}
	if am := msgs[0].AllowedMentions; am == nil || len(am.Parse) != 0 {
		t.Errorf("DM allowed_mentions = %+v, want none", am)
	}

	_, resp := h.command(false, "intake", "")
	if resp.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || resp.Data.Flags != 0 {
		t.Fatalf("/intake in a DM: type %d flags %d, want a plain message", resp.Type, resp.Data.Flags)
	}
	resp.Data.component(t, "intake:stage:graduate")

	msgs = h.dm("graduated")
	if len(msgs) != 1 || !strings.Contains(msgs[0].text(), "What year did you graduate?") {
		t.Fatalf("typed answer in a DM: %d messages\n%s", len(msgs), msgs[0].text())
	}
	for _, c := range msgs[0].flat() {
		if strings.HasPrefix(c.CustomID, "dc/ans:") {
			t.Errorf("a DM offers a modal (%s): answers are typed there", c.CustomID)
		}
	}
	msgs[0].component(t, "intake:grad_year:back")
	h.dm("2019")
	if p, s := h.profile(); p.Stage != rules.StageGraduate || p.GradYear == nil || *p.GradYear != 2019 || s.Step != rules.FieldApplicationYear {
		t.Errorf("after the DM answers: stage %q, grad year %v, step %q", p.Stage, p.GradYear, s.Step)
	}

	// A button pressed in the DM updates its message, without flags.
	r := h.press(false, "intake:application_year:back", on{components: msgs[0].rawComponents})
	if r.Type != int(discordgo.InteractionResponseUpdateMessage) || !strings.Contains(r.Data.text(), "back one step") {
		t.Errorf("Back in a DM: type %d\n%s", r.Type, r.Data.text())
	}
}

// A question close to two topics is asked back with a button per topic,
// and a press answers that topic.
func TestClarifyButtons(t *testing.T) {
	h := newHarness(t, options{})
	q, topics := advisortest.ClarifyingQuestion(t, h.kb)
	msgs := h.dm(q)
	if len(msgs) != 1 || !strings.Contains(msgs[0].text(), "Do you mean: ") {
		t.Fatalf("reply to %q: %d messages\n%v", q, len(msgs), msgs)
	}
	var pick sentComponent
	for _, tp := range topics {
		found := false
		for _, c := range msgs[0].flat() {
			if c.Label == tp.Title {
				found, pick = true, c
			}
		}
		if !found {
			t.Fatalf("no button %q among %s", tp.Title, msgs[0].ids())
		}
	}
	r := h.press(false, pick.CustomID, on{components: msgs[0].rawComponents})
	if got := r.Data.text(); !strings.Contains(got, topics[len(topics)-1].Title) || !strings.Contains(got, "Sources") {
		t.Errorf("pressing %q answered:\n%s", pick.Label, got)
	}
}

func TestIgnoresBotsAndServerMessages(t *testing.T) {
	h := newHarness(t, options{})
	before := len(h.f.all(nil))
	for _, v := range []vars{
		{UserID: botID, ChannelID: dmChannelID, Content: "my own message"},
		{UserID: "1400000000000000077", ChannelID: dmChannelID, Content: "hello", Bot: true},
		{UserID: userID, ChannelID: channelID, GuildID: guildID, Content: "does telehealth count?"},
	} {
		v.ID, _ = h.next()
		var mc discordgo.MessageCreate
		if err := json.Unmarshal(payload(t, "message_create_dm.json", v), &mc); err != nil {
			t.Fatal(err)
		}
		h.b.HandleMessage(h.s, &mc)
	}
	if n := len(h.f.all(nil)) - before; n != 0 {
		t.Errorf("%d requests in answer to bots and server messages, want none", n)
	}
}

// TestInteractionsLeaveNoBuckets: responses, edits and follow-ups must not
// leave rate-limit buckets in the session, whose keys would hold the
// interactions' tokens for the life of the process (see rest.go).
func TestInteractionsLeaveNoBuckets(t *testing.T) {
	g := make(gate)
	h := newHarness(t, options{cfg: discord.Config{DeferAfter: time.Nanosecond}, wrap: g.wrap})
	seen := h.f.subscribe()
	cmd, cmdIC := h.commandPayload(true, "profile", "")
	btn, btnIC := h.componentPayload(true, discordgo.InteractionMessageComponent, buttonData("intake:stage:graduate"),
		on{components: json.RawMessage(stageButtons), flags: ephemeral})
	var done sync.WaitGroup
	done.Go(func() { h.b.HandleInteraction(h.s, cmdIC) })
	await(t, seen, "deferred response", isCallback(cmd.ID))
	done.Go(func() { h.b.HandleInteraction(h.s, btnIC) })
	await(t, seen, "deferred update", isCallback(btn.ID))
	close(g)
	done.Wait()
	if n := len(h.f.all(isWebhook(http.MethodPost, cmd.Token))); n == 0 {
		t.Fatal("the deferred command sent no follow-up")
	}
	if n := len(h.f.all(isWebhook(http.MethodPatch, btn.Token))); n == 0 {
		t.Fatal("the deferred button press edited nothing")
	}

	h.s.Ratelimiter.Lock()
	defer h.s.Ratelimiter.Unlock()
	for _, k := range reflect.ValueOf(h.s.Ratelimiter).Elem().FieldByName("buckets").MapKeys() {
		if key := k.String(); strings.Contains(key, cmd.Token) || strings.Contains(key, btn.Token) || strings.Contains(key, "/webhooks/") {
			t.Errorf("the session kept the rate-limit bucket %q", key)
		}
	}
}

// TestRateLimitedResponseIsRetried: a 429 on an interaction's response,
// as Discord sends it, is waited out and the response sent again.
func TestRateLimitedResponseIsRetried(t *testing.T) {
	h := newHarness(t, options{})
	h.f.rateLimit("/api/v9/interactions/", 1)
	v, ic := h.commandPayload(true, "ask", `[{"name": "question", "type": 3, "value": "does telehealth count as usce?"}]`)
	h.b.HandleInteraction(h.s, ic)
	sent := h.f.all(isCallback(v.ID))
	if len(sent) != 2 {
		t.Fatalf("%d responses sent, want 2: the limited one and its retry", len(sent))
	}
	if resp := decodeResponse(t, sent[1]); len(resp.Data.Embeds) == 0 {
		t.Errorf("/ask retried after a 429: response %+v, want the answer", resp)
	}
}

// A token carrying a stray character, wherever it is, is trimmed or
// refused, and never shows in an error or a log line.
func TestTokenWithControlCharacters(t *testing.T) {
	f := newFake(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	chars := []rune{0x7f, 0x85, 0xa0, 0x2028, 0x2029, 0x3000, 0xfeff}
	for r := rune(0); r < 0x20; r++ {
		chars = append(chars, r)
	}
	secret := goodToken[strings.LastIndexByte(goodToken, '.')+1:]
	for _, c := range chars {
		for _, tok := range []string{goodToken + string(c), string(c) + goodToken, "Bot " + goodToken[:20] + string(c) + goodToken[20:]} {
			_, err := discord.New(context.Background(), discord.Config{Token: tok, HTTPClient: f.client(), Logger: log},
				func(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, nil }, nil)
			if err == nil {
				if strings.TrimSpace(tok) != goodToken {
					t.Errorf("New accepted the token %q", tok)
				}
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, "USCEBOT_DISCORD_TOKEN") || strings.Contains(msg, "\n") {
				t.Errorf("token %q: error %q, want one line naming USCEBOT_DISCORD_TOKEN", tok, msg)
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, goodToken[:20]) {
				t.Errorf("token %q: error %q shows the token", tok, msg)
			}
		}
	}
	if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), goodToken[:20]) {
		t.Errorf("the logs show the token:\n%s", logs.String())
	}
	for _, r := range f.all(func(request) bool { return true }) {
		if r.Auth != "" && r.Auth != "Bot "+goodToken {
			t.Errorf("a request went out with the header %q", r.Auth)
		}
	}
}

// skipping is a handler as flood control makes it for a user far over
// the limit: every message skipped, the first with the notice.
func skipping(bot.Handler) bot.Handler {
	return func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		return bot.Reply{}, &bot.DroppedError{Notify: m.Text == "/export"}
	}
}

// A skipped interaction is answered with the notice, ephemerally, as a
// message of its own: never "Done.", never in place of the question
// whose button was pressed.
func TestSkippedInteractionsAnswered(t *testing.T) {
	h := newHarness(t, options{wrap: skipping})
	for _, export := range []sentResponse{mustCommand(h, true, "export"), mustCommand(h, false, "export"), mustCommand(h, true, "ask")} {
		if export.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || export.Data.Content != bot.FloodNotice || export.Data.Flags != ephemeral {
			t.Errorf("skipped command answered with type %d flags %d %q; want the notice, ephemeral", export.Type, export.Data.Flags, export.Data.Content)
		}
	}
	for _, guild := range []bool{true, false} {
		r := h.press(guild, "intake:stage:graduate", on{components: json.RawMessage(stageButtons), flags: ephemeral})
		if r.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || r.Data.Content != bot.FloodNotice || r.Data.Flags != ephemeral {
			t.Errorf("skipped press (guild %v) answered with type %d flags %d %q; want a new ephemeral notice, the question left as it was", guild, r.Type, r.Data.Flags, r.Data.Content)
		}
	}
	if msgs := h.dm("does telehealth count"); len(msgs) != 0 {
		t.Errorf("a skipped direct message after the first got %d replies, want none", len(msgs))
	}
	if msgs := h.dm("/export"); len(msgs) != 1 || msgs[0].Content != bot.FloodNotice {
		t.Errorf("the first skipped direct message got %+v, want the notice", msgs)
	}
}

func mustCommand(h *harness, guild bool, name string) sentResponse {
	h.t.Helper()
	_, r := h.command(guild, name, "")
	return r
}

// Deferred, a skipped command's "thinking" message becomes the notice and
// a skipped press gets the notice as a follow-up, its message untouched.
func TestSkippedDeferredInteractions(t *testing.T) {
	g := make(gate)
	h := newHarness(t, options{cfg: discord.Config{DeferAfter: time.Nanosecond}, wrap: func(next bot.Handler) bot.Handler { return g.wrap(skipping(next)) }})
	seen := h.f.subscribe()
	v, ic := h.commandPayload(true, "export", "")
	v2, ic2 := h.componentPayload(true, discordgo.InteractionMessageComponent, buttonData("intake:stage:graduate"),
		on{components: json.RawMessage(stageButtons), flags: ephemeral})
	var wg sync.WaitGroup
	wg.Go(func() { h.b.HandleInteraction(h.s, ic) })
	await(t, seen, "deferred response", isCallback(v.ID))
	wg.Go(func() { h.b.HandleInteraction(h.s, ic2) })
	await(t, seen, "deferred update", isCallback(v2.ID))
	close(g)
	wg.Wait()
	edits := h.f.all(isWebhook(http.MethodPatch, v.Token))
	if len(edits) != 1 || decodeMessage(t, edits[0]).Content != bot.FloodNotice {
		t.Errorf("deferred skipped command: edits %+v, want the notice", edits)
	}
	if n := len(h.f.all(isWebhook(http.MethodPatch, v2.Token))); n != 0 {
		t.Errorf("deferred skipped press: its message was edited %d times, want untouched", n)
	}
	follow := h.f.all(isWebhook(http.MethodPost, v2.Token))
	if len(follow) != 1 {
		t.Fatalf("deferred skipped press: %d follow-ups, want 1", len(follow))
	}
	if m := decodeMessage(t, follow[0]); m.Content != bot.FloodNotice || m.Flags != ephemeral {
		t.Errorf("deferred skipped press: follow-up %q flags %d, want the notice, ephemeral", m.Content, m.Flags)
	}
}

// A deferred answer whose follow-up meets Discord's 429 is sent again
// once the wait is over.
func TestDeferredFollowUpRateLimited(t *testing.T) {
	g := make(gate)
	h := newHarness(t, options{cfg: discord.Config{DeferAfter: time.Nanosecond}, wrap: g.wrap})
	seen := h.f.subscribe()
	v, ic := h.commandPayload(true, "topics", "")
	h.f.rateLimit("/api/v9/webhooks/", 1)
	done := make(chan struct{})
	go func() {
		h.b.HandleInteraction(h.s, ic)
		close(done)
	}()
	deferred := decodeResponse(t, await(t, seen, "deferred response", isCallback(v.ID)))
	if deferred.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		t.Fatalf("deferred response type %d, want 5", deferred.Type)
	}
	close(g)
	<-done
	follow := h.f.all(isWebhook(http.MethodPost, v.Token))
	if len(follow) != 2 {
		t.Fatalf("%d follow-ups sent, want 2: the limited one and its retry", len(follow))
	}
	if m := decodeMessage(t, follow[1]); !strings.Contains(m.text(), "I can answer") {
		t.Errorf("follow-up after the 429:\n%s\nwant the topics", m.text())
	}
}

// A press the handler failed on is not shown as answered either: the
// apology comes as a message of its own, the question left as it was.
func TestFailedPressLeavesTheQuestion(t *testing.T) {
	failing := func(bot.Handler) bot.Handler {
		return func(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, errors.New("store is gone") }
	}
	h := newHarness(t, options{wrap: failing})
	r := h.press(false, "intake:stage:graduate", on{components: json.RawMessage(stageButtons)})
	if r.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || r.Data.Flags != ephemeral ||
		r.Data.Content != bot.ErrorMessage(errors.New("x")) {
		t.Errorf("failed press answered with type %d flags %d %q; want the apology as a new ephemeral message", r.Type, r.Data.Flags, r.Data.Content)
	}
}
