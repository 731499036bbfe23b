package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	_ "modernc.org/sqlite" // the "sqlite" driver, for the integrity check

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot/console"
	"github.com/uscebot/uscebot/store"
)

// consoleUser is the store key of `uscebot console` without --user.
var consoleUser = advisor.UserKey{Platform: console.Platform, ID: "local"}

// testTimeout bounds each conversation, so that a console waiting for
// input it will never get fails the test instead of hanging it.
const testTimeout = 2 * time.Minute

// expandYears replaces the placeholders of the testdata files with years
// relative to now: the intake accepts application years from this year on
// only, and recency is judged from the application year. A placeholder in
// quotes ("{{YEAR}}") becomes a bare number, so the JSON files stay JSON.
func expandYears(s string, now time.Time) string {
	for name, year := range map[string]int{
		"{{YEAR}}":      now.Year(),
		"{{LAST_YEAR}}": now.Year() - 1,
		"{{APP_YEAR}}":  now.Year() + 1,
	} {
		y := fmt.Sprint(year)
		s = strings.ReplaceAll(s, `"`+name+`"`, y)
		s = strings.ReplaceAll(s, name, y)
	}
	return s
}

// scriptStep is one message of a console script and what its reply must
// (and must not) contain.
type scriptStep struct {
	line    int // in the script file
	message string
	want    []string
	notWant []string
}

// readScript parses a console script (see testdata/intake_script.txt).
func readScript(t *testing.T, path string, now time.Time) []scriptStep {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var steps []scriptStep
	for i, line := range strings.Split(expandYears(string(data), now), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "> "), strings.HasPrefix(line, "!> "):
			if len(steps) == 0 {
				t.Fatalf("%s:%d: an expectation before the first message", path, i+1)
			}
			last := &steps[len(steps)-1]
			if text, ok := strings.CutPrefix(line, "> "); ok {
				last.want = append(last.want, text)
			} else {
				last.notWant = append(last.notWant, strings.TrimPrefix(line, "!> "))
			}
		default:
			steps = append(steps, scriptStep{line: i + 1, message: line})
		}
	}
	return steps
}

// lineFeeder gives the console one line per Read and notes how much it had
// printed by then: the console reads a line only after replying to the
// one before, so out[marks[i]:marks[i+1]] is the reply to line i.
type lineFeeder struct {
	lines []string
	out   *bytes.Buffer
	marks []int
	rest  string // of a line longer than the caller's buffer
}

func (f *lineFeeder) Read(p []byte) (int, error) {
	if f.rest == "" {
		f.marks = append(f.marks, f.out.Len())
		if len(f.lines) == 0 {
			return 0, io.EOF
		}
		f.rest, f.lines = f.lines[0]+"\n", f.lines[1:]
	}
	n := copy(p, f.rest)
	f.rest = f.rest[n:]
	return n, nil
}

// replies splits the console's output into the replies to each line.
func (f *lineFeeder) replies() []string {
	out := f.out.String()
	var rs []string
	for i := 0; i+1 < len(f.marks); i++ {
		rs = append(rs, out[f.marks[i]:f.marks[i+1]])
	}
	return rs
}

