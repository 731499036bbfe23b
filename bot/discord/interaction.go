package discord

import (
	"errors"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
)

// privateNotice replaces a public deferred response whose answer turned
// out to be personal: the answer itself goes to the user alone.
const privateNotice = "I've sent you the answer privately."

// outcome is what the handler returned.
type outcome struct {
	reply bot.Reply
	err   error
}

// job is an interaction turned into a message, and how to answer it.
type job struct {
	i     *discordgo.Interaction
	m     bot.Message
	start time.Time
	kind  string // for logs: "command:ask", "component", "modal"
	guild bool
	// update: the answer replaces the message whose button, menu or modal
	// was used (an ephemeral message, or any message in a DM).
	update bool
	// private: ephemeral whatever the reply says (/ask private:true).
	private bool
	// deferPrivate is the ephemeral flag of a deferred response, chosen
	// before the answer exists.
	deferPrivate bool
}

// HandleInteraction answers one interaction: a slash command, an
// autocomplete request, a button press, a menu choice or a modal
// submission. It returns once the answer has been sent.
func (b *Bot) HandleInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil {
		return
	}
	if run := b.startInteraction(s, ic.Interaction); run != nil {
		run()
	}
}

// HandleMessage answers one direct message. It returns once the answer
// has been sent; messages in servers and from bots are ignored.
func (b *Bot) HandleMessage(s *discordgo.Session, mc *discordgo.MessageCreate) {
	if run := b.startMessage(mc); run != nil {
		run(s)
	}
}

// onInteraction is the gateway's handler: it queues the message in
// gateway order (events are synchronous) and answers on its own goroutine.
func (b *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil {
		return
	}
	if run := b.startInteraction(s, ic.Interaction); run != nil {
		go run()
	}
}

func (b *Bot) onMessage(s *discordgo.Session, mc *discordgo.MessageCreate) {
	if run := b.startMessage(mc); run != nil {
		go run(s)
	}
}

// startInteraction translates an interaction and queues it for the
// handler; the function it returns answers it (all network I/O is there).
// nil means there is nothing to do.
func (b *Bot) startInteraction(s *discordgo.Session, i *discordgo.Interaction) func() {
	if i == nil {
		return nil
	}
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User // in a server
	}
	if user == nil || user.ID == "" || !b.track.begin() {
		return nil
	}
	j := job{i: i, start: time.Now(), guild: i.GuildID != ""}
	j.m = bot.Message{Platform: Platform, UserID: user.ID, ChatID: i.ChannelID, Chat: bot.Direct}
	if j.guild {
		j.m.Chat = bot.Group
	}
	var now func() // an answer that needs no handler

	// The *Data() accessors panic on the wrong type: switch on it first.
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		d := i.ApplicationCommandData()
		j.kind = "command:" + d.Name
		j.m.Text, j.private = commandText(d)
		j.m.Private = j.private // answered ephemerally: a personal note may go in
		j.deferPrivate = j.guild && (j.private || !b.public[d.Name])
	case discordgo.InteractionApplicationCommandAutocomplete:
		now = func() { b.autocomplete(s, i) }
	case discordgo.InteractionMessageComponent:
		d := i.MessageComponentData()
		j.kind = "component"
		switch id := d.CustomID; {
		case strings.HasPrefix(id, idAnswer):
			step, question := parseAnswerID(id)
			now = func() { b.respond(s, i, "modal", modal(step, question)) }
		case strings.HasPrefix(id, idSelect):
			j.m.Choice = bot.AnswerChoice(strings.TrimPrefix(id, idSelect), first(d.Values))
		case id == idPick:
			j.m.Choice = first(d.Values)
		default:
			j.m.Choice = id
		}
		j.setUpdate()
	case discordgo.InteractionModalSubmit:
		d := i.ModalSubmitData()
		j.kind = "modal"
		step, ok := strings.CutPrefix(d.CustomID, idModal)
		if !ok {
			step = "" // not ours: the router calls it stale
		}
		j.m.Choice = bot.AnswerChoice(step, modalValue(d))
		j.setUpdate()
	default:
		b.track.done()
		return nil
	}
	if now != nil {
		return func() {
			defer b.track.done()
			now()
		}
	}
	res := make(chan outcome, 1)
	b.disp.Dispatch(b.ctx, j.m, func(r bot.Reply, err error) { res <- outcome{r, err} })
	return func() {
		defer b.track.done()
		b.answer(s, j, res)
	}
}

