package bot_test

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"modernc.org/sqlite"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/store"
)

// The disk failing under the running bot: the store's writer connection
// (which the store keeps to itself) is reached through a connection hook
// of the SQLite driver, and made read-only (PRAGMA query_only: the
// SQLITE_READONLY of a read-only file, which file modes cannot produce
// for root or for a file already open) or full (PRAGMA max_page_count at
// the file's size: SQLITE_FULL once a write needs a new page).

var (
	hookOnce sync.Once
	connsMu  sync.Mutex
	conns    = map[string][]sqlite.ExecQuerierContext{} // by DSN
)

func captureConns() {
	hookOnce.Do(func() {
		sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, dsn string) error {
			if !strings.Contains(dsn, "/fault-") {
				return nil // another test's database
			}
			connsMu.Lock()
			defer connsMu.Unlock()
			conns[dsn] = append(conns[dsn], c)
			return nil
		})
	})
}

// faultFixture is the router over a real store whose disk the test can
// break.
type faultFixture struct {
	db       *store.DB
	file     string // the database's unique file name
	handler  bot.Handler
	storeErr atomic.Int64 // EventStoreError seen
	logs     *syncBuffer  // the router's log, JSON
}

// syncBuffer is a strings.Builder safe for the log's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

func newFaultFixture(t *testing.T) *faultFixture {
	t.Helper()
	captureConns()
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	f := &faultFixture{file: fmt.Sprintf("fault-%d.db", time.Now().UnixNano())}
	f.db, err = store.Open(context.Background(), filepath.Join(t.TempDir(), f.file))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	// A fixed clock: a user's last-seen time rewritten with the same
	// value is no change, so "nothing stored changed" does not depend on
	// a second boundary between two messages.
	now := time.Now()
	r := bot.NewRouter(kb, f.db, func() time.Time { return now })
	r.OnEvent(func(e bot.Event) {
		if e == bot.EventStoreError {
			f.storeErr.Add(1)
		}
	})
	r.LogUnanswered(f.db)
	f.logs = &syncBuffer{}
	f.handler = r.Handler(slog.New(slog.NewJSONHandler(f.logs, nil)))
	return f
}

// writer runs q on the store's writer connection: the one whose DSN asks
// for immediate transactions.
func (f *faultFixture) writer(t *testing.T, q string) {
	t.Helper()
	connsMu.Lock()
	defer connsMu.Unlock()
	n := 0
	for dsn, cs := range conns {
		if !strings.Contains(dsn, f.file) || !strings.Contains(dsn, "_txlock=immediate") {
			continue
		}
		for _, c := range cs {
			if _, err := c.ExecContext(context.Background(), q, []driver.NamedValue{}); err != nil {
				t.Fatalf("%s on the writer: %v", q, err)
			}
			n++
		}
	}
	if n != 1 {
		t.Fatalf("found %d writer connections of %s, want 1: has the store changed how it opens the file?", n, f.file)
	}
}

// writerInt runs a PRAGMA that returns a number on the writer connection.
func (f *faultFixture) writerInt(t *testing.T, q string) int {
	t.Helper()
	connsMu.Lock()
	defer connsMu.Unlock()
	for dsn, cs := range conns {
		if strings.Contains(dsn, f.file) && strings.Contains(dsn, "_txlock=immediate") {
			rows, err := cs[0].QueryContext(context.Background(), q, []driver.NamedValue{})
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			defer rows.Close()
			v := make([]driver.Value, 1)
			if err := rows.Next(v); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			n, ok := v[0].(int64)
			if !ok {
				t.Fatalf("%s = %v (%T), want a number", q, v[0], v[0])
			}
			return int(n)
		}
	}
	t.Fatalf("no writer connection of %s", f.file)
	return 0
}

const faultUser = "4242"

// send sends one message of the test user and returns the reply's text.
func (f *faultFixture) send(t *testing.T, m bot.Message) string {
	t.Helper()
	m.Platform, m.UserID = "telegram", faultUser
	if m.ChatID == "" {
		m.ChatID = faultUser
	}
	r, err := f.handler(t.Context(), m)
	if err != nil {
		t.Fatalf("handler(%+v) error = %v; the middleware should turn every error into a reply", m, err)
	}
	return r.Text.String()
}

