package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	rtmetrics "runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"modernc.org/sqlite"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/bot/discord"
	"github.com/uscebot/uscebot/bot/metrics"
	"github.com/uscebot/uscebot/bot/platformfake"
	"github.com/uscebot/uscebot/bot/rich"
	"github.com/uscebot/uscebot/bot/telegram"
	"github.com/uscebot/uscebot/store"
)

// The load benchmark drives the whole bot as production wires it: the
// router in its middleware (recover, errors, log, flood control) behind
// the real Telegram and Discord adapters, over a real SQLite file. The
// adapters talk to in-process fakes of the two platforms' HTTP APIs
// (an http.RoundTripper, no sockets), so every reply goes through the
// adapters' own renderers and splitters, whose output the fakes check
// against the platforms' limits. The adapters' render functions are
// unexported; driving the adapters through their public entry points
// (telegram.Bot.Run polling the fake, discord.Bot.HandleInteraction and
// HandleMessage) is what applies them to every reply.
//
// Each simulated user does a full intake, five questions and /plan. Half
// the users are on Telegram (typed answers, button presses as callback
// queries, questions in private and in a group, by /ask@bot and by
// mention), a quarter on Discord in DMs (slash commands, typed answers as
// direct messages, buttons), a quarter on Discord in a server (answers
// typed into modals and picked from select menus, which arrive as
// bot.AnswerChoice, and ephemeral replies).
//
// For each synchronous mode of the store (its own NORMAL; FULL through a
// connection hook, see registerSyncFullHook) BenchmarkLoad runs, on fresh
// files:
//
//  1. the storage floor: as many db.Touch upserts as the bot will handle
//     messages, from as many goroutines as users, each starting at once;
//  2. the bot flat out: every user sends their next message as soon as
//     the reply to the last one arrives (msg/s, writing-msg/s, upserts/s,
//     write/upsert, p50/p95/p99-ms of handling, peak-heap-MB);
//  3. the bot at half that rate: users pause between messages (random,
//     on average long enough to offer half the rate of 2), which shows
//     the latency a busy but not saturated bot gives (half-* metrics).
//
// Handling latency is the time the router's chain takes for a message
// once it has its turn (bot.MaxConcurrent lets 16 per CPU in at once),
// waits for the database included: what the metrics' latency histogram
// measures in production. The latency a user sees, from sending to the
// reply being sent, includes the wait for a turn: user-p50-ms and
// user-p99-ms. Flat out it is about users / rate whatever the bot does
// (every user always has a message waiting). Every run
// checks that each stored profile equals its script, read back from the
// reopened file, and that every reply said what the script expects.
//
//	go test ./cmd/uscebot -run '^$' -bench Load -benchtime 1x
//	go test ./cmd/uscebot -run '^$' -bench 'Load/sync=NORMAL' -benchtime 1x -load.users 500 -load.half=false
//	go test ./cmd/uscebot -short -run '^$' -bench Load -benchtime 1x   # 40 users: seconds
//
// BenchmarkLoad never runs in the test suite (benchmarks need -bench);
// TestLoadHarness runs the same harness with a few users so that it
// cannot rot.

var (
	loadUsersFlag = flag.Int("load.users", 0, "simulated users of BenchmarkLoad (default $USCEBOT_LOAD_USERS, else 2000, or 40 with -short)")
	loadHalfFlag  = flag.Bool("load.half", true, "BenchmarkLoad: after the flat-out run, measure latency at half the rate it reached")
)

// loadUserCount is the N of BenchmarkLoad.
func loadUserCount(tb testing.TB) int {
	tb.Helper()
	if *loadUsersFlag > 0 {
		return *loadUsersFlag
	}
	if s := os.Getenv("USCEBOT_LOAD_USERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			tb.Fatalf("USCEBOT_LOAD_USERS=%q: want a positive number", s)
		}
		return n
	}
	if testing.Short() {
		return 40
	}
	return 2000
}

// loadTimeout bounds one load run, so a lost reply fails the run instead
// of hanging it.
const loadTimeout = 10 * time.Minute

func BenchmarkLoad(b *testing.B) {
	tuneGC() // as uscebot run does
	n := loadUserCount(b)
	for _, mode := range []string{"NORMAL", "FULL"} {
		b.Run("sync="+mode, func(b *testing.B) {
			var sat, half loadResult
			for b.Loop() {
				s := runLoad(b, loadConfig{users: n, syncFull: mode == "FULL", baseline: true})
				sat.add(s)
				if *loadHalfFlag {
					// Each user thinks between messages, long enough on
					// average that the bot gets half the rate it managed
					// flat out.
					think := time.Duration(float64(n) / (0.5 * s.rate()) * float64(time.Second))
					half.add(runLoad(b, loadConfig{users: n, syncFull: mode == "FULL", think: think}))
				}
			}
			sat.report(b, "")
			if *loadHalfFlag {
				half.report(b, "half-")
			}
		})
	}
}

