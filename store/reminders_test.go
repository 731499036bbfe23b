package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
)

func reminder(from time.Time, text string) advisor.Reminder {
	return advisor.Reminder{From: from, To: from.AddDate(0, 6, 0), Due: from.Add(9 * time.Hour), Text: text, Topics: []string{"timeline", "finding-usce"}}
}

func TestReminders(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	march, sept := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 9, 1, 0, 0, 0, 0, time.UTC)
	both := []advisor.Reminder{reminder(march, "secure USCE"), reminder(sept, "confirm letters")}

	// Reschedule does nothing for a user whose reminders are off.
	if err := db.Reschedule(ctx, alice, both, t0); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "reminders"); n != 0 {
		t.Errorf("Reschedule with reminders off wrote %d rows", n)
	}
	if err := db.SetReminders(ctx, alice, true, 9, both, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.SetReminders(ctx, bob, true, 9, both[:1], t0); err != nil {
		t.Fatal(err)
	}
	if s, err := db.ReminderSettings(ctx, alice); err != nil || s != (advisor.ReminderSettings{On: true, Hour: 9}) {
		t.Errorf("ReminderSettings = %+v, %v", s, err)
	}

	// The platform filter: bob is on Discord.
	next, ok, err := db.NextReminder(ctx, []string{"discord"})
	if err != nil || !ok || !next.Equal(march.Add(9*time.Hour)) {
		t.Errorf("NextReminder(discord) = %v, %t, %v", next, ok, err)
	}
	if _, ok, _ := db.NextReminder(ctx, []string{"console"}); ok {
		t.Error("NextReminder(console) found one")
	}
	due, err := db.DueReminders(ctx, sept.Add(9*time.Hour), []string{"telegram"}, 10)
	if err != nil || len(due) != 2 || due[0].User != alice || due[0].Text != "secure USCE" ||
		!slices.Equal(due[0].Topics, []string{"timeline", "finding-usce"}) || !due[1].To.Equal(sept.AddDate(0, 6, 0)) {
		t.Fatalf("DueReminders(telegram) = %+v, %v", due, err)
	}

	// Sent stays sent: finishing again or recomputing the schedule brings
	// it back to nothing.
	if err := db.FinishReminders(ctx, []int64{due[0].ID}, advisor.ReminderSent, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishReminders(ctx, []int64{due[0].ID}, advisor.ReminderSkipped, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishReminders(ctx, []int64{due[0].ID}, advisor.ReminderPending, t0); err == nil {
		t.Error("FinishReminders(pending) succeeded")
	}
	if err := db.Reschedule(ctx, alice, []advisor.Reminder{reminder(march, "secure USCE, reworded"), reminder(sept, "confirm letters")}, t0); err != nil {
		t.Fatal(err)
	}
	rs, err := db.Reminders(ctx, alice)
	if err != nil || len(rs) != 2 || rs[0].Status != advisor.ReminderSent || rs[0].Text != "secure USCE" || rs[1].Status != advisor.ReminderPending {
		t.Errorf("Reminders after a reschedule = %+v, %v; want the sent one kept as it was", rs, err)
	}

	// A failed try moves the reminder on and counts.
	if err := db.RetryReminder(ctx, rs[1].ID, sept.Add(10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if rs, _ := db.Reminders(ctx, alice); rs[1].Attempts != 1 || !rs[1].Due.Equal(sept.Add(10*time.Hour)) {
		t.Errorf("after RetryReminder: %+v", rs[1])
	}

	// A platform's refusal turns them off, drops the schedule, and is
	// remembered until cleared.
	if err := db.StopReminders(ctx, alice, t0); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.ReminderSettings(ctx, alice); s != (advisor.ReminderSettings{Hour: 9, Stopped: true}) {
		t.Errorf("settings after StopReminders = %+v", s)
	}
	if users, err := db.StoppedReminders(ctx); err != nil || !slices.Equal(users, []advisor.UserKey{alice}) {
		t.Errorf("StoppedReminders = %v, %v", users, err)
	}
	if err := db.ClearReminderStop(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if users, _ := db.StoppedReminders(ctx); len(users) != 0 {
		t.Errorf("StoppedReminders after clearing = %v", users)
	}
	if n, err := db.PendingReminders(ctx); err != nil || n != 1 {
		t.Errorf("PendingReminders = %d, %v; want bob's one", n, err)
	}

	// Forget deletes the settings and the schedule with the user.
	if _, err := db.Forget(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "reminders WHERE user_id NOT IN (SELECT id FROM users)") + count(t, db, "reminder_settings WHERE user_id NOT IN (SELECT id FROM users)"); n != 0 {
		t.Errorf("%d reminder rows outlived their user", n)
	}
	if n, _ := db.PendingReminders(ctx); n != 0 {
		t.Errorf("PendingReminders after Forget = %d", n)
	}
}

// BenchmarkReminderSettings is what every saved profile costs the router
// once reminders are on in the process (bot.Router.reschedule): one read.
func BenchmarkReminderSettings(b *testing.B) {
	db, _ := openTemp(b)
	ctx := context.Background()
	if err := db.SetReminders(ctx, alice, true, 9, nil, t0); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := db.ReminderSettings(ctx, alice); err != nil {
			b.Fatal(err)
		}
	}
}