func (f *faultFixture) say(t *testing.T, text string) string {
	t.Helper()
	return f.send(t, bot.Message{Text: text})
}

func (f *faultFixture) press(t *testing.T, step, value string) string {
	t.Helper()
	return f.send(t, bot.Message{Choice: bot.AnswerChoice(step, value)})
}

// stored is everything the store holds about the test user.
func (f *faultFixture) stored(t *testing.T) string {
	t.Helper()
	b, err := f.db.Export(t.Context(), advisor.UserKey{Platform: "telegram", ID: faultUser})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return string(b)
}

// mustContain fails t unless reply contains every one of wants.
func mustContain(t *testing.T, what, reply string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(reply, w) {
			t.Errorf("%s: reply lacks %q:\n%s", what, w, reply)
		}
	}
}

// couldNotSave is what a user must be told when an answer was not saved.
const couldNotSave = "could not save that just now; please send it again"

// stillAnswers checks that the bot answers what needs no write while the
// disk is broken: a question in a direct chat (question, which may be
// typed mid-intake) and in a group, and the commands that only read.
// pending is the intake's pending question.
func stillAnswers(t *testing.T, f *faultFixture, question, pending string) {
	t.Helper()
	for _, c := range []struct {
		what  string
		msg   bot.Message
		wants []string
	}{
		{"a question in a direct chat", bot.Message{Text: question}, []string{"Sources:"}},
		{"/ask in a group", bot.Message{Text: "/ask how many months of USCE do I need?", Chat: bot.Group, ChatID: "g"}, []string{"Sources:"}},
		{"a question the bot cannot answer", bot.Message{Text: "/ask what is the best pizza topping in Naples?"}, nil},
		{"/help", bot.Message{Text: "/help"}, []string{"/intake"}},
		{"/profile", bot.Message{Text: "/profile"}, []string{"Your profile"}},
		{"/plan", bot.Message{Text: "/plan"}, []string{"I need a few more answers first"}},
		{"/intake", bot.Message{Text: "/intake"}, []string{pending}},
	} {
		reply := f.send(t, c.msg)
		if strings.Contains(reply, "Sorry") || strings.Contains(reply, couldNotSave) || strings.TrimSpace(reply) == "" {
			t.Errorf("%s with the disk broken: %q, want an answer", c.what, reply)
		}
		mustContain(t, c.what+" with the disk broken", reply, c.wants...)
	}
}

