package telegram

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/store"
)

var (
	ana   = fakeUser{ID: 5001, FirstName: "Ana"}
	ravi  = fakeUser{ID: 5002, FirstName: "Ravi"}
	group = fakeChat{ID: -1001234567890, Type: "supergroup", Title: "IMG study group"}
)

// env is a real router over the real knowledge base and a SQLite file,
// and a fake Bot API server.
type env struct {
	f       *fakeAPI
	dbPath  string
	db      *store.DB
	router  *bot.Router
	handler bot.Handler
	logs    *syncBuffer

	mu     sync.Mutex
	sleeps []time.Duration
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var loadKB = sync.OnceValues(func() (*advisor.KB, error) { return advisor.Load("", true) })

func newEnv(t *testing.T) *env {
	t.Helper()
	kb, err := loadKB()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{f: newFakeAPI(t), dbPath: filepath.Join(t.TempDir(), "bot.db"), logs: &syncBuffer{}}
	e.openDB(t)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	e.router = bot.NewRouter(kb, e.db, func() time.Time { return now })
	e.handler = e.router.Handler(slog.New(slog.NewTextHandler(e.logs, nil)))
	return e
}

func (e *env) openDB(t *testing.T) {
	t.Helper()
	db, err := store.Open(context.Background(), e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
}

// sleep records the wait and returns at once: no test really waits.
func (e *env) sleep(ctx context.Context, d time.Duration) error {
	e.mu.Lock()
	e.sleeps = append(e.sleeps, d)
	e.mu.Unlock()
	return ctx.Err()
}

func (e *env) slept() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.sleeps...)
}

func (e *env) config() Config {
	return Config{
		Token:       e.f.token,
		APIEndpoint: e.f.endpoint(),
		Logger:      slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		sleep:       e.sleep,
	}
}

// running is a Bot whose Run is going on in the background.
type running struct {
	*Bot
	cancel context.CancelFunc
	done   chan error
}

func (e *env) start(t *testing.T, cfg Config, h bot.Handler) *running {
	t.Helper()
	if h == nil {
		h = e.handler
	}
	b, err := New(context.Background(), cfg, h, e.router.Commands())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Bot: b, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// stop cancels Run and returns what it returned.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
		return nil
	}
}

// checkLogs fails if the logs contain the token or any of the texts.
func (e *env) checkLogs(t *testing.T, private ...string) {
	t.Helper()
	logs := e.logs.String()
	if strings.Contains(logs, e.f.token) || strings.Contains(logs, "TEST-token") {
		t.Errorf("the logs contain the token:\n%s", logs)
	}
	for _, s := range private {
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain %q:\n%s", s, logs)
		}
	}
}

// convo is one user talking to the bot in one chat.
type convo struct {
	t    *testing.T
	f    *fakeAPI
	user fakeUser
	chat fakeChat
	seen int // messages of the chat already looked at
}

func (e *env) convo(t *testing.T, u fakeUser, c fakeChat) *convo {
	return &convo{t: t, f: e.f, user: u, chat: c, seen: len(e.f.sent(c.ID))}
}

// sayN sends text and waits for n new messages in the chat.
func (c *convo) sayN(text string, n int) []fakeMsg {
	c.t.Helper()
	c.f.say(c.chat, c.user, text)
	msgs := c.f.waitSent(c.t, c.chat.ID, c.seen+n)
	out := msgs[c.seen : c.seen+n]
	c.seen += n
	return out
}

// say sends text and waits for one new message.
func (c *convo) say(text string) fakeMsg {
	c.t.Helper()
	return c.sayN(text, 1)[0]
}

// last returns the latest message of the chat with a button whose label
// starts with label, and that button's data.
func (c *convo) button(label string) (fakeMsg, string) {
	c.t.Helper()
	msgs := c.f.sent(c.chat.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Markup == nil {
			continue
		}
		for _, row := range msgs[i].Markup.InlineKeyboard {
			for _, b := range row {
				if strings.HasPrefix(b.Text, label) {
					return msgs[i], *b.CallbackData
				}
			}
		}
	}
	c.t.Fatalf("no button %q in chat %d", label, c.chat.ID)
	return fakeMsg{}, ""
}

// press presses the button, waits for the reply, and checks that the
// callback was answered and the question lost its buttons.
func (c *convo) press(label string) fakeMsg {
	c.t.Helper()
	q, data := c.button(label)
	return c.pressData(q, data)
}

func (c *convo) pressData(q fakeMsg, data string) fakeMsg {
	c.t.Helper()
	id := c.f.press(c.user, q, data)
	msgs := c.f.waitSent(c.t, c.chat.ID, c.seen+1)
	c.seen++
	c.f.waitFor(c.t, "the callback answered", func() bool { return c.f.answered[id] > 0 })
	for _, m := range c.f.sent(c.chat.ID) {
		if m.ID == q.ID && q.Markup != nil && m.Markup != nil {
			c.t.Errorf("after a press, question %q still has its buttons", m.Text)
		}
	}
	return msgs[c.seen-1]
}
