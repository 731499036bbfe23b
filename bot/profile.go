package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/match"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot/rich"
)

// intakeChoice is the prefix of the Choice IDs of intake options:
// "intake:<step>:<value>". The step lets a press of an old message's
// button be recognised as stale instead of answering the current step.
const intakeChoice = "intake"

// errSave is what a user sees when an answer could not be stored: the
// answer is not lost from their point of view, they can send it again.
var errSave = &Error{Code: EUnavailable, Message: "I could not save that just now; please send it again."}

func (r *Router) load(ctx context.Context, m Message) (rules.Profile, advisor.IntakeState, error) {
	p, s, err := r.store.LoadProfile(ctx, m.User())
	if err != nil {
		r.emit(EventStoreError)
		return p, s, fmt.Errorf("load profile: %w", err)
	}
	return p, s, nil
}

func (r *Router) save(ctx context.Context, m Message, p rules.Profile, s advisor.IntakeState) error {
	if err := r.store.SaveProfile(ctx, m.User(), p, s, r.now()); err != nil {
		r.emit(EventStoreError)
		return fmt.Errorf("%w (%w)", errSave, err)
	}
	r.reschedule(ctx, m, p)
	return nil
}

// intakeActive reports whether plain messages should go to the intake.
func intakeActive(s advisor.IntakeState) bool {
	return s.Step != "" && s.Step != advisor.StepDone && !s.Paused
}

func (r *Router) intake(ctx context.Context, m Message, _ string) (Reply, error) {
	p, s, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	if s.Step == "" {
		r.emit(EventIntakeStarted)
	}
	s, ir := advisor.StartIntake(p, s)
	return r.intakeReply(ctx, m, p, s, ir)
}

// answerIntake feeds one typed answer or chosen option to the intake.
func (r *Router) answerIntake(ctx context.Context, m Message, p rules.Profile, s advisor.IntakeState, answer string) (Reply, error) {
	np, ns, ir := advisor.AnswerIntake(p, s, answer, r.now())
	return r.intakeReply(ctx, m, np, ns, ir)
}

// pending describes the intake's pending step for the reading of a
// message: the options shown, and whether a text would be taken as the
// step's answer (the intake's own parser, its result dropped).
func (r *Router) pending(p rules.Profile, s advisor.IntakeState) *match.Pending {
	pr := advisor.PromptFor(p, s)
	if pr == nil {
		return nil
	}
	labels := make([]string, 0, len(pr.Options))
	for _, o := range pr.Options {
		labels = append(labels, o.Label)
	}
	now := r.now()
	return &match.Pending{Options: labels, Accepts: func(text string) bool {
		_, _, ir := advisor.AnswerIntake(p, s, text, now)
		return !ir.Invalid
	}}
}

