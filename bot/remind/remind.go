// Package remind owns the delivery of reminders (/remind): one scheduler
// that sleeps until the next reminder is due, takes the due ones from the
// store, and hands each user's to the sender of their platform, paced
// within the platform's limits. It is platform-neutral: adapters implement
// Sender, the router composes the message (bot.Router.ReminderReply), and
// the store keeps the schedule (bot.ReminderStore).
//
// Nothing due is lost to a restart or a crash: a reminder is marked sent
// only after its message went out, so a crash between the two sends that
// one message again after the restart (and a send whose answer was lost
// is tried again, as any failed one). Users' messages go out one at a
// time per platform, in due order, paced; several users' at once.
package remind

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
)

// Tuning. Variables of the package rather than options: nobody has needed
// to change them, and the tests need no other values.
const (
	// batchSize bounds the reminders read from the store at once.
	batchSize = 500
	// workers bounds the messages in flight at once: the pacing decides
	// the rate, this only covers the platforms' latency.
	workers = 16
	// maxSleep bounds one sleep: a missed wake-up costs at most this.
	maxSleep = time.Hour
	// retryWait is the wait after the store failed.
	retryWait = time.Minute
	// lateAfter is how late a reminder may come before it counts as a
	// catch-up after downtime ("While I was away").
	lateAfter = 6 * time.Hour
	// maxAttempts is how often a reminder is tried before it is given up.
	maxAttempts = 5
	// grace is how long the messages in flight may take to finish once
	// the scheduler is stopped: one that went out must be marked sent.
	grace = 5 * time.Second
)

// Sender delivers a reminder privately on one platform.
type Sender interface {
	// Push sends r to the user privately (Telegram: their private chat
	// with the bot; Discord: a DM). It returns bot.ErrUnreachable (wrapped)
	// when the platform refuses for good, any other error when a later
	// try may work.
	Push(ctx context.Context, userID string, r bot.Reply) error
}

// Composer makes the message of one user's due reminders (the router's
// ReminderReply).
type Composer func(ctx context.Context, u advisor.UserKey, due []advisor.Reminder, catchUp bool, now time.Time) (bot.Reply, error)

// Observer counts what the scheduler does, for metrics. Its methods must
// be quick and safe for concurrent use.
type Observer interface {
	RemindersSent(n int)
	RemindersFailed(n int)
	RemindersScheduled(n int)
}

// Clock is the scheduler's time: time.Now and time.After in production, a
// fake in tests.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Config configures a Scheduler.
type Config struct {
	Store    bot.ReminderStore
	Compose  Composer
	Clock    Clock        // nil: the real clock
	Log      *slog.Logger // nil: no log
	Observer Observer     // nil: not counted
	// Unreachable is told of each user whose platform refused for good
	// (their reminders are already off in the store): the router's
	// RemindersStopped.
	Unreachable func(u advisor.UserKey)
}

// Scheduler sends the due reminders. Run it once, on one goroutine.
type Scheduler struct {
	cfg       Config
	platforms []string
	senders   map[string]Sender
	pacers    map[string]*pacer
	wake      chan struct{}
}

// New returns a scheduler over cfg.
func New(cfg Config) *Scheduler {
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{cfg: cfg, senders: make(map[string]Sender), pacers: make(map[string]*pacer), wake: make(chan struct{}, 1)}
}

// AddSender makes the scheduler send the reminders of users on platform
// with sender, at most perSecond messages a second (0: not paced);
// reminders of users on other platforms wait. Call it before Run.
func (s *Scheduler) AddSender(platform string, sender Sender, perSecond float64) {
	s.platforms = append(s.platforms, platform)
	s.senders[platform] = sender
	p := &pacer{clock: s.cfg.Clock}
	if perSecond > 0 {
		p.interval = time.Duration(float64(time.Second) / perSecond)
	}
	s.pacers[platform] = p
}

// Wake makes a sleeping Run look at the schedule again: it changed. It
// never blocks.
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends the due reminders and sleeps until the next one is due (or
// Wake), until ctx is done.
func (s *Scheduler) Run(ctx context.Context) {
	for ctx.Err() == nil {
		next, ok, err := s.RunOnce(ctx)
		wait := maxSleep
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.cfg.Log.Error("reminders: store failed; trying again later", "error", err, "in", retryWait)
			wait = retryWait
		case ok:
			wait = min(max(next.Sub(s.cfg.Clock.Now()), 0), maxSleep)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-s.cfg.Clock.After(wait):
		}
	}
}

// counts are what one batch did, for its log line.
type counts struct {
	Sent, Failed, Skipped, Stopped, Retried int
}

// RunOnce sends every reminder due now and returns when the next one is
// due (ok false: none is).
func (s *Scheduler) RunOnce(ctx context.Context) (next time.Time, ok bool, err error) {
	seen := make(map[int64]bool)
	for ctx.Err() == nil {
		now := s.cfg.Clock.Now()
		due, err := s.cfg.Store.DueReminders(ctx, now, s.platforms, batchSize)
		if err != nil {
			return time.Time{}, false, err
		}
		// A reminder seen before in this pass could not be marked: leave
		// it for the next pass rather than send it again and again now.
		fresh := due[:0]
		for _, r := range due {
			if !seen[r.ID] {
				seen[r.ID] = true
				fresh = append(fresh, r)
			}
		}
		if len(fresh) == 0 {
			break
		}
		c := s.sendBatch(ctx, fresh, now)
		s.cfg.Log.Info("reminders: batch", "due", len(fresh), "sent", c.Sent, "failed", c.Failed,
			"skipped", c.Skipped, "stopped", c.Stopped, "retried", c.Retried)
		if len(due) < batchSize {
			break
		}
	}
	if s.cfg.Observer != nil {
		if n, err := s.cfg.Store.PendingReminders(ctx); err == nil {
			s.cfg.Observer.RemindersScheduled(n)
		}
	}
	return s.cfg.Store.NextReminder(ctx, s.platforms)
}

