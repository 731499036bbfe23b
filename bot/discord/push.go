package discord

import (
	"context"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/bot"
)

// Push sends r to the user in a direct message: the reminders' sender
// (remind.Sender). It opens (or finds) the DM channel, then sends; the
// user must share a server with the bot. It returns bot.ErrUnreachable
// when Discord refuses for good: 50007, the user's DMs are closed to the
// bot, or 10013, no such user. discordgo waits out 429s itself.
func (b *Bot) Push(ctx context.Context, userID string, r bot.Reply) error {
	if !guildIDPattern.MatchString(userID) {
		return fmt.Errorf("discord: push: %q is not a user id: %w", userID, bot.ErrUnreachable)
	}
	ch, err := b.s.UserChannelCreate(userID, discordgo.WithContext(ctx))
	if err != nil {
		return pushError("open the DM channel", err)
	}
	for _, msg := range render(r, false) {
		send := &discordgo.MessageSend{
			Embeds:          msg.embeds,
			Components:      nonNil(msg.components),
			Files:           msg.files,
			AllowedMentions: noMentions(),
		}
		if _, err := b.s.ChannelMessageSendComplex(ch.ID, send, discordgo.WithContext(ctx)); err != nil {
			return pushError("send a direct message", err)
		}
	}
	return nil
}

// pushError describes a failed push, as bot.ErrUnreachable when Discord
// will never deliver it.
func pushError(what string, err error) error {
	if re, ok := errors.AsType[*discordgo.RESTError](err); ok && re.Message != nil {
		switch re.Message.Code {
		case discordgo.ErrCodeCannotSendMessagesToThisUser, discordgo.ErrCodeUnknownUser:
			return fmt.Errorf("discord: push: %s: %s: %w", what, describe(err), bot.ErrUnreachable)
		}
	}
	return errors.New("discord: push: " + what + ": " + describe(err))
}