// backToIntake follows a reply given in the middle of the intake (an
// answer to a question, a reply to thanks) with the pending step again.
// The step's buttons come too unless the reply has choices of its own.
func (r *Router) backToIntake(reply Reply, p rules.Profile, s advisor.IntakeState) Reply {
	pr := r.promptReply(advisor.PromptFor(p, s))
	reply.Text = append(reply.Text, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Back to your profile:")}})
	reply.Text = append(reply.Text, pr.Text...)
	if len(reply.Choices) == 0 {
		reply.Choices, reply.Input = pr.Choices, pr.Input
	}
	reply.Private = true
	return reply
}

// readChoice is the prefix of the Choice IDs that settle a message that
// could be an answer or a question: "read:<step>:<text>" takes the text as
// the answer to step, "read:?:<text>" as a question. The text travels in
// the button, so nothing of it is stored.
const readChoice = "read"

// maxChoiceID is the longest Choice ID every platform carries (Telegram's
// callback data).
const maxChoiceID = 64

// askWhich asks whether text, which reads both as an answer to step and as
// a question, was meant as which; ok is false when the text is too long
// to travel in the buttons.
func askWhich(step, text string) (Reply, bool) {
	answer := readChoice + ":" + step + ":" + text
	if len(answer) > maxChoiceID {
		return Reply{}, false
	}
	return Reply{
		Text: rich.Plain("Was that your answer, or a question?"),
		Choices: []Choice{
			{ID: answer, Label: "My answer"},
			{ID: readChoice + ":?:" + text, Label: "A question"},
		},
		Private: true,
	}, true
}

// chooseReading settles a message askWhich asked about.
func (r *Router) chooseReading(ctx context.Context, m Message, step, text string) (Reply, error) {
	p, s, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	if step != "?" {
		if !intakeActive(s) || s.Step != step {
			return r.staleIntake(p, s), nil
		}
		return r.answerIntake(ctx, m, p, s, text)
	}
	rd := r.kb.Read(text, nil)
	reply, err := r.respond(ctx, m, rd, &p)
	if err != nil || !intakeActive(s) {
		return reply, err
	}
	return r.backToIntake(reply, p, s), nil
}

// chooseTopic answers a topic picked from a list: the topics a question
// could mean, or the other questions of a message.
func (r *Router) chooseTopic(ctx context.Context, m Message, id string) (Reply, error) {
	t := r.kb.Topic(id)
	if t == nil {
		return Reply{Text: rich.Plain("I no longer have that answer; please ask again."), Stale: true}, nil
	}
	a := advisor.Answer{Topic: t, Score: 1, Text: t.Body}
	if m.Chat != Direct {
		return r.answerTopic(ctx, m, a, nil, nil)
	}
	p, s, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	reply, err := r.answerTopic(ctx, m, a, nil, &p)
	if err != nil || !intakeActive(s) {
		return reply, err
	}
	return r.backToIntake(reply, p, s), nil
}

func (r *Router) intakeReply(ctx context.Context, m Message, p rules.Profile, s advisor.IntakeState, ir advisor.IntakeReply) (Reply, error) {
	if ir.Changed {
		if err := r.save(ctx, m, p, s); err != nil {
			return Reply{}, err
		}
		if ir.Done {
			r.emit(EventIntakeCompleted)
		}
	}
	reply := r.promptReply(ir.Prompt)
	reply.Text = append(rich.Markdown(ir.Text), reply.Text...)
	if ir.Done {
		reply.Text = append(reply.Text, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{
			rich.S("Send "), rich.B("/plan"), rich.S(" for where you stand and what to do next, or "), rich.B("/profile"), rich.S(" to review your answers.")}})
	}
	reply.Private = true
	return reply, nil
}

// promptReply renders an intake question with its options as choices.
func (r *Router) promptReply(pr *advisor.Prompt) Reply {
	if pr == nil {
		return Reply{Private: true}
	}
	t := rich.Para(rich.B(pr.Question))
	if pr.Why != "" {
		// A step's first asking explains it and the controls; asked again
		// (a retry, the next experience) it is the question alone.
		hint := "Why it matters: " + pr.Why
		if pr.Optional {
			hint += " (Optional: send skip.)"
		}
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(hint)}})
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("You can send back, or cancel to pause.")}})
	}
	reply := Reply{Text: t, Private: true}
	for _, o := range pr.Options {
		reply.Choices = append(reply.Choices, Choice{ID: AnswerChoice(pr.Step, o.Value), Label: o.Label})
	}
	if len(pr.Options) == 0 {
		reply.Input = &Input{Step: pr.Step, Label: pr.Question}
		if pr.Step == rules.FieldSpecialty {
			reply.Input.Suggestions = rules.Specialties()
		}
	}
	return reply
}

// chooseIntake handles the press of an intake option button.
func (r *Router) chooseIntake(ctx context.Context, m Message, step, value string) (Reply, error) {
	p, s, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	if !intakeActive(s) || s.Step != step {
		return r.staleIntake(p, s), nil
	}
	return r.answerIntake(ctx, m, p, s, value)
}

// staleIntake answers the press of an intake button whose question has
// moved on: the pending step again, if any.
func (r *Router) staleIntake(p rules.Profile, s advisor.IntakeState) Reply {
	reply := r.promptReply(advisor.PromptFor(p, s))
	if !intakeActive(s) {
		reply = Reply{Private: true}
	}
	reply.Text = append(rich.Plain("That question has moved on."), reply.Text...)
	reply.Stale = true
	return reply
}

