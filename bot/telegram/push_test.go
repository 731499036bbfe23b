package telegram

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/remind"
	"github.com/uscebot/uscebot/bot/remind/remindtest"
	"github.com/uscebot/uscebot/bot/rich"
)

// remindEnv is env with reminders on: its router has /remind, and a
// scheduler sends through the running Bot.
func remindEnv(t *testing.T) (*env, *remind.Scheduler, *remindtest.Clock, rules.Milestone) {
	t.Helper()
	e := newEnv(t)
	kb, _ := loadKB()
	clock := remindtest.NewClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	e.router = bot.NewRouter(kb, e.db, clock.Now)
	sched := remind.New(remind.Config{Store: e.db, Compose: e.router.ReminderReply, Clock: clock,
		Unreachable: e.router.RemindersStopped})
	if err := e.router.EnableReminders(context.Background(), e.db, sched.Wake); err != nil {
		t.Fatal(err)
	}
	e.handler = e.router.Handler(slog.New(slog.NewTextHandler(e.logs, nil)))
	b := e.start(t, e.config(), nil)
	sched.AddSender(Platform, b.Bot, 0)

	// The first milestone not under way is the first reminder, at noon.
	first := remindtest.PlannedUser(t, e.db, advisor.UserKey{Platform: Platform, ID: strconv.FormatInt(ana.ID, 10)}, clock.Now())
	return e, sched, clock, first
}

func TestPushRemindsInThePrivateChat(t *testing.T) {
	e, sched, clock, first := remindEnv(t)
	c := e.convo(t, ana, privateChat(ana))
	c.say("/plan")
	day := first.From.Format("January 2, 2006")
	if on := c.press("Remind me"); !strings.Contains(on.Text, "Reminders are on") || !strings.Contains(on.Text, day) {
		t.Fatalf("Remind me = %q, want reminders on from %s", on.Text, day)
	}
	clock.Set(first.From.Add(12*time.Hour + 5*time.Minute))
	if _, _, err := sched.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := e.f.waitSent(t, ana.ID, c.seen+1)
	m := msgs[len(msgs)-1]
	if m.ChatID != ana.ID || m.ParseMode != "HTML" || !strings.Contains(m.Raw, "<b>Reminder: "+first.From.Format("January")) ||
		!strings.Contains(m.Text, "/remind off") {
		t.Errorf("reminder in chat %d (%s) = %q, want it in HTML in Ana's private chat", m.ChatID, m.ParseMode, m.Raw)
	}
	if _, _, err := sched.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.f.callsOf("sendMessage")); n != len(e.f.sent(ana.ID)) {
		t.Errorf("%d sendMessage calls for %d messages", n, len(e.f.sent(ana.ID)))
	}
	if got := len(e.f.sent(ana.ID)); got != c.seen+1 {
		t.Errorf("%d messages in the chat, want %d: the reminder once", got, c.seen+1)
	}
	e.checkLogs(t, "Reminder", first.Text)
}

func TestPushBlockedStopsReminders(t *testing.T) {
	e, sched, clock, first := remindEnv(t)
	c := e.convo(t, ana, privateChat(ana))
	c.say("/remind on")
	e.f.failNext("sendMessage", 1, apiFailure{code: 403, desc: "Forbidden: bot was blocked by the user"})
	clock.Set(first.From.Add(12 * time.Hour))
	if _, ok, err := sched.RunOnce(context.Background()); err != nil || ok {
		t.Errorf("RunOnce after a block = %t, %v; want no reminder left", ok, err)
	}
	// Unblocked, Ana writes again: she is told why reminders stopped.
	if m := c.say("/topics"); !strings.Contains(m.Text, "I stopped your reminders") {
		t.Errorf("next reply = %q, want the notice", m.Text)
	}
}

func TestPushErrors(t *testing.T) {
	e := newEnv(t)
	b := e.start(t, e.config(), nil)
	text := rich.Para(rich.B("Reminder: March to August 2027"))
	for _, tt := range []struct {
		name        string
		user        string
		fail        *apiFailure
		unreachable bool
	}{
		{"a group id", "-1001234567890", nil, true},
		{"not a number", "ana", nil, true},
		{"chat not found", "5009", &apiFailure{code: 400, desc: "Bad Request: chat not found"}, true},
		{"user deactivated", "5009", &apiFailure{code: 403, desc: "Forbidden: user is deactivated"}, true},
		{"server error", "5009", &apiFailure{code: 500, desc: "Internal Server Error"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fail != nil {
				n := 1 // refused at once
				if !tt.unreachable {
					n = maxAttempts // retried until the bound
				}
				e.f.failNext("sendMessage", n, *tt.fail)
			}
			err := b.Push(context.Background(), tt.user, bot.Reply{Text: text, Private: true})
			if err == nil || errors.Is(err, bot.ErrUnreachable) != tt.unreachable {
				t.Errorf("Push(%s) = %v, want an error, unreachable %t", tt.user, err, tt.unreachable)
			}
			if err != nil && strings.Contains(err.Error(), e.f.token) {
				t.Errorf("Push error %q contains the token", err)
			}
		})
	}
}
