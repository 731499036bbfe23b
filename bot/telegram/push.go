package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/uscebot/uscebot/bot"
)

// Push sends r to the user's private chat with the bot, whose id is the
// user's id: the reminders' sender (remind.Sender). It returns
// bot.ErrUnreachable when Telegram refuses for good (the user blocked the
// bot, deleted their account, or never started a chat with it). Unlike a
// reply, a part that fails is an error: the reminder is tried again later.
func (b *Bot) Push(ctx context.Context, userID string, r bot.Reply) error {
	id, err := strconv.ParseInt(userID, 10, 64)
	if err != nil || id <= 0 {
		// A user id is a positive number; a group's chat id is negative,
		// and nothing is ever pushed to a group.
		return fmt.Errorf("telegram: push: %q is not a user id: %w", userID, bot.ErrUnreachable)
	}
	to := target{chat: id}
	parts := split(r.Text, maxMessageUnits)
	markup := keyboard(r.Choices)
	for i, p := range parts {
		msg := tgbotapi.NewMessage(id, renderHTML(p))
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		if i == len(parts)-1 && markup != nil {
			msg.ReplyMarkup = *markup
		}
		err := b.sendMessage(ctx, &to, &msg)
		if isParseError(err) {
			msg.Text, msg.ParseMode = p.String(), ""
			err = b.sendMessage(ctx, &to, &msg)
		}
		if unreachable(err) {
			return fmt.Errorf("telegram: push: %s: %w", b.describe(err), bot.ErrUnreachable)
		}
		if err != nil {
			return errors.New("telegram: push: " + b.describe(err))
		}
	}
	return nil
}

// unreachable reports whether Telegram refuses for good to message a
// user: 403 Forbidden ("bot was blocked by the user", "user is
// deactivated", "bot can't initiate conversation with a user") or 400
// "chat not found".
func unreachable(err error) bool {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return false
	}
	return te.Code == http.StatusForbidden ||
		(te.Code == http.StatusBadRequest && strings.Contains(te.Message, "chat not found"))
}