func (r *Router) profile(ctx context.Context, m Message, args string) (Reply, error) {
	if args != "" {
		return r.profileChange(ctx, m, args)
	}
	p, _, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	t := rich.Para(rich.B("Your profile"))
	for _, f := range advisor.Fields() {
		t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.S(f + ": "), rich.B(advisor.FieldValue(p, f))}})
	}
	if len(p.Experiences) == 0 {
		t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.S("experiences: "), rich.B("none yet")}})
	}
	for i, e := range p.Experiences {
		t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.S(fmt.Sprintf("experience %d: ", i+1)), rich.S(advisor.DescribeExperience(e))}})
	}
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(
		"Change one field with /profile set <field> <value>; add an experience with /profile add experience <description>, " +
			"or remove one with /profile remove experience <number>; /intake offers to change any answer.")}})
	return Reply{Text: t, Private: true}, nil
}

// profileUsage is the answer to a /profile subcommand it cannot read.
func profileUsage() error {
	return Errorf(EInvalid, "Usage: /profile set <field> <value> (field is one of: %s), /profile add experience <description>, or /profile remove experience <number>.",
		strings.Join(advisor.Fields(), ", "))
}

// profileChange handles /profile set, /profile add experience and
// /profile remove experience.
func (r *Router) profileChange(ctx context.Context, m Message, args string) (Reply, error) {
	sub, rest := cutWord(args)
	sub = strings.ToLower(sub)
	switch sub {
	case "set":
		return r.profileSet(ctx, m, rest)
	case "add", "remove", "delete":
		what, arg := cutWord(rest)
		if w := strings.ToLower(what); (w != "experience" && w != "experiences") || arg == "" {
			return Reply{}, profileUsage()
		}
		if sub == "add" {
			return r.addExperience(ctx, m, arg)
		}
		return r.removeExperience(ctx, m, arg)
	}
	return Reply{}, profileUsage()
}

// cutWord splits the first word off s, at any white space.
func cutWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

func (r *Router) profileSet(ctx context.Context, m Message, args string) (Reply, error) {
	field, value := cutWord(args)
	if field == "" || value == "" {
		return Reply{}, profileUsage()
	}
	p, s, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	np, err := advisor.SetField(p, strings.ToLower(field), value, r.now())
	if err != nil {
		return Reply{}, &Error{Code: EInvalid, Message: err.Error()}
	}
	if err := r.save(ctx, m, np, s); err != nil {
		return Reply{}, err
	}
	return Reply{Text: rich.Para(rich.S("Saved: "+strings.ToLower(field)+" = "), rich.B(advisor.FieldValue(np, strings.ToLower(field)))), Private: true}, nil
}

// addExperience reads one experience as the intake does; one that lacks a
// part may start the intake's questions for it, so it is answered as an
// intake turn.
func (r *Router) addExperience(ctx context.Context, m Message, description string) (Reply, error) {
	p, s, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	np, ns, ir := advisor.AddExperience(p, s, description, r.now())
	if ir.Invalid {
		return Reply{}, &Error{Code: EInvalid, Message: ir.Text}
	}
	reply, err := r.intakeReply(ctx, m, np, ns, ir)
	if err == nil && ir.Prompt == nil {
		undo := fmt.Sprintf("If I read it wrong, /profile remove experience %d takes it off.", len(np.Experiences))
		if len(np.Experiences)-len(p.Experiences) > 1 {
			undo = "If I read them wrong, /profile remove experience <number> takes them off one at a time."
		}
		reply.Text = append(reply.Text, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(undo)}})
	}
	return reply, err
}

