// Package console is the terminal adapter: it reads one message per line,
// sends it through the same router as the chat platforms, and prints the
// replies as plain text, with choices as a numbered list.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/uscebot/uscebot/bot"
)

// Platform is the platform name of console users in the store.
const Platform = "console"

// maxLine bounds how much of one input line is kept: the router rejects
// anything longer than bot.MaxMessageRunes anyway, and a runaway line must
// not grow memory without limit.
const maxLine = 4*bot.MaxMessageRunes + 4

// Console chats with one local user.
type Console struct {
	In      io.Reader
	Out     io.Writer
	Handler bot.Handler
	// User is the console user's id in the store.
	User string
	// Interactive prints a greeting and a prompt (stdin is a terminal).
	Interactive bool
}

// Run reads messages until the end of input, a line saying quit or exit,
// or until ctx is done (Ctrl-C), which ends it at once even while it waits
// for a line.
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan lineOrErr)
	want := make(chan struct{})
	done := make(chan struct{})
	defer close(done)
	go readLines(bufio.NewReaderSize(c.In, 64*1024), want, lines, done)
	var choices []bot.Choice
	if c.Interactive {
		fmt.Fprintln(c.Out, "uscebot console: ask about US clinical experience, /help for commands, quit (or Ctrl-D) to leave.")
	}
	for {
		if c.Interactive {
			fmt.Fprint(c.Out, "> ")
		}
		var in lineOrErr
		select {
		case want <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		select {
		case <-ctx.Done():
			if c.Interactive {
				fmt.Fprintln(c.Out)
			}
			return nil
		case in = <-lines:
		}
		line, err := in.line, in.err
		if errors.Is(err, io.EOF) && line == "" {
			if c.Interactive {
				fmt.Fprintln(c.Out)
			}
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read input: %w", err)
		}
		if ctx.Err() != nil {
			return nil
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if quits[strings.ToLower(strings.TrimPrefix(line, "/"))] {
			return nil
		}
		m := bot.Message{Platform: Platform, UserID: c.User, ChatID: c.User, Chat: bot.Direct, Text: line}
		if id, ok := pick(choices, line); ok {
			m.Text, m.Choice = "", id
		}
		r, herr := c.Handler(ctx, m)
		if herr != nil {
			r = bot.Reply{}
			fmt.Fprintln(c.Out, bot.ErrorMessage(herr))
		}
		c.print(r)
		choices = r.Choices
	}
}

// quits are the lines that end the console.
var quits = map[string]bool{"quit": true, "exit": true}

type lineOrErr struct {
	line string
	err  error
}

// readLines reads a line each time want asks for one and sends it to out,
// until an error (io.EOF at the end) or until done is closed. Reading runs
// apart from Run so that Ctrl-C ends the console while it waits for a
// line; it reads only when asked, so no line is taken before the previous
// one is answered.
func readLines(in *bufio.Reader, want <-chan struct{}, out chan<- lineOrErr, done <-chan struct{}) {
	for {
		select {
		case <-want:
		case <-done:
			return
		}
		line, err := readLine(in)
		select {
		case out <- lineOrErr{line, err}:
		case <-done:
			return
		}
		if err != nil {
			return
		}
	}
}

// readLine reads one line of any length, keeping at most maxLine bytes of
// it.
func readLine(in *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := in.ReadLine()
		if b.Len() < maxLine {
			b.Write(chunk[:min(len(chunk), maxLine-b.Len())])
		}
		if err != nil {
			if b.Len() > 0 && errors.Is(err, io.EOF) {
				return b.String(), nil
			}
			return b.String(), err
		}
		if !isPrefix {
			return b.String(), nil
		}
	}
}

// pick returns the choice a line names: its number in the list, its label,
// or the start of exactly one label ("yes" for "Yes, delete everything").
func pick(choices []bot.Choice, line string) (string, bool) {
	if len(choices) == 0 {
		return "", false
	}
	if n, err := strconv.Atoi(line); err == nil {
		if n >= 1 && n <= len(choices) {
			return choices[n-1].ID, true
		}
		return "", false
	}
	lower := strings.ToLower(line)
	var found []bot.Choice
	for _, ch := range choices {
		label := strings.ToLower(ch.Label)
		if label == lower {
			return ch.ID, true
		}
		if strings.HasPrefix(label, lower) {
			found = append(found, ch)
		}
	}
	if len(found) == 1 {
		return found[0].ID, true
	}
	return "", false
}

func (c *Console) print(r bot.Reply) {
	if r.Empty() {
		return
	}
	if len(r.Text) > 0 {
		fmt.Fprintln(c.Out, r.Text.String())
	}
	if r.File != nil {
		fmt.Fprintf(c.Out, "--- %s ---\n%s\n--- end of %s ---\n", r.File.Name, strings.TrimRight(string(r.File.Data), "\n"), r.File.Name)
	}
	for i, ch := range r.Choices {
		fmt.Fprintf(c.Out, "  %d. %s\n", i+1, ch.Label)
	}
	fmt.Fprintln(c.Out)
}
