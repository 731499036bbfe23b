package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/rich"
)

// target is where the replies to one update go.
type target struct {
	chat int64
	kind bot.ChatKind
	// command names the personal command the update was, if any, for the
	// deep link that replaces a private reply in a group.
	command string
}

// handleUpdate translates one update and hands it on; done is called once
// the update is handled: answered, or deliberately not (the offset
// confirmed to Telegram waits for it). It runs on the receive loop, so it
// never waits for the network: handlers and sends run on the dispatcher's
// workers or their own goroutines.
func (b *Bot) handleUpdate(u tgbotapi.Update, done func()) {
	switch {
	case u.Message != nil:
		b.onMessage(u.Message, done)
	case u.CallbackQuery != nil:
		b.onCallback(u.CallbackQuery, done)
	default:
		done()
	}
}

// handled is done, unless the work context was cancelled (shutdown past
// its grace): the handler may then not have finished, and the update is
// left for the next process.
func (b *Bot) handled(done func()) {
	if b.work.Err() == nil {
		done()
	}
}

// chatKind maps Telegram's chat types; channels are not for us.
func chatKind(c *tgbotapi.Chat) (bot.ChatKind, bool) {
	if c == nil {
		return 0, false
	}
	switch c.Type {
	case "private":
		return bot.Direct, true
	case "group", "supergroup":
		return bot.Group, true
	}
	return 0, false
}

// action is what to do with an incoming text.
type action uint8

const (
	dispatch  action = iota // hand it to the handler
	ignore                  // not for us
	goPrivate               // a personal command in a group: answer with a deep link
)

func (b *Bot) onMessage(m *tgbotapi.Message, done func()) {
	if m.From == nil || m.From.IsBot {
		done()
		return // channel posts, anonymous admins, other bots
	}
	kind, ok := chatKind(m.Chat)
	if !ok {
		done()
		return
	}
	text := m.Text
	if len(text) > maxText {
		text = text[:maxText] // still too long for the router, which says so
	}
	text, cmd, act := b.translate(text, kind)
	to := target{chat: m.Chat.ID, kind: kind}
	if b.personal[cmd] {
		to.command = cmd
	}
	switch act {
	case ignore:
		done()
		return
	case goPrivate:
		// These bypass the handler and its flood control: one link per
		// user and command a while is plenty.
		if !b.linkLimit.allow(chatID(m.Chat.ID)+"/"+strconv.FormatInt(m.From.ID, 10)+"/"+cmd, time.Now()) {
			done()
			return
		}
		b.goAux(func(ctx context.Context) {
			b.send(ctx, to, b.privateLink(cmd))
			b.handled(done)
		})
		return
	}
	msg := bot.Message{
		Platform: Platform,
		UserID:   strconv.FormatInt(m.From.ID, 10),
		ChatID:   chatID(m.Chat.ID),
		Chat:     kind,
		Text:     text,
	}
	b.disp.Dispatch(b.work, msg, func(r bot.Reply, err error) {
		b.deliver(b.work, to, r, err)
		b.handled(done)
	})
}

// translate decides what a text means to the bot. Commands addressed to
// another bot ("/ask@otherbot") are ignored, "@ourbot" is removed from
// the ones addressed to us; in a group only commands and mentions count
// (a mention is a question), and personal commands go private; in a
// private chat "/start <command>" from a deep link is that command.
func (b *Bot) translate(text string, kind bot.ChatKind) (out, cmd string, act action) {
	// The router's own reading of the command: split any other way, a
	// personal command could pass here as some other word and run there.
	if c, ok := bot.SplitCommand(text); ok {
		if c.Addressed && (b.username == "" || !strings.EqualFold(c.To, b.username)) {
			return "", "", ignore
		}
		cmd, rest := c.Name, c.Args
		if kind == bot.Direct && cmd == "start" {
			// A deep link's payload: /start intake.
			if p := strings.Fields(rest); len(p) == 1 && b.personal[strings.ToLower(p[0])] {
				cmd, rest = strings.ToLower(p[0]), ""
			}
		}
		if kind == bot.Group && b.personal[cmd] {
			return "", cmd, goPrivate
		}
		out = "/" + cmd
		if rest != "" {
			out += " " + rest
		}
		return out, cmd, dispatch
	}
	if rest, ok := removeMention(text, b.username); ok {
		if kind == bot.Group {
			return strings.TrimSpace("/ask " + rest), "ask", dispatch
		}
		return rest, "", dispatch
	}
	if kind == bot.Group {
		return "", "", ignore // chatter between people
	}
	return text, "", dispatch
}

