package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
	"github.com/uscebot/uscebot/store"
)

// now is the router's clock in every test.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is a Bot over a real router and store, talking to a fake
// Discord through a real discordgo session.
type harness struct {
	t      *testing.T
	f      *fakeDiscord
	b      *discord.Bot
	s      *discordgo.Session
	db     *store.DB
	kb     *advisor.KB
	router *bot.Router
	seq    int
}

type options struct {
	cfg  discord.Config
	wrap func(bot.Handler) bot.Handler // around the router's handler
}

func newHarness(t *testing.T, opts options) *harness {
	t.Helper()
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "discord.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	router := bot.NewRouter(kb, db, func() time.Time { return now })
	h := router.Handler(discardLog())
	if opts.wrap != nil {
		h = opts.wrap(h)
	}
	f := newFake(t)
	cfg := opts.cfg
	if cfg.Token == "" {
		cfg.Token = goodToken
	}
	cfg.HTTPClient = f.client()
	if cfg.Logger == nil {
		cfg.Logger = discardLog()
	}
	if cfg.DeferAfter == 0 {
		// Fast-path tests never defer, however slow the machine.
		cfg.DeferAfter = time.Hour
	}
	if cfg.Topics == nil {
		for _, tp := range kb.Topics() {
			cfg.Topics = append(cfg.Topics, tp.Title)
		}
	}
	b, err := discord.New(context.Background(), cfg, h, router.Commands())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &harness{t: t, f: f, b: b, s: f.session(), db: db, kb: kb, router: router}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// logTap is a slog.Handler passing each record's message to a channel.
type logTap chan string

func (c logTap) Enabled(context.Context, slog.Level) bool { return true }
func (c logTap) Handle(_ context.Context, r slog.Record) error {
	select {
	case c <- r.Message:
	default:
	}
	return nil
}
func (c logTap) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c logTap) WithGroup(string) slog.Handler      { return c }

// next returns a fresh interaction id and token.
func (h *harness) next() (id, token string) {
	h.seq++
	return fmt.Sprintf("15000000000000%05d", h.seq), fmt.Sprintf("aW50ZXJhY3Rpb246MTUwMDAw-%d-dG9rZW4", h.seq)
}

// vars fill the testdata templates.
type vars struct {
	ID, Token, AppID, BotID, GuildID, ChannelID, UserID string
	Type                                                int
	Name, Options                                       string // commands
	Data, Components, MessageID                         string // components and modals
	Flags                                               int
	Content                                             string // messages
	Bot                                                 bool
}

func (h *harness) vars(guild bool) vars {
	v := vars{AppID: appID, BotID: botID, ChannelID: channelID, UserID: userID, Options: "[]", Components: "[]", MessageID: "1360000000000000001"}
	if guild {
		v.GuildID = guildID
	} else {
		v.ChannelID = dmChannelID
	}
	v.ID, v.Token = h.next()
	return v
}

func interaction(t testing.TB, raw []byte) *discordgo.InteractionCreate {
	t.Helper()
	var ic discordgo.InteractionCreate
	if err := json.Unmarshal(raw, &ic); err != nil {
		t.Fatalf("unmarshal interaction: %v\n%s", err, raw)
	}
	return &ic
}

// commandPayload is a slash command interaction as Discord sends it.
func (h *harness) commandPayload(guild bool, name, options string) (vars, *discordgo.InteractionCreate) {
	v := h.vars(guild)
	v.Type, v.Name = int(discordgo.InteractionApplicationCommand), name
	if options != "" {
		v.Options = options
	}
	file := "command_dm.json"
	if guild {
		file = "command_guild.json"
	}
	return v, interaction(h.t, payload(h.t, file, v))
}

// command runs a slash command and returns the interaction response.
func (h *harness) command(guild bool, name, options string) (vars, sentResponse) {
	h.t.Helper()
	v, ic := h.commandPayload(guild, name, options)
	h.b.HandleInteraction(h.s, ic)
	return v, h.callback(v.ID)
}