// TestLoadHarness runs the load harness with a few users: every profile
// must come out as scripted and every reply within the platforms'
// limits. It measures nothing.
func TestLoadHarness(t *testing.T) {
	runLoad(t, loadConfig{users: 12, think: time.Millisecond})
}

// ---------------------------------------------------------------------
// The simulated users and their conversations.

// turnKind is how a simulated user says something.
type turnKind uint8

const (
	turnCommand turnKind = iota // a command: typed on Telegram, a slash command on Discord
	turnText                    // typed in a direct chat
	turnButton                  // a press of one of the reply's buttons
	turnForm                    // typed into a Discord modal (bot.AnswerChoice)
	turnSelect                  // picked from a Discord select menu of suggestions (bot.AnswerChoice)
	turnMention                 // Telegram: "@bot question" in a group
)

// turn is one message of a simulated user.
type turn struct {
	kind  turnKind
	group bool   // in a group chat (Telegram) or a server (Discord)
	text  string // typed: a command with its arguments, an answer, a question
	step  string // the intake step a button, form or menu answers
	value string // the option a button or menu picks
	want  string // the reply must contain this
}

// loadUser is one simulated user.
type loadUser struct {
	idx      int
	platform string
	id       string
	guild    bool // Discord: answers through a server's forms rather than DMs
	turns    []turn
	want     rules.Profile

	pos  atomic.Int32  // the turn being handled, for the handler's checks
	done chan struct{} // Telegram: the handler has answered a message
}

func (u *loadUser) key() advisor.UserKey { return advisor.UserKey{Platform: u.platform, ID: u.id} }

// message is the bot.Message an adapter makes of t: what the router sees.
func (t turn) message(u *loadUser) bot.Message {
	m := bot.Message{Platform: u.platform, UserID: u.id, ChatID: u.id, Chat: bot.Direct, Text: t.text}
	if t.group {
		m.Chat, m.ChatID = bot.Group, "group"
	}
	switch t.kind {
	case turnButton, turnSelect:
		m.Text, m.Choice = "", bot.AnswerChoice(t.step, t.value)
	case turnForm:
		m.Text, m.Choice = "", bot.AnswerChoice(t.step, t.text)
	case turnMention:
		m.Text = "/ask " + t.text
	}
	return m
}

// loadQuestions are questions the knowledge base answers.
var loadQuestions = []string{
	"does telehealth count as usce?",
	"how many months of USCE do I need?",
	"is an observership worth it?",
	"how do I ask for a letter of recommendation?",
	"what is the difference between an externship and an observership?",
	"how do I find USCE?",
	"is research considered USCE?",
	"how do I spot a virtual rotation scam?",
}

// loadSpecialties are specialties as typed and as stored.
var loadSpecialties = []struct{ typed, name string }{
	{"IM", rules.InternalMedicine},
	{"peds", rules.Pediatrics},
	{"psych", rules.Psychiatry},
	{"family medicine", rules.FamilyMedicine},
	{"neurology", rules.Neurology},
}

