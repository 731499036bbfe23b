package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/match"
	"github.com/uscebot/uscebot/advisor/rules"
	"github.com/uscebot/uscebot/bot/rich"
)

// MaxMessageRunes is the longest message the router reads: longer than
// any platform lets a user send in one message, far longer than a
// question.
const MaxMessageRunes = 4096

// forgetWindow is how long a /forget confirmation button stays valid: an
// old confirmation pressed days later must not delete a new profile.
const forgetWindow = 10 * time.Minute

// Router answers messages: commands, questions and button presses.
type Router struct {
	kb    *advisor.KB
	store Store
	now   func() time.Time
	cmds  map[string]command
	order []string // command names in the order /help lists them

	events     func(Event)   // nil: no one listens
	unanswered UnansweredLog // nil: abstained questions are not kept
	rem        *reminders    // nil: no /remind (see EnableReminders)
}

type command struct {
	usage    string // the arguments, for /help and usage errors
	help     string
	personal bool // its answer is about the user: never in a group
	run      func(ctx context.Context, m Message, args string) (Reply, error)
}

// NewRouter returns a router over the knowledge base and the store. now
// is the clock (time.Now in production).
func NewRouter(kb *advisor.KB, store Store, now func() time.Time) *Router {
	r := &Router{kb: kb, store: store, now: now}
	r.cmds = map[string]command{
		"start":    {help: "what I do and how to use me", run: r.help},
		"help":     {help: "what I can do, every command, and what I store about you", run: r.help},
		"ask":      {usage: "<question>", help: "ask about US clinical experience", run: r.ask},
		"topics":   {help: "everything I can answer", run: r.topics},
		"intake":   {personal: true, help: "build your profile in a short guided conversation", run: r.intake},
		"profile":  {personal: true, usage: "[set <field> <value> | add experience <description> | remove experience <n>]", help: "show your profile, or change one field or experience", run: r.profile},
		"plan":     {personal: true, help: "where you stand and what to do next, with dates", run: r.plan},
		"classify": {usage: "<description>", help: "how programs see one experience", run: r.classify},
		"vet":      {usage: "<offer text>", help: "red flags of a paid rotation's offer", run: r.vet},
		"export":   {personal: true, help: "everything I store about you, as JSON", run: r.export},
		"forget":   {personal: true, help: "delete everything I store about you", run: r.forget},
	}
	r.order = []string{"ask", "topics", "intake", "profile", "plan", "classify", "vet", "export", "forget", "help"}
	return r
}

// Handler returns the router wrapped in its middleware: panic recovery
// outermost, then errors turned into replies, then logging, then inner (for
// example metrics), which sees errors and panics as they are. The returned
// handler's error is always nil.
func (r *Router) Handler(log *slog.Logger, inner ...Middleware) Handler {
	return Chain(r.Handle, append([]Middleware{Recover(log), ErrorReplies(), Log(log)}, inner...)...)
}

// Commands lists the chat commands with their one-line descriptions, for
// platforms that publish a command menu.
func (r *Router) Commands() []CommandInfo {
	out := make([]CommandInfo, 0, len(r.order))
	for _, name := range r.order {
		c := r.cmds[name]
		out = append(out, CommandInfo{Name: name, Usage: c.usage, Description: c.help, Personal: c.personal})
	}
	return out
}

// CommandInfo describes a chat command.
type CommandInfo struct {
	Name        string
	Usage       string
	Description string
	// Personal commands answer about the user (profile, plan, export...):
	// platforms take them out of groups.
	Personal bool
}

// Handle handles one message without middleware.
func (r *Router) Handle(ctx context.Context, m Message) (Reply, error) {
	reply, err := r.handle(ctx, m)
	if err != nil {
		return reply, err
	}
	return r.withStopNotice(ctx, m, reply), nil
}

