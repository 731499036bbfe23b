// Command uscebot is the chat bot for IMGs on their way to a US residency:
// it answers questions about US clinical experience in a terminal and (with
// its adapters) on chat platforms. This package is wiring only: flags,
// configuration, and the subcommands of interfaces.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/match"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/console"
	"github.com/uscebot/uscebot/bot/remind"
	"github.com/uscebot/uscebot/bot/rich"
	"github.com/uscebot/uscebot/store"
)

// Exit codes: 2 is a usage or input error, 1 a failure while running.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `usage: uscebot <command> [flags]

commands:
  run [--config FILE]                                 serve the enabled chat platforms
  console [--db FILE] [--user NAME] [--config FILE]   chat in the terminal
  ask [--json] [--config FILE] QUESTION               answer one question
  classify [--json] DESCRIPTION                       tier of one experience
  assess [--json] --profile FILE [--now YYYY-MM-DD]   readiness, gaps and plan of a profile
  vet [--json] TEXT                                   red flags of an offer
  backup --db FILE OUT                                consistent copy of the database
  unanswered --db FILE [--json] [--clear]             questions the bot could not answer, grouped
  eval --questions FILE [--config FILE] [--json]      measure the knowledge base on labelled questions
  version                                             version and build info`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return exitUsage
	}
	cmds := map[string]func(context.Context, []string, io.Reader, io.Writer, io.Writer) error{
		"run":        runRun,
		"console":    runConsole,
		"ask":        runAsk,
		"classify":   runClassify,
		"assess":     runAssess,
		"vet":        runVet,
		"backup":     runBackup,
		"unanswered": runUnanswered,
		"eval":       runEval,
		"version":    runVersion,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintln(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "uscebot: unknown command %q (commands: run, console, ask, classify, assess, vet, backup, unanswered, version)\n", args[0])
		return exitUsage
	}
	err := cmd(ctx, args[1:], stdin, stdout, stderr)
	if err == nil {
		return exitOK
	}
	// One line whatever the error quotes (a path or flag with a newline).
	fmt.Fprintf(stderr, "uscebot %s: %s\n", args[0], strings.ReplaceAll(err.Error(), "\n", `\n`))
	if _, ok := errors.AsType[usageError](err); ok {
		return exitUsage
	}
	return exitFail
}

// usageError is a bad flag or argument: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// parseFlags parses fs quietly: the flag package's multi-line usage dump
// is replaced by one line.
func parseFlags(fs *flag.FlagSet, args []string, synopsis string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usagef("usage: %s", synopsis)
		}
		return usagef("%v (usage: %s)", err, synopsis)
	}
	return nil
}

func runConsole(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	const synopsis = "uscebot console [--db FILE] [--user NAME] [--config FILE]"
	fs := flag.NewFlagSet("console", flag.ContinueOnError)
	dbPath := fs.String("db", "", "SQLite database file (default: store.path of the config, uscebot.db)")
	user := fs.String("user", "local", "the console user's name in the store")
	cfgPath := fs.String("config", "", "configuration file")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (usage: %s)", fs.Arg(0), synopsis)
	}
	if strings.TrimSpace(*user) == "" {
		return usagef("--user must not be empty")
	}
	cfg, err := LoadConfig(*cfgPath)
	if err != nil {
		return usagef("%v", err)
	}
	if *dbPath != "" {
		cfg.Store.Path = *dbPath
	}
	if *cfgPath == "" {
		// Without a config, log lines would only clutter the chat.
		cfg.Log.Level = "warn"
	}
	log := cfg.Log.Logger(stderr)

	kb, err := loadKnowledge(cfg.Advisor)
	if err != nil {
		return err
	}
	source := "store.path"
	if *dbPath != "" {
		source = "--db"
	}
	db, err := openDB(ctx, cfg.Store.Path, source)
	if err != nil {
		return err
	}
	defer db.Close()

	router := bot.NewRouter(kb, db, time.Now)
	if cfg.Advisor.LogUnanswered {
		router.LogUnanswered(db)
	}
	if err := router.EnableReminders(ctx, db, nil); err != nil {
		return err
	}
	c := &console.Console{
		In:          stdin,
		Out:         stdout,
		Handler:     router.Handler(log),
		User:        *user,
		Interactive: isTerminal(stdin) && isTerminal(stdout),
	}
	// The console reaches its user only while it runs: the reminders that
	// fell due meanwhile come first.
	reminders := remind.New(remind.Config{Store: db, Compose: router.ReminderReply, Log: log})
	reminders.AddSender(console.Platform, c, 0)
	if err := reminders.RunUser(ctx, advisor.UserKey{Platform: console.Platform, ID: *user}); err != nil {
		return err
	}
	if err := c.Run(ctx); err != nil {
		return err
	}
	return db.Close()
}

// openDB opens the database as its one writer and keys the log's user
// ids with its installation secret. A path that cannot be opened is a
// usage error (exit 2) naming where the path came from (source: the flag
// or config key).
func openDB(ctx context.Context, path, source string) (*store.DB, error) {
	db, err := store.Open(ctx, path)
	if errors.Is(err, store.ErrCannotOpen) {
		return nil, usagef("%s: %v", source, err)
	}
	if err != nil {
		return nil, err
	}
	bot.SetLogKey(db.LogKey())
	return db, nil
}

func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// askOutput is the JSON of `uscebot ask --json`.
type askOutput struct {
	Topic       *string  `json:"topic"`
	Score       float64  `json:"score"`
	Answer      string   `json:"answer"`
	Suggestions []string `json:"suggestions"`
	Clarify     []string `json:"clarify"`
	Sources     []string `json:"sources"`
}

func runAsk(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	const synopsis = "uscebot ask [--json] [--config FILE] QUESTION"
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	cfgPath := fs.String("config", "", "configuration file")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	question := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(question) == "" {
		return usagef("the question is missing (usage: %s)", synopsis)
	}
	cfg, err := LoadConfig(*cfgPath)
	if err != nil {
		return usagef("%v", err)
	}
	kb, err := loadKnowledge(cfg.Advisor)
	if err != nil {
		return err
	}
	// The one reading of a message, as in a chat outside the intake: a
	// long post is matched by its questions, "thanks" gets a line.
	rd := kb.Read(question, nil)
	a := rd.Answer
	if line, ok := bot.BriefReply(rd); ok {
		a = advisor.Answer{Text: line}
	} else if rd.Act != match.ActQuestion {
		a = kb.Ask(question) // a request for help: the help text
	}
	if !*asJSON {
		text := rich.Markdown(a.Text)
		if a.Topic != nil {
			text = bot.AnswerText(kb, a, "")
		}
		_, err := fmt.Fprintln(stdout, text.String())
		return err
	}
	out := askOutput{Score: a.Score, Answer: rich.Markdown(a.Text).String(), Suggestions: []string{}, Clarify: []string{}, Sources: []string{}}
	if a.Topic != nil {
		out.Topic = &a.Topic.ID
		for _, s := range a.Topic.Sources {
			out.Sources = append(out.Sources, s.Title)
		}
	}
	for _, t := range a.Suggestions {
		out.Suggestions = append(out.Suggestions, t.ID)
	}
	for _, t := range a.Clarify {
		out.Clarify = append(out.Clarify, t.ID)
	}
	return writeJSON(stdout, out)
}

func runEval(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	const synopsis = "uscebot eval --questions FILE [--config FILE] [--json]"
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	cfgPath := fs.String("config", "", "configuration file")
	questions := fs.String("questions", "", "labelled questions: a TSV with the header topic<TAB>question")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (usage: %s)", fs.Arg(0), synopsis)
	}
	if *questions == "" {
		return usagef("--questions is missing (usage: %s)", synopsis)
	}
	cfg, err := LoadConfig(*cfgPath)
	if err != nil {
		return usagef("%v", err)
	}
	f, err := os.Open(*questions)
	if err != nil {
		return usagef("%v", err)
	}
	defer f.Close()
	cases, err := advisor.ReadEval(f)
	if err != nil {
		return usagef("%s: %v", *questions, err)
	}
	kb, err := loadKnowledge(cfg.Advisor)
	if err != nil {
		return err
	}
	r, err := kb.Evaluate(cases)
	if err != nil {
		return usagef("%s: %v", *questions, err)
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	var b strings.Builder
	for _, m := range r.Misses {
		got := "(abstained)"
		switch {
		case len(m.Clarify) > 0:
			got = "clarify " + strings.Join(m.Clarify, " | ")
		case m.Got != nil:
			got = *m.Got
		}
		fmt.Fprintf(&b, "miss: want %s, got %s: %s\n", m.Want, got, m.Question)
	}
	b.WriteString(r.Summary() + "\n")
	_, err = io.WriteString(stdout, b.String())
	return err
}

func runClassify(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	const synopsis = "uscebot classify [--json] DESCRIPTION"
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(text) == "" {
		return usagef("the description is missing (usage: %s)", synopsis)
	}
	c := rules.Classify(text)
	if *asJSON {
		return writeJSON(stdout, c)
	}
	_, err := fmt.Fprintf(stdout, "kind: %s\ntier: %s\ncounts as USCE: %t\nweeks: %s\nspecialty: %s\nend year: %s\n",
		orUnknown(c.Kind), orUnknown(c.Tier), c.CountsAsUSCE, intOrUnknown(c.Weeks), orUnknown(c.Specialty), intOrUnknown(c.EndYear))
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "(not stated)"
	}
	return s
}

func intOrUnknown(v *int) string {
	if v == nil {
		return "(not stated)"
	}
	return fmt.Sprint(*v)
}

func runAssess(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	const synopsis = "uscebot assess [--json] --profile FILE [--now YYYY-MM-DD]"
	fs := flag.NewFlagSet("assess", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	path := fs.String("profile", "", "the profile, as JSON")
	nowFlag := fs.String("now", "", "the date to assess at (default: today)")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if *path == "" || fs.NArg() > 0 {
		return usagef("usage: %s", synopsis)
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.DateOnly, *nowFlag)
		if err != nil {
			return usagef("--now %q: want a date like 2026-11-21", *nowFlag)
		}
		now = t
	}
	data, err := os.ReadFile(*path)
	if err != nil {
		return usagef("--profile %q: %v", *path, errors.Unwrap(err))
	}
	p, err := readProfile(data)
	if err != nil {
		return usagef("--profile %q: %v", *path, err)
	}
	if err := p.Validate(now); err != nil {
		return usagef("--profile %q: %v", *path, err)
	}
	a := rules.Assess(p, now)
	if *asJSON {
		return writeJSON(stdout, a)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "readiness: %s\nphase: %s (%s)\n", a.Readiness, a.Phase, untilApplication(a.MonthsToApplication, *p.ApplicationYear))
	fmt.Fprintf(&b, "weeks of USCE %d, hands-on %d, in the specialty %d, recent %d, tele %d\n", a.USCEWeeks, a.HandsOnWeeks, a.SpecialtyWeeks, a.RecentWeeks, a.TeleWeeks)
	fmt.Fprintf(&b, "gaps: %s\nplan:\n", strings.Join(a.Gaps, ", "))
	for _, line := range a.Plan {
		fmt.Fprintf(&b, "- %s\n", line)
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}

// untilApplication says how far off the application is; once September 1
// is past, the season is under way rather than a negative number of months
// off.
func untilApplication(months, year int) string {
	switch {
	case months < 0:
		return fmt.Sprintf("the %d application season is under way", year)
	case months == 1:
		return "1 month to the application"
	}
	return fmt.Sprintf("%d months to the application", months)
}

// readProfile reads a profile file: a profile as assessment.md gives it, or
// the document /export sends, whose "profile" member is one.
func readProfile(data []byte) (rules.Profile, error) {
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return rules.Profile{}, fmt.Errorf("not a profile: %w", err)
	}
	if dec.More() {
		return rules.Profile{}, errors.New("more than one JSON value; the file must hold one profile")
	}
	raw := data
	if exported, ok := doc["profile"]; ok {
		raw = exported
	} else if _, ok := doc["user"]; ok {
		// An export without a profile member: the user never started the intake.
		return rules.Profile{}, errors.New("this export holds no profile yet: run /intake first")
	}
	var p rules.Profile
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return rules.Profile{}, fmt.Errorf("not a profile: %w", err)
	}
	return p, nil
}

func runVet(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	const synopsis = "uscebot vet [--json] TEXT"
	fs := flag.NewFlagSet("vet", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(text) == "" {
		return usagef("the offer text is missing (usage: %s)", synopsis)
	}
	v := rules.Vet(text)
	if *asJSON {
		return writeJSON(stdout, v)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s\nflags: %s\nask before paying:\n", v.Verdict, strings.Join(v.Flags, ", "))
	for _, q := range v.Questions {
		fmt.Fprintf(&b, "- %s\n", q)
	}
	_, err := io.WriteString(stdout, b.String())
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runBackup(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	const synopsis = "uscebot backup --db FILE OUT"
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dbPath := fs.String("db", "", "the database to copy")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if *dbPath == "" || fs.NArg() != 1 {
		return usagef("usage: %s", synopsis)
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return usagef("--db %s: no such database", *dbPath)
	}
	if err := store.Backup(ctx, *dbPath, fs.Arg(0)); err != nil {
		if errors.Is(err, store.ErrCannotOpen) {
			return usagef("--db: %v", err)
		}
		return err
	}
	_, err := fmt.Fprintf(stdout, "backup written to %s\n", fs.Arg(0))
	return err
}

func runVersion(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usagef("usage: uscebot version")
	}
	version, revision, modified, goVersion := "(devel)", "unknown", "", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	_, err := fmt.Fprintf(stdout, "uscebot %s, revision %s%s, built with %s\n", version, revision, modified, goVersion)
	return err
}
