package bot_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot"
	"github.com/uscebot/uscebot/store"
)

// finishIntake runs a whole intake by typed answers: a graduate in
// pediatrics with one observership.
func finishIntake(t *testing.T, f *fixture) {
	t.Helper()
	f.say(t, "/intake")
	for _, a := range []string{"graduate", "2022", "2027", "peds", "passed", "skip", "yes", "yes", "low",
		"6 week observership in pediatrics, 2026", "yes", "done", "1"} {
		f.say(t, a)
	}
	if _, s := f.state(t); s.Step != advisor.StepDone {
		t.Fatalf("intake not finished: state %+v", s)
	}
}

func TestNumberPicksAfterRestart(t *testing.T) {
	kb, err := advisor.Load("", true)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bot.db")
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	// start opens the database and a router over it, as the console does
	// when it starts: nothing of an earlier run is in memory.
	start := func() (*store.DB, bot.Handler) {
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return db, bot.NewRouter(kb, db, func() time.Time { return now }).Handle
	}
	say := func(h bot.Handler, text string) string {
		t.Helper()
		r, err := h(context.Background(), bot.Message{Platform: "console", UserID: "local", ChatID: "local", Text: text})
		if err != nil {
			return bot.ErrorMessage(err)
		}
		return r.Text.String()
	}
	user := advisor.UserKey{Platform: "console", ID: "local"}

	db, h := start()
	if got := say(h, "/intake"); !strings.Contains(got, "medical school or graduated") {
		t.Fatalf("/intake = %q", got)
	}
	db.Close()

	db, h = start() // restarted: the numbered list it printed is forgotten
	defer func() { db.Close() }()
	if got := say(h, "3"); !strings.Contains(got, "There's no choice 3: the choices go from 1 to 2") || strings.Contains(got, "Why it matters") {
		t.Errorf("3 at the stage question = %q, want one line and the question alone", got)
	}
	if got := say(h, "2"); !strings.Contains(got, "Got it: graduate") {
		t.Errorf("2 at the stage question = %q, want graduate", got)
	}
	p, s, err := db.LoadProfile(context.Background(), user)
	if err != nil || p.Stage != rules.StageGraduate || s.Step != rules.FieldGradYear {
		t.Fatalf("after 2: profile %+v, state %+v, %v", p, s, err)
	}
	// A number where it is the answer itself stays a year.
	say(h, "2022")
	say(h, "2027")
	say(h, "IM")
	db.Close()
	db, h = start()
	if got := say(h, "3"); !strings.Contains(got, "Got it: not taken") {
		t.Errorf("3 at Step 1 after a restart = %q, want not taken", got)
	}
	if p, _, _ := db.LoadProfile(context.Background(), user); p.Step1 != rules.Step1NotTaken || p.GradYear == nil || *p.GradYear != 2022 {
		t.Errorf("profile = %+v", p)
	}
}