func TestReadOnlyDisk(t *testing.T) {
	f := newFaultFixture(t)
	f.say(t, "/intake")
	f.press(t, "stage", "graduate")
	f.say(t, "2021")
	f.say(t, fmt.Sprint(time.Now().Year()+1))
	mustContain(t, "the last answer before the fault", f.say(t, "IM"), "Got it: internal medicine.", "Have you passed USMLE Step 1")
	before := f.stored(t)
	errs := f.storeErr.Load()

	f.writer(t, "PRAGMA query_only=1")
	const pending = "Have you passed USMLE Step 1"
	for _, m := range []struct {
		name string
		msg  bot.Message
	}{
		{"a button", bot.Message{Choice: bot.AnswerChoice("step1", "passed")}},
		{"a typed answer", bot.Message{Text: "passed"}},
		{"a form's answer", bot.Message{Choice: bot.AnswerChoice("step1", "failed"), Chat: bot.Group, ChatID: "g"}},
		{"/profile set", bot.Message{Text: "/profile set budget low"}},
	} {
		mustContain(t, m.name+" on a read-only disk", f.send(t, m.msg), couldNotSave)
		if got := f.stored(t); got != before {
			t.Errorf("%s on a read-only disk changed what is stored (-before +after):\n%s", m.name, cmp.Diff(before, got))
		}
	}
	stillAnswers(t, f, "does telehealth count as USCE?", pending)
	if got := f.stored(t); got != before {
		t.Errorf("the messages on a read-only disk changed what is stored (-before +after):\n%s", cmp.Diff(before, got))
	}
	if n := f.storeErr.Load() - errs; n < 4 {
		t.Errorf("%d store-error events on a read-only disk, want at least one per failed save (4)", n)
	}
	// A save the store refused is the bot's fault, not the user's: logged
	// as an error with its cause, never as "rejected".
	var failed int
	for _, line := range strings.Split(strings.TrimSpace(f.logs.String()), "\n") {
		var rec struct{ Msg, Outcome, Level, Error string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg != "message handled" || rec.Outcome == "ok" {
			continue
		}
		if rec.Outcome != "error" || rec.Level != "ERROR" || !strings.Contains(rec.Error, "read-only") {
			t.Errorf("a failed save on a read-only disk is logged %q at %s with error %q, want outcome error with the cause", rec.Outcome, rec.Level, rec.Error)
		}
		failed++
	}
	if failed < 4 {
		t.Errorf("%d failed saves logged, want 4:\n%s", failed, f.logs.String())
	}

	f.writer(t, "PRAGMA query_only=0")
	mustContain(t, "the button again once the disk is writable", f.press(t, "step1", "passed"),
		"Got it: passed.", "What's your Step 2 CK score")
	if got := f.stored(t); got == before {
		t.Errorf("the answer sent again once the disk is writable was not saved")
	}
}

func TestFullDisk(t *testing.T) {
	f := newFaultFixture(t)
	f.say(t, "/intake")
	f.press(t, "stage", "graduate")
	f.say(t, "2019")
	f.say(t, fmt.Sprint(time.Now().Year()+1))
	f.say(t, "peds")
	f.press(t, "step1", "passed")
	f.say(t, "skip")
	f.press(t, "visa", "needs_visa")
	f.press(t, "can_travel", "yes")
	mustContain(t, "the last answer before the fault", f.press(t, "budget", "low"), "Now your experiences")
	limit := f.writerInt(t, "PRAGMA max_page_count")
	f.writer(t, fmt.Sprintf("PRAGMA max_page_count=%d", f.writerInt(t, "PRAGMA page_count")))

	// Experiences grow the stored profile until it needs a page the disk
	// has no room for; every answer up to then is saved in place.
	year := time.Now().Year() - 1
	var last struct {
		msg    bot.Message
		before string
	}
	failed := false
	for i := 0; i < 100 && !failed; i++ {
		for _, m := range []bot.Message{
			{Text: fmt.Sprintf("%d week observership in pediatrics %d", 1+i%10, year)},
			{Choice: bot.AnswerChoice("experience_confirm", "yes")},
			{Choice: bot.AnswerChoice("experience_more", "add")},
		} {
			before := f.stored(t)
			reply := f.send(t, m)
			if strings.Contains(reply, couldNotSave) {
				if got := f.stored(t); got != before {
					t.Errorf("%+v failed on a full disk but changed what is stored (-before +after):\n%s", m, cmp.Diff(before, got))
				}
				last.msg, last.before, failed = m, before, true
				break
			}
			if strings.Contains(reply, "Sorry") {
				t.Fatalf("experience %d, %+v: %s", i+1, m, reply)
			}
		}
	}
	if !failed {
		t.Fatalf("100 experiences fitted in a full disk: the fault did not work")
	}
	t.Logf("the disk filled up at %+v", last.msg)

	// Typed in the experiences loop, a question would be read as an
	// experience: /ask asks it.
	stillAnswers(t, f, "/ask does telehealth count as USCE?", "")
	if got := f.stored(t); got != last.before {
		t.Errorf("the messages on a full disk changed what is stored (-before +after):\n%s", cmp.Diff(last.before, got))
	}

	f.writer(t, fmt.Sprintf("PRAGMA max_page_count=%d", limit))
	if reply := f.send(t, last.msg); strings.Contains(reply, couldNotSave) {
		t.Errorf("%+v again once the disk has room: %s", last.msg, reply)
	}
	if got := f.stored(t); got == last.before {
		t.Errorf("the answer sent again once the disk has room was not saved")
	}
}
