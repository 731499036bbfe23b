package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot/rich"
)

// remindChoice is the Choice ID of the "Remind me" button under /plan.
const remindChoice = "remind:on"

// reminders is what the router needs for /remind.
type reminders struct {
	store ReminderStore
	wake  func() // tells the scheduler the schedule changed

	mu sync.Mutex
	// stopped are the users whose reminders a platform refused and who
	// have not been told: every message checks it, so it is kept here
	// rather than read from the store each time.
	stopped map[advisor.UserKey]bool
}

// EnableReminders turns on /remind, with schedules kept in rs. wake (may
// be nil) is called whenever a schedule changes, so that a scheduler
// sleeping until the next due reminder can look again. Call it before
// the router handles messages.
func (r *Router) EnableReminders(ctx context.Context, rs ReminderStore, wake func()) error {
	users, err := rs.StoppedReminders(ctx)
	if err != nil {
		return err
	}
	if wake == nil {
		wake = func() {}
	}
	rem := &reminders{store: rs, wake: wake, stopped: make(map[advisor.UserKey]bool, len(users))}
	for _, u := range users {
		rem.stopped[u] = true
	}
	r.cmds["remind"] = command{personal: true, usage: "[on|off]",
		help: "a private message when each step of your plan is due", run: r.remind}
	r.order = append(r.order[:len(r.order)-1], "remind", r.order[len(r.order)-1]) // before help
	r.rem = rem
	return nil
}

// RemindersStopped records that a platform refused u's reminders for good
// (the scheduler has already turned them off in the store): u's next
// message tells them why.
func (r *Router) RemindersStopped(u advisor.UserKey) {
	if r.rem == nil {
		return
	}
	r.rem.mu.Lock()
	r.rem.stopped[u] = true
	r.rem.mu.Unlock()
}

func (r *Router) remind(ctx context.Context, m Message, args string) (Reply, error) {
	switch strings.ToLower(args) {
	case "":
		return r.remindStatus(ctx, m)
	case "on":
		return r.remindOn(ctx, m)
	case "off":
		if err := r.rem.store.SetReminders(ctx, m.User(), false, 0, nil, r.now()); err != nil {
			r.emit(EventStoreError)
			return Reply{}, fmt.Errorf("%w (%w)", errSave, err)
		}
		r.rem.wake()
		return Reply{Text: rich.Para(rich.S("Reminders are off: I won't message you. Send "), rich.B("/remind on"), rich.S(" to turn them on again.")), Private: true}, nil
	}
	return Reply{}, Errorf(EInvalid, "Usage: /remind to see what is scheduled, /remind on or /remind off.")
}

func (r *Router) remindOn(ctx context.Context, m Message) (Reply, error) {
	p, _, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	now := r.now()
	hour := now.UTC().Hour()
	if err := r.rem.store.SetReminders(ctx, m.User(), true, hour, schedule(p, now, hour), now); err != nil {
		r.emit(EventStoreError)
		return Reply{}, fmt.Errorf("%w (%w)", errSave, err)
	}
	// Turned on again after a platform stopped them: the notice would
	// only tell them to do what they just did.
	r.rem.mu.Lock()
	delete(r.rem.stopped, m.User())
	r.rem.mu.Unlock()
	r.rem.wake()
	return r.remindStatus(ctx, m)
}

// remindStatus shows the user's reminders: on or off, and what is scheduled.
func (r *Router) remindStatus(ctx context.Context, m Message) (Reply, error) {
	st, err := r.rem.store.ReminderSettings(ctx, m.User())
	if err != nil {
		r.emit(EventStoreError)
		return Reply{}, fmt.Errorf("reminders: %w", err)
	}
	if !st.On {
		return Reply{Text: rich.Para(rich.S("Reminders are off. Send "), rich.B("/remind on"),
			rich.S(" and I'll message you privately on the date of each step of your plan.")), Private: true}, nil
	}
	all, err := r.rem.store.Reminders(ctx, m.User())
	if err != nil {
		r.emit(EventStoreError)
		return Reply{}, fmt.Errorf("reminders: %w", err)
	}
	t := rich.Para(rich.B("Reminders are on."))
	var pending []advisor.Reminder
	for _, rm := range all {
		if rm.Status == advisor.ReminderPending {
			pending = append(pending, rm)
		}
	}
	if len(pending) == 0 {
		p, _, err := r.load(ctx, m)
		if err != nil {
			return Reply{}, err
		}
		why := "your plan has no dated step still ahead."
		if len(p.Missing()) > 0 {
			why = "your plan needs your whole profile first. Finish /intake and I'll schedule each dated step of your plan."
		}
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("Nothing is scheduled: " + why)}})
	} else {
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(fmt.Sprintf(
			"I'll message you privately around %02d:00 UTC on these dates:", st.Hour))}})
		for _, rm := range pending {
			t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{
				rich.B(rm.Due.Format("January 2, 2006")), rich.S(": " + sentence(rm.Text))}})
		}
	}
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(
		"When your profile changes, so do the dates. Send "), rich.B("/remind off"), rich.S(" to stop.")}})
	return Reply{Text: t, Private: true}, nil
}

// schedule is the reminders of p's plan at now still ahead, each due at
// hour (UTC) on its milestone's first day. An incomplete profile has none:
// its plan is not one to act on.
func schedule(p rules.Profile, now time.Time, hour int) []advisor.Reminder {
	if len(p.Missing()) > 0 {
		return nil
	}
	var out []advisor.Reminder
	for _, ms := range rules.Assess(p, now).Milestones {
		due := ms.From.Add(time.Duration(hour) * time.Hour)
		if !due.After(now) {
			continue // under way: /plan already showed it
		}
		out = append(out, advisor.Reminder{From: ms.From, To: ms.To, Due: due, Text: ms.Text, Topics: ms.Topics, Status: advisor.ReminderPending})
	}
	return out
}

