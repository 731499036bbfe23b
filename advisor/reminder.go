package advisor

import "time"

// Statuses of a Reminder.
const (
	ReminderPending = "pending" // still to send
	ReminderSent    = "sent"
	ReminderSkipped = "skipped" // its milestone was over, or gone from the plan, when it came due
	ReminderFailed  = "failed"  // the platform kept failing; given up
)

// Reminder is one milestone of a user's plan, to be sent to them privately
// on its date (/remind).
type Reminder struct {
	ID   int64
	User UserKey
	// From and To are the milestone's span, [From, To).
	From, To time.Time
	// Due is when it is sent: From at the user's hour, later after a
	// failed try.
	Due    time.Time
	Text   string   // the plan line, without its dates
	Topics []string // the topics to read for it
	Status string
	// Attempts counts the failed tries.
	Attempts int
}

// ReminderSettings are a user's reminder choices.
type ReminderSettings struct {
	On bool
	// Hour is the hour of the day (UTC, 0-23) they are sent at: the one
	// at which the user turned them on.
	Hour int
	// Stopped says a platform refused a reminder for good (DMs closed),
	// which turned them off, and the user has not been told yet.
	Stopped bool
}
