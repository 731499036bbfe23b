package bot

import (
	"context"
	"errors"
	"time"

	"github.com/uscebot/uscebot/advisor"
)

// ReminderStore keeps the reminder settings and schedules; store.DB
// satisfies it. The schedule's pending reminders exist only while the
// user's reminders are on.
type ReminderStore interface {
	// ReminderSettings returns u's settings; zero ones for a user who
	// never turned reminders on.
	ReminderSettings(ctx context.Context, u advisor.UserKey) (advisor.ReminderSettings, error)
	// SetReminders turns u's reminders on at hour with the given schedule,
	// or off (dropping the pending ones), and clears Stopped.
	SetReminders(ctx context.Context, u advisor.UserKey, on bool, hour int, schedule []advisor.Reminder, now time.Time) error
	// Reschedule replaces u's pending reminders with schedule if u's
	// reminders are on, and does nothing otherwise. A milestone already
	// sent is not scheduled again.
	Reschedule(ctx context.Context, u advisor.UserKey, schedule []advisor.Reminder, now time.Time) error
	// Reminders returns u's reminders, pending and done, by date.
	Reminders(ctx context.Context, u advisor.UserKey) ([]advisor.Reminder, error)
	// StopReminders turns u's reminders off because the platform refused
	// them, marking Stopped so the user can be told.
	StopReminders(ctx context.Context, u advisor.UserKey, now time.Time) error
	// ClearReminderStop clears Stopped once the user was told.
	ClearReminderStop(ctx context.Context, u advisor.UserKey) error
	// StoppedReminders lists the users with Stopped set.
	StoppedReminders(ctx context.Context) ([]advisor.UserKey, error)

	// NextReminder returns when the earliest pending reminder of users on
	// the given platforms is due; ok is false when there is none.
	NextReminder(ctx context.Context, platforms []string) (due time.Time, ok bool, err error)
	// DueReminders returns up to limit pending reminders due at now or
	// before, of users on the given platforms, earliest first.
	DueReminders(ctx context.Context, now time.Time, platforms []string, limit int) ([]advisor.Reminder, error)
	// FinishReminders sets the status (sent, skipped, failed) of pending
	// reminders; those no longer pending are left as they are.
	FinishReminders(ctx context.Context, ids []int64, status string, now time.Time) error
	// RetryReminder counts a failed try of a pending reminder and makes it
	// due again at due.
	RetryReminder(ctx context.Context, id int64, due time.Time) error
	// PendingReminders counts the pending reminders of every user.
	PendingReminders(ctx context.Context) (int, error)
}

// ErrUnreachable is what a platform's push returns when it refuses for good
// to deliver to the user (Discord: DMs closed; Telegram: the bot blocked):
// their reminders stop, and they are told at their next message.
var ErrUnreachable = errors.New("the user cannot be messaged privately")
