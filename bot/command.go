package bot

import (
	"strings"
	"unicode"
)

// Command is a chat command as the router reads it: "/Ask@uscebot does
// it count" is Name "ask", To "uscebot", Addressed, Args "does it count".
type Command struct {
	// Name is the command word, lower-cased, without "@bot".
	Name string
	// To is the bot named after "@", if any; Addressed says there was an
	// "@" (an empty To is addressed to no bot).
	To        string
	Addressed bool
	// Args is the rest of the text, trimmed.
	Args string
}

// SplitCommand reads text as a command if it starts with "/". The command
// word ends at the first white space of any kind Unicode knows (a no-break
// space or an ideographic space separates as a space does). The router
// and every adapter read commands with this one function: an adapter that
// split "/profile\u00a0set" differently from the router would not see a
// personal command the router then runs, in a group.
func SplitCommand(text string) (Command, bool) {
	word, ok := strings.CutPrefix(text, "/")
	if !ok {
		return Command{}, false
	}
	var c Command
	if i := strings.IndexFunc(word, unicode.IsSpace); i >= 0 {
		word, c.Args = word[:i], strings.TrimSpace(word[i:])
	}
	word, c.To, c.Addressed = strings.Cut(word, "@")
	c.Name = strings.ToLower(word)
	return c, true
}
