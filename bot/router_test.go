package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/store"
)

var _ bot.Store = (*store.DB)(nil)

// fixture is a router over the real knowledge base and a real SQLite file.
type fixture struct {
	kb      *advisor.KB
	router  *bot.Router
	handler bot.Handler
	db      *store.DB
	logs    *bytes.Buffer
	now     time.Time
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
	f := &fixture{kb: kb, db: db, logs: &bytes.Buffer{}, now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	f.router = bot.NewRouter(kb, db, func() time.Time { return f.now })
	f.handler = f.router.Handler(slog.New(slog.NewTextHandler(&syncWriter{w: f.logs}, nil)))
	return f
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (f *fixture) send(t *testing.T, m bot.Message) bot.Reply {
	t.Helper()
	if m.Platform == "" {
		m.Platform = "test"
	}
	if m.UserID == "" {
		m.UserID = "u1"
	}
	r, err := f.handler(context.Background(), m)
	if err != nil {
		t.Fatalf("handler(%q) error = %v; the middleware should turn every error into a reply", m.Text, err)
	}
	return r
}

func (f *fixture) say(t *testing.T, text string) string {
	t.Helper()
	return f.send(t, bot.Message{Text: text}).Text.String()
}

func TestRouterReplies(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, text string
		want       []string // substrings of the reply
	}{
		{"question in a direct chat", "does telehealth count as USCE?", []string{"Does telehealth or a virtual rotation count as USCE?", "Sources:", "Residency Advisor"}},
		{"ask command", "/ask how many months of USCE do I need?", []string{"Sources:"}},
		{"ask without a question", "/ask", []string{"Usage: /ask <question>"}},
		{"ask with only spaces", "/ask    ", []string{"Usage: /ask <question>"}},
		{"help", "/help", []string{"/ask <question>", "/topics", "/export", "/forget", "Privacy"}},
		{"start", "/start", []string{"/ask <question>"}},
		{"command with bot name", "/HELP@uscebot", []string{"/topics"}},
		{"command and a newline", "/ask\ndoes telehealth count as usce?", []string{"Sources:"}},
		{"topics", "/topics", []string{"Does telehealth or a virtual rotation count as USCE?", "How many months"}},
		{"unknown command", "/intake2", []string{"I don't know the command /intake2"}},
		{"greeting", "hello", []string{"Ask me anything"}},
		{"out of scope", "what is the max dose of metformin", []string{"which I don't cover"}},
		{"only punctuation", "?!?!...", []string{"Ask me anything"}},
		{"markup characters", "<b>does</b> *telehealth* _count_ [as](usce) & `obs`?", []string{"Sources:"}},
		{"invalid UTF-8", "does telehealth count\xff\xfe as usce", []string{"Sources:"}},
		{"empty", "   ", []string{"Send me a question"}},
		{"100 KB", strings.Repeat("usce ", 20000), []string{"too long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.say(t, tt.text)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply to %.40q = %q, want it to contain %q", tt.text, got, w)
				}
			}
		})
	}
}

func TestHelpListsOnlyWorkingCommands(t *testing.T) {
	f := newFixture(t)
	for _, c := range f.router.Commands() {
		if got := f.say(t, "/"+c.Name+" x"); strings.Contains(got, "I don't know the command") {
			t.Errorf("/help lists /%s but the router does not know it", c.Name)
		}
	}
}

func TestPersonalCommands(t *testing.T) {
	f := newFixture(t)
	var personal []string
	for _, c := range f.router.Commands() {
		if c.Personal {
			personal = append(personal, c.Name)
		}
	}
	if got, want := strings.Join(personal, " "), "intake profile plan export forget"; got != want {
		t.Errorf("personal commands = %q, want %q", got, want)
	}
}

func TestGroupChatterIsIgnored(t *testing.T) {
	f := newFixture(t)
	if r := f.send(t, bot.Message{Chat: bot.Group, Text: "does telehealth count as usce"}); !r.Empty() {
		t.Errorf("plain group message got a reply %q, want none", r.Text)
	}
	if r := f.send(t, bot.Message{Chat: bot.Group, Text: "/ask does telehealth count as usce"}); !strings.Contains(r.Text.String(), "Sources:") {
		t.Errorf("/ask in a group = %q, want an answer", r.Text)
	}
}

