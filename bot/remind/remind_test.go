package remind_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/remind"
	"github.com/uscebot/uscebot/store"
)

// start is the fake clock's first reading: 10:00 UTC, so reminders are
// due at 10:00 on their milestones' first days.
var start = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

const platform = "telegram"

func user(id string) advisor.UserKey { return advisor.UserKey{Platform: platform, ID: id} }

// fakeClock is the scheduler's and the router's time. After either fires
// at once, moving the time on (auto), or waits for Advance.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	timers  []fakeTimer
	waiting chan time.Duration // each After not fired at once, when set
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if c.auto || d <= 0 {
		c.now = c.now.Add(max(d, 0))
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), ch})
	if c.waiting != nil {
		c.waiting <- d
	}
	return ch
}

// set moves the time to t, firing the timers due by then.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if !tm.at.After(t) {
			tm.c <- t
		} else {
			kept = append(kept, tm)
		}
	}
	c.timers = kept
}

// pushed is one message a sender delivered.
type pushed struct {
	user string
	text string
}

// fakeSender records what it is given to push; fail decides an error by
// user.
type fakeSender struct {
	mu   sync.Mutex
	got  []pushed
	fail func(user string) error
	sent chan pushed // when set, each push is also sent here
}

func (s *fakeSender) Push(_ context.Context, userID string, r bot.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		if err := s.fail(userID); err != nil {
			return err
		}
	}
	if !r.Private {
		return errors.New("fake: a reminder must be private")
	}
	p := pushed{userID, r.Text.String()}
	s.got = append(s.got, p)
	if s.sent != nil {
		s.sent <- p
	}
	return nil
}

func (s *fakeSender) messages() []pushed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// world is one process of the bot: a store on a file, a router and a
// scheduler over the same clock. restart makes the next process on the
// same file.
type world struct {
	t      *testing.T
	path   string
	clock  *fakeClock
	db     *store.DB
	kb     *advisor.KB
	router *bot.Router
	h      bot.Handler
	sched  *remind.Scheduler
	sender *fakeSender
}

func newWorld(t *testing.T) *world {
	t.Helper()
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, path: filepath.Join(t.TempDir(), "remind.db"), clock: &fakeClock{now: start}, kb: kb, sender: &fakeSender{}}
	w.open()
	return w
}

func (w *world) open() {
	w.t.Helper()
	db, err := store.Open(context.Background(), w.path)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { db.Close() })
	w.db = db
	w.router = bot.NewRouter(w.kb, db, w.clock.Now)
	w.sched = remind.New(remind.Config{Store: db, Compose: w.router.ReminderReply, Clock: w.clock,
		Unreachable: w.router.RemindersStopped})
	w.sched.AddSender(platform, w.sender, 0)
	if err := w.router.EnableReminders(context.Background(), db, w.sched.Wake); err != nil {
		w.t.Fatal(err)
	}
	w.h = w.router.Handler(slog.New(slog.DiscardHandler))
}

// restart closes the store, as a stop or a crash after the last commit
// would leave it, and starts a new process on the file.
func (w *world) restart() {
	w.t.Helper()
	if err := w.db.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.open()
}

// send sends a direct message (or a button press) through the router.
func (w *world) send(u, text, choice string) bot.Reply {
	w.t.Helper()
	r, err := w.h(context.Background(), bot.Message{Platform: platform, UserID: u, ChatID: u, Chat: bot.Direct, Text: text, Choice: choice})
	if err != nil {
		w.t.Fatalf("handler(%q) = %v", text, err)
	}
	return r
}

func (w *world) say(u, text string) string {
	w.t.Helper()
	return w.send(u, text, "").Text.String()
}

// profile is a complete profile applying in year.
func profile(year int) rules.Profile {
	grad, letters, step2 := 2022, 1, 240
	return rules.Profile{
		Stage: rules.StageGraduate, GradYear: &grad, ApplicationYear: &year, Specialty: "internal medicine",
		Step1: rules.Step1Passed, Step2CK: &step2, Visa: rules.VisaNeeded, CanTravel: rules.Yes,
		Budget: rules.BudgetMedium, USLetters: &letters,
		Experiences: []rules.Experience{{Kind: rules.KindExternship, Weeks: 4, Specialty: "internal medicine", EndYear: 2026, InUS: true}},
	}
}