// newLoadUser returns user i with a conversation of its own: the answers
// vary with i, so a profile saved under the wrong user shows.
func newLoadUser(i int, now time.Time) *loadUser {
	u := &loadUser{idx: i, done: make(chan struct{}, 1)}
	switch i % 4 {
	case 0, 2:
		u.platform, u.id = telegram.Platform, strconv.Itoa(1_000_000+i)
	case 1:
		u.platform, u.id = discord.Platform, fmt.Sprintf("17%017d", i)
	case 3:
		u.platform, u.id, u.guild = discord.Platform, fmt.Sprintf("17%017d", i), true
	}
	year := now.Year()
	typed := func(step, text, want string) turn {
		if u.guild {
			return turn{kind: turnForm, group: true, step: step, text: text, want: want}
		}
		return turn{kind: turnText, text: text, want: want}
	}
	press := func(step, value, want string) turn {
		return turn{kind: turnButton, group: u.guild, step: step, value: value, want: want}
	}
	p := &u.want
	t := []turn{{kind: turnCommand, group: u.guild, text: "/intake", want: "Let's build your profile"}}

	p.Stage, p.GradYear = rules.StageGraduate, intRef(2014+i%9)
	if i%5 == 0 {
		p.Stage, p.GradYear = rules.StageStudent, intRef(year+1)
	}
	t = append(t, press(rules.FieldStage, p.Stage, "Got it"), typed(rules.FieldGradYear, strconv.Itoa(*p.GradYear), "Got it"))
	p.ApplicationYear = intRef(year + 1 + i%3)
	t = append(t, typed(rules.FieldApplicationYear, strconv.Itoa(*p.ApplicationYear), "Got it"))

	sp := loadSpecialties[i%len(loadSpecialties)]
	p.Specialty = sp.name
	if u.guild {
		t = append(t, turn{kind: turnSelect, group: true, step: rules.FieldSpecialty, value: sp.name, want: "Got it"})
	} else {
		t = append(t, typed(rules.FieldSpecialty, sp.typed, "Got it"))
	}
	p.Step1 = []string{rules.Step1Passed, rules.Step1Failed, rules.Step1NotTaken}[i%3]
	t = append(t, press(rules.FieldStep1, p.Step1, "Got it"))
	if i%7 == 3 {
		t = append(t, typed(rules.FieldStep2CK, "skip", "Skipped"))
	} else {
		p.Step2CK = intRef(200 + i%70)
		t = append(t, typed(rules.FieldStep2CK, strconv.Itoa(*p.Step2CK), "Got it"))
	}
	p.Visa = []string{rules.VisaNeeded, rules.VisaNotNeeded}[i%2]
	p.CanTravel = []string{rules.Yes, rules.No}[(i/2)%2]
	p.Budget = []string{rules.BudgetLow, rules.BudgetMedium, rules.BudgetHigh}[i%3]
	t = append(t, press(rules.FieldVisa, p.Visa, "Got it"), press(rules.FieldCanTravel, p.CanTravel, "Got it"),
		press(rules.FieldBudget, p.Budget, "Now your experiences"))

	ext := rules.Experience{Kind: rules.KindExternship, Weeks: 4 + i%9, Specialty: rules.InternalMedicine, EndYear: year - i%3, InUS: true}
	p.Experiences = append(p.Experiences, ext)
	t = append(t, typed("experience", fmt.Sprintf("%d-week IM externship in Chicago, %d", ext.Weeks, ext.EndYear), "Thanks."),
		press("experience_confirm", "yes", "Added"))
	if (i/4)%2 == 0 {
		obs := rules.Experience{Kind: rules.KindObservership, Weeks: 2 + i%5, Specialty: rules.Pediatrics, EndYear: year - 1, InUS: true}
		p.Experiences = append(p.Experiences, obs)
		t = append(t, press("experience_more", "add", "next one"),
			typed("experience", fmt.Sprintf("%d week observership in pediatrics %d", obs.Weeks, obs.EndYear), "Thanks."),
			press("experience_confirm", "yes", "Added"))
	}
	t = append(t, press("experience_more", "done", "Got it"))
	p.USLetters = intRef(i % 4)
	t = append(t, typed(rules.FieldUSLetters, strconv.Itoa(*p.USLetters), "That's everything"))

	// Five questions: three in a direct chat, two in a group.
	for k := range 5 {
		q := loadQuestions[(i+k)%len(loadQuestions)]
		switch {
		case k < 3:
			t = append(t, turn{kind: turnText, text: q, want: "Sources: "})
		case k == 4 && u.platform == telegram.Platform:
			t = append(t, turn{kind: turnMention, group: true, text: q, want: "Sources: "})
		default:
			t = append(t, turn{kind: turnCommand, group: true, text: "/ask " + q, want: "Sources: "})
		}
	}
	u.turns = append(t, turn{kind: turnCommand, group: u.guild, text: "/plan", want: "Where you stand: "})
	return u
}

// ---------------------------------------------------------------------
// One load run.

// loadConfig is one load run.
type loadConfig struct {
	users    int
	syncFull bool          // synchronous=FULL instead of the store's NORMAL
	think    time.Duration // mean pause before each message; 0: flat out
	baseline bool          // measure the raw upserts first
}

// loadResult is what one or more load runs measured.
type loadResult struct {
	users         int
	messages      int           // handled by the router
	writing       int           // of which wrote to the store
	elapsed       time.Duration // of the bot's run
	busy          float64       // CPU seconds used in it, as the Go runtime sees them
	upserts       int           // raw upserts of the baseline
	upsertElapsed time.Duration
	latencies     []time.Duration // handling, one per message
	e2e           []time.Duration // from the user's send to the reply, one per message
	peakHeap      uint64
	sends         platformfake.SendStats
}

