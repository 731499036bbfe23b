// Package metrics owns the bot's Prometheus metrics: messages handled by
// platform, command and outcome, how long they took, messages flood
// control skipped, and the router's events (questions answered and
// abstained, intakes started and completed, store errors). It keeps them
// in its own registry, with the Go runtime and process collectors, and
// serves them in the Prometheus text format. It never sees who wrote or
// what: labels are the platform, the command name and the outcome, all
// from small closed sets.
package metrics

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/uscebot/uscebot/bot"
)

const namespace = "uscebot"

// Outcomes of a handled message, as bot.Log names them, plus panic.
const (
	outcomeOK       = "ok"       // a reply, or deliberately none
	outcomeRejected = "rejected" // bot.Rejected: the user's input, not a fault
	outcomeError    = "error"    // any other error: an internal fault
	outcomePanic    = "panic"    // the handler panicked (bot.Recover apologises)
)

// durationBuckets span what a chat bot's handling takes: a cached answer in
// about a millisecond, a store write in a few, a slow disk or a busy
// database in seconds; beyond 5 s users notice and Discord gave up.
var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// Metrics holds the bot's metrics in a registry of their own.
type Metrics struct {
	reg      *prometheus.Registry
	messages *prometheus.CounterVec
	duration *prometheus.HistogramVec
	dropped  *prometheus.CounterVec
	events   map[bot.Event]prometheus.Counter // read-only after New

	reminders reminderMetrics
}

// New returns the metrics, registered with the Go and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "messages_total",
			Help:      "Messages handled, by platform, command and outcome (ok, rejected, error, panic).",
		}, []string{"platform", "command", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "message_duration_seconds",
			Help:      "Time to handle one message, by platform and command.",
			Buckets:   durationBuckets,
		}, []string{"platform", "command"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "messages_dropped_total",
			Help:      "Messages skipped unhandled by flood control (a user far over the limit), by platform.",
		}, []string{"platform"}),
	}
	questions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "questions_total",
		Help:      "Questions asked, by result: answered from a topic, or abstained (outside the knowledge base).",
	}, []string{"result"})
	intakesStarted := prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "intakes_started_total",
		Help:      "Intakes started (a first /intake).",
	})
	intakesCompleted := prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "intakes_completed_total",
		Help:      "Intakes completed (their last answer given).",
	})
	storeErrors := prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "store_errors_total",
		Help:      "Store reads and writes that failed while handling messages.",
	})
	// Series that exist from the start, at zero, so that rate() and
	// ratios work before the first event.
	m.events = map[bot.Event]prometheus.Counter{
		bot.EventAnswered:        questions.WithLabelValues("answered"),
		bot.EventAbstained:       questions.WithLabelValues("abstained"),
		bot.EventClarified:       questions.WithLabelValues("clarified"),
		bot.EventIntakeStarted:   intakesStarted,
		bot.EventIntakeCompleted: intakesCompleted,
		bot.EventStoreError:      storeErrors,
	}
	reg.MustRegister(
		m.messages, m.duration, m.dropped, questions, intakesStarted, intakesCompleted, storeErrors,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.reminders = newReminderMetrics(reg)
	return m
}

// Observe counts one router event; give it to bot.Router.OnEvent.
func (m *Metrics) Observe(e bot.Event) {
	if c := m.events[e]; c != nil {
		c.Inc()
	}
}

// Dropped counts one message skipped by flood control; give it to
// bot.FloodDropped. Such a message never reaches Middleware.
func (m *Metrics) Dropped(msg bot.Message) {
	m.dropped.WithLabelValues(msg.Platform).Inc()
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry: m.reg, // counts its own errors in promhttp_metric_handler_errors_total
		// A scrape never takes long; a stuck one must not pile up.
		Timeout:             10 * time.Second,
		MaxRequestsInFlight: 4,
	})
}

// Middleware counts every message by platform, command and outcome and
// observes how long it took. commands are the router's
// (bot.Router.Commands): a command outside them is labelled "unknown", so
// users typing /anything cannot create new series. Commands are named as
// bot.Log names them: the command for /commands, "choice:<kind>" for a
// button press (the kind is the command whose conversation offered it,
// else "choice:unknown"), "message" for anything else. It reads no
// message text beyond the command word and logs nothing.
//
// Put it inside bot.Recover and bot.ErrorReplies (next to bot.Log), where
// errors are still errors: a panic passing through it is counted as
// "panic" and goes on to Recover.
func (m *Metrics) Middleware(commands []bot.CommandInfo) bot.Middleware {
	// /start is a command of the router that no menu lists: Telegram
	// sends it when a user first opens the bot.
	known := map[string]bool{"start": true}
	for _, c := range commands {
		known[c.Name] = true
	}
	return func(next bot.Handler) bot.Handler {
		return func(ctx context.Context, msg bot.Message) (bot.Reply, error) {
			command := commandLabel(known, msg)
			start := time.Now()
			outcome := outcomePanic // unless next returns
			defer func() {
				m.messages.WithLabelValues(msg.Platform, command, outcome).Inc()
				m.duration.WithLabelValues(msg.Platform, command).Observe(time.Since(start).Seconds())
			}()
			r, err := next(ctx, msg)
			outcome = outcomeOf(err)
			return r, err
		}
	}
}

// outcomeOf classifies a handler's error the way bot.Log does.
func outcomeOf(err error) string {
	if err == nil {
		return outcomeOK
	}
	if bot.Rejected(err) {
		return outcomeRejected
	}
	return outcomeError
}

// commandLabel names the command of msg from the closed set known.
func commandLabel(known map[string]bool, msg bot.Message) string {
	if msg.Choice != "" {
		kind, _, _ := strings.Cut(msg.Choice, ":")
		if known[kind] {
			return "choice:" + kind
		}
		return "choice:unknown"
	}
	// Trimmed as the router trims it, then read as the router reads it.
	c, ok := bot.SplitCommand(strings.TrimSpace(msg.Text))
	if !ok {
		return "message"
	}
	if known[c.Name] {
		return c.Name
	}
	return "unknown"
}