func (r *Router) removeExperience(ctx context.Context, m Message, arg string) (Reply, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(arg, "#"))
	if err != nil {
		return Reply{}, Errorf(EInvalid, "Usage: /profile remove experience <number>, the number /profile shows before it.")
	}
	p, s, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	np, e, err := advisor.RemoveExperience(p, n)
	if err != nil {
		return Reply{}, Errorf(EInvalid, "Usage: /profile remove experience <number>: %s.", err)
	}
	if err := r.save(ctx, m, np, s); err != nil {
		return Reply{}, err
	}
	left := "None left."
	if n := len(np.Experiences); n > 0 {
		left = fmt.Sprintf("%d left; /profile lists them.", n)
	}
	return Reply{Text: rich.Para(rich.S("Removed: "), rich.B(advisor.DescribeExperience(e)), rich.S(". "+left)), Private: true}, nil
}

func (r *Router) plan(ctx context.Context, m Message, _ string) (Reply, error) {
	p, _, err := r.load(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	if missing := p.Missing(); len(missing) > 0 {
		return Reply{Text: rich.Para(rich.S("I need a few more answers first ("+strings.Join(missing, ", ")+"). Send "), rich.B("/intake"), rich.S(" to continue where you stopped.")), Private: true}, nil
	}
	a := rules.Assess(p, r.now())
	t := rich.Para(rich.B("Where you stand: "), rich.B(strings.ReplaceAll(a.Readiness, "_", " ")))
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(fmt.Sprintf(
		"USCE %d weeks (hands-on %d, in %s %d, recent %d); tele %d weeks. %d months to your application (phase: %s).",
		a.USCEWeeks, a.HandsOnWeeks, p.Specialty, a.SpecialtyWeeks, a.RecentWeeks, a.TeleWeeks, max(a.MonthsToApplication, 0), a.Phase))}})
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Your plan")}})
	for _, line := range a.Plan {
		t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.S(line)}})
	}
	if len(a.ReadNext) > 0 {
		titles := make([]string, 0, len(a.ReadNext))
		for _, id := range a.ReadNext {
			if tp := r.kb.Topic(id); tp != nil {
				titles = append(titles, tp.Title)
			}
		}
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Read next: "), rich.S(strings.Join(titles, " / "))}})
	}
	return r.offerReminders(ctx, m, a, Reply{Text: t, Private: true}), nil
}

func (r *Router) classify(ctx context.Context, m Message, args string) (Reply, error) {
	if args == "" {
		return Reply{}, Errorf(EInvalid, "Usage: /classify <description>, for example /classify 8-week IM externship in Chicago, 2025")
	}
	c := rules.Classify(args)
	if c.Kind == "" {
		return Reply{Text: rich.Plain("I could not tell what kind of experience that is. Name it (externship, observership, elective, research, scribe, telehealth...) with how long and when.")}, nil
	}
	e := c.Experience()
	verdict := "does not count as USCE"
	if c.CountsAsUSCE {
		verdict = "counts as USCE"
	}
	t := rich.Para(rich.S("I read that as: "), rich.B(advisor.DescribeExperience(e)), rich.S(" - it "+verdict+"."))
	var unknown []string
	if c.Weeks == nil {
		unknown = append(unknown, "how long it was")
	}
	if c.EndYear == nil {
		unknown = append(unknown, "when it ended")
	}
	if len(unknown) > 0 {
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("Not stated: " + strings.Join(unknown, ", ") + ".")}})
	}
	return Reply{Text: t}, nil
}

func (r *Router) vet(ctx context.Context, m Message, args string) (Reply, error) {
	if args == "" {
		return Reply{}, Errorf(EInvalid, "Usage: /vet <offer text>, pasting the program's advert or message")
	}
	v := rules.Vet(args)
	verdicts := map[string]string{
		rules.VerdictAvoid:    "Avoid",
		rules.VerdictCaution:  "Be cautious",
		rules.VerdictAskFirst: "No red flags found; ask these first",
	}
	t := rich.Para(rich.B(verdicts[v.Verdict]))
	if len(v.Flags) > 0 {
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("Red flags: " + strings.ReplaceAll(strings.Join(v.Flags, ", "), "-", " "))}})
	}
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("Before you pay, ask:")}})
	for _, q := range v.Questions {
		t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.S(q)}})
	}
	return Reply{Text: t}, nil
}
