package metrics

import "github.com/prometheus/client_golang/prometheus"

// reminderMetrics count the reminders the scheduler (bot/remind) handles;
// Metrics satisfies remind.Observer with them.
type reminderMetrics struct {
	sent, failed prometheus.Counter
	scheduled    prometheus.Gauge
}

func newReminderMetrics(reg *prometheus.Registry) reminderMetrics {
	m := reminderMetrics{
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "reminders_sent_total",
			Help:      "Plan reminders delivered (a catch-up message counts each reminder it carries).",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "reminders_failed_total",
			Help:      "Plan reminders whose delivery failed (retried later, or stopped when the platform refuses for good).",
		}),
		scheduled: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "reminders_scheduled",
			Help:      "Plan reminders waiting for their date, as of the scheduler's last pass.",
		}),
	}
	reg.MustRegister(m.sent, m.failed, m.scheduled)
	return m
}

// RemindersSent counts n reminders delivered.
func (m *Metrics) RemindersSent(n int) { m.reminders.sent.Add(float64(n)) }

// RemindersFailed counts n reminders not delivered.
func (m *Metrics) RemindersFailed(n int) { m.reminders.failed.Add(float64(n)) }

// RemindersScheduled sets the number of reminders waiting.
func (m *Metrics) RemindersScheduled(n int) { m.reminders.scheduled.Set(float64(n)) }