// rate is the bot's rate of messages per second.
func (r *loadResult) rate() float64 { return float64(r.messages) / r.elapsed.Seconds() }

func (r *loadResult) add(o loadResult) {
	r.users += o.users
	r.messages += o.messages
	r.writing += o.writing
	r.elapsed += o.elapsed
	r.busy += o.busy
	r.upserts += o.upserts
	r.upsertElapsed += o.upsertElapsed
	r.latencies = append(r.latencies, o.latencies...)
	r.e2e = append(r.e2e, o.e2e...)
	r.peakHeap = max(r.peakHeap, o.peakHeap)
	r.sends.Merge(o.sends)
}

// report reports the metrics, their names starting with prefix.
func (r *loadResult) report(b *testing.B, prefix string) {
	if r.elapsed <= 0 {
		return
	}
	slices.Sort(r.latencies)
	slices.Sort(r.e2e)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	p99 := percentile(r.latencies, 0.99)
	b.ReportMetric(r.rate(), prefix+"msg/s")
	b.ReportMetric(ms(percentile(r.latencies, 0.50)), prefix+"p50-ms")
	b.ReportMetric(ms(percentile(r.latencies, 0.95)), prefix+"p95-ms")
	b.ReportMetric(ms(p99), prefix+"p99-ms")
	b.ReportMetric(ms(percentile(r.e2e, 0.50)), prefix+"user-p50-ms")
	b.ReportMetric(ms(percentile(r.e2e, 0.99)), prefix+"user-p99-ms")
	b.ReportMetric(float64(r.peakHeap)/(1<<20), prefix+"peak-heap-MB")
	b.Logf("%s%d users, %d messages (%d writing) in %v, %.1f CPUs busy; handling max %v; as the user sees it max %v",
		prefix, r.users, r.messages, r.writing, r.elapsed.Round(time.Millisecond), r.busy/r.elapsed.Seconds(),
		percentile(r.latencies, 1), percentile(r.e2e, 1))
	b.Logf("%ssent: %s", prefix, r.sends)
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	targets := fmt.Sprintf("handling p99 %.1f ms < 50 %s; peak heap %.0f MB < 200 %s",
		ms(p99), verdict(p99 < 50*time.Millisecond), float64(r.peakHeap)/(1<<20), verdict(r.peakHeap < 200<<20))
	if r.upsertElapsed > 0 {
		writeRate := float64(r.writing) / r.elapsed.Seconds()
		upsertRate := float64(r.upserts) / r.upsertElapsed.Seconds()
		b.ReportMetric(writeRate, prefix+"writing-msg/s")
		b.ReportMetric(upsertRate, prefix+"upserts/s")
		b.ReportMetric(writeRate/upsertRate, prefix+"write/upsert")
		b.Logf("%s%d raw upserts in %v", prefix, r.upserts, r.upsertElapsed.Round(time.Millisecond))
		targets = fmt.Sprintf("write/upsert %.2f >= 0.40 %s; ", writeRate/upsertRate, verdict(writeRate/upsertRate >= 0.4)) + targets
	}
	b.Logf("%stargets: %s", prefix, targets)
}