// withProfile stores profile(2028).
func (w *world) withProfile(u string) {
	w.t.Helper()
	if err := w.db.SaveProfile(context.Background(), user(u), profile(2028), advisor.IntakeState{Step: advisor.StepDone}, w.clock.Now()); err != nil {
		w.t.Fatal(err)
	}
}

// pending returns the due times of u's pending reminders.
func (w *world) pending(u string) []time.Time {
	w.t.Helper()
	rs, err := w.db.Reminders(context.Background(), user(u))
	if err != nil {
		w.t.Fatal(err)
	}
	var out []time.Time
	for _, r := range rs {
		if r.Status == advisor.ReminderPending {
			out = append(out, r.Due)
		}
	}
	return out
}

func (w *world) runOnce() (time.Time, bool) {
	w.t.Helper()
	next, ok, err := w.sched.RunOnce(context.Background())
	if err != nil {
		w.t.Fatalf("RunOnce: %v", err)
	}
	return next, ok
}

// expected is the schedule of profile(year) at now: the plan's milestones
// whose first day, at hour, is still ahead. The tests read the dates from
// the rules rather than repeat them, so that the plan's wording and steps
// can change under them.
func expected(tb testing.TB, year int, now time.Time, hour int) ([]time.Time, []rules.Milestone) {
	tb.Helper()
	var due []time.Time
	var ms []rules.Milestone
	for _, m := range rules.Assess(profile(year), now).Milestones {
		if d := m.From.Add(time.Duration(hour) * time.Hour); d.After(now) {
			due, ms = append(due, d), append(ms, m)
		}
	}
	if len(due) < 3 {
		tb.Fatalf("profile(%d) at %v has %d milestones ahead; the tests need 3", year, now, len(due))
	}
	return due, ms
}

// plan2028 is withProfile's schedule at start, at 10:00 UTC.
func plan2028(t *testing.T) []time.Time {
	due, _ := expected(t, 2028, start, 10)
	return due
}

// opening is how a reminder's text begins: the milestone capitalised.
func opening(m rules.Milestone) string {
	return strings.ToUpper(m.Text[:1]) + m.Text[1:min(len(m.Text), 20)]
}

func TestOffByDefaultAndOptIn(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	if got := w.say("1", "/remind"); !strings.Contains(got, "Reminders are off") {
		t.Errorf("/remind before opting in = %q, want it off", got)
	}
	due := plan2028(t)
	w.clock.set(due[0])
	if _, ok := w.runOnce(); ok {
		t.Error("RunOnce found a reminder due for a user who never asked")
	}
	w.clock.set(start)

	plan := w.send("1", "/plan", "")
	if !slices.Contains(plan.Choices, bot.Choice{ID: "remind:on", Label: "Remind me"}) || !strings.Contains(plan.Text.String(), "/remind on") {
		t.Fatalf("/plan offers %v and says %q, want a Remind me button and the command", plan.Choices, plan.Text.String())
	}
	on := w.send("1", "", "remind:on").Text.String()
	for _, want := range []string{"Reminders are on", "10:00 UTC", due[0].Format("January 2, 2006"), due[len(due)-1].Format("January 2, 2006"), "/remind off"} {
		if !strings.Contains(on, want) {
			t.Errorf("pressing Remind me = %q, want %q in it", on, want)
		}
	}
	if got := w.pending("1"); !slices.Equal(got, due) {
		t.Errorf("schedule = %v, want %v", got, due)
	}
	if plan := w.send("1", "/plan", ""); len(plan.Choices) != 0 {
		t.Errorf("/plan with reminders on offers %v, want nothing", plan.Choices)
	}
	if got := w.say("1", "/export"); !strings.Contains(got, "everything") {
		t.Fatalf("/export = %q", got)
	}
	data, err := w.db.Export(context.Background(), user("1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"reminders"`, `"hour_utc": 10`, `"due": "` + due[0].Format(time.RFC3339) + `"`, `"status": "pending"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("export has no %s:\n%s", want, data)
		}
	}

	if got := w.say("1", "/remind off"); !strings.Contains(got, "Reminders are off") {
		t.Errorf("/remind off = %q", got)
	}
	if got := w.pending("1"); len(got) != 0 {
		t.Errorf("schedule after /remind off = %v, want none", got)
	}
	if got := w.say("1", "/remind sometimes"); !strings.Contains(got, "Usage: /remind") {
		t.Errorf("/remind sometimes = %q, want the usage", got)
	}
}

