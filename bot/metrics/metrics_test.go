package metrics

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/store"
)

// fixture is a real router over the real knowledge base and a SQLite
// file, with the metrics wired as uscebot run wires them.
type fixture struct {
	m       *Metrics
	db      *store.DB
	router  *bot.Router
	handler bot.Handler
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	router := bot.NewRouter(kb, db, func() time.Time { return now })
	m := New()
	router.OnEvent(m.Observe)
	log := slog.New(slog.DiscardHandler)
	h := bot.Chain(router.Handle, bot.Recover(log), bot.ErrorReplies(), bot.Log(log), m.Middleware(router.Commands()))
	return &fixture{m: m, db: db, router: router, handler: h}
}

func (f *fixture) send(t *testing.T, msg bot.Message) bot.Reply {
	t.Helper()
	if msg.Platform == "" {
		msg.Platform = "telegram"
	}
	msg.UserID, msg.ChatID = "u1", "u1"
	r, err := f.handler(context.Background(), msg)
	if err != nil {
		t.Fatalf("handle %+v: %v (the chain's error is always nil)", msg, err)
	}
	return r
}

// scrape fetches /metrics from the handler like Prometheus does.
func scrape(t *testing.T, h http.Handler) (contentType, body string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: status %d, body %s", resp.StatusCode, b)
	}
	return resp.Header.Get("Content-Type"), string(b)
}

func TestMessagesAndEvents(t *testing.T) {
	f := newFixture(t)
	f.send(t, bot.Message{Text: "does telehealth count as usce?"})
	f.send(t, bot.Message{Text: "/ask what is the best anki deck for step 1"})
	r := f.send(t, bot.Message{Text: "/intake"})
	if len(r.Choices) == 0 {
		t.Fatalf("/intake = %+v, want a question with choices", r)
	}
	f.send(t, bot.Message{Choice: r.Choices[0].ID})
	f.send(t, bot.Message{Text: "/frobnicate"})
	f.send(t, bot.Message{Choice: "nonsense:1"})
	f.send(t, bot.Message{Platform: "discord", Text: "/topics"})
	// A store that fails: an internal error and a store error.
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	f.send(t, bot.Message{Text: "/profile"})

	ct, body := scrape(t, f.m.Handler())
	if !strings.HasPrefix(ct, "text/plain") || !strings.Contains(ct, "version=0.0.4") {
		t.Errorf("Content-Type = %q, want the Prometheus text format", ct)
	}
	want := `
# HELP uscebot_messages_total Messages handled, by platform, command and outcome (ok, rejected, error, panic).
# TYPE uscebot_messages_total counter
uscebot_messages_total{command="ask",outcome="ok",platform="telegram"} 1
uscebot_messages_total{command="choice:intake",outcome="ok",platform="telegram"} 1
uscebot_messages_total{command="choice:unknown",outcome="ok",platform="telegram"} 1
uscebot_messages_total{command="intake",outcome="ok",platform="telegram"} 1
uscebot_messages_total{command="message",outcome="ok",platform="telegram"} 1
uscebot_messages_total{command="profile",outcome="error",platform="telegram"} 1
uscebot_messages_total{command="topics",outcome="ok",platform="discord"} 1
uscebot_messages_total{command="unknown",outcome="rejected",platform="telegram"} 1
# HELP uscebot_questions_total Questions asked, by result: answered from a topic, or abstained (outside the knowledge base).
# TYPE uscebot_questions_total counter
uscebot_questions_total{result="abstained"} 1
uscebot_questions_total{result="clarified"} 0
uscebot_questions_total{result="answered"} 1
# HELP uscebot_intakes_started_total Intakes started (a first /intake).
# TYPE uscebot_intakes_started_total counter
uscebot_intakes_started_total 1
# HELP uscebot_intakes_completed_total Intakes completed (their last answer given).
# TYPE uscebot_intakes_completed_total counter
uscebot_intakes_completed_total 0
# HELP uscebot_store_errors_total Store reads and writes that failed while handling messages.
# TYPE uscebot_store_errors_total counter
uscebot_store_errors_total 2
`
	srv := httptest.NewServer(f.m.Handler())
	defer srv.Close()
	if err := testutil.ScrapeAndCompare(srv.URL, strings.NewReader(want),
		"uscebot_messages_total", "uscebot_questions_total", "uscebot_intakes_started_total",
		"uscebot_intakes_completed_total", "uscebot_store_errors_total"); err != nil {
		t.Error(err)
	}

	// Durations vary; their counts and the buckets do not.
	for _, line := range []string{
		`uscebot_message_duration_seconds_count{command="ask",platform="telegram"} 1`,
		`uscebot_message_duration_seconds_count{command="profile",platform="telegram"} 1`,
		`uscebot_message_duration_seconds_count{command="topics",platform="discord"} 1`,
		`uscebot_message_duration_seconds_bucket{command="ask",platform="telegram",le="0.001"} `,
		`uscebot_message_duration_seconds_bucket{command="ask",platform="telegram",le="5"} `,
		`uscebot_message_duration_seconds_bucket{command="ask",platform="telegram",le="+Inf"} 1`,
		"# TYPE go_goroutines gauge",
		"# TYPE process_start_time_seconds gauge",
	} {
		if !strings.Contains(body, line) {
			t.Errorf("the exposition lacks %q", line)
		}
	}
	// Nothing a user typed becomes a label.
	for _, s := range []string{"frobnicate", "nonsense", "anki", "telehealth", `"u1"`} {
		if strings.Contains(body, s) {
			t.Errorf("the exposition contains %q", s)
		}
	}
}