func (r *Router) handle(ctx context.Context, m Message) (Reply, error) {
	m.Text = strings.TrimSpace(strings.ToValidUTF8(m.Text, "\uFFFD"))
	if utf8.RuneCountInString(m.Text) > MaxMessageRunes {
		return Reply{}, Errorf(EInvalid, "That message is too long; please keep it under %d characters.", MaxMessageRunes)
	}
	if m.Choice != "" {
		return r.choose(ctx, m)
	}
	name, args, isCmd := parseCommand(m.Text)
	if !isCmd {
		if m.Chat == Group {
			// In a group only commands are for the bot; adapters pass
			// mentions on as /ask.
			return Reply{}, nil
		}
		if m.Text == "" {
			return Reply{}, Errorf(EInvalid, "Send me a question, or /help to see what I can do.")
		}
		p, s, err := r.load(ctx, m)
		if err != nil {
			return Reply{}, err
		}
		return r.converse(ctx, m, p, s)
	}
	c, ok := r.cmds[name]
	if !ok {
		if utf8.RuneCountInString(name) > 32 {
			name = string([]rune(name)[:32]) + "..."
		}
		return Reply{}, Errorf(EInvalid, "I don't know the command /%s. Send /help for the list.", name)
	}
	if name != "forget" && name != "export" {
		// Those two only show or delete what is stored: recording the
		// visit first would store a user who had nothing stored, and
		// /forget could never say so.
		r.touch(ctx, m)
	}
	return c.run(ctx, m, args)
}

// parseCommand splits "/ask@uscebot does it count" into "ask" and "does it
// count", as SplitCommand does for the adapters. The "@botname" suffix is
// the adapters' business: they pass only commands meant for this bot.
func parseCommand(text string) (name, args string, ok bool) {
	c, ok := SplitCommand(text)
	return c.Name, c.Args, ok
}

// touch records the user's activity. It is bookkeeping (for retention):
// a store that cannot write (disk full, read-only) must not stop the bot
// from answering questions, so a failure is only counted.
func (r *Router) touch(ctx context.Context, m Message) {
	if err := r.store.Touch(ctx, m.User(), r.now()); err != nil {
		r.emit(EventStoreError)
	}
}

func (r *Router) help(ctx context.Context, m Message, _ string) (Reply, error) {
	t := rich.Text{
		{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("uscebot"), rich.S(" answers questions about US clinical " +
			"experience (USCE) for international medical graduates: what counts (telehealth, observerships, " +
			"research), how much you need and when, finding and vetting rotations, letters, ERAS and interviews. " +
			"Answers come from a curated knowledge base and name their sources.")}},
	}
	if m.Chat == Direct {
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("Just type your question, or use a command:")}})
	} else {
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.S("Commands:")}})
	}
	for _, c := range r.Commands() {
		line := "/" + c.Name
		if c.Usage != "" {
			line += " " + c.Usage
		}
		t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.B(line), rich.S(" - " + c.Description)}})
	}
	privacy := "I store your platform user id, when you last wrote, and the profile you give me in /intake; " +
		"I never log what you write and never show your profile in a group. /export shows everything stored and /forget deletes it."
	if r.unanswered != nil {
		privacy += " Questions I cannot answer are kept, without any trace of who asked, so my admins can add answers."
	}
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Privacy: "), rich.S(privacy)}})
	return Reply{Text: t}, nil
}

func (r *Router) ask(ctx context.Context, m Message, question string) (Reply, error) {
	if strings.TrimSpace(question) == "" {
		return Reply{}, Errorf(EInvalid, "Usage: /ask <question>, for example /ask does telehealth count as USCE?")
	}
	rd := r.kb.Read(question, nil)
	if rd.Act == match.ActControl {
		return r.idleControl(rd.Word, advisor.IntakeState{}), nil
	}
	return r.respond(ctx, m, rd, nil)
}

