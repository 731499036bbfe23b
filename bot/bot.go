// Package bot is the platform-neutral router: messages from any adapter go
// in, replies come out. It owns the chat commands, the conversation flow
// and the cross-cutting middleware (panic recovery, logging, per-user
// order). It knows nothing about Discord, Telegram or SQL: adapters
// translate platform events into Messages and render Replies, and storage
// is reached through the Store interface.
package bot

import (
	"context"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot/rich"
)

// ChatKind says whether a message came from a one-to-one chat or a group.
type ChatKind uint8

// Chat kinds.
const (
	Direct ChatKind = iota
	Group
)

// Message is one incoming message or button press.
type Message struct {
	Platform string
	UserID   string
	ChatID   string
	Chat     ChatKind
	// Text is what the user typed; empty for a button press.
	Text string
	// Choice is the ID of the Choice the user picked, if any.
	Choice string
	// Private says the reply will be seen by the sender alone even in a
	// group (Discord's /ask private:true answers ephemerally), so it may
	// be personal, as in a direct chat.
	Private bool
}

// User returns the key the store knows the sender by.
func (m Message) User() advisor.UserKey {
	return advisor.UserKey{Platform: m.Platform, ID: m.UserID}
}

// Choice is an option offered with a reply (a button, a numbered item).
type Choice struct {
	// ID is what comes back in Message.Choice: at most 64 bytes, the
	// smallest limit among the platforms (Telegram's callback data).
	ID    string
	Label string
}

// File is a document attached to a reply.
type File struct {
	Name string
	Data []byte
}

// Reply is what the bot says back. A zero Reply means "say nothing".
type Reply struct {
	Text    rich.Text
	Choices []Choice
	// Private marks personal content: an adapter must never post it where
	// others can read it (ephemeral reply or a direct message instead).
	Private bool
	File    *File
	// Input describes the free-text answer the reply waits for, when it
	// asks a question without choices; platforms with forms (Discord's
	// modals and select menus) use it, chat platforms let the user type.
	Input *Input
	// Failed says the message was not handled: the reply only says so (an
	// error line or an apology). An adapter must not show a pressed button
	// as answered, nor put the reply in place of the question.
	Failed bool
	// Stale says the choice answered was not applied: its question had
	// moved on, or its confirmation expired. An adapter must not show the
	// old question as answered with it.
	Stale bool
}

// Input is a pending free-text question. An adapter that collects the
// answer in a form sends it back as Message.Choice = AnswerChoice(step,
// text), so a form left open after the conversation moved on is
// recognised as stale.
type Input struct {
	Step  string
	Label string // the question, short enough for a form's title
	// Suggestions are common answers a menu may offer (the specialties).
	Suggestions []string
}

// AnswerChoice returns the Choice ID that carries a typed answer to step.
func AnswerChoice(step, text string) string {
	return intakeChoice + ":" + step + ":" + text
}

// Empty reports whether the reply says nothing.
func (r Reply) Empty() bool {
	return len(r.Text) == 0 && len(r.Choices) == 0 && r.File == nil
}

// Handler handles one message and returns what to say.
type Handler func(ctx context.Context, m Message) (Reply, error)

// Middleware wraps a Handler with behaviour common to every message.
type Middleware func(Handler) Handler

// Store is the persistence the router needs; store.DB satisfies it.
type Store interface {
	// Touch records that the user was active at now.
	Touch(ctx context.Context, u advisor.UserKey, now time.Time) error
	// Export returns everything stored about the user as JSON.
	Export(ctx context.Context, u advisor.UserKey) ([]byte, error)
	// Forget deletes everything stored about the user and reports whether
	// there was anything.
	Forget(ctx context.Context, u advisor.UserKey) (bool, error)
	advisor.ProfileStore
}