// setUpdate decides how a component or modal is answered: by updating its
// message when that message is the user's alone (ephemeral, or in a DM),
// else by a new message, ephemeral in a server.
func (j *job) setUpdate() {
	msg := j.i.Message
	j.update = msg != nil && (!j.guild || msg.Flags&discordgo.MessageFlagsEphemeral != 0)
	j.deferPrivate = j.guild
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// answer waits for the handler: when it finishes within the deadline the
// answer is the response itself; else the interaction is deferred and the
// answer follows.
func (b *Bot) answer(s *discordgo.Session, j job, res <-chan outcome) {
	timer := time.NewTimer(max(b.deferAfter-time.Since(j.start), 0))
	defer timer.Stop()
	select {
	case o := <-res:
		if o.err != nil {
			b.respond(s, j.i, j.kind, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource, Data: notDone(b.failure(j, o.err))})
			return
		}
		if o.reply.Failed {
			b.respond(s, j.i, j.kind, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource, Data: notDone(o.reply.Text.String())})
			return
		}
		b.reply(s, j, o.reply)
		return
	case <-timer.C:
	case <-b.ctx.Done():
		return
	}
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if j.update {
		resp.Type = discordgo.InteractionResponseDeferredMessageUpdate
	} else if j.deferPrivate {
		resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	if !b.respond(s, j.i, j.kind, resp) {
		return
	}
	b.log.Debug("discord: interaction deferred", "kind", j.kind, "user", bot.HashID(j.m.UserID))
	select {
	case o := <-res:
		if o.err != nil {
			b.followUpNotDone(s, j, b.failure(j, o.err))
			return
		}
		if o.reply.Failed {
			b.followUpNotDone(s, j, o.reply.Text.String())
			return
		}
		b.followUp(s, j, o.reply)
	case <-b.ctx.Done():
	}
}

// failure says why the handler did not handle a message: flood control
// skipped it, or (a bug of the caller's wiring: the router's middleware
// turns errors into replies) it failed.
func (b *Bot) failure(j job, err error) string {
	if _, ok := errors.AsType[*bot.DroppedError](err); ok {
		return bot.FloodNotice
	}
	b.log.Error("discord: handler error", "kind", j.kind, "user", bot.HashID(j.m.UserID), "error", err)
	return bot.ErrorMessage(err)
}

// notDone is the answer to an interaction the handler did not handle: a
// message of its own, seen by the user alone. It never replaces the
// message whose button was pressed (that question was not answered), and
// is never a "Done.".
func notDone(text string) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{Content: text, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()}
}

// followUpNotDone is notDone for a deferred interaction: a deferred
// update has left its message as it was, so the text follows as a new
// message; a deferred reply's "thinking" message becomes the text.
func (b *Bot) followUpNotDone(s *discordgo.Session, j job, text string) {
	d := notDone(text)
	opt := discordgo.WithContext(b.ctx)
	if j.update {
		p := &discordgo.WebhookParams{Content: d.Content, Flags: d.Flags, AllowedMentions: d.AllowedMentions}
		if err := createFollowup(s, j.i, p, opt); err != nil {
			b.restFailed(j, "send a follow-up", err)
		}
		return
	}
	if err := editResponse(s, j.i, &discordgo.WebhookEdit{Content: &d.Content, AllowedMentions: d.AllowedMentions}, opt); err != nil {
		b.restFailed(j, "edit the response", err)
	}
}

func (b *Bot) replyOf(j job, o outcome) bot.Reply {
	if o.err != nil {
		// The router's middleware turns errors into replies; one getting
		// here is a bug of the caller's wiring.
		b.log.Error("discord: handler error", "kind", j.kind, "user", bot.HashID(j.m.UserID), "error", o.err)
		return bot.Reply{Text: rich.Plain(bot.ErrorMessage(o.err))}
	}
	return o.reply
}

