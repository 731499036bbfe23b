package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
	"github.com/uscebot/uscebot/bot/remind"
	"github.com/uscebot/uscebot/bot/remind/remindtest"
	"github.com/uscebot/uscebot/bot/rich"
)

// closedDMs answers a message to the DM channel as Discord does when the
// user's DMs are closed to the bot, and passes everything else on.
type closedDMs struct{ base http.RoundTripper }

func (c closedDMs) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Path == "/api/v9/channels/"+dmChannelID+"/messages" {
		return &http.Response{StatusCode: http.StatusForbidden, Status: "403 Forbidden",
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: r,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   io.NopCloser(strings.NewReader(`{"message": "Cannot send messages to this user", "code": 50007}`)),
		}, nil
	}
	return c.base.RoundTrip(r)
}

// withReminders turns reminders on in h's router, stores a complete
// profile for the test user, and returns a scheduler pushing through a Bot
// on client (the harness's own Bot when nil).
func withReminders(t *testing.T, h *harness, client *http.Client) (*remind.Scheduler, *remindtest.Clock, rules.Milestone) {
	t.Helper()
	clock := remindtest.NewClock(now)
	sched := remind.New(remind.Config{Store: h.db, Compose: h.router.ReminderReply, Clock: clock,
		Unreachable: h.router.RemindersStopped})
	if err := h.router.EnableReminders(context.Background(), h.db, sched.Wake); err != nil {
		t.Fatal(err)
	}
	push := h.b
	if client != nil {
		b, err := discord.New(context.Background(), discord.Config{Token: goodToken, HTTPClient: client, Logger: discardLog()},
			h.router.Handler(discardLog()), h.router.Commands())
		if err != nil {
			t.Fatal(err)
		}
		push = b
	}
	sched.AddSender(discord.Platform, push, 0)

	// The first milestone not under way is the first reminder, at noon
	// (the harness's clock).
	first := remindtest.PlannedUser(t, h.db, advisor.UserKey{Platform: discord.Platform, ID: userID}, now)
	return sched, clock, first
}

const remindOn = `[{"name": "text", "type": 3, "value": "on"}]`

func TestPushSendsADirectMessage(t *testing.T) {
	h := newHarness(t, options{})
	sched, clock, first := withReminders(t, h, nil)
	_, resp := h.command(true, "remind", remindOn)
	if !strings.Contains(resp.Data.text(), "Reminders are on") || resp.Data.Flags&64 == 0 {
		t.Fatalf("/remind on in a server = %q (flags %d), want it on, ephemeral", resp.Data.text(), resp.Data.Flags)
	}
	before := len(h.f.all(nil))
	clock.Set(first.From.Add(12 * time.Hour))
	if _, _, err := sched.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := h.f.all(nil)[before:]
	if len(reqs) != 2 || reqs[0].Path != "/api/v9/users/@me/channels" || reqs[1].Path != "/api/v9/channels/"+dmChannelID+"/messages" {
		t.Fatalf("the reminder made %d requests %v, want the DM channel opened, then one message in it", len(reqs), reqs)
	}
	var open struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.Unmarshal(reqs[0].Body, &open); err != nil || open.RecipientID != userID {
		t.Errorf("DM channel opened for %q (%v), want %s", open.RecipientID, err, userID)
	}
	if got := decodeMessage(t, reqs[1]).text(); !strings.Contains(got, "Reminder: "+first.From.Format("January")) || !strings.Contains(got, "/remind off") {
		t.Errorf("reminder = %q", got)
	}
	// Run again: nothing more is sent.
	if _, _, err := sched.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(h.f.all(nil)) - before; n != 2 {
		t.Errorf("%d requests after running again, want still 2", n)
	}
}

func TestPushDMsClosed(t *testing.T) {
	h := newHarness(t, options{})
	client := h.f.client()
	client.Transport = closedDMs{base: client.Transport}
	sched, clock, first := withReminders(t, h, client)
	h.command(true, "remind", remindOn)
	clock.Set(first.From.Add(12 * time.Hour))
	if _, ok, err := sched.RunOnce(context.Background()); err != nil || ok {
		t.Errorf("RunOnce with DMs closed = %t, %v; want no reminder left", ok, err)
	}
	// The next interaction, a public one in a server, keeps the notice for
	// a private one: /plan.
	_, pub := h.command(true, "topics", "")
	if strings.Contains(pub.Data.text(), "stopped your reminders") {
		t.Errorf("/topics in a server carried the notice: %q", pub.Data.text())
	}
	_, plan := h.command(true, "plan", "")
	if got := plan.Data.text(); !strings.Contains(got, "I stopped your reminders") || plan.Data.Flags&64 == 0 {
		t.Errorf("/plan = %q (flags %d), want the notice, ephemeral", got, plan.Data.Flags)
	}
	if _, remind := h.command(true, "remind", ""); !strings.Contains(remind.Data.text(), "Reminders are off") {
		t.Errorf("/remind = %q, want off", remind.Data.text())
	}
}

func TestPushRefusesANonID(t *testing.T) {
	h := newHarness(t, options{})
	err := h.b.Push(context.Background(), "not-a-user", bot.Reply{Text: rich.Plain("hello"), Private: true})
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Errorf("Push to a non-id = %v, want ErrUnreachable", err)
	}
}