func TestPanicCounted(t *testing.T) {
	m := New()
	var logs strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	boom := func(context.Context, bot.Message) (bot.Reply, error) { panic("boom") }
	h := bot.Chain(boom, bot.Recover(log), bot.ErrorReplies(), bot.Log(log), m.Middleware(nil))
	r, err := h(context.Background(), bot.Message{Platform: "console", UserID: "u1", Text: "hello"})
	if err != nil || !strings.Contains(r.Text.String(), "something broke") {
		t.Errorf("after a panic: reply %q, error %v; want Recover's apology", r.Text.String(), err)
	}
	if got := testutil.ToFloat64(m.messages.WithLabelValues("console", "message", "panic")); got != 1 {
		t.Errorf("messages{outcome=panic} = %v, want 1", got)
	}
	if got := testutil.CollectAndCount(m.duration); got != 1 {
		t.Errorf("%d duration series after a panic, want 1", got)
	}
	mu.Lock()
	defer mu.Unlock()
	// The panic reached Recover untouched, with the stack of its origin.
	if !strings.Contains(logs.String(), "panic=boom") || !strings.Contains(logs.String(), "metrics.TestPanicCounted") {
		t.Errorf("Recover's log = %s, want the panic and its stack", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestCommandLabel(t *testing.T) {
	commands := []bot.CommandInfo{{Name: "ask"}, {Name: "help"}, {Name: "intake"}, {Name: "forget"}}
	tests := []struct {
		name string
		msg  bot.Message
		want string
	}{
		{"question", bot.Message{Text: "does telehealth count?"}, "message"},
		{"empty", bot.Message{}, "message"},
		{"command", bot.Message{Text: "/ask does it count"}, "ask"},
		{"padded", bot.Message{Text: "  /help  "}, "help"},
		{"bot suffix and case", bot.Message{Text: "/ASK@uscebot_bot x"}, "ask"},
		{"tab", bot.Message{Text: "/ask\tx"}, "ask"},
		{"no-break space", bot.Message{Text: "/intake\u00a0now"}, "intake"},
		{"start is always known", bot.Message{Text: "/start payload"}, "start"},
		{"unknown command", bot.Message{Text: "/frobnicate"}, "unknown"},
		{"slash alone", bot.Message{Text: "/"}, "unknown"},
		{"odd characters", bot.Message{Text: "/a$k"}, "unknown"},
		{"forget button", bot.Message{Choice: "forget:yes:1764000000"}, "choice:forget"},
		{"intake button", bot.Message{Choice: bot.AnswerChoice("stage", "graduate")}, "choice:intake"},
		{"forged button", bot.Message{Choice: "zzz:1", Text: "/ask"}, "choice:unknown"},
		{"no kind", bot.Message{Choice: "x"}, "choice:unknown"},
	}
	m := New()
	var mu sync.Mutex
	var logged string
	log := slog.New(commandTap{f: func(c string) {
		mu.Lock()
		logged = c
		mu.Unlock()
	}})
	ok := func(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, nil }
	h := bot.Chain(ok, bot.Log(log), m.Middleware(commands))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			known := map[string]bool{"start": true}
			for _, c := range commands {
				known[c.Name] = true
			}
			if got := commandLabel(known, tt.msg); got != tt.want {
				t.Errorf("commandLabel(%+v) = %q, want %q", tt.msg, got, tt.want)
			}
			// Known names are bot.Log's names.
			if _, err := h(context.Background(), tt.msg); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if !strings.HasSuffix(tt.want, "unknown") && logged != tt.want {
				t.Errorf("bot.Log names %+v %q, metrics %q", tt.msg, logged, tt.want)
			}
		})
	}
}