// reschedule recomputes the user's schedule from their new profile when
// their reminders are on. The profile is already saved: a failure here is
// counted, and the old schedule stays until the next change.
func (r *Router) reschedule(ctx context.Context, m Message, p rules.Profile) {
	if r.rem == nil {
		return
	}
	u := m.User()
	st, err := r.rem.store.ReminderSettings(ctx, u)
	if err != nil {
		r.emit(EventStoreError)
		return
	}
	if !st.On {
		return
	}
	now := r.now()
	if err := r.rem.store.Reschedule(ctx, u, schedule(p, now, st.Hour), now); err != nil {
		r.emit(EventStoreError)
		return
	}
	r.rem.wake()
}

// offerReminders adds the "Remind me" offer to a plan with dated steps
// ahead, unless the user's reminders are already on.
func (r *Router) offerReminders(ctx context.Context, m Message, a rules.Assessment, reply Reply) Reply {
	if r.rem == nil || len(a.Milestones) == 0 {
		return reply
	}
	st, err := r.rem.store.ReminderSettings(ctx, m.User())
	if err != nil {
		r.emit(EventStoreError)
		return reply // the plan is still worth showing
	}
	if st.On {
		return reply
	}
	reply.Text = append(reply.Text, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{
		rich.S("Want a private message when each of these steps is due? Send "), rich.B("/remind on"), rich.S(".")}})
	reply.Choices = append(reply.Choices, Choice{ID: remindChoice, Label: "Remind me"})
	return reply
}

// withStopNotice tells a user whose reminders a platform stopped why,
// once, in a reply only they see.
func (r *Router) withStopNotice(ctx context.Context, m Message, reply Reply) Reply {
	if r.rem == nil || reply.Empty() || !(m.Chat == Direct || m.Private || reply.Private) {
		return reply
	}
	u := m.User()
	r.rem.mu.Lock()
	stopped := r.rem.stopped[u]
	r.rem.mu.Unlock()
	if !stopped {
		return reply
	}
	if err := r.rem.store.ClearReminderStop(ctx, u); err != nil {
		r.emit(EventStoreError)
		return reply // told next time
	}
	r.rem.mu.Lock()
	delete(r.rem.stopped, u)
	r.rem.mu.Unlock()
	notice := rich.Para(rich.B("I stopped your reminders: "), rich.S(
		"I could not send you a private message, because the platform refused it (on Discord that happens when direct messages "+
			"from server members are turned off). Allow them, then send "), rich.B("/remind on"), rich.S(" to start again."))
	reply.Text = append(notice, reply.Text...)
	reply.Private = true
	return reply
}

// ReminderReply is the private message of a user's due reminders, with
// their readiness and next step from their profile at now. catchUp says
// they come late, after downtime: they are sent as one "While I was away"
// message.
func (r *Router) ReminderReply(ctx context.Context, u advisor.UserKey, due []advisor.Reminder, catchUp bool, now time.Time) (Reply, error) {
	p, _, err := r.store.LoadProfile(ctx, u)
	if err != nil {
		return Reply{}, fmt.Errorf("reminder: load profile: %w", err)
	}
	var t rich.Text
	if catchUp || len(due) > 1 {
		t = rich.Para(rich.B("While I was away:"), rich.S(" these steps of your plan came due."))
		for _, rm := range due {
			t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.B(spanOf(rm)), rich.S(": " + sentence(rm.Text))}})
		}
	} else {
		t = rich.Para(rich.B("Reminder: " + spanOf(due[0])))
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(sentence(due[0].Text))}})
	}
	if len(p.Missing()) == 0 {
		a := rules.Assess(p, now)
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{
			rich.B("Where you stand: "), rich.S(strings.ReplaceAll(a.Readiness, "_", " ") + ".")}})
		if next := r.nextStep(a, due[len(due)-1]); next != "" {
			t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Next step: "), rich.S(next)}})
		}
	}
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{
		rich.S("You get this because you turned on reminders; send "), rich.B("/remind off"), rich.S(" to stop them, or /plan for the whole plan.")}})
	return Reply{Text: t, Private: true}, nil
}

// nextStep is the one thing to do now: the plan's most urgent gap action,
// or, with no gap, reading the milestone's first topic.
func (r *Router) nextStep(a rules.Assessment, rm advisor.Reminder) string {
	if gaps := len(a.Plan) - len(a.Milestones); gaps > 0 {
		return a.Plan[0]
	}
	for _, id := range rm.Topics {
		if tp := r.kb.Topic(id); tp != nil {
			return "read \"" + tp.Title + "\" (ask me about it)."
		}
	}
	return ""
}

// spanOf names a reminder's months: "September 2027", "March to August
// 2027", "September 2026 to February 2027".
func spanOf(rm advisor.Reminder) string {
	last := rm.To.AddDate(0, -1, 0)
	switch {
	case !last.After(rm.From):
		return rm.From.Format("January 2006")
	case last.Year() == rm.From.Year():
		return rm.From.Format("January") + " to " + last.Format("January 2006")
	}
	return rm.From.Format("January 2006") + " to " + last.Format("January 2006")
}

// sentence capitalises a plan line and ends it with a full stop.
func sentence(s string) string {
	first, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(first)) + s[n:] + "."
}
