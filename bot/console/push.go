package console

import (
	"context"

	"github.com/uscebot/uscebot/bot"
)

// Push prints a reminder: the console reaches its user only while it
// runs, so it shows their due reminders when it starts
// (remind.Scheduler.RunUser with the console's user).
func (c *Console) Push(_ context.Context, _ string, r bot.Reply) error {
	c.print(r)
	return nil
}
