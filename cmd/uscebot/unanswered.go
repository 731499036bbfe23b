package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/store"
)

// unansweredOutput is the JSON of `uscebot unanswered --json`.
type unansweredOutput struct {
	Total  int               `json:"total"`
	Groups []unansweredGroup `json:"groups"`
}

type unansweredGroup struct {
	Question string   `json:"question"`
	Count    int      `json:"count"`
	Variants []string `json:"variants"`
}

// runUnanswered lists the kept questions the advisor could not answer,
// grouped by similarity, or deletes them all with --clear.
func runUnanswered(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	const synopsis = "uscebot unanswered --db FILE [--json] [--clear]"
	fs := flag.NewFlagSet("unanswered", flag.ContinueOnError)
	dbPath := fs.String("db", "", "the database")
	asJSON := fs.Bool("json", false, "print JSON")
	clearAll := fs.Bool("clear", false, "delete every kept question")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if *dbPath == "" || fs.NArg() > 0 {
		return usagef("usage: %s", synopsis)
	}
	// Open would create a missing file: a mistyped path must not look
	// like a database with nothing in it.
	fi, err := os.Stat(*dbPath)
	if errors.Is(err, os.ErrNotExist) {
		return usagef("--db %s: no such database", *dbPath)
	}
	if err != nil {
		return usagef("--db %s: %v", *dbPath, errors.Unwrap(err))
	}
	if fi.IsDir() {
		return usagef("--db %s: is a directory, not a database", *dbPath)
	}
	plural := func(n int, noun string) string { // "1 group", "2 groups"
		if n == 1 {
			return "1 " + noun
		}
		return fmt.Sprintf("%d %ss", n, noun)
	}
	// Shared: it runs beside the bot, which holds the writer's lock.
	db, err := store.OpenShared(ctx, *dbPath)
	if errors.Is(err, store.ErrCannotOpen) {
		return usagef("--db: %v", err)
	}
	if err != nil {
		return err
	}
	defer db.Close()

	if *clearAll {
		n, err := db.ClearUnanswered(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			err = writeJSON(stdout, struct {
				Deleted int `json:"deleted"`
			}{n})
		} else {
			_, err = fmt.Fprintf(stdout, "deleted %s\n", plural(n, "unanswered question"))
		}
		return errors.Join(err, db.Close())
	}

	kept, err := db.Unanswered(ctx)
	if err != nil {
		return err
	}
	texts := make([]string, len(kept))
	for i, q := range kept {
		texts[i] = q.Question
	}
	groups := advisor.GroupQuestions(texts)
	if *asJSON {
		out := unansweredOutput{Total: len(kept), Groups: make([]unansweredGroup, 0, len(groups))}
		for _, g := range groups {
			out.Groups = append(out.Groups, unansweredGroup(g))
		}
		var b strings.Builder
		if err := writeJSON(&b, out); err != nil {
			return errors.Join(err, db.Close())
		}
		// The same strings, with the characters that would reorder a
		// terminal's text written as JSON escapes.
		_, err := io.WriteString(stdout, escapeJSONBidi(b.String()))
		return errors.Join(err, db.Close())
	}
	var b strings.Builder
	if len(kept) == 0 {
		b.WriteString("no unanswered questions (they are kept only with log_unanswered = true in [advisor])\n")
	} else {
		fmt.Fprintf(&b, "%s in %s, biggest first:\n", plural(len(kept), "unanswered question"), plural(len(groups), "group"))
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "%5d  %s\n", g.Count, visible(g.Question))
		for _, v := range g.Variants {
			fmt.Fprintf(&b, "       - %s\n", visible(v))
		}
	}
	_, err = io.WriteString(stdout, b.String())
	return errors.Join(err, db.Close())
}

// hidden reports whether r, in a question a user typed, would act on the
// admin's terminal instead of showing: a control character (an escape
// sequence), or a bidirectional control.
func hidden(r rune) bool { return unicode.IsControl(r) || bidi(r) }

// bidi reports whether r is a bidirectional control: U+202E RIGHT-TO-LEFT
// OVERRIDE, say, turns the rest of the line around.
func bidi(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// visible returns s with every hidden character written out as <U+202E>,
// so an admin sees that it is there and the line reads as typed.
func visible(s string) string { return writeOut(s, hidden, "<U+%04X>") }

// escapeJSONBidi writes the bidirectional controls of the JSON text js
// (which encoding/json leaves as they are; it escapes control characters
// itself) as \uXXXX escapes: the same JSON value, harmless when printed.
func escapeJSONBidi(js string) string { return writeOut(js, bidi, "\\u%04x") }

// writeOut returns s with every rune that is picked written with format
// (of the rune's number) instead.
func writeOut(s string, pick func(rune) bool, format string) string {
	if !strings.ContainsFunc(s, pick) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if pick(r) {
			fmt.Fprintf(&b, format, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