func TestExportAndForget(t *testing.T) {
	f := newFixture(t)
	f.say(t, "does telehealth count as usce")

	exp := f.send(t, bot.Message{Text: "/export"})
	if !exp.Private || exp.File == nil {
		t.Fatalf("/export = %+v, want a private reply with a file", exp)
	}
	var doc struct {
		User struct{ Platform, ID string }
	}
	if err := json.Unmarshal(exp.File.Data, &doc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, exp.File.Data)
	}
	if doc.User.Platform != "test" || doc.User.ID != "u1" {
		t.Errorf("export user = %+v, want test/u1", doc.User)
	}

	confirm := f.send(t, bot.Message{Text: "/forget"})
	if !confirm.Private || len(confirm.Choices) != 2 {
		t.Fatalf("/forget = %+v, want a private confirmation with two choices", confirm)
	}
	yes, no := confirm.Choices[0].ID, confirm.Choices[1].ID

	if got := f.send(t, bot.Message{Choice: no}).Text.String(); !strings.Contains(got, "Nothing was deleted") {
		t.Errorf("forget no = %q", got)
	}
	assertStored(t, f.db, true)

	f.now = f.now.Add(11 * time.Minute)
	if r := f.send(t, bot.Message{Choice: yes}); !strings.Contains(r.Text.String(), "expired") || !r.Stale {
		t.Errorf("an 11-minute-old confirmation = %q (Stale %t), want expired, marked stale", r.Text.String(), r.Stale)
	}
	assertStored(t, f.db, true)

	yes = f.send(t, bot.Message{Text: "/forget"}).Choices[0].ID
	if got := f.send(t, bot.Message{Choice: yes}).Text.String(); !strings.Contains(got, "deleted") {
		t.Errorf("forget yes = %q", got)
	}
	assertStored(t, f.db, false)
	for _, c := range []string{yes, "forget:yes:notanumber", "intake:old", "x"} {
		if got := f.send(t, bot.Message{Choice: c}).Text.String(); strings.Contains(got, "Done") {
			t.Errorf("choice %q = %q, want no deletion", c, got)
		}
	}
}

func assertStored(t *testing.T, db *store.DB, want bool) {
	t.Helper()
	data, err := db.Export(context.Background(), advisor.UserKey{Platform: "test", ID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.Contains(data, []byte(`"u1"`)); got != want {
		t.Errorf("user stored = %v, want %v; export: %s", got, want, data)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := bot.Chain(func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		if m.UserID == "bad" {
			panic("boom")
		}
		return bot.Reply{Text: nil, Choices: []bot.Choice{{ID: "ok", Label: "ok"}}}, nil
	}, bot.Recover(log), bot.ErrorReplies(), bot.Log(log))

	r, err := h(context.Background(), bot.Message{Platform: "test", UserID: "bad", Text: "secret question"})
	if err != nil || !strings.Contains(r.Text.String(), "Sorry") {
		t.Errorf("after a panic: reply %q, err %v; want an apology", r.Text, err)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "goroutine") {
		t.Errorf("panic log %q lacks the panic value or the stack", logs.String())
	}
	if strings.Contains(logs.String(), "secret question") {
		t.Error("the log contains the message text")
	}
	if r, _ := h(context.Background(), bot.Message{Platform: "test", UserID: "good"}); len(r.Choices) != 1 {
		t.Error("another user's message is not handled after a panic")
	}
}

func TestLogsNeverContainText(t *testing.T) {
	f := newFixture(t)
	f.say(t, "my secret question about telehealth")
	f.say(t, "/ask another secret")
	logs := f.logs.String()
	if strings.Contains(logs, "secret") || strings.Contains(logs, `"u1"`) || strings.Contains(logs, "=u1 ") {
		t.Errorf("logs leak text or user id:\n%s", logs)
	}
	if !strings.Contains(logs, "command=ask") || !strings.Contains(logs, "command=message") {
		t.Errorf("logs lack the command:\n%s", logs)
	}
}

func TestDispatcherOrdersPerUserAndRunsUsersInParallel(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	got := map[string][]string{}
	h := func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		if m.UserID == "slow" && m.Text == "0" {
			<-release // blocks until another user's message has run
		}
		mu.Lock()
		got[m.UserID] = append(got[m.UserID], m.Text)
		mu.Unlock()
		return bot.Reply{}, nil
	}
	d := bot.NewDispatcher(h)
	const n = 200
	fastDone := make(chan struct{})
	var delivered sync.WaitGroup
	delivered.Add(2 * n)
	for i := range n {
		for _, u := range []string{"slow", "fast"} {
			d.Dispatch(context.Background(), bot.Message{Platform: "t", UserID: u, Text: fmt.Sprint(i)}, func(bot.Reply, error) {
				if u == "fast" && i == n-1 {
					close(fastDone)
				}
				delivered.Done()
			})
		}
	}
	select {
	case <-fastDone:
	case <-time.After(10 * time.Second):
		t.Fatal("user fast was blocked behind user slow")
	}
	close(release)
	delivered.Wait()
	if err := d.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"slow", "fast"} {
		for i, text := range got[u] {
			if text != fmt.Sprint(i) {
				t.Fatalf("user %s: message %d handled as %s-th; order lost: %v", u, i, text, got[u][:i+1])
			}
		}
		if len(got[u]) != n {
			t.Errorf("user %s: %d messages handled, want %d", u, len(got[u]), n)
		}
	}
}

