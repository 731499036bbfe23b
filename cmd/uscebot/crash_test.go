package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/store"
)

// Environment of the bot child process of TestLoadSurvivesKill.
const (
	envCrashChild = "USCEBOT_TEST_CRASH_CHILD"
	envCrashDB    = "USCEBOT_TEST_CRASH_DB"
	envCrashUsers = "USCEBOT_TEST_CRASH_USERS"
)

// crashUsers is how many users the child runs at once: enough that the
// kill lands among many writes in flight.
const crashUsers = 200

// TestCrashChildProcess is not a test: it is the bot that
// TestLoadSurvivesKill starts (this test binary, run again) and kills.
// Its users talk to the router through a Dispatcher, as the adapters do,
// with the messages the adapters make; after each reply it prints
// "ack <user> <turn>" on a line of its own, so every line the parent
// reads is a message the bot answered, and so a write it acknowledged.
func TestCrashChildProcess(t *testing.T) {
	if os.Getenv(envCrashChild) != "1" {
		t.Skip("the bot process of TestLoadSurvivesKill")
	}
	n, err := strconv.Atoi(os.Getenv(envCrashUsers))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := crashChild(os.Getenv(envCrashDB), n, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Finished before the kill: wait for it anyway, so that the parent
	// can tell (from "done") that it killed nothing in flight.
	select {}
}

func crashChild(path string, n int, out io.Writer) error {
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	kb, err := advisor.Load("", true)
	if err != nil {
		return err
	}
	router := bot.NewRouter(kb, db, time.Now)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	disp := bot.NewDispatcher(bot.Chain(router.Handler(log), bot.RateLimit(1<<20, time.Minute, time.Now)))

	var mu sync.Mutex // one Write per line, so lines never interleave
	ack := func(line string) {
		mu.Lock()
		defer mu.Unlock()
		_, _ = io.WriteString(out, line)
	}
	now := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		u := newLoadUser(i, now)
		wg.Go(func() {
			for k, tr := range u.turns {
				done := make(chan bot.Reply, 1)
				disp.Dispatch(ctx, tr.message(u), func(r bot.Reply, _ error) { done <- r })
				r := <-done
				if !containsText(r.Text, tr.want) {
					ack(fmt.Sprintf("bad %d %d %q\n", i, k, r.Text.String()))
					return
				}
				ack(fmt.Sprintf("ack %d %d\n", i, k))
			}
		})
	}
	wg.Wait()
	ack("done\n")
	return nil
}

