package metrics

import (
	"strings"
	"testing"

	"github.com/uscebot/uscebot/bot/remind"
)

var _ remind.Observer = (*Metrics)(nil)

func TestReminderMetrics(t *testing.T) {
	m := New()
	_, before := scrape(t, m.Handler())
	for _, want := range []string{"uscebot_reminders_sent_total 0", "uscebot_reminders_failed_total 0", "uscebot_reminders_scheduled 0"} {
		if !strings.Contains(before, want+"\n") {
			t.Errorf("before any reminder, no %q in the metrics", want)
		}
	}
	m.RemindersSent(3)
	m.RemindersSent(2)
	m.RemindersFailed(1)
	m.RemindersScheduled(40)
	m.RemindersScheduled(35)
	_, after := scrape(t, m.Handler())
	for _, want := range []string{"uscebot_reminders_sent_total 5", "uscebot_reminders_failed_total 1", "uscebot_reminders_scheduled 35"} {
		if !strings.Contains(after, want+"\n") {
			t.Errorf("no %q in the metrics:\n%s", want, after)
		}
	}
}