// converse answers a plain message in a direct chat. It is read once, in
// the light of the pending intake step if any: an answer or control word
// goes to the intake; a question or a social message is answered, and the
// pending step asked again; a message that could be either is asked
// about. Outside the intake, control words say there is nothing to act on.
func (r *Router) converse(ctx context.Context, m Message, p rules.Profile, s advisor.IntakeState) (Reply, error) {
	if !intakeActive(s) {
		rd := r.kb.Read(m.Text, nil)
		if rd.Act == match.ActControl {
			return r.idleControl(rd.Word, s), nil
		}
		return r.respond(ctx, m, rd, &p)
	}
	rd := r.kb.Read(m.Text, r.pending(p, s))
	switch rd.Act {
	case match.ActControl:
		text := m.Text
		if w, ok := intakeControls[rd.Word]; ok {
			text = w // "nvm", "exit", "go back": the intake's own words
		}
		return r.answerIntake(ctx, m, p, s, text)
	case match.ActAnswer:
		return r.answerIntake(ctx, m, p, s, m.Text)
	case match.ActUnsure:
		if reply, ok := askWhich(s.Step, m.Text); ok {
			return reply, nil
		}
		// Too long to carry in a button: a question is never stored as an
		// answer, so it is answered as one.
	}
	if why := advisor.Explain(p, s); rd.AboutStep && why != "" {
		// "What do you mean by graduated?": the step explains itself,
		// rather than the topic its words happen to match.
		return r.backToIntake(Reply{Text: rich.Plain("Here is why I ask: " + why)}, p, s), nil
	}
	reply, err := r.respond(ctx, m, rd, &p)
	if err != nil {
		return Reply{}, err
	}
	return r.backToIntake(reply, p, s), nil
}

// respond answers a message read as a question or a social message; p is
// the user's profile when the caller has loaded it (nil: loaded here if a
// personal note may be shown).
func (r *Router) respond(ctx context.Context, m Message, rd advisor.Reading, p *rules.Profile) (Reply, error) {
	r.touch(ctx, m)
	if rd.Act == match.ActSocial && rd.Social == match.SocialHelp {
		return r.help(ctx, m, "")
	}
	if line, ok := BriefReply(rd); ok {
		// A social message, or a control word ("yes?" settled as a
		// question: a word, not a question after all).
		return Reply{Text: rich.Plain(line)}, nil
	}
	a := rd.Answer
	switch {
	case a.Topic == nil && len(a.Clarify) > 0:
		r.emit(EventClarified)
		return clarifyReply(a), nil
	case a.Topic == nil:
		r.abstained(ctx, strings.Join(rd.Questions, " "))
		return Reply{Text: rich.Markdown(a.Text)}, nil
	}
	return r.answerTopic(ctx, m, a, rd.Also, p)
}

// answerTopic renders a topic's answer, with the personal note where only
// the user reads it and the message's other questions offered as choices.
func (r *Router) answerTopic(ctx context.Context, m Message, a advisor.Answer, also []*advisor.Topic, p *rules.Profile) (Reply, error) {
	r.emit(EventAnswered)
	note := ""
	if m.Chat == Direct || m.Private {
		// Personal notes only where nobody else reads.
		if p == nil {
			loaded, _, err := r.load(ctx, m)
			if err != nil {
				return Reply{}, err
			}
			p = &loaded
		}
		note = advisor.Personalize(a.Topic.ID, *p, r.now())
	}
	// A note is about the user: outside a direct chat the reply says so,
	// so that no adapter posts it where others read.
	reply := Reply{Text: AnswerText(r.kb, a, note), Private: note != "" && m.Chat != Direct}
	if len(also) > 0 {
		titles := make([]string, 0, len(also))
		for _, t := range also {
			titles = append(titles, t.Title)
			reply.Choices = append(reply.Choices, topicChoice(t))
		}
		reply.Text = append(reply.Text, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{
			rich.B("You also asked about: "), rich.S(strings.Join(titles, " / ") + " (pick it below to read that answer)")}})
	}
	return reply, nil
}

// topicChoice is a button that answers a topic.
func topicChoice(t *advisor.Topic) Choice {
	return Choice{ID: topicChoicePrefix + t.ID, Label: t.Title}
}