func TestHourIsWhenTurnedOn(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.clock.set(start.Add(7*time.Hour + 42*time.Minute)) // 17:42
	w.say("1", "/remind on")
	if got, want := w.pending("1"), plan2028(t)[0].Add(7*time.Hour); len(got) == 0 || !got[0].Equal(want) {
		t.Errorf("schedule = %v, want it at 17:00 from %v", got, want)
	}
}

func TestProfileChangeReschedules(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.say("1", "/remind on")
	if got := w.say("1", "/profile set application_year 2029"); !strings.Contains(got, "Saved") {
		t.Fatalf("/profile set = %q", got)
	}
	want, _ := expected(t, 2029, start, 10)
	if got := w.pending("1"); !slices.Equal(got, want) || slices.Equal(got, plan2028(t)) {
		t.Errorf("schedule after the application year moved = %v, want %v", got, want)
	}
	if got := w.say("1", "/remind"); !strings.Contains(got, want[0].Format("January 2, 2006")) ||
		strings.Contains(got, plan2028(t)[0].Format("January 2, 2006")) {
		t.Errorf("/remind after the change = %q, want the new dates only", got)
	}
}

func TestRestartBeforeDueThenDeliverExactlyOnce(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.withProfile("2") // never opts in
	w.say("1", "/remind on")
	due, ms := expected(t, 2028, start, 10)
	next, ok := w.runOnce()
	if !ok || !next.Equal(due[0]) || len(w.sender.messages()) != 0 {
		t.Fatalf("RunOnce before the date = %v, %t, sent %v; want nothing sent and the next at %v", next, ok, w.sender.messages(), due[0])
	}

	w.restart()
	w.clock.set(due[0].Add(-time.Second))
	if w.runOnce(); len(w.sender.messages()) != 0 {
		t.Fatalf("a second early sent %v", w.sender.messages())
	}
	w.clock.set(due[0].Add(3 * time.Minute))
	next, ok = w.runOnce()
	got := w.sender.messages()
	if len(got) != 1 || got[0].user != "1" {
		t.Fatalf("at the date sent %v, want one message to user 1", got)
	}
	for _, want := range []string{"Reminder: " + ms[0].From.Format("January"), opening(ms[0]), "Where you stand:", "Next step:", "/remind off"} {
		if !strings.Contains(got[0].text, want) {
			t.Errorf("reminder = %q, want %q in it", got[0].text, want)
		}
	}
	if !ok || !next.Equal(due[1]) {
		t.Errorf("next due = %v, %t; want %v", next, ok, due[1])
	}

	// Again, and after another restart: nothing more until the next date.
	w.runOnce()
	w.restart()
	w.runOnce()
	if n := len(w.sender.messages()); n != 1 {
		t.Errorf("%d messages after running again, want still 1", n)
	}
	if got := w.pending("1"); !slices.Equal(got, due[1:]) {
		t.Errorf("schedule after the first = %v, want %v", got, due[1:])
	}
	// A profile change afterwards does not bring the sent one back.
	w.say("1", "/profile set us_letters 2")
	if got := w.pending("1"); !slices.Equal(got, due[1:]) {
		t.Errorf("schedule after a change = %v, want %v", got, due[1:])
	}
}

func TestCatchUpAfterDowntime(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.say("1", "/remind on")
	// Down from before the first milestone to six weeks into the second:
	// the first is over, the second late.
	_, ms := expected(t, 2028, start, 10)
	back := ms[1].From.AddDate(0, 0, 45).Add(8 * time.Hour)
	if ms[0].To.After(back) || !ms[1].To.After(back) {
		t.Fatalf("milestones %v: the test needs the first over and the second running on %v", ms[:2], back)
	}
	w.clock.set(back)
	w.runOnce()
	got := w.sender.messages()
	if len(got) != 1 {
		t.Fatalf("after downtime sent %d messages %v, want one catch-up", len(got), got)
	}
	if !strings.Contains(got[0].text, "While I was away") || !strings.Contains(got[0].text, opening(ms[1])) ||
		strings.Contains(got[0].text, opening(ms[0])) {
		t.Errorf("catch-up = %q, want only the milestone still running, as While I was away", got[0].text)
	}
	rs, err := w.db.Reminders(context.Background(), user("1"))
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, r := range rs {
		statuses = append(statuses, r.Status)
	}
	want := []string{"skipped", "sent"}
	for range ms[2:] {
		want = append(want, "pending")
	}
	if !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
}