// callback returns the response sent to interaction id.
func (h *harness) callback(id string) sentResponse {
	h.t.Helper()
	reqs := h.f.all(isCallback(id))
	if len(reqs) != 1 {
		h.t.Fatalf("interaction %s got %d responses, want 1", id, len(reqs))
	}
	return decodeResponse(h.t, reqs[0])
}

// on is the message a component is used on: the last response's
// components, with its flags.
type on struct {
	components json.RawMessage
	flags      int
}

func onResponse(r sentResponse, flags int) on {
	return on{components: r.Data.rawComponents, flags: flags}
}

// componentPayload is a component or modal interaction on message m.
func (h *harness) componentPayload(guild bool, typ discordgo.InteractionType, data string, m on) (vars, *discordgo.InteractionCreate) {
	v := h.vars(guild)
	v.Type, v.Data, v.Flags = int(typ), data, m.flags
	if len(m.components) > 0 && string(m.components) != "null" {
		v.Components = string(m.components)
	}
	return v, interaction(h.t, payload(h.t, "component.json", v))
}

func buttonData(customID string) string {
	return fmt.Sprintf(`{"component_type": 2, "custom_id": %q, "id": 3}`, customID)
}

func selectData(customID, value string) string {
	return fmt.Sprintf(`{"component_type": 3, "custom_id": %q, "id": 5, "values": [%q]}`, customID, value)
}

func modalData(customID, value string) string {
	return fmt.Sprintf(`{"custom_id": %q, "components": [{"type": 1, "id": 1, "components": [{"type": 4, "id": 2, "custom_id": "answer", "value": %q}]}]}`, customID, value)
}

// press presses a button on m and returns the response.
func (h *harness) press(guild bool, customID string, m on) sentResponse {
	h.t.Helper()
	v, ic := h.componentPayload(guild, discordgo.InteractionMessageComponent, buttonData(customID), m)
	h.b.HandleInteraction(h.s, ic)
	return h.callback(v.ID)
}

func (h *harness) choose(guild bool, customID, value string, m on) sentResponse {
	h.t.Helper()
	v, ic := h.componentPayload(guild, discordgo.InteractionMessageComponent, selectData(customID, value), m)
	h.b.HandleInteraction(h.s, ic)
	return h.callback(v.ID)
}

func (h *harness) submit(guild bool, customID, value string, m on) sentResponse {
	h.t.Helper()
	v, ic := h.componentPayload(guild, discordgo.InteractionModalSubmit, modalData(customID, value), m)
	h.b.HandleInteraction(h.s, ic)
	return h.callback(v.ID)
}

// dm sends a direct message and returns the messages posted in reply.
func (h *harness) dm(text string) []sentMessage {
	h.t.Helper()
	before := len(h.f.all(nil))
	v := h.vars(false)
	v.Content = text
	var mc discordgo.MessageCreate
	if err := json.Unmarshal(payload(h.t, "message_create_dm.json", v), &mc); err != nil {
		h.t.Fatal(err)
	}
	h.b.HandleMessage(h.s, &mc)
	var out []sentMessage
	for _, r := range h.f.all(nil)[before:] {
		if r.Method != "POST" || r.Path != "/api/v9/channels/"+dmChannelID+"/messages" {
			h.t.Fatalf("a DM was answered with %s %s", r.Method, r.Path)
		}
		out = append(out, decodeMessage(h.t, r))
	}
	return out
}

// profile loads the test user's stored profile and intake state.
func (h *harness) profile() (rules.Profile, advisor.IntakeState) {
	h.t.Helper()
	p, s, err := h.db.LoadProfile(context.Background(), advisor.UserKey{Platform: discord.Platform, ID: userID})
	if err != nil {
		h.t.Fatal(err)
	}
	return p, s
}