// readExpectedProfile reads a profile JSON file of testdata, strictly.
func readExpectedProfile(t *testing.T, path string, now time.Time) rules.Profile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(expandYears(string(data), now)))
	dec.DisallowUnknownFields()
	var p rules.Profile
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// loadStored opens the database as the bot would and returns the console
// user's profile and intake state.
func loadStored(t *testing.T, ctx context.Context, path string) (rules.Profile, advisor.IntakeState) {
	t.Helper()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("store.Open(%q): %v", path, err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	p, s, err := db.LoadProfile(ctx, consoleUser)
	if err != nil {
		t.Fatalf("LoadProfile(%v): %v", consoleUser, err)
	}
	return p, s
}

// datedLine is a plan line with a date: "Around September 1, 2027: ..." or
// "March to August 2027: ...".
var datedLine = regexp.MustCompile(`(?m)^- .*(January|February|March|April|May|June|July|August|September|October|November|December)( \d{1,2},)? \d{4}`)

func TestConsoleIntake(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	now := time.Now()
	steps := readScript(t, filepath.Join("testdata", "intake_script.txt"), now)
	db := filepath.Join(t.TempDir(), "intake.db")

	var out, errOut bytes.Buffer
	feeder := &lineFeeder{out: &out}
	for _, st := range steps {
		feeder.lines = append(feeder.lines, st.message)
	}
	if code := run(ctx, []string{"console", "--db", db}, feeder, &out, &errOut); code != 0 {
		t.Fatalf("console exit %d, stderr %q", code, errOut.String())
	}
	if errOut.Len() > 0 {
		t.Errorf("console stderr = %q, want nothing", errOut.String())
	}
	replies := feeder.replies()
	if len(replies) != len(steps) {
		t.Fatalf("console read %d lines, the script has %d:\n%s", len(replies), len(steps), out.String())
	}
	for i, st := range steps {
		for _, w := range st.want {
			if !strings.Contains(replies[i], w) {
				t.Errorf("intake_script.txt:%d: reply to %q lacks %q; it is:\n%s", st.line, st.message, w, replies[i])
			}
		}
		for _, w := range st.notWant {
			if strings.Contains(replies[i], w) {
				t.Errorf("intake_script.txt:%d: reply to %q contains %q; it is:\n%s", st.line, st.message, w, replies[i])
			}
		}
	}

	want := readExpectedProfile(t, filepath.Join("testdata", "intake_profile.json"), now)
	p, s := loadStored(t, ctx, db)
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("LoadProfile() after the scripted intake (-want +got):\n%s", diff)
	}
	// Explained lists the prompts whose why was said: not this test's business.
	if diff := cmp.Diff(advisor.IntakeState{Step: advisor.StepDone}, s, cmpopts.IgnoreFields(advisor.IntakeState{}, "Explained")); diff != "" {
		t.Errorf("LoadProfile() intake state after the scripted intake (-want +got):\n%s", diff)
	}

	plan := replies[len(replies)-1]
	readiness := strings.ReplaceAll(rules.Assess(want, now).Readiness, "_", " ")
	if !strings.Contains(plan, "Where you stand: "+readiness) {
		t.Errorf("/plan output lacks the readiness %q:\n%s", readiness, plan)
	}
	if !datedLine.MatchString(plan) {
		t.Errorf("/plan output has no dated line:\n%s", plan)
	}
}

// Environment of the console child process of TestIntakeSurvivesKill.
const (
	envChildConsole = "USCEBOT_TEST_CONSOLE"
	envChildDB      = "USCEBOT_TEST_DB"
)

// TestConsoleChildProcess is not a test: it is the console that
// TestIntakeSurvivesKill starts (this test binary, run again) and kills.
func TestConsoleChildProcess(t *testing.T) {
	if os.Getenv(envChildConsole) != "1" {
		t.Skip("the console process of TestIntakeSurvivesKill")
	}
	os.Exit(run(context.Background(), []string{"console", "--db", os.Getenv(envChildDB)}, os.Stdin, os.Stdout, os.Stderr))
}

// childOutput collects what a child process prints and wakes whoever waits
// for it.
type childOutput struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	err  error // of the read, once it stopped
	wake chan struct{}
	done chan struct{}
}