func TestDMsClosedStopsRemindersAndSaysWhy(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.withProfile("2")
	w.say("1", "/remind on")
	w.say("2", "/remind on")
	w.sender.fail = func(u string) error {
		if u == "1" {
			return fmt.Errorf("discord: push: HTTP 403 Forbidden (Discord code 50007): %w", bot.ErrUnreachable)
		}
		return nil
	}
	due := plan2028(t)
	w.clock.set(due[0])
	w.runOnce()
	if got := w.sender.messages(); len(got) != 1 || got[0].user != "2" {
		t.Errorf("sent %v, want only user 2's", got)
	}
	if got := w.pending("1"); len(got) != 0 {
		t.Errorf("user 1's schedule after DMs closed = %v, want none", got)
	}
	if got := w.pending("2"); !slices.Equal(got, due[1:]) {
		t.Errorf("user 2's schedule = %v, want the rest", got)
	}

	// The notice survives a restart, is given once, and only in private.
	w.restart()
	r, err := w.h(context.Background(), bot.Message{Platform: platform, UserID: "1", ChatID: "-100", Chat: bot.Group, Text: "/topics"})
	if err != nil || strings.Contains(r.Text.String(), "stopped your reminders") {
		t.Errorf("/topics in a group = %q, %v; want no notice there", r.Text.String(), err)
	}
	if got := w.say("1", "/topics"); !strings.Contains(got, "I stopped your reminders") || !strings.Contains(got, "/remind on") {
		t.Errorf("next private message = %q, want the notice", got)
	}
	if got := w.say("1", "/topics"); strings.Contains(got, "stopped your reminders") {
		t.Errorf("the notice came twice: %q", got)
	}
	if got := w.say("1", "/remind"); !strings.Contains(got, "Reminders are off") {
		t.Errorf("/remind after DMs closed = %q, want off", got)
	}

	// Turning them on again is no occasion for the notice.
	w.clock.set(start)
	w.say("2", "/remind on")
	w.sender.fail = func(string) error { return bot.ErrUnreachable }
	w.clock.set(due[1])
	w.runOnce()
	if got := w.say("2", "/remind on"); strings.Contains(got, "stopped your reminders") || !strings.Contains(got, "Reminders are on") {
		t.Errorf("/remind on after a stop = %q, want on without the notice", got)
	}
}

func TestFailedDeliveryIsRetriedLater(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.say("1", "/remind on")
	w.sender.fail = func(string) error { return errors.New("telegram: push: 502 Bad Gateway") }
	due := plan2028(t)
	w.clock.set(due[0])
	next, _ := w.runOnce()
	if want := due[0].Add(15 * time.Minute); !next.Equal(want) {
		t.Errorf("after a failure the next try is at %v, want %v", next, want)
	}
	w.sender.fail = nil
	w.clock.set(next)
	w.runOnce()
	if got := w.sender.messages(); len(got) != 1 || strings.Contains(got[0].text, "While I was away") {
		t.Errorf("the retry sent %v, want the one reminder", got)
	}
}

func TestForgetDeletesTheSchedule(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.say("1", "/remind on")
	confirm := w.send("1", "/forget", "")
	if got := w.send("1", "", confirm.Choices[0].ID).Text.String(); !strings.Contains(got, "Done") {
		t.Fatalf("/forget = %q", got)
	}
	if got := w.pending("1"); len(got) != 0 {
		t.Errorf("schedule after /forget = %v", got)
	}
	w.clock.set(plan2028(t)[0])
	if _, ok := w.runOnce(); ok || len(w.sender.messages()) != 0 {
		t.Errorf("after /forget: next reminder %t, sent %v", ok, w.sender.messages())
	}
	if n, err := w.db.DeleteInactive(context.Background(), w.clock.Now()); err != nil || n != 0 {
		t.Errorf("DeleteInactive = %d, %v", n, err)
	}
}

