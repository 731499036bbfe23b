// Package advisor owns the bot's knowledge: the topic knowledge base and
// question matching, and (in later files) the profile rules. It is pure Go
// with no I/O beyond the interfaces it declares; it knows nothing about chat
// platforms or SQL.
package advisor

// UserKey identifies a user: the platform's name ("console", "telegram",
// "discord") and that platform's own id for the user.
type UserKey struct {
	Platform string
	ID       string
}