func TestProfileAddAndRemoveExperience(t *testing.T) {
	f := newFixture(t)
	if got := f.say(t, "/profile add experience 8-week IM externship in Chicago, 2025"); !strings.Contains(got, "Added experience 1: hands-on externship, 8 weeks, internal medicine, ended 2025") {
		t.Errorf("/profile add experience before any intake = %q", got)
	}
	f.say(t, "/profile remove experience 1")
	finishIntake(t, f)

	tests := []struct{ text, want string }{
		{"/profile add experience 8-week IM externship in Chicago, 2025", "Added experience 2: hands-on externship"},
		{"/profile add experience 8-week IM externship in Chicago, 2025", "/profile remove experience 3 takes it off"},
		{"/profile", "experience 3: hands-on externship"},
		{"/profile add experience two 4-week observerships in 2019, one in IM", "Added experiences 4 to 5: 2 non-hands-on observerships of 4 weeks each, one of them in internal medicine, ended 2019"},
		{"/profile remove experience 5", "Removed"},
		{"/profile remove experience 4", "Removed"},
		{"/profile remove experience 3", "Removed: hands-on externship, 8 weeks, internal medicine, ended 2025. 2 left"},
		{"/profile remove experience 9", "Usage: /profile remove experience <number>: there's no experience 9: /profile lists them, from 1 to 2."},
		{"/profile remove experience two", "Usage: /profile remove experience <number>"},
		{"/profile add experience banana", "I couldn't read an experience there"},
		{"/profile add experience 8-week IM externship, 2030", "after you apply in 2027"},
		{"/profile add experience", "Usage: /profile set <field> <value>"},
		{"/profile add letters 3", "Usage: /profile set <field> <value>"},
		{"/profile frobnicate", "/profile add experience <description>"},
		{"/profile set experiences 8 weeks", "/profile add experience <description>"},
	}
	for _, tt := range tests {
		if got := f.say(t, tt.text); !strings.Contains(got, tt.want) {
			t.Errorf("%q = %q, want it to contain %q", tt.text, got, tt.want)
		}
	}
	p, s := f.state(t)
	if len(p.Experiences) != 2 || s.Step != advisor.StepDone {
		t.Fatalf("after add and remove: experiences %+v, state %+v", p.Experiences, s)
	}

	// A description missing a part: the intake asks for it, then the
	// profile is finished again.
	r := f.send(t, bot.Message{Text: "/profile add experience IM externship, 2025"})
	if got := r.Text.String(); !strings.Contains(got, "How long was it?") {
		t.Fatalf("incomplete /profile add experience = %q, want the length asked", got)
	}
	r = f.send(t, bot.Message{Text: "6 weeks"})
	r = press(t, f, r, "Yes")
	r = press(t, f, r, "That's all")
	if got := r.Text.String(); !strings.Contains(got, "3 experiences on your profile") || !strings.Contains(got, "/plan") {
		t.Errorf("end of the added experience = %q", got)
	}
	p, s = f.state(t)
	if len(p.Experiences) != 3 || p.Experiences[2].Weeks != 6 || s.Step != advisor.StepDone {
		t.Errorf("after the added experience: %+v, state %+v", p.Experiences, s)
	}
}

func TestSecondIntakeChangesOneAnswer(t *testing.T) {
	f := newFixture(t)
	finishIntake(t, f)
	before, _ := f.state(t)

	r := f.send(t, bot.Message{Text: "/intake"})
	got := r.Text.String()
	if !strings.Contains(got, "Which answer would you like to change?") || len(r.Choices) != 14 {
		t.Fatalf("second /intake = %q with %d choices, want the change menu", got, len(r.Choices))
	}
	r = press(t, f, r, "Specialty: pediatrics")
	if got := r.Text.String(); !strings.Contains(got, "currently: pediatrics") {
		t.Fatalf("specialty chosen = %q", got)
	}
	if got := f.say(t, "psych"); !strings.Contains(got, "Your profile is updated") || !strings.Contains(got, "/plan") {
		t.Errorf("new specialty = %q", got)
	}
	p, s := f.state(t)
	before.Specialty = rules.Psychiatry
	if s.Step != advisor.StepDone || p.Specialty != rules.Psychiatry || p.Budget != before.Budget || len(p.Experiences) != 1 {
		t.Errorf("after changing one answer: %+v, state %+v", p, s)
	}

	// Typed: the menu's number, then remove the experience.
	f.say(t, "/intake")
	if got := f.say(t, "12"); !strings.Contains(got, "Which experience should I remove?") {
		t.Fatalf("12 at the change menu = %q", got)
	}
	if got := f.say(t, "1"); !strings.Contains(got, "Removed non-hands-on observership") {
		t.Errorf("1 at the remove menu = %q", got)
	}
	// Walking through everything is still a choice.
	f.say(t, "/intake")
	if got := f.say(t, "Go through every answer"); !strings.Contains(got, "currently: graduate") {
		t.Errorf("going through every answer = %q", got)
	}
	if p, _ := f.state(t); p.Experiences != nil || p.Specialty != rules.Psychiatry {
		t.Errorf("profile %+v", p)
	}
}

func TestWhyItMattersOnce(t *testing.T) {
	f := newFixture(t)
	if got := f.say(t, "/intake"); !strings.Contains(got, "Why it matters") || !strings.Contains(got, "cancel to pause") {
		t.Fatalf("first question = %q, want why it matters", got)
	}
	got := f.say(t, "banana")
	if strings.Contains(got, "Why it matters") || strings.Contains(got, "cancel to pause") || !strings.Contains(got, "medical school or graduated") {
		t.Errorf("retry = %q, want one line and the question", got)
	}
	if got := f.say(t, "graduate"); !strings.Contains(got, "Why it matters") {
		t.Errorf("next question = %q, want its why", got)
	}
}
