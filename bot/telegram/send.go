package telegram

import (
	"context"
	"regexp"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
)

// startPayload is what a t.me deep link may carry after ?start=.
var startPayload = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// maxCallbackData is Telegram's limit on a button's data, in bytes.
const maxCallbackData = 64

// hashChat names a chat in logs the way the router names users.
func hashChat(id int64) string {
	if id == 0 {
		return ""
	}
	return bot.HashID(chatID(id))
}

// send sends a reply: its text in parts of at most 4,096 characters with
// the keyboard on the last one, then its file. A part Telegram cannot
// parse as HTML is sent again as plain text; a part that fails for good is
// logged (chat only) and the rest is still sent.
func (b *Bot) send(ctx context.Context, to target, r bot.Reply) {
	parts := split(r.Text, maxMessageUnits)
	markup := keyboard(r.Choices)
	if len(parts) == 0 && markup != nil {
		parts = []rich.Text{rich.Plain("Choose one:")}
	}
	for i, p := range parts {
		var kb *tgbotapi.InlineKeyboardMarkup
		if i == len(parts)-1 {
			kb = markup
		}
		b.sendPart(ctx, &to, p, kb)
	}
	if r.File != nil {
		b.sendFile(ctx, &to, r.File)
	}
}

// sendPart sends one part in HTML, or as plain text if the HTML is refused.
func (b *Bot) sendPart(ctx context.Context, to *target, p rich.Text, kb *tgbotapi.InlineKeyboardMarkup) {
	msg := tgbotapi.NewMessage(to.chat, renderHTML(p))
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	if kb != nil {
		msg.ReplyMarkup = *kb
	}
	err := b.sendMessage(ctx, to, &msg)
	if isParseError(err) {
		b.log.Warn("telegram: HTML refused; sending plain text", "chat", hashChat(to.chat), "error", b.describe(err))
		msg.Text, msg.ParseMode = p.String(), ""
		err = b.sendMessage(ctx, to, &msg)
	}
	if err != nil {
		b.log.Error("telegram: message not delivered", "chat", hashChat(to.chat), "error", b.describe(err))
	}
}

// sendMessage sends with retries, following a group that became a
// supergroup.
func (b *Bot) sendMessage(ctx context.Context, to *target, msg *tgbotapi.MessageConfig) error {
	for range 2 {
		msg.ChatID = to.chat
		err := b.call(ctx, to.chat, "sendMessage", func(c tgbotapi.HTTPClient) error {
			_, err := b.api(c).Send(*msg)
			return err
		})
		if id := migratedTo(err); id != 0 && id != to.chat {
			to.chat = id
			continue
		}
		return err
	}
	return nil
}

// sendFile sends a file as a document.
func (b *Bot) sendFile(ctx context.Context, to *target, f *bot.File) {
	name := f.Name
	if name == "" || !utf8.ValidString(name) {
		name = "file"
	}
	doc := tgbotapi.NewDocument(to.chat, tgbotapi.FileBytes{Name: name, Bytes: f.Data})
	err := b.call(ctx, to.chat, "sendDocument", func(c tgbotapi.HTTPClient) error {
		_, err := b.api(c).Send(doc)
		return err
	})
	if err != nil {
		b.log.Error("telegram: document not delivered", "chat", hashChat(to.chat), "error", b.describe(err))
	}
}

// keyboard turns choices into an inline keyboard: two short buttons a
// row, a long one alone. Choices whose ID Telegram cannot carry are left
// out (and logged). It returns nil when there is no button.
func keyboard(choices []bot.Choice) *tgbotapi.InlineKeyboardMarkup {
	var btns []tgbotapi.InlineKeyboardButton
	for _, c := range choices {
		if c.ID == "" || len(c.ID) > maxCallbackData || !utf8.ValidString(c.ID) {
			continue
		}
		label := validUTF8Label(c.Label)
		if label == "" {
			label = c.ID
		}
		btns = append(btns, tgbotapi.NewInlineKeyboardButtonData(label, c.ID))
	}
	if len(btns) == 0 {
		return nil
	}
	short := func(b tgbotapi.InlineKeyboardButton) bool { return utf8.RuneCountInString(b.Text) <= 20 }
	rows := [][]tgbotapi.InlineKeyboardButton{}
	for i := 0; i < len(btns); {
		if i+1 < len(btns) && short(btns[i]) && short(btns[i+1]) {
			rows = append(rows, []tgbotapi.InlineKeyboardButton{btns[i], btns[i+1]})
			i += 2
			continue
		}
		rows = append(rows, []tgbotapi.InlineKeyboardButton{btns[i]})
		i++
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// formatting are the entity types that are ours (not detected by
// Telegram), kept when a question is edited.
var formatting = map[string]bool{
	"bold": true, "italic": true, "underline": true, "strikethrough": true,
	"spoiler": true, "code": true, "pre": true, "text_link": true,
}

// markAnswered edits a question whose button was pressed: the chosen
// answer (data; "" for none) is appended and the buttons removed, so an
// old keyboard cannot be pressed again. The text is sent back with its own
// entities, so the formatting stays as it was.
func (b *Bot) markAnswered(ctx context.Context, q *tgbotapi.Message, data string) {
	if q.Chat == nil || q.ReplyMarkup == nil || len(q.ReplyMarkup.InlineKeyboard) == 0 {
		return // already answered, or never had buttons
	}
	label := ""
	for _, row := range q.ReplyMarkup.InlineKeyboard {
		for _, btn := range row {
			if data != "" && btn.CallbackData != nil && *btn.CallbackData == data {
				label = btn.Text
			}
		}
	}
	none := tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
	var edit tgbotapi.Chattable
	text := q.Text + "\n\n✓ " + label
	if label != "" && q.Text != "" && units(text) <= maxMessageUnits {
		var ents []tgbotapi.MessageEntity
		for _, e := range q.Entities {
			if formatting[e.Type] {
				ents = append(ents, e)
			}
		}
		e := tgbotapi.NewEditMessageTextAndMarkup(q.Chat.ID, q.MessageID, text, none)
		e.Entities = ents
		edit = e
	} else {
		edit = tgbotapi.NewEditMessageReplyMarkup(q.Chat.ID, q.MessageID, none)
	}
	err := b.call(ctx, q.Chat.ID, "editMessage", func(c tgbotapi.HTTPClient) error {
		_, err := b.api(c).Request(edit)
		return err
	})
	if err != nil && !isNotModified(err) {
		b.log.Warn("telegram: could not mark the answered question", "chat", hashChat(q.Chat.ID), "error", b.describe(err))
	}
}