// percentile returns the q-quantile of sorted ds (nearest rank).
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// runLoad runs the users of c through the bot once, after the raw-upsert
// baseline on a store of its own if c asks, and checks the outcome: every
// profile as scripted, every reply as expected and within the platforms'
// limits.
func runLoad(tb testing.TB, c loadConfig) loadResult {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	dir := tb.TempDir()
	name := func(s string) string {
		if c.syncFull {
			registerSyncFullHook()
			s += "-" + syncFullMarker
		}
		return filepath.Join(dir, s+".db")
	}
	now := time.Now()
	users := make([]*loadUser, c.users)
	for i := range users {
		users[i] = newLoadUser(i, now)
	}
	res := loadResult{users: c.users}

	if c.baseline {
		// The storage floor: as many single-row upserts as the bot will
		// do writing messages, by as many goroutines at once.
		perUser := make([]int, c.users)
		for i, u := range users {
			perUser[i] = len(u.turns)
			res.upserts += len(u.turns)
		}
		var err error
		if res.upsertElapsed, err = rawUpserts(ctx, name("raw"), perUser, now); err != nil {
			tb.Fatalf("raw upserts: %v", err)
		}
	}
	runtime.GC()

	h := newLoadHarness(tb, ctx, name("load"), users, now)
	heap := startHeapSampler()
	start := make(chan struct{})
	errs := make(chan error, c.users)
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			<-start
			errs <- h.converse(ctx, u, c.think)
		})
	}
	cpu := busyCPU()
	began := time.Now()
	close(start)
	wg.Wait()
	res.elapsed = time.Since(began)
	res.busy = busyCPU() - cpu
	res.peakHeap = heap.stop()
	close(errs)
	for err := range errs {
		if err != nil {
			tb.Fatalf("a simulated user could not finish: %v", err)
		}
	}
	h.stop(tb)

	res.messages = int(h.handled.Load())
	res.writing = int(h.writing.Load())
	res.latencies = h.latencies[:min(res.messages, len(h.latencies))]
	res.e2e = h.e2e[:min(int(h.e2eN.Load()), len(h.e2e))]
	res.sends = h.fake.Stats()
	h.check(tb)
	scripted := 0
	for _, u := range users {
		scripted += len(u.turns)
	}
	if res.messages != scripted {
		tb.Errorf("the router handled %d messages, the scripts have %d", res.messages, scripted)
	}
	if res.writing != res.messages {
		tb.Errorf("%d of %d messages wrote to the store, want all: every scripted message touches or saves", res.writing, res.messages)
	}

	// Zero lost writes: reopened from disk, every profile is the scripted one.
	db, err := store.Open(ctx, h.path)
	if err != nil {
		tb.Fatalf("reopen the store: %v", err)
	}
	defer db.Close()
	lost := 0
	for _, u := range users {
		p, s, err := db.LoadProfile(ctx, u.key())
		if err != nil {
			tb.Fatalf("LoadProfile(%v): %v", u.key(), err)
		}
		if diff := cmp.Diff(u.want, p); diff != "" || s.Step != advisor.StepDone {
			lost++
			if lost <= 3 {
				tb.Errorf("user %d (%s) after the run: step %q, profile (-want +got):\n%s", u.idx, u.platform, s.Step, diff)
			}
		}
	}
	if lost > 0 {
		tb.Errorf("%d of %d profiles differ from their scripts", lost, c.users)
	}
	return res
}

