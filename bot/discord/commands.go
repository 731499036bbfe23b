package discord

import (
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/bot"
)

// Discord's limits on commands.
const (
	maxCommandDescription = 100
	// maxOptionText bounds the free-text options; the router refuses more
	// than bot.MaxMessageRunes anyway, and Discord allows up to 6,000.
	maxQuestion = 1000
	maxOffer    = 4000
	maxValue    = 200
)

// Option names of the slash commands.
const (
	optQuestion    = "question"
	optPrivate     = "private"
	optField       = "field"
	optValue       = "value"
	optDescription = "description"
	optOffer       = "offer"
	optText        = "text" // the arguments of a command this adapter does not know
)

var commandName = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// publicCommands returns the commands that answer in the open in a
// server: those the router does not mark personal. Any other command (and
// a command unknown here) is assumed personal when the adapter must choose
// before the answer exists, that is when it defers.
func publicCommands(commands []bot.CommandInfo) map[string]bool {
	public := make(map[string]bool)
	for _, c := range commands {
		public[c.Name] = !c.Personal
	}
	return public
}

// withStart adds /start, which the router answers like /help but does not
// list (Telegram sends it by itself when a user opens the bot): on
// Discord a command exists only once registered, and the README names
// /start for every platform.
func withStart(commands []bot.CommandInfo) []bot.CommandInfo {
	var help *bot.CommandInfo
	for i, c := range commands {
		if c.Name == "start" {
			return commands
		}
		if c.Name == "help" {
			help = &commands[i]
		}
	}
	if help == nil {
		return commands
	}
	start := *help
	start.Name = "start"
	return append(slices.Clip(commands), start)
}

// buildCommands turns the router's commands into slash commands. global
// adds the contexts (servers and DMs with the bot), which only global
// commands take.
func buildCommands(commands []bot.CommandInfo, global bool, log *slog.Logger) []*discordgo.ApplicationCommand {
	out := make([]*discordgo.ApplicationCommand, 0, len(commands))
	for _, c := range commands {
		if !commandName.MatchString(c.Name) {
			log.Warn("discord: skipping a command whose name Discord refuses", "command", c.Name)
			continue
		}
		desc := clip(c.Description, maxCommandDescription)
		if desc == "" {
			desc = c.Name
		}
		cmd := &discordgo.ApplicationCommand{
			Type:        discordgo.ChatApplicationCommand,
			Name:        c.Name,
			Description: desc,
			Options:     commandOptions(c),
		}
		if global {
			cmd.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
		}
		out = append(out, cmd)
	}
	return out
}

// The /profile field choices beside the fields: the router's
// "/profile add experience <description>" and "/profile remove experience
// <number>", which a field and a value cannot express otherwise.
const (
	choiceAddExperience    = "add experience"
	choiceRemoveExperience = "remove experience"
)

// commandOptions returns the options of one command.
func commandOptions(c bot.CommandInfo) []*discordgo.ApplicationCommandOption {
	str := func(name, desc string, required bool, maxLen int) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString,
			Name: name, Description: desc, Required: required, MaxLength: maxLen}
	}
	switch c.Name {
	case "ask":
		q := str(optQuestion, "your question, in your own words (topics are suggested as you type)", true, maxQuestion)
		q.Autocomplete = true
		return []*discordgo.ApplicationCommandOption{q, {
			Type:        discordgo.ApplicationCommandOptionBoolean,
			Name:        optPrivate,
			Description: "only you see the answer",
		}}
	case "profile":
		field := str(optField, "the field to change (leave empty to see your profile)", false, 0)
		for _, f := range advisor.Fields() {
			field.Choices = append(field.Choices, &discordgo.ApplicationCommandOptionChoice{Name: f, Value: f})
		}
		for _, f := range []string{choiceAddExperience, choiceRemoveExperience} {
			field.Choices = append(field.Choices, &discordgo.ApplicationCommandOptionChoice{Name: f, Value: f})
		}
		return []*discordgo.ApplicationCommandOption{field,
			str(optValue, "its new value; for an experience, its description or the number to remove", false, maxValue)}
	case "classify":
		return []*discordgo.ApplicationCommandOption{
			str(optDescription, "the experience, e.g. 8-week IM externship in Chicago, 2025", true, maxQuestion)}
	case "vet":
		return []*discordgo.ApplicationCommandOption{
			str(optOffer, "the program's advert or message, pasted", true, maxOffer)}
	}
	if c.Usage != "" {
		// A command added to the router later: its arguments as one text,
		// chosen from a list when the usage is alternatives ("[on|off]").
		opt := str(optText, clip(c.Usage, maxCommandDescription), strings.HasPrefix(c.Usage, "<"), maxOffer)
		if alts, ok := alternatives(c.Usage); ok {
			for _, a := range alts {
				opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{Name: a, Value: a})
			}
		}
		return []*discordgo.ApplicationCommandOption{opt}
	}
	return nil
}

// alternatives reads a usage that offers fixed words, "[on|off]" or
// "<yes|no>", as those words.
func alternatives(usage string) ([]string, bool) {
	if len(usage) < 2 || !(usage[0] == '[' && usage[len(usage)-1] == ']' || usage[0] == '<' && usage[len(usage)-1] == '>') {
		return nil, false
	}
	alts := strings.Split(usage[1:len(usage)-1], "|")
	if len(alts) < 2 {
		return nil, false
	}
	for _, a := range alts {
		if a == "" || strings.ContainsAny(a, " <>[]") {
			return nil, false
		}
	}
	return alts, true
}

// commandText turns a slash command back into the text the router reads,
// "/name args"; private reports /ask's private option.
func commandText(d discordgo.ApplicationCommandInteractionData) (text string, private bool) {
	args := ""
	switch d.Name {
	case "ask":
		args = optString(d.Options, optQuestion)
		private = optBool(d.Options, optPrivate)
	case "profile":
		field, value := optString(d.Options, optField), optString(d.Options, optValue)
		switch {
		case field == choiceAddExperience:
			args = "add experience " + value
		case field == choiceRemoveExperience:
			args = "remove experience " + value
		case field != "" || value != "":
			args = "set " + field + " " + value
		}
	case "classify":
		args = optString(d.Options, optDescription)
	case "vet":
		args = optString(d.Options, optOffer)
	default:
		args = optString(d.Options, optText)
	}
	text = "/" + d.Name
	if args = strings.TrimSpace(args); args != "" {
		text += " " + args
	}
	return text, private
}

// optString returns a string option's value, "" when absent. It checks
// the type itself: StringValue panics on another type.
func optString(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, o := range opts {
		if o != nil && o.Name == name && o.Type == discordgo.ApplicationCommandOptionString {
			s, _ := o.Value.(string)
			return s
		}
	}
	return ""
}

func optBool(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) bool {
	for _, o := range opts {
		if o != nil && o.Name == name && o.Type == discordgo.ApplicationCommandOptionBoolean {
			v, _ := o.Value.(bool)
			return v
		}
	}
	return false
}

// focused returns the option the user is typing in an autocomplete request.
func focused(opts []*discordgo.ApplicationCommandInteractionDataOption) (name, value string) {
	for _, o := range opts {
		if o != nil && o.Focused {
			v, _ := o.Value.(string)
			return o.Name, v
		}
	}
	return "", ""
}