// TestLoadSurvivesKill kills the bot with SIGKILL while it runs many
// intakes at once. Reopened, the database must be sound and hold every
// answer the bot acknowledged: each user's stored profile and intake
// state is the one after their last acknowledged message, or after the
// next one (written, but killed before its reply went out).
func TestLoadSurvivesKill(t *testing.T) {
	if os.Getenv(envCrashChild) == "1" {
		t.Skip("in the child process")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "crash.db")
	now := time.Now()
	users := make([]*loadUser, crashUsers)
	total := 0
	for i := range users {
		users[i] = newLoadUser(i, now)
		total += len(users[i].turns)
	}

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashDB+"="+path, envCrashUsers+"="+strconv.Itoa(crashUsers))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	// Read acknowledgements until a third of all messages are answered,
	// then kill -9 with the rest in flight.
	acked := make([]int, crashUsers) // the last acknowledged turn, -1 for none
	for i := range acked {
		acked[i] = -1
	}
	lines := bufio.NewScanner(stdout)
	count, killedAt, killed, finished := 0, 0, false, false
	for lines.Scan() {
		line := lines.Text()
		switch f := strings.Fields(line); {
		case line == "done":
			finished = true
		case len(f) == 3 && f[0] == "ack":
			i, err1 := strconv.Atoi(f[1])
			k, err2 := strconv.Atoi(f[2])
			if err1 != nil || err2 != nil || i < 0 || i >= crashUsers || k != acked[i]+1 {
				t.Fatalf("child printed %q after turn %d of that user", line, acked[min(max(i, 0), crashUsers-1)])
			}
			acked[i] = k
			count++
		default:
			t.Errorf("child printed %q", line)
		}
		if !killed && count >= total/3 {
			// Lines the child wrote before it died are still read below:
			// the pipe keeps them.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatalf("kill the child: %v", err)
			}
			killed, killedAt = true, count
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatalf("read the child's output: %v", err)
	}
	if err := cmd.Wait(); err == nil {
		t.Errorf("the killed child exited 0; stderr:\n%s", stderr.String())
	}
	if !killed || finished {
		t.Fatalf("the child answered %d of %d messages and finished=%t before the kill: nothing was in flight; stderr:\n%s",
			count, total, finished, stderr.String())
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no WAL left after the kill (%v): did the child shut down cleanly?", err)
	}
	t.Logf("killed when %d of %d messages were answered; %d acknowledgements in all", killedAt, total, count)

	checkIntegrity(t, ctx, path)
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	defer db.Close()
	mid, ahead, lost := 0, 0, 0
	for i, u := range users {
		want := intakeSnapshots(t, u)
		p, s, err := db.LoadProfile(ctx, u.key())
		if err != nil {
			t.Fatalf("LoadProfile(%v): %v", u.key(), err)
		}
		got := snapshot{p, s}
		// want[k+1] is the state after turn k; want[0] before any.
		k := acked[i]
		if cmp.Equal(got, want[k+1], cmp.AllowUnexported(snapshot{})) {
			if k+1 < len(u.turns) {
				mid++
			}
			continue
		}
		if k+2 < len(want) && cmp.Equal(got, want[k+2], cmp.AllowUnexported(snapshot{})) {
			mid++
			ahead++
			continue
		}
		lost++
		if lost <= 3 {
			t.Errorf("user %d, last acknowledged turn %d (%q): stored state (-after that turn +stored):\n%s",
				i, k, turnLabel(u, k), cmp.Diff(want[k+1], got, cmp.AllowUnexported(snapshot{})))
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d users lost acknowledged answers", lost, crashUsers)
	}
	if mid == 0 {
		t.Errorf("no user was in the middle of a conversation at the kill")
	}
	t.Logf("%d users were mid-conversation; %d had their next answer saved but not yet acknowledged", mid, ahead)

	// The store works on: a killed user finishes the intake.
	r := bot.NewRouter(mustKB(t), db, time.Now)
	h := r.Handler(slog.New(slog.DiscardHandler))
	u := users[0]
	for _, tr := range u.turns[acked[0]+1:] {
		h(ctx, tr.message(u))
	}
	if p, _, err := db.LoadProfile(ctx, u.key()); err != nil || !cmp.Equal(p, u.want) {
		t.Errorf("after the restart, user 0 finishing the script has profile (-want +got):\n%s (error %v)", cmp.Diff(u.want, p), err)
	}
}

// snapshot is a stored profile and intake state.
type snapshot struct {
	p rules.Profile
	s advisor.IntakeState
}

// intakeSnapshots returns what the store holds for u before its script
// (index 0) and after each turn k (index k+1), found by running the
// script through a router over a store in memory.
func intakeSnapshots(t *testing.T, u *loadUser) []snapshot {
	t.Helper()
	ms := &memStore{}
	h := bot.NewRouter(mustKB(t), ms, time.Now).Handler(slog.New(slog.DiscardHandler))
	out := []snapshot{{}}
	for _, tr := range u.turns {
		r, err := h(context.Background(), tr.message(u))
		if err != nil || !containsText(r.Text, tr.want) {
			t.Fatalf("user %d, %q: reply %q (error %v), want %q", u.idx, tr.text, r.Text, err, tr.want)
		}
		out = append(out, snapshot{ms.p, ms.s})
	}
	return out
}

func turnLabel(u *loadUser, k int) string {
	if k < 0 {
		return "none"
	}
	tr := u.turns[k]
	return strings.TrimSpace(tr.text + " " + tr.value)
}

var (
	kbOnce   sync.Once
	sharedKB *advisor.KB
	kbErr    error
)

func mustKB(t *testing.T) *advisor.KB {
	t.Helper()
	kbOnce.Do(func() { sharedKB, kbErr = advisor.Load("", true) })
	if kbErr != nil {
		t.Fatal(kbErr)
	}
	return sharedKB
}

// memStore is a bot.Store in memory for one user. Like the real store it
// keeps JSON, so what it gives back is what the real one would.
type memStore struct {
	p rules.Profile
	s advisor.IntakeState
}

func jsonCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func (m *memStore) Touch(context.Context, advisor.UserKey, time.Time) error { return nil }
func (m *memStore) Export(context.Context, advisor.UserKey) ([]byte, error) {
	return []byte("{}"), nil
}
func (m *memStore) Forget(context.Context, advisor.UserKey) (bool, error) { return false, nil }
func (m *memStore) LoadProfile(context.Context, advisor.UserKey) (rules.Profile, advisor.IntakeState, error) {
	return m.p, m.s, nil
}
func (m *memStore) SaveProfile(_ context.Context, _ advisor.UserKey, p rules.Profile, s advisor.IntakeState, _ time.Time) error {
	m.p, m.s = jsonCopy(p), jsonCopy(s)
	return nil
}