// commandTap is a slog.Handler that passes on the command attribute.
type commandTap struct{ f func(string) }

func (c commandTap) Enabled(context.Context, slog.Level) bool { return true }
func (c commandTap) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "command" {
			c.f(a.Value.String())
		}
		return true
	})
	return nil
}
func (c commandTap) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c commandTap) WithGroup(string) slog.Handler      { return c }

func TestOutcomes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, "ok"},
		{"application error", bot.Errorf(bot.EInvalid, "no"), "rejected"},
		{"wrapped application error", wrap{bot.Errorf(bot.EInvalid, "no")}, "rejected"},
		{"a store that could not save", wrap{bot.Errorf(bot.EUnavailable, "later")}, "error"},
		{"internal error", context.DeadlineExceeded, "error"},
	}
	for _, tt := range tests {
		if got := outcomeOf(tt.err); got != tt.want {
			t.Errorf("outcomeOf(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

type wrap struct{ err error }

func (w wrap) Error() string { return "wrapped: " + w.err.Error() }
func (w wrap) Unwrap() error { return w.err }

func TestEveryEventCounted(t *testing.T) {
	m := New()
	for _, e := range bot.Events() {
		c := m.events[e]
		if c == nil {
			t.Errorf("event %s has no counter", e)
			continue
		}
		before := testutil.ToFloat64(c)
		m.Observe(e)
		if got := testutil.ToFloat64(c); got != before+1 {
			t.Errorf("after Observe(%s) its counter is %v, want %v", e, got, before+1)
		}
	}
	m.Observe(bot.Event(200)) // an event this build does not know: ignored
}

func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			msg := bot.Message{Platform: "telegram", UserID: string(rune('a' + i)), Text: "/topics"}
			if _, err := f.handler(context.Background(), msg); err != nil {
				t.Error(err)
			}
		})
	}
	srv := httptest.NewServer(f.m.Handler())
	defer srv.Close()
	wg.Go(func() {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
	})
	wg.Wait()
	if got := testutil.ToFloat64(f.m.messages.WithLabelValues("telegram", "topics", "ok")); got != 8 {
		t.Errorf("messages{topics,ok} = %v, want 8", got)
	}
}

func TestLint(t *testing.T) {
	m := New()
	m.Observe(bot.EventAnswered)
	problems, err := testutil.GatherAndLint(m.reg, "uscebot_messages_total", "uscebot_message_duration_seconds",
		"uscebot_questions_total", "uscebot_intakes_started_total", "uscebot_intakes_completed_total", "uscebot_store_errors_total")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// A message flood control skips never reaches the router's middleware:
// bot.FloodDropped hands it to Dropped, which counts it by platform.
func TestDroppedCounted(t *testing.T) {
	m := New()
	m.Dropped(bot.Message{Platform: "discord", UserID: "u1", Text: "private words"})
	m.Dropped(bot.Message{Platform: "discord", UserID: "u2"})
	m.Dropped(bot.Message{Platform: "telegram", UserID: "u1"})
	_, body := scrape(t, m.Handler())
	for _, want := range []string{
		`uscebot_messages_dropped_total{platform="discord"} 2`,
		`uscebot_messages_dropped_total{platform="telegram"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "private words") || strings.Contains(body, "u1") {
		t.Error("the metrics name a user or their text")
	}
}