// removeMention removes every "@username" from text, ignoring case, and
// reports whether there was one.
func removeMention(text, username string) (string, bool) {
	if username == "" {
		return text, false
	}
	word := func(c byte) bool {
		return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	var sb strings.Builder
	found := false
	for i := 0; i < len(text); {
		end := i + 1 + len(username)
		if text[i] == '@' && (i == 0 || !word(text[i-1])) && end <= len(text) &&
			strings.EqualFold(text[i+1:end], username) && (end == len(text) || !word(text[end])) {
			found = true
			i = end
			continue
		}
		sb.WriteByte(text[i])
		i++
	}
	if !found {
		return text, false
	}
	return strings.Join(strings.Fields(sb.String()), " "), true
}

// linkInterval is how often one user gets the same deep link in a group.
const linkInterval = 30 * time.Second

// limiter lets a key through once per linkInterval.
type limiter struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = make(map[string]time.Time)
	}
	if t, ok := l.last[key]; ok && now.Sub(t) < linkInterval {
		return false
	}
	if len(l.last) >= 1024 {
		for k, t := range l.last {
			if now.Sub(t) >= linkInterval {
				delete(l.last, k)
			}
		}
	}
	l.last[key] = now
	return true
}

// privateLink is the answer to a personal command in a group: a link that
// opens a private chat and runs the command there.
func (b *Bot) privateLink(cmd string) bot.Reply {
	link := "https://t.me/" + b.username
	if startPayload.MatchString(cmd) {
		link += "?start=" + cmd
	}
	return bot.Reply{Text: rich.Para(rich.S("Let's do that in private: "), rich.S(link))}
}

// onCallback handles a button press: the callback is answered at once (the
// button spins until it is), the handler gets the choice in order with the
// user's messages, and the question then loses its buttons, so it cannot
// be pressed twice, and shows the answer, unless the press was stale.
func (b *Bot) onCallback(q *tgbotapi.CallbackQuery, done func()) {
	b.goAux(func(ctx context.Context) {
		var chat int64
		if q.Message != nil && q.Message.Chat != nil {
			chat = q.Message.Chat.ID
		}
		err := b.call(ctx, chat, "answerCallbackQuery", func(c tgbotapi.HTTPClient) error {
			_, err := b.api(c).Request(tgbotapi.NewCallback(q.ID, ""))
			return err
		})
		if err != nil {
			b.log.Warn("telegram: answerCallbackQuery failed", "chat", hashChat(chat), "error", b.describe(err))
		}
	})
	// Inline-mode messages have no Message (Update.FromChat panics there).
	if q.From == nil || q.Message == nil || q.Data == "" {
		done()
		return
	}
	kind, ok := chatKind(q.Message.Chat)
	if !ok {
		done()
		return
	}
	to := target{chat: q.Message.Chat.ID, kind: kind}
	msg := bot.Message{
		Platform: Platform,
		UserID:   strconv.FormatInt(q.From.ID, 10),
		ChatID:   chatID(q.Message.Chat.ID),
		Chat:     kind,
		Choice:   q.Data,
	}
	question := q.Message
	b.disp.Dispatch(b.work, msg, func(r bot.Reply, err error) {
		// The question shows the answer only if the handler applied it:
		// not when it failed or was skipped, and not when it was stale
		// (then only the buttons go).
		if err == nil && !r.Failed {
			answer := q.Data
			if r.Stale {
				answer = ""
			}
			b.markAnswered(b.work, question, answer)
		}
		b.deliver(b.work, to, r, err)
		b.handled(done)
	})
}

// deliver sends what the handler said. A message flood control skipped
// gets the notice, the first of a flood only; one abandoned at shutdown
// gets nothing (it is delivered again to the next process).
func (b *Bot) deliver(ctx context.Context, to target, r bot.Reply, err error) {
	if de, ok := errors.AsType[*bot.DroppedError](err); ok {
		if !de.Notify {
			return
		}
		r, err = bot.Reply{Text: rich.Plain(bot.FloodNotice)}, nil
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return
		}
		r = bot.Reply{Text: rich.Plain(bot.ErrorMessage(err))}
	}
	if r.Empty() {
		return
	}
	if r.Private && to.kind == bot.Group {
		// Never post personal content where others read it.
		r = b.privateLink(to.command)
	}
	b.send(ctx, to, r)
}
