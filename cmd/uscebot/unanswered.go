package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

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
	db, err := store.Open(ctx, *dbPath)
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
		return errors.Join(writeJSON(stdout, out), db.Close())
	}
	var b strings.Builder
	if len(kept) == 0 {
		b.WriteString("no unanswered questions (they are kept only with log_unanswered = true in [advisor])\n")
	} else {
		fmt.Fprintf(&b, "%s in %s, biggest first:\n", plural(len(kept), "unanswered question"), plural(len(groups), "group"))
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "%5d  %s\n", g.Count, g.Question)
		for _, v := range g.Variants {
			fmt.Fprintf(&b, "       - %s\n", v)
		}
	}
	_, err = io.WriteString(stdout, b.String())
	return errors.Join(err, db.Close())
}
