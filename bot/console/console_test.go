package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/advisortest"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/console"
	"github.com/uscebot/uscebot/store"
)

func newHandler(t *testing.T) bot.Handler {
	t.Helper()
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return bot.NewRouter(kb, db, time.Now).Handler(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func chat(t *testing.T, h bot.Handler, input string, interactive bool) string {
	t.Helper()
	var out bytes.Buffer
	c := &console.Console{In: strings.NewReader(input), Out: &out, Handler: h, User: "tester", Interactive: interactive}
	if err := c.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String()
}

func TestPipedConversation(t *testing.T) {
	h := newHandler(t)
	out := chat(t, h, "hi\ndoes telehealth count as usce?\n\n/forget\n2\n/forget\nyes\n", false)
	for _, want := range []string{
		"Ask me anything", // greeting
		"Does telehealth or a virtual rotation count as USCE?", // the answer's title
		"Sources:",
		"  1. Yes, delete everything", // choices as a numbered list
		"  2. No, keep it",
		"Nothing was deleted.", // picked by number
		"Done: everything I stored about you is deleted.", // picked by label prefix
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "> ") {
		t.Error("piped console printed a prompt")
	}
}

func TestInteractivePrompt(t *testing.T) {
	out := chat(t, newHandler(t), "/help\n", true)
	if !strings.HasPrefix(out, "uscebot console") || strings.Count(out, "> ") < 2 {
		t.Errorf("interactive console output = %q, want a greeting and prompts", out)
	}
}

func TestHostileLines(t *testing.T) {
	h := newHandler(t)
	input := strings.Repeat("x", 100*1024) + "\n" + "\xff\xfe bad utf8\n" + "<b>&amp; *_[]\n" + "no newline at the end"
	out := chat(t, h, input, false)
	if !strings.Contains(out, "too long") {
		t.Errorf("a 100 KB line did not get a clear error:\n%.300s", out)
	}
	if n := strings.Count(out, "\n\n"); n < 4 {
		t.Errorf("expected four replies, got output:\n%s", out)
	}
}

func TestChoiceNumberOutOfRangeIsAQuestion(t *testing.T) {
	h := newHandler(t)
	out := chat(t, h, "/forget\n7\n", false)
	if strings.Contains(out, "deleted") {
		t.Errorf("an out-of-range number picked a choice:\n%s", out)
	}
}

func TestQuitAndExitEndTheConsole(t *testing.T) {
	h := newHandler(t)
	for _, word := range []string{"quit", "exit", "/quit", "EXIT"} {
		out := chat(t, h, "hi\n"+word+"\ndoes telehealth count as usce?\n", false)
		if !strings.Contains(out, "Ask me anything") || strings.Contains(out, "Sources:") {
			t.Errorf("%q: output %q, want the greeting answered and nothing after it", word, out)
		}
	}
}

// Ctrl-C cancels the context: the console ends at once, even while it
// waits for a line that never comes.
func TestCancelEndsAWaitingConsole(t *testing.T) {
	h := newHandler(t)
	in, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- (&console.Console{In: in, Out: io.Discard, Handler: h, User: "tester"}).Run(ctx)
	}()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
}

// A question close to two topics is asked back as a numbered list, and a
// number picks the topic.
func TestClarifyIsANumberedList(t *testing.T) {
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	q, topics := advisortest.ClarifyingQuestion(t, kb)
	out := chat(t, newHandler(t), q+"\n2\n", false)
	for i, tp := range topics {
		if item := fmt.Sprintf("  %d. %s", i+1, tp.Title); !strings.Contains(out, item) {
			t.Errorf("console output lacks %q:\n%s", item, out)
		}
	}
	if !strings.Contains(out, "Do you mean: ") || strings.Count(out, topics[1].Title) < 3 || !strings.Contains(out, "Sources:") {
		t.Errorf("picking 2 did not answer %q:\n%s", topics[1].Title, out)
	}
}