// topicChoicePrefix starts the Choice ID of a topic offered as a button:
// "ask:<topic id>".
const topicChoicePrefix = "ask:"

// clarifyReply asks which of two or three close topics was meant, each a
// choice; a pick answers it.
func clarifyReply(a advisor.Answer) Reply {
	reply := Reply{Text: rich.Plain(a.Text)}
	for _, t := range a.Clarify {
		reply.Choices = append(reply.Choices, topicChoice(t))
	}
	return reply
}

// socialReplies are the short answers to social messages.
var socialReplies = map[string]string{
	match.SocialGreeting: "Hi! Ask me anything about US clinical experience, for example \"does telehealth count as USCE?\" Send /help to see everything I can do.",
	match.SocialThanks:   "You're welcome! Good luck with your applications.",
	match.SocialCongrats: "Congratulations, that's wonderful news! All the best for what comes next.",
	match.SocialBye:      "Bye, and good luck! I'm here whenever you have a question.",
	match.SocialAck:      "Glad that helps. Ask me anything else whenever you like.",
}

// idleControl answers a control word when nothing waits for it.
func (r *Router) idleControl(word string, s advisor.IntakeState) Reply {
	if s.Paused {
		return Reply{Text: rich.Plain("Your profile questions are paused: send /intake to pick up where you left off.")}
	}
	return Reply{Text: rich.Plain(idleText(word))}
}

func idleText(word string) string {
	if text, ok := idleControls[word]; ok {
		return text
	}
	return "I haven't asked you anything. Ask me a question, or send /help."
}

// BriefReply is the short line that a control word or a social message
// gets when nothing is pending (as in uscebot ask); ok is false for a
// reading that the knowledge base answers, and for a request for help.
func BriefReply(rd advisor.Reading) (line string, ok bool) {
	switch {
	case rd.Act == match.ActControl:
		return idleText(rd.Word), true
	case rd.Act == match.ActSocial && rd.Social != match.SocialHelp:
		return socialReplies[rd.Social], true
	}
	return "", false
}

// intakeControls are the intake's words for the control words that steer
// it; the others (yes, no, done, none, a number) are answers the step
// reads itself.
var intakeControls = map[string]string{
	match.WordCancel: "cancel",
	match.WordQuit:   "cancel",
	match.WordBack:   "back",
	match.WordSkip:   "skip",
	match.WordKeep:   "keep",
}

var idleControls = map[string]string{
	match.WordCancel: "Nothing to cancel.",
	match.WordBack:   "Nothing to go back to.",
	match.WordSkip:   "Nothing to skip.",
	match.WordDone:   "Nothing in progress to finish.",
	match.WordKeep:   "Nothing to keep.",
	match.WordQuit:   "Nothing to quit. I'm here whenever you have a question.",
	match.WordPick:   "There's no list to pick from right now. Ask me a question, or send /help.",
}

// abstained counts a question the advisor could not answer (greetings,
// which score nothing, are not questions) and keeps its text when asked to.
// Failing to keep it does not fail the reply.
func (r *Router) abstained(ctx context.Context, question string) {
	r.emit(EventAbstained)
	if r.unanswered != nil {
		if err := r.unanswered.SaveUnanswered(ctx, question, r.now()); err != nil {
			r.emit(EventStoreError)
		}
	}
}

// AnswerText renders a topic answer: title, body, the personal note if
// any, related topics, sources.
func AnswerText(kb *advisor.KB, a advisor.Answer, note string) rich.Text {
	t := rich.Para(rich.B(a.Topic.Title))
	t = append(t, rich.Markdown(a.Text)...)
	if note != "" {
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("For you: "), rich.S(note)}})
	}
	if len(a.Topic.Related) > 0 {
		titles := make([]string, 0, len(a.Topic.Related))
		for _, id := range a.Topic.Related {
			titles = append(titles, kb.Topic(id).Title)
		}
		t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Related: "), rich.S(strings.Join(titles, " / "))}})
	}
	srcs := make([]string, 0, len(a.Topic.Sources))
	for _, s := range a.Topic.Sources {
		srcs = append(srcs, fmt.Sprintf("%q (%s)", s.Title, s.Publisher))
	}
	t = append(t, rich.Block{Kind: rich.Paragraph, Spans: []rich.Span{rich.B("Sources: "), rich.S(strings.Join(srcs, "; "))}})
	return t
}