func TestRetentionDeletesTheSchedule(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.say("1", "/remind on")
	if n, err := w.db.DeleteInactive(context.Background(), start.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("DeleteInactive = %d, %v; want 1", n, err)
	}
	if n, err := w.db.PendingReminders(context.Background()); err != nil || n != 0 {
		t.Errorf("pending reminders after the sweep = %d, %v; want 0", n, err)
	}
}

// TestRunSleepsUntilDue runs the scheduler's loop: it asks the clock for
// one timer to the next due time, sends when it fires, and wakes up for a
// schedule that changed meanwhile.
func TestRunSleepsUntilDue(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	w.say("1", "/remind on")
	w.clock.waiting = make(chan time.Duration, 4)
	w.sender.sent = make(chan pushed, 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.sched.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	if d := recv(t, w.clock.waiting); d != time.Hour {
		t.Errorf("Run sleeps %v, want its one-hour bound (the next is months away)", d)
	}
	// Each timer that fires brings it one hour nearer, then to the date.
	due := plan2028(t)[0]
	w.clock.set(due.Add(-24*time.Hour - 30*time.Minute))
	if d := recv(t, w.clock.waiting); d != time.Hour {
		t.Errorf("after the hour, Run sleeps %v, want an hour", d)
	}
	w.clock.set(due.Add(-15 * time.Minute))
	if d := recv(t, w.clock.waiting); d != 15*time.Minute {
		t.Errorf("Run sleeps %v, want 15m, until the reminder", d)
	}
	w.clock.set(due)
	if p := recv(t, w.sender.sent); p.user != "1" {
		t.Errorf("Run sent %v", p)
	}
	recv(t, w.clock.waiting) // asleep again
	w.withProfile("3")
	w.say("3", "/remind on") // wakes it: the schedule changed
	recv(t, w.clock.waiting)
	if n := len(w.sender.messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// recv receives from c, failing the test if nothing comes: a hang, not a
// timing assertion.
func recv[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal("nothing came")
		var zero T
		return zero
	}
}

func TestPacing(t *testing.T) {
	w := newWorld(t)
	w.sched = remind.New(remind.Config{Store: w.db, Compose: w.router.ReminderReply, Clock: w.clock})
	w.sched.AddSender(platform, w.sender, 20)
	for i := range 41 {
		u := fmt.Sprint(1000 + i)
		w.withProfile(u)
		w.say(u, "/remind on")
	}
	due := plan2028(t)[0]
	w.clock.set(due)
	w.clock.auto = true
	w.runOnce()
	if n := len(w.sender.messages()); n != 41 {
		t.Fatalf("sent %d, want 41", n)
	}
	// 41 messages at 20 a second: the last goes 2 s after the first.
	if got := w.clock.Now().Sub(due); got != 2*time.Second {
		t.Errorf("41 reminders at 20/s took %v, want 2s", got)
	}
}

func TestOnBeforeTheProfileIsComplete(t *testing.T) {
	w := newWorld(t)
	w.withProfile("1")
	p, s, err := w.db.LoadProfile(context.Background(), user("1"))
	if err != nil {
		t.Fatal(err)
	}
	p.USLetters = nil // the intake's last question, not answered yet
	if err := w.db.SaveProfile(context.Background(), user("1"), p, s, start); err != nil {
		t.Fatal(err)
	}
	if got := w.say("1", "/remind on"); !strings.Contains(got, "Reminders are on") || !strings.Contains(got, "Finish /intake") {
		t.Errorf("/remind on with an incomplete profile = %q, want on, nothing scheduled yet", got)
	}
	if got := w.pending("1"); len(got) != 0 {
		t.Errorf("schedule of an incomplete profile = %v", got)
	}
	w.say("1", "/profile set us_letters 1")
	if got, want := w.pending("1"), plan2028(t); !slices.Equal(got, want) {
		t.Errorf("schedule once the profile is complete = %v, want %v", got, want)
	}
}
