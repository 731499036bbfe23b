// Package advisor owns the bot's knowledge: the topic knowledge base and
// question matching, and (in later files) the profile rules. It is pure Go
// with no I/O beyond the interfaces it declares; it knows nothing about chat
// platforms or SQL.
package advisor

import (
	"context"
	"time"

	"github.com/uscebot/uscebot/advisor/rules"
)

// UserKey identifies a user: the platform's name ("console", "telegram",
// "discord") and that platform's own id for the user.
type UserKey struct {
	Platform string
	ID       string
}

// ProfileStore keeps each user's profile and intake state. SaveProfile
// returns only once the state is durable, so that an intake answer
// acknowledged to the user survives a crash.
type ProfileStore interface {
	LoadProfile(ctx context.Context, u UserKey) (rules.Profile, IntakeState, error)
	SaveProfile(ctx context.Context, u UserKey, p rules.Profile, s IntakeState, now time.Time) error
}