func (r *Router) topics(ctx context.Context, m Message, _ string) (Reply, error) {
	t := rich.Para(rich.S("I can answer these questions (ask in your own words):"))
	for _, tp := range r.kb.Topics() {
		t = append(t, rich.Block{Kind: rich.Bullet, Spans: []rich.Span{rich.S(tp.Title)}})
	}
	return Reply{Text: t}, nil
}

func (r *Router) export(ctx context.Context, m Message, _ string) (Reply, error) {
	data, err := r.store.Export(ctx, m.User())
	if err != nil {
		return Reply{}, fmt.Errorf("export: %w", err)
	}
	return Reply{
		Text:    rich.Plain("Here is everything I store about you."),
		Private: true,
		File:    &File{Name: "uscebot-export.json", Data: data},
	}, nil
}

func (r *Router) forget(ctx context.Context, m Message, _ string) (Reply, error) {
	return Reply{
		Text: rich.Para(rich.S("This deletes "), rich.B("everything"), rich.S(" I store about you, for good. Are you sure?")),
		Choices: []Choice{
			{ID: "forget:yes:" + strconv.FormatInt(r.now().Unix(), 10), Label: "Yes, delete everything"},
			{ID: "forget:no", Label: "No, keep it"},
		},
		Private: true,
	}, nil
}

// choose handles a button press.
func (r *Router) choose(ctx context.Context, m Message) (Reply, error) {
	parts := strings.SplitN(m.Choice, ":", 3)
	switch {
	case parts[0] == "forget" && len(parts) == 2 && parts[1] == "no":
		return Reply{Text: rich.Plain("Nothing was deleted."), Private: true}, nil
	case parts[0] == "forget" && len(parts) == 3 && parts[1] == "yes":
		asked, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || r.now().Sub(time.Unix(asked, 0)) > forgetWindow {
			return Reply{Text: rich.Plain("That confirmation has expired. Send /forget again if you still want everything deleted."), Private: true, Stale: true}, nil
		}
		existed, err := r.store.Forget(ctx, m.User())
		if err != nil {
			return Reply{}, fmt.Errorf("forget: %w", err)
		}
		if !existed {
			return Reply{Text: rich.Plain("There was nothing stored about you."), Private: true}, nil
		}
		return Reply{Text: rich.Plain("Done: everything I stored about you is deleted."), Private: true}, nil
	case m.Choice == remindChoice && r.rem != nil:
		return r.remindOn(ctx, m)
	case parts[0] == intakeChoice && len(parts) == 3:
		return r.chooseIntake(ctx, m, parts[1], parts[2])
	case strings.HasPrefix(m.Choice, topicChoicePrefix):
		return r.chooseTopic(ctx, m, strings.TrimPrefix(m.Choice, topicChoicePrefix))
	case parts[0] == readChoice && len(parts) == 3:
		return r.chooseReading(ctx, m, parts[1], parts[2])
	}
	return Reply{Text: rich.Plain("That question has moved on; send /help if you are lost."), Stale: true}, nil
}

// commandOf names the command of a message for logs, without its text.
func commandOf(m Message) string {
	if m.Choice != "" {
		kind, _, _ := strings.Cut(m.Choice, ":")
		return "choice:" + kind
	}
	if name, _, ok := parseCommand(strings.TrimSpace(m.Text)); ok {
		if len(name) > 16 || strings.ContainsFunc(name, func(r rune) bool { return r < 'a' || r > 'z' }) {
			return "unknown"
		}
		return name
	}
	return "message"
}