// RunUser sends u's due reminders alone, with the sender of u's platform
// (the console's, when it starts).
func (s *Scheduler) RunUser(ctx context.Context, u advisor.UserKey) error {
	all, err := s.cfg.Store.Reminders(ctx, u)
	if err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	var due []advisor.Reminder
	for _, r := range all {
		if r.Status == advisor.ReminderPending && !r.Due.After(now) {
			due = append(due, r)
		}
	}
	if len(due) > 0 && s.senders[u.Platform] != nil {
		s.sendBatch(ctx, due, now)
	}
	return nil
}

// sendBatch sends due (earliest first), one message per user, and marks
// each reminder as it goes.
func (s *Scheduler) sendBatch(ctx context.Context, due []advisor.Reminder, now time.Time) counts {
	var (
		mu  sync.Mutex
		c   counts
		wg  sync.WaitGroup
		sem = make(chan struct{}, workers)
	)
	// Messages in flight outlive ctx by the grace: stopped between the
	// send and the mark, a reminder would go out again after the restart.
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	defer stop()
	add := func(f func(*counts)) {
		mu.Lock()
		f(&c)
		mu.Unlock()
	}
	for _, group := range byUser(due) {
		var live, over []advisor.Reminder
		for _, r := range group {
			if !now.Before(r.To) {
				over = append(over, r) // its time is past: never sent late
			} else {
				live = append(live, r)
			}
		}
		if len(over) > 0 {
			if err := s.cfg.Store.FinishReminders(ctx, ids(over), advisor.ReminderSkipped, now); err != nil {
				s.cfg.Log.Error("reminders: could not mark skipped ones", "error", err)
			}
			add(func(c *counts) { c.Skipped += len(over) })
		}
		if len(live) == 0 {
			continue
		}
		u := live[0].User
		if err := s.pacers[u.Platform].wait(ctx); err != nil {
			break // shutting down; the rest stays due
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			s.deliver(sendCtx, u, live, now, add)
		})
	}
	wg.Wait()
	if o := s.cfg.Observer; o != nil {
		o.RemindersSent(c.Sent)
		o.RemindersFailed(c.Failed)
	}
	return c
}

// deliver sends one user's due reminders as one message, then marks them.
func (s *Scheduler) deliver(ctx context.Context, u advisor.UserKey, live []advisor.Reminder, now time.Time, add func(func(*counts))) {
	catchUp := len(live) > 1 || now.Sub(live[0].Due) > lateAfter
	reply, err := s.cfg.Compose(ctx, u, live, catchUp, now)
	if err == nil {
		err = s.senders[u.Platform].Push(ctx, u.ID, reply)
	}
	switch {
	case err == nil:
		// Sent: mark it now. A crash before this line sends it again.
		if err := s.cfg.Store.FinishReminders(ctx, ids(live), advisor.ReminderSent, now); err != nil {
			s.cfg.Log.Error("reminders: sent but not marked; it may be sent again", "user", bot.HashID(u.ID), "error", err)
		}
		add(func(c *counts) { c.Sent += len(live) })
	case errors.Is(err, bot.ErrUnreachable):
		if err := s.cfg.Store.StopReminders(ctx, u, now); err != nil {
			s.cfg.Log.Error("reminders: could not stop them for an unreachable user", "user", bot.HashID(u.ID), "error", err)
		}
		if s.cfg.Unreachable != nil {
			s.cfg.Unreachable(u)
		}
		add(func(c *counts) { c.Failed += len(live); c.Stopped++ })
	case ctx.Err() != nil:
		// Shutting down: still due at the next start.
	default:
		s.cfg.Log.Warn("reminders: not delivered", "platform", u.Platform, "user", bot.HashID(u.ID), "error", err)
		add(func(c *counts) { c.Failed += len(live) })
		for _, r := range live {
			if r.Attempts+1 >= maxAttempts {
				if err := s.cfg.Store.FinishReminders(ctx, []int64{r.ID}, advisor.ReminderFailed, now); err != nil {
					s.cfg.Log.Error("reminders: could not give one up", "error", err)
				}
				continue
			}
			// 15 minutes, then 30, 60, 120.
			again := now.Add(15 * time.Minute << r.Attempts)
			if err := s.cfg.Store.RetryReminder(ctx, r.ID, again); err != nil {
				s.cfg.Log.Error("reminders: could not reschedule a failed one", "error", err)
			}
			add(func(c *counts) { c.Retried++ })
		}
	}
}

// byUser groups reminders by user, keeping their order.
func byUser(rs []advisor.Reminder) [][]advisor.Reminder {
	idx := make(map[advisor.UserKey]int)
	var out [][]advisor.Reminder
	for _, r := range rs {
		i, ok := idx[r.User]
		if !ok {
			i = len(out)
			idx[r.User] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], r)
	}
	return out
}

func ids(rs []advisor.Reminder) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// pacer spaces one platform's messages interval apart.
type pacer struct {
	clock    Clock
	interval time.Duration // 0: no pacing
	next     time.Time
}

// wait returns when the next message may go.
func (p *pacer) wait(ctx context.Context) error {
	if p.interval <= 0 {
		return ctx.Err()
	}
	now := p.clock.Now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(p.interval)
	if d := slot.Sub(now); d > 0 {
		select {
		case <-p.clock.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