// reply answers an interaction in time with the reply itself.
func (b *Bot) reply(s *discordgo.Session, j job, r bot.Reply) {
	msgs := render(r, j.guild)
	if len(msgs) == 0 {
		if j.i.Type == discordgo.InteractionApplicationCommand || j.i.Message == nil {
			b.respond(s, j.i, j.kind, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "Done.", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
			})
			return
		}
		b.respond(s, j.i, j.kind, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
		return
	}
	flags := j.flags(r)
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: responseData(msgs[0], flags)}
	if j.update {
		// The message keeps its ephemeral state; its components are
		// replaced (an empty list removes the old buttons).
		resp.Type = discordgo.InteractionResponseUpdateMessage
		resp.Data.Flags = 0
	}
	if !b.respond(s, j.i, j.kind, resp) {
		return
	}
	for _, m := range msgs[1:] {
		if !b.followUpMessage(s, j, m, flags) {
			return
		}
	}
}

// followUp sends the answer of a deferred interaction.
func (b *Bot) followUp(s *discordgo.Session, j job, r bot.Reply) {
	msgs := render(r, j.guild)
	opt := discordgo.WithContext(b.ctx)
	if j.update {
		if len(msgs) == 0 {
			return // a deferred update with nothing to change is complete
		}
		if err := editResponse(s, j.i, webhookEdit(msgs[0]), opt); err != nil {
			b.restFailed(j, "edit the message", err)
			return
		}
		for _, m := range msgs[1:] {
			if !b.followUpMessage(s, j, m, j.flags(r)) {
				return
			}
		}
		return
	}
	if len(msgs) == 0 {
		done := "Done."
		if err := editResponse(s, j.i, &discordgo.WebhookEdit{Content: &done, AllowedMentions: noMentions()}, opt); err != nil {
			b.restFailed(j, "edit the response", err)
		}
		return
	}
	flags := discordgo.MessageFlags(0)
	if j.deferPrivate {
		flags = discordgo.MessageFlagsEphemeral
	}
	if j.guild && !j.deferPrivate && (r.Private || j.private) {
		// The deferred response is public and cannot become ephemeral:
		// it says where the answer went, and the answer goes privately.
		notice := privateNotice
		if err := editResponse(s, j.i, &discordgo.WebhookEdit{Content: &notice, AllowedMentions: noMentions()}, opt); err != nil {
			b.restFailed(j, "edit the response", err)
			return
		}
		flags = discordgo.MessageFlagsEphemeral
	}
	// After a deferred response the first follow-up replaces its
	// "thinking" message (keeping its ephemeral state); the rest are new.
	for _, m := range msgs {
		if !b.followUpMessage(s, j, m, flags) {
			return
		}
	}
}