// busyCPU returns the CPU seconds the Go runtime has spent, not counting
// idle processors.
func busyCPU() float64 {
	s := []rtmetrics.Sample{{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	rtmetrics.Read(s)
	return s[0].Value.Float64() - s[1].Value.Float64()
}

// rawUpserts creates a store at path and, on a connection of its own with
// the store writer's settings, has len(perUser) goroutines, all at once,
// each upsert its own user's row perUser[i] times, one statement (its own
// transaction) at a time; it returns how long that took. The statement is
// prepared once: the floor is SQLite's own cost, not parsing.
func rawUpserts(ctx context.Context, path string, perUser []int, now time.Time) (time.Duration, error) {
	db, err := store.Open(ctx, path) // the schema
	if err != nil {
		return 0, err
	}
	if err := db.Close(); err != nil {
		return 0, err
	}
	dsn, err := store.WriterDSN(path)
	if err != nil {
		return 0, err
	}
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1) // SQLite has one writer; as the store's
	upsert, err := raw.PrepareContext(ctx, `
		INSERT INTO users (platform, platform_user_id, created_at, last_seen_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (platform, platform_user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`)
	if err != nil {
		return 0, err
	}
	defer upsert.Close()
	start := make(chan struct{})
	errs := make(chan error, len(perUser))
	var wg sync.WaitGroup
	for i, k := range perUser {
		wg.Go(func() {
			id := strconv.Itoa(i)
			<-start
			for j := range k {
				t := now.Add(time.Duration(j) * time.Second).Unix()
				if _, err := upsert.ExecContext(ctx, "raw", id, t, t); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(began)
	close(errs)
	return elapsed, <-errs
}

// syncFullMarker in a database's file name makes its connections use
// synchronous=FULL instead of the store's NORMAL: the store's DSN is fixed,
// and a connection hook of the driver is the one way in without changing
// it.
const syncFullMarker = "syncfull"

var syncFullOnce sync.Once

func registerSyncFullHook() {
	syncFullOnce.Do(func() {
		sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, dsn string) error {
			if !strings.Contains(dsn, syncFullMarker) {
				return nil
			}
			_, err := c.ExecContext(context.Background(), "PRAGMA synchronous=FULL", []driver.NamedValue{})
			return err
		})
	})
}

// heapSampler records the peak of the live and not yet collected heap,
// read without stopping the world.
type heapSampler struct {
	quit chan struct{}
	peak chan uint64
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{quit: make(chan struct{}), peak: make(chan uint64)}
	go func() {
		s := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var peak uint64
		for {
			rtmetrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-h.quit:
				h.peak <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) stop() uint64 {
	close(h.quit)
	return <-h.peak
}

// ---------------------------------------------------------------------
// The bot under load.

// loadHarness is the bot as production wires it, behind both adapters.
type loadHarness struct {
	path  string
	db    *store.DB
	fake  *platformfake.Platforms
	tg    *telegram.Bot
	tgRun chan error
	stopT context.CancelFunc
	dc    *discord.Bot
	dcS   *discordgo.Session
	users map[string]*loadUser // by platform and id

	handled, writing atomic.Int64
	latencies        []time.Duration
	e2eN             atomic.Int64
	e2e              []time.Duration

	mu       sync.Mutex
	problems []string
	nProblem int

	seq atomic.Int64 // ids of interactions, messages and updates
}

func newLoadHarness(tb testing.TB, ctx context.Context, path string, users []*loadUser, now time.Time) *loadHarness {
	tb.Helper()
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	kb, err := advisor.Load("", true)
	if err != nil {
		tb.Fatal(err)
	}
	total := 0
	h := &loadHarness{path: path, db: db, fake: platformfake.New(), users: make(map[string]*loadUser, len(users))}
	for _, u := range users {
		h.users[u.platform+"\x00"+u.id] = u
		total += len(u.turns)
	}
	h.latencies = make([]time.Duration, total+len(users)) // room for a surprise or two, reported as such
	h.e2e = make([]time.Duration, total)

	// The production chain (cmd/uscebot/run.go), with the flood limit
	// raised: the simulated users type faster than any person, and the
	// limiter's cost does not depend on its limits. timed measures what
	// the metrics' latency histogram does: the router at work, not the
	// wait for a turn.
	router := bot.NewRouter(kb, writeCounter{db}, time.Now)
	met := metrics.New()
	router.OnEvent(met.Observe)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	bc := Default().Bot
	bc.FloodMessages = 1 << 20
	handler := bot.Chain(router.Handler(log, met.Middleware(router.Commands())), append(admission(bc), h.timed)...)

	client := &http.Client{Transport: h.fake}
	quiet := slog.New(slog.DiscardHandler)
	h.tg, err = telegram.New(ctx, telegram.Config{
		Token: platformfake.TelegramToken, APIEndpoint: "http://telegram.invalid/bot%s/%s",
		HTTPClient: client, Logger: quiet, ShutdownGrace: time.Minute,
	}, handler, router.Commands())
	if err != nil {
		tb.Fatal(err)
	}
	var titles []string
	for _, tp := range kb.Topics() {
		titles = append(titles, tp.Title)
	}
	h.dc, err = discord.New(ctx, discord.Config{
		Token: platformfake.DiscordToken, HTTPClient: client, Logger: quiet, Topics: titles,
	}, handler, router.Commands())
	if err != nil {
		tb.Fatal(err)
	}
	if h.dcS, err = discordgo.New("Bot " + platformfake.DiscordToken); err != nil {
		tb.Fatal(err)
	}
	h.dcS.Client = client

	runCtx, stop := context.WithCancel(ctx)
	h.stopT, h.tgRun = stop, make(chan error, 1)
	go func() { h.tgRun <- h.tg.Run(runCtx) }()
	return h
}

// stop stops the Telegram adapter, which finishes its sends first, and
// closes the store.
func (h *loadHarness) stop(tb testing.TB) {
	tb.Helper()
	h.stopT()
	if err := <-h.tgRun; err != nil {
		tb.Errorf("telegram Run: %v", err)
	}
	if err := h.db.Close(); err != nil {
		tb.Errorf("close the store: %v", err)
	}
}

// check fails tb for every problem the run saw.
func (h *loadHarness) check(tb testing.TB) {
	tb.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.problems {
		tb.Error(p)
	}
	if h.nProblem > len(h.problems) {
		tb.Errorf("... and %d more problems", h.nProblem-len(h.problems))
	}
	for _, p := range h.fake.Violations() {
		tb.Error(p)
	}
}

func (h *loadHarness) problem(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nProblem++
	if len(h.problems) < 10 {
		h.problems = append(h.problems, fmt.Sprintf(format, args...))
	}
}

// wroteKey marks a message's context; writeCounter sets the mark.
type wroteKey struct{}

// writeCounter is the store, noting in the context which messages wrote.
type writeCounter struct{ *store.DB }

func wrote(ctx context.Context) {
	if p, ok := ctx.Value(wroteKey{}).(*bool); ok {
		*p = true
	}
}

func (w writeCounter) Touch(ctx context.Context, u advisor.UserKey, now time.Time) error {
	err := w.DB.Touch(ctx, u, now)
	if err == nil {
		wrote(ctx)
	}
	return err
}

func (w writeCounter) SaveProfile(ctx context.Context, u advisor.UserKey, p rules.Profile, s advisor.IntakeState, now time.Time) error {
	err := w.DB.SaveProfile(ctx, u, p, s, now)
	if err == nil {
		wrote(ctx)
	}
	return err
}

func (w writeCounter) Forget(ctx context.Context, u advisor.UserKey) (bool, error) {
	ok, err := w.DB.Forget(ctx, u)
	if err == nil {
		wrote(ctx)
	}
	return ok, err
}

// timed wraps the router: it measures the handling of each message,
// checks the reply against the script, and tells a Telegram user that the
// bot has answered.
func (h *loadHarness) timed(next bot.Handler) bot.Handler {
	return func(ctx context.Context, m bot.Message) (bot.Reply, error) {
		var w bool
		start := time.Now()
		r, err := next(context.WithValue(ctx, wroteKey{}, &w), m)
		d := time.Since(start)
		if i := h.handled.Add(1) - 1; int(i) < len(h.latencies) {
			h.latencies[i] = d
		}
		if w {
			h.writing.Add(1)
		}
		u := h.users[m.Platform+"\x00"+m.UserID]
		if u == nil {
			h.problem("a message from unknown user %s/%s", m.Platform, m.UserID)
			return r, err
		}
		t := u.turns[u.pos.Load()]
		switch {
		case err != nil:
			h.problem("user %d turn %+v: handler error %v", u.idx, t, err)
		case !containsText(r.Text, t.want):
			h.problem("user %d turn %q %q: reply lacks %q:\n%s", u.idx, t.text, t.value, t.want, r.Text)
		}
		if u.platform == telegram.Platform {
			u.done <- struct{}{}
		}
		return r, err
	}
}

// containsText reports whether one span of t contains s.
func containsText(t rich.Text, s string) bool {
	for _, b := range t {
		for _, sp := range b.Spans {
			if strings.Contains(sp.Text, s) {
				return true
			}
		}
	}
	return false
}

// converse plays u's conversation, each message after the reply to the
// one before and a pause of think on average.
func (h *loadHarness) converse(ctx context.Context, u *loadUser, think time.Duration) error {
	rnd := rand.New(rand.NewPCG(uint64(u.idx), 1))
	for k, t := range u.turns {
		if think > 0 {
			pause := time.NewTimer(time.Duration(rnd.ExpFloat64() * float64(think)))
			select {
			case <-pause.C:
			case <-ctx.Done():
				pause.Stop()
				return ctx.Err()
			}
		}
		u.pos.Store(int32(k))
		start := time.Now()
		if u.platform == telegram.Platform {
			h.fake.PushUpdate(h.telegramUpdate(u, t))
			select {
			case <-u.done:
			case <-ctx.Done():
				return fmt.Errorf("user %d, turn %d (%q): no reply: %w", u.idx, k, t.text, ctx.Err())
			}
		} else {
			if err := h.discordTurn(ctx, u, t); err != nil {
				return fmt.Errorf("user %d, turn %d (%q): %w", u.idx, k, t.text, err)
			}
		}
		if i := h.e2eN.Add(1) - 1; int(i) < len(h.e2e) {
			h.e2e[i] = time.Since(start)
		}
	}
	return nil
}

// telegramUpdate is the update Telegram would send for t.
func (h *loadHarness) telegramUpdate(u *loadUser, t turn) func(id int64) []byte {
	from := `{"id":` + u.id + `,"is_bot":false,"first_name":"U` + u.id + `"}`
	chat := `{"id":` + u.id + `,"type":"private","first_name":"U` + u.id + `"}`
	if t.group {
		chat = `{"id":` + strconv.Itoa(fakeTelegramGroup) + `,"type":"supergroup","title":"IMGs"}`
	}
	text := t.text
	switch t.kind {
	case turnButton:
		data := bot.AnswerChoice(t.step, t.value)
		// The message whose keyboard was pressed, as Telegram includes it.
		kb, _ := json.Marshal(map[string]any{"inline_keyboard": [][]map[string]string{{{"text": t.value, "callback_data": data}}}})
		dataJSON, _ := json.Marshal(data)
		return func(id int64) []byte {
			return fmt.Appendf(nil, `{"update_id":%d,"callback_query":{"id":"cb%d","from":%s,"chat_instance":"ci%s",`+
				`"message":{"message_id":1,"date":1,"chat":%s,"text":"Choose","reply_markup":%s},"data":%s}}`,
				id, id, from, u.id, chat, kb, dataJSON)
		}
	case turnCommand:
		if t.group {
			name, rest, _ := strings.Cut(text, " ")
			text = name + "@" + platformfake.TelegramBot + " " + rest
		}
	case turnMention:
		text = "@" + platformfake.TelegramBot + " " + text
	}
	textJSON, _ := json.Marshal(text)
	return func(id int64) []byte {
		return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1,"from":%s,"chat":%s,"text":%s}}`,
			id, id, from, chat, textJSON)
	}
}

// discordTurn sends t to the Discord adapter as Discord would, and
// returns once the adapter has answered, or ctx is done.
func (h *loadHarness) discordTurn(ctx context.Context, u *loadUser, t turn) error {
	seq := h.seq.Add(1)
	user := &discordgo.User{ID: u.id, Username: "u" + u.id}
	dm := "14" + u.id[2:] // each user's DM channel
	if t.kind == turnText {
		mc := &discordgo.MessageCreate{Message: &discordgo.Message{
			ID: strconv.FormatInt(1_500_000_000_000_000_000+seq, 10), ChannelID: dm, Content: t.text,
			Author: user, Type: discordgo.MessageTypeDefault,
		}}
		return within(ctx, func() { h.dc.HandleMessage(h.dcS, mc) })
	}
	i := &discordgo.Interaction{
		ID:    strconv.FormatInt(1_600_000_000_000_000_000+seq, 10),
		AppID: platformfake.DiscordApp, Token: "interaction-token-" + strconv.FormatInt(seq, 10),
		ChannelID: dm, User: user,
	}
	if t.group {
		i.GuildID, i.ChannelID, i.User = platformfake.DiscordGuild, platformfake.DiscordChannel, nil
		i.Member = &discordgo.Member{User: user, GuildID: platformfake.DiscordGuild}
	}
	// The message whose button, menu or form was used: ephemeral in a server.
	on := &discordgo.Message{ID: "1360000000000000001", ChannelID: i.ChannelID}
	if t.group {
		on.Flags = discordgo.MessageFlagsEphemeral
	}
	switch t.kind {
	case turnCommand:
		name, rest, _ := strings.Cut(strings.TrimPrefix(t.text, "/"), " ")
		d := discordgo.ApplicationCommandInteractionData{ID: "1310000000000000001", Name: name}
		if name == "ask" {
			d.Options = []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: rest}}
		}
		i.Type, i.Data = discordgo.InteractionApplicationCommand, d
	case turnButton:
		i.Type, i.Message = discordgo.InteractionMessageComponent, on
		i.Data = discordgo.MessageComponentInteractionData{CustomID: bot.AnswerChoice(t.step, t.value), ComponentType: discordgo.ButtonComponent}
	case turnSelect:
		i.Type, i.Message = discordgo.InteractionMessageComponent, on
		i.Data = discordgo.MessageComponentInteractionData{CustomID: "dc/sel:" + t.step,
			ComponentType: discordgo.SelectMenuComponent, Values: []string{t.value}}
	case turnForm:
		i.Type, i.Message = discordgo.InteractionModalSubmit, on
		i.Data = discordgo.ModalSubmitInteractionData{CustomID: "dc/mod:" + t.step, Components: []discordgo.MessageComponent{
			&discordgo.ActionsRow{Components: []discordgo.MessageComponent{&discordgo.TextInput{CustomID: "answer", Value: t.text}}}}}
	}
	return within(ctx, func() { h.dc.HandleInteraction(h.dcS, &discordgo.InteractionCreate{Interaction: i}) })
}

// within runs f, giving up when ctx is done first: the Discord adapter's
// handlers wait on a context of the adapter's own, which only Run
// cancels, so a lost reply would otherwise hang the caller.
// fakeTelegramGroup is the group chat of the load's Telegram users.
const fakeTelegramGroup = -1001234567890

func within(ctx context.Context, f func()) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no answer from the Discord adapter: %w", ctx.Err())
	}
}