var _ bot.UnansweredLog = (*store.DB)(nil)

func TestEventsAndUnanswered(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	counts := map[bot.Event]int{}
	f.router.OnEvent(func(e bot.Event) {
		mu.Lock()
		counts[e]++
		mu.Unlock()
	})
	f.router.LogUnanswered(f.db)

	f.say(t, "does telehealth count as usce?")
	f.say(t, "what is the best anki deck for step 1")
	f.say(t, "hello")
	f.say(t, "/intake")
	want := map[bot.Event]int{bot.EventAnswered: 1, bot.EventAbstained: 1, bot.EventIntakeStarted: 1}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	kept, err := f.db.Unanswered(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	today := f.now.Truncate(24 * time.Hour) // the store keeps only the day
	if len(kept) != 1 || kept[0].Question != "what is the best anki deck for step 1" || !kept[0].AskedAt.Equal(today) {
		t.Errorf("unanswered questions kept = %+v, want only the anki question, asked %s", kept, today.Format(time.DateOnly))
	}
}

// TestDispatcherReusesIdleWorkers sends users' messages in waves, so that
// later users are handed to the workers of earlier ones: each user's
// messages must still run one at a time, in order.
func TestDispatcherReusesIdleWorkers(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]string{}
	busy := map[string]bool{}
	h := func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		mu.Lock()
		if busy[m.UserID] {
			t.Errorf("user %s: two messages handled at once", m.UserID)
		}
		busy[m.UserID] = true
		mu.Unlock()
		time.Sleep(10 * time.Microsecond)
		mu.Lock()
		busy[m.UserID] = false
		got[m.UserID] = append(got[m.UserID], m.Text)
		mu.Unlock()
		return bot.Reply{}, nil
	}
	d := bot.NewDispatcher(h)
	const waves, users, msgs = 5, 8, 20
	for w := range waves {
		var delivered sync.WaitGroup
		for u := range users {
			id := fmt.Sprintf("w%du%d", w, u)
			for i := range msgs {
				delivered.Add(1)
				d.Dispatch(t.Context(), bot.Message{Platform: "t", UserID: id, Text: fmt.Sprint(i)}, func(bot.Reply, error) { delivered.Done() })
			}
		}
		delivered.Wait() // this wave's workers are idle now, waiting for the next
	}
	if err := d.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	for id, texts := range got {
		for i, text := range texts {
			if text != fmt.Sprint(i) {
				t.Fatalf("user %s: message %d handled as %s-th; order lost", id, i, text)
			}
		}
	}
	if len(got) != waves*users {
		t.Errorf("%d users handled, want %d", len(got), waves*users)
	}
}
