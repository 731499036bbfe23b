package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/uscebot/uscebot/advisor"
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

// answerIntake feeds one typed answer or chosen option to the intake. A
// question typed instead of an answer is answered from the knowledge base
// and followed by the pending step again.
func (r *Router) answerIntake(ctx context.Context, m Message, p rules.Profile, s advisor.IntakeState, answer string) (Reply, error) {
	np, ns, ir := advisor.AnswerIntake(p, s, answer, r.now())
	if ir.Invalid && m.Choice == "" && looksLikeQuestion(answer) {
		if a := r.kb.Ask(answer); a.Topic != nil {
			t := AnswerText(r.kb, a, "")
			t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Back to your profile:")}})
			reply := r.promptReply(advisor.PromptFor(p, s))
			reply.Text = append(t, reply.Text...)
			return reply, nil
		}
	}
	return r.intakeReply(ctx, m, np, ns, ir)
}

// looksLikeQuestion is a cheap test for "the user asked something instead
// of answering".
func looksLikeQuestion(text string) bool {
	return strings.Contains(text, "?") || len(strings.Fields(text)) >= 6
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
	hint := "Why it matters: " + pr.Why
	if pr.Optional {
		hint += " (Optional: send skip.)"
	}
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S(hint)}})
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("You can send back, or cancel to pause.")}})
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
		reply := r.promptReply(advisor.PromptFor(p, s))
		if !intakeActive(s) {
			reply = Reply{Private: true}
		}
		reply.Text = append(rich.Plain("That question has moved on."), reply.Text...)
		reply.Stale = true
		return reply, nil
	}
	return r.answerIntake(ctx, m, p, s, value)
}

func (r *Router) profile(ctx context.Context, m Message, args string) (Reply, error) {
	if args != "" {
		return r.profileSet(ctx, m, args)
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
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("Change one field with /profile set <field> <value>, or go through it all with /intake.")}})
	return Reply{Text: t, Private: true}, nil
}

func (r *Router) profileSet(ctx context.Context, m Message, args string) (Reply, error) {
	sub, rest, _ := strings.Cut(args, " ")
	field, value, _ := strings.Cut(strings.TrimSpace(rest), " ")
	value = strings.TrimSpace(value)
	if sub != "set" || field == "" || value == "" {
		return Reply{}, Errorf(EInvalid, "Usage: /profile set <field> <value>, where field is one of: %s.", strings.Join(advisor.Fields(), ", "))
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
