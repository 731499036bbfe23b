package discord

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/uscebot/uscebot/bot"
)

// components lays out a reply's choices and pending input:
//   - Choices as buttons, five a row (custom id = Choice.ID), or as one
//     select menu when there are too many for the rows left;
//   - Input.Suggestions as a select menu whose custom id carries the step;
//   - in a server, where nobody types to the bot, a button opening a modal
//     for a free-text answer;
//   - for an intake question, Back and Pause buttons: the "send back, or
//     cancel to pause" of the text, for users who cannot type it.
//
// Every id carries the step it answers, so a press on an old message is
// recognised by the router as stale.
func components(r bot.Reply, guild bool) []discordgo.MessageComponent {
	var choices []bot.Choice
	used := map[string]bool{}
	for _, c := range r.Choices {
		if c.ID == "" || len(c.ID) > maxCustomID || strings.HasPrefix(c.ID, "dc/") || used[c.ID] {
			continue
		}
		used[c.ID] = true
		choices = append(choices, c)
	}

	step := intakeStep(r)
	var nav []discordgo.MessageComponent
	if r.Input != nil && r.Input.Step != "" && guild {
		nav = append(nav, discordgo.Button{Label: "Type your answer", Style: discordgo.PrimaryButton,
			CustomID: answerID(r.Input.Step, r.Input.Label)})
	}
	if step != "" {
		for _, b := range []struct{ value, label string }{{"back", "Back"}, {"cancel", "Pause"}} {
			if id := bot.AnswerChoice(step, b.value); len(id) <= maxCustomID && !used[id] {
				used[id] = true
				nav = append(nav, discordgo.Button{Label: b.label, Style: discordgo.SecondaryButton, CustomID: id})
			}
		}
	}
	var suggestions *discordgo.SelectMenu
	if r.Input != nil && r.Input.Step != "" && len(r.Input.Suggestions) > 0 {
		suggestions = suggestionMenu(r.Input)
	}

	var rows []discordgo.MessageComponent
	extra := len(nav)/maxButtonsPerRow + min(len(nav)%maxButtonsPerRow, 1)
	if suggestions != nil {
		extra++
	}
	if n := (len(choices) + maxButtonsPerRow - 1) / maxButtonsPerRow; n+extra <= maxRows {
		for i := 0; i < len(choices); i += maxButtonsPerRow {
			var row []discordgo.MessageComponent
			for _, c := range choices[i:min(i+maxButtonsPerRow, len(choices))] {
				row = append(row, discordgo.Button{Label: buttonLabel(c.Label), Style: discordgo.PrimaryButton, CustomID: c.ID})
			}
			rows = append(rows, discordgo.ActionsRow{Components: row})
		}
	} else if len(choices) > 0 {
		menu := discordgo.SelectMenu{MenuType: discordgo.StringSelectMenu, CustomID: idPick, Placeholder: "Choose…"}
		for _, c := range choices {
			if len(menu.Options) == maxSelectOptions {
				break
			}
			if ulen(c.ID) <= maxSelectText {
				menu.Options = append(menu.Options, discordgo.SelectMenuOption{Label: clip(orDefault(c.Label, c.ID), maxSelectText), Value: c.ID})
			}
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{menu}})
	}
	if suggestions != nil && len(rows) < maxRows {
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{*suggestions}})
	}
	for i := 0; i < len(nav) && len(rows) < maxRows; i += maxButtonsPerRow {
		rows = append(rows, discordgo.ActionsRow{Components: nav[i:min(i+maxButtonsPerRow, len(nav))]})
	}
	return rows
}

// suggestionMenu offers an Input's common answers; the custom id carries
// the step, and the value chosen comes back as bot.AnswerChoice(step, value).
func suggestionMenu(in *bot.Input) *discordgo.SelectMenu {
	id := idSelect + in.Step
	if len(id) > maxCustomID {
		return nil
	}
	menu := &discordgo.SelectMenu{MenuType: discordgo.StringSelectMenu, CustomID: id,
		Placeholder: "Choose one, or type your own"}
	for _, s := range in.Suggestions {
		if len(menu.Options) == maxSelectOptions {
			break
		}
		if s = strings.TrimSpace(s); s == "" || ulen(s) > maxSelectText {
			continue
		}
		menu.Options = append(menu.Options, discordgo.SelectMenuOption{Label: s, Value: s})
	}
	if len(menu.Options) == 0 {
		return nil
	}
	return menu
}

// intakeStep returns the intake step a reply asks, "" if it asks none:
// the Input's step, or the step all its Choices answer (their ids are
// bot.AnswerChoice(step, value)).
func intakeStep(r bot.Reply) string {
	if r.Input != nil {
		return r.Input.Step
	}
	prefix := strings.TrimSuffix(bot.AnswerChoice("", ""), ":") // "<kind>:"
	step := ""
	for _, c := range r.Choices {
		rest, ok := strings.CutPrefix(c.ID, prefix)
		if !ok {
			return ""
		}
		s, _, ok := strings.Cut(rest, ":")
		if !ok || s == "" || (step != "" && s != step) {
			return ""
		}
		step = s
	}
	return step
}

// answerID is the custom id of the button opening the modal of a free-text
// answer: the step, and as much of the question as fits, for the modal's
// title (the adapter keeps no state between the press and the modal).
func answerID(step, question string) string {
	head := idAnswer + step + ":"
	return head + clipBytes(question, maxCustomID-len(head))
}

// parseAnswerID splits an answerID.
func parseAnswerID(id string) (step, question string) {
	rest := strings.TrimPrefix(id, idAnswer)
	step, question, _ = strings.Cut(rest, ":")
	return step, question
}

// modal is the form of a free-text answer to step.
func modal(step, question string) *discordgo.InteractionResponse {
	title := clip(question, maxModalTitle)
	if title == "" {
		title = "Your answer"
	}
	input := discordgo.TextInput{CustomID: inputID, Label: "Your answer", Style: discordgo.TextInputShort,
		Required: true, MaxLength: maxAnswer}
	if question != "" && title != question {
		input.Placeholder = clip(question, maxInputPlaceholder)
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: idModal + step,
			Title:    title,
			Components: []discordgo.MessageComponent{
				discordgo.ActionsRow{Components: []discordgo.MessageComponent{input}},
			},
		},
	}
}

// modalValue returns what was typed in the modal's text input.
func modalValue(d discordgo.ModalSubmitInteractionData) string {
	for _, c := range d.Components {
		var row []discordgo.MessageComponent
		switch r := c.(type) {
		case *discordgo.ActionsRow:
			row = r.Components
		case discordgo.ActionsRow:
			row = r.Components
		}
		for _, in := range row {
			switch t := in.(type) {
			case *discordgo.TextInput:
				if t.CustomID == inputID {
					return t.Value
				}
			case discordgo.TextInput:
				if t.CustomID == inputID {
					return t.Value
				}
			}
		}
	}
	return ""
}

func buttonLabel(s string) string {
	return clip(orDefault(s, "Choose"), maxButtonLabel)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