func readChild(r io.Reader) *childOutput {
	o := &childOutput{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(o.done)
		chunk := make([]byte, 4096)
		for {
			n, err := r.Read(chunk)
			o.mu.Lock()
			o.buf.Write(chunk[:n])
			if err != nil {
				o.err = err
			}
			o.mu.Unlock()
			select {
			case o.wake <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return o
}

// waitFor waits until the output from offset on contains every one of
// wants, and returns the output's length then.
func (o *childOutput) waitFor(ctx context.Context, offset int, wants ...string) (int, error) {
	for {
		o.mu.Lock()
		out, readErr := o.buf.String(), o.err
		o.mu.Unlock()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(out[offset:], w) {
				missing = w
				break
			}
		}
		switch {
		case missing == "":
			return len(out), nil
		case readErr != nil:
			return 0, fmt.Errorf("output ended (%v) without %q:\n%s", readErr, missing, out[offset:])
		}
		select {
		case <-o.wake:
		case <-ctx.Done():
			return 0, fmt.Errorf("%w waiting for %q:\n%s", ctx.Err(), missing, out[offset:])
		}
	}
}

// TestIntakeSurvivesKill kills the console with SIGKILL in the middle of
// the intake: every answer acknowledged before must be in the database,
// which must be sound, and /intake must ask the question that was pending.
func TestIntakeSurvivesKill(t *testing.T) {
	if os.Getenv(envChildConsole) == "1" {
		t.Skip("in the child process")
	}
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	now := time.Now()
	appYear, lastYear := now.Year()+1, now.Year()-1
	db := filepath.Join(t.TempDir(), "killed.db")

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestConsoleChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChildConsole+"=1", envChildDB+"="+db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := readChild(stdout)
	killed := false
	kill := func() {
		if killed {
			return
		}
		killed = true
		if err := cmd.Process.Kill(); err != nil {
			t.Errorf("kill the console: %v", err)
		}
		<-out.done // the pipe is read to its end before Wait closes it
		if err := cmd.Wait(); err == nil {
			t.Errorf("the killed console exited 0; stderr %q", stderr.String())
		}
	}
	defer kill()

	// Each message, and what the reply to it says once the answer is
	// saved: its acknowledgement, then the next question.
	conversation := []struct {
		message string
		reply   []string
	}{
		{"/intake", []string{"Are you still in medical school or graduated?"}},
		{"graduated", []string{"Got it: graduate.", "What year did you graduate?"}},
		{"2022", []string{"Got it: 2022.", "What year will you submit your ERAS application?"}},
		{fmt.Sprint(appYear), []string{fmt.Sprintf("Got it: %d.", appYear), "Which specialty are you applying to"}},
		{"IM", []string{"Got it: internal medicine.", "Have you passed USMLE Step 1"}},
		{"2", []string{"Got it: failed.", "What's your Step 2 CK score"}},
		{"skip", []string{"Skipped: Step 2 CK not taken.", "Will you need a visa to train in the US?"}},
		{"yes", []string{"Got it: needs a visa.", "Can you travel to the US in the next 12 months?"}},
		{"no", []string{"Got it: no.", "What's your budget for rotations"}},
		{"low", []string{"Got it: low.", "Describe one experience"}},
		// The last answer starts an experience and leaves a draft: the
		// pending question is about the draft.
		{fmt.Sprintf("observership in pediatrics, %d", lastYear), []string{
			fmt.Sprintf("Got it: non-hands-on observership, pediatrics, ended %d.", lastYear),
			"How long was it?"}},
	}
	offset := 0
	for _, c := range conversation {
		if _, err := io.WriteString(stdin, c.message+"\n"); err != nil {
			t.Fatalf("write %q: %v; stderr %q", c.message, err, stderr.String())
		}
		if offset, err = out.waitFor(ctx, offset, c.reply...); err != nil {
			t.Fatalf("after %q: %v\nstderr %q", c.message, err, stderr.String())
		}
	}
	// No clean shutdown: stdin stays open and the process gets SIGKILL.
	kill()

	// A clean close checkpoints the WAL and removes it: its presence shows
	// the test really crashed the console.
	if _, err := os.Stat(db + "-wal"); err != nil {
		t.Errorf("no WAL left after the kill (%v): did the console shut down cleanly?", err)
	}
	checkIntegrity(t, ctx, db)

	wantProfile := rules.Profile{
		Stage:           rules.StageGraduate,
		GradYear:        intRef(2022),
		ApplicationYear: intRef(appYear),
		Specialty:       "internal medicine",
		Step1:           rules.Step1Failed,
		Visa:            rules.VisaNeeded,
		CanTravel:       rules.No,
		Budget:          rules.BudgetLow,
	}
	wantDraft := &rules.Experience{Kind: rules.KindObservership, Specialty: "pediatrics", EndYear: lastYear, InUS: true}
	p, s := loadStored(t, ctx, db)
	if diff := cmp.Diff(wantProfile, p); diff != "" {
		t.Errorf("LoadProfile() after the kill (-want +got):\n%s", diff)
	}
	if s.Step != "experience_weeks" {
		t.Errorf("LoadProfile() intake step after the kill = %q, want %q", s.Step, "experience_weeks")
	}
	if diff := cmp.Diff(wantDraft, s.Draft); diff != "" {
		t.Errorf("LoadProfile() intake draft after the kill (-want +got):\n%s", diff)
	}

	// A new console resumes at the pending question.
	var again, errOut bytes.Buffer
	if code := run(ctx, []string{"console", "--db", db}, strings.NewReader("/intake\n"), &again, &errOut); code != 0 {
		t.Fatalf("console after the kill: exit %d, stderr %q", code, errOut.String())
	}
	if !strings.Contains(again.String(), "How long was it?") {
		t.Errorf("/intake after the kill does not ask the pending question %q:\n%s", "How long was it?", again.String())
	}
}

func intRef(v int) *int { return &v }

// checkIntegrity runs PRAGMA integrity_check on the database file, opened
// read-only and apart from the store.
func checkIntegrity(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: "mode=ro"}
	raw, err := sql.Open("sqlite", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		t.Fatalf("PRAGMA integrity_check: %v", err)
	}
	defer rows.Close()
	var results []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("PRAGMA integrity_check: %v", err)
	}
	if diff := cmp.Diff([]string{"ok"}, results); diff != "" {
		t.Errorf("PRAGMA integrity_check after the kill (-want +got):\n%s", diff)
	}
}