// flags returns the flags of new messages answering j.
func (j job) flags(r bot.Reply) discordgo.MessageFlags {
	if j.guild && (r.Private || j.private || j.update) {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

func (b *Bot) followUpMessage(s *discordgo.Session, j job, m outMessage, flags discordgo.MessageFlags) bool {
	p := &discordgo.WebhookParams{
		Embeds:          m.embeds,
		Components:      nonNil(m.components),
		Files:           m.files,
		AllowedMentions: noMentions(),
		Flags:           flags,
	}
	if err := createFollowup(s, j.i, p, discordgo.WithContext(b.ctx)); err != nil {
		b.restFailed(j, "send a follow-up", err)
		return false
	}
	return true
}

// respond sends the interaction response, logging a failure.
func (b *Bot) respond(s *discordgo.Session, i *discordgo.Interaction, kind string, resp *discordgo.InteractionResponse) bool {
	if err := respondInteraction(s, i, resp, discordgo.WithContext(b.ctx)); err != nil {
		b.log.Warn("discord: interaction response failed", "kind", kind, "type", int(resp.Type), "error", describe(err))
		return false
	}
	return true
}

func (b *Bot) restFailed(j job, what string, err error) {
	b.log.Warn("discord: could not "+what, "kind", j.kind, "user", bot.HashID(j.m.UserID), "error", describe(err))
}

// autocomplete answers an autocomplete request with matching topic titles.
func (b *Bot) autocomplete(s *discordgo.Session, i *discordgo.Interaction) {
	d := i.ApplicationCommandData()
	var choices []*discordgo.ApplicationCommandOptionChoice
	if name, typed := focused(d.Options); d.Name == "ask" && name == optQuestion {
		var ranked []string
		if b.rank != nil && strings.TrimSpace(typed) != "" {
			ranked = b.rank(typed)
		}
		choices = suggest(b.topics, ranked, typed)
	}
	b.respond(s, i, "autocomplete", &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
}

// startMessage queues a direct message for the handler; the function it
// returns sends the answer to the DM channel.
func (b *Bot) startMessage(mc *discordgo.MessageCreate) func(*discordgo.Session) {
	if mc == nil || mc.Message == nil || mc.Author == nil || mc.Author.Bot || mc.Author.System ||
		mc.Author.ID == b.botID || mc.GuildID != "" ||
		(mc.Type != discordgo.MessageTypeDefault && mc.Type != discordgo.MessageTypeReply) {
		return nil
	}
	if !b.track.begin() {
		return nil
	}
	m := bot.Message{Platform: Platform, UserID: mc.Author.ID, ChatID: mc.ChannelID, Chat: bot.Direct, Text: mc.Content}
	res := make(chan outcome, 1)
	b.disp.Dispatch(b.ctx, m, func(r bot.Reply, err error) { res <- outcome{r, err} })
	j := job{m: m, kind: "dm"}
	return func(s *discordgo.Session) {
		defer b.track.done()
		var o outcome
		select {
		case o = <-res:
		case <-b.ctx.Done():
			return
		}
		if de, ok := errors.AsType[*bot.DroppedError](o.err); ok {
			if de.Notify {
				send := &discordgo.MessageSend{Content: bot.FloodNotice, AllowedMentions: noMentions()}
				if _, err := s.ChannelMessageSendComplex(mc.ChannelID, send, discordgo.WithContext(b.ctx)); err != nil {
					b.restFailed(j, "send a direct message", err)
				}
			}
			return
		}
		for _, msg := range render(b.replyOf(j, o), false) {
			send := &discordgo.MessageSend{
				Embeds:          msg.embeds,
				Components:      nonNil(msg.components),
				Files:           msg.files,
				AllowedMentions: noMentions(),
			}
			if _, err := s.ChannelMessageSendComplex(mc.ChannelID, send, discordgo.WithContext(b.ctx)); err != nil {
				b.restFailed(j, "send a direct message", err)
				return
			}
		}
	}
}

// responseData is an interaction response carrying one message.
func responseData(m outMessage, flags discordgo.MessageFlags) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{
		Embeds:          nonNilEmbeds(m.embeds),
		Components:      nonNil(m.components),
		Files:           m.files,
		AllowedMentions: noMentions(),
		Flags:           flags,
	}
}

// webhookEdit replaces the whole of a message with m.
func webhookEdit(m outMessage) *discordgo.WebhookEdit {
	embeds, comps := nonNilEmbeds(m.embeds), nonNil(m.components)
	content := ""
	return &discordgo.WebhookEdit{
		Content:         &content,
		Embeds:          &embeds,
		Components:      &comps,
		Files:           m.files,
		AllowedMentions: noMentions(),
	}
}

// noMentions lets no message ping anyone: an empty parse list, which
// Discord reads as "no mentions" (a null one would mean the default, all).
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// nonNil sends [] rather than null, so an update removes old components.
func nonNil(c []discordgo.MessageComponent) []discordgo.MessageComponent {
	if c == nil {
		return []discordgo.MessageComponent{}
	}
	return c
}

func nonNilEmbeds(e []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if e == nil {
		return []*discordgo.MessageEmbed{}
	}
	return e
}
