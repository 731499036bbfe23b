package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uscebot/uscebot/advisor"
)

// ReminderSettings returns u's reminder settings; zero ones when u never
// turned reminders on.
func (db *DB) ReminderSettings(ctx context.Context, u advisor.UserKey) (advisor.ReminderSettings, error) {
	var s advisor.ReminderSettings
	st, err := db.rem.get(ctx, db)
	if err != nil {
		return advisor.ReminderSettings{}, fmt.Errorf("read reminder settings: %w", err)
	}
	err = st.settings.QueryRowContext(ctx, u.Platform, u.ID).Scan(&s.On, &s.Hour, &s.Stopped)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return advisor.ReminderSettings{}, fmt.Errorf("read reminder settings: %w", translate(err))
	}
	return s, nil
}

// SetReminders turns u's reminders on at hour with schedule, or off, in one
// transaction, creating the user if needed; either way the pending ones it
// had are dropped and Stopped is cleared.
func (db *DB) SetReminders(ctx context.Context, u advisor.UserKey, on bool, hour int, schedule []advisor.Reminder, now time.Time) error {
	t := now.Unix()
	st, err := db.rem.get(ctx, db)
	if err != nil {
		return fmt.Errorf("set reminders: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.Stmt(db.stmt.upsertUser).QueryRow(u.Platform, u.ID, t, t).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Stmt(st.setSettings).Exec(id, on, hour, t); err != nil {
			return err
		}
		if !on {
			schedule = nil
		}
		return st.replacePending(tx, id, schedule)
	}, nil)
	if err != nil {
		return fmt.Errorf("set reminders: %w", err)
	}
	return nil
}

// Reschedule replaces u's pending reminders with schedule when u's
// reminders are on; otherwise it writes nothing.
func (db *DB) Reschedule(ctx context.Context, u advisor.UserKey, schedule []advisor.Reminder, now time.Time) error {
	st, err := db.rem.get(ctx, db)
	if err != nil {
		return fmt.Errorf("reschedule reminders: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRow(`
			SELECT s.user_id FROM reminder_settings s JOIN users u ON u.id = s.user_id
			WHERE u.platform = ? AND u.platform_user_id = ? AND s.enabled = 1`, u.Platform, u.ID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // off (maybe turned off since the caller looked)
		}
		if err != nil {
			return err
		}
		return st.replacePending(tx, id, schedule)
	}, nil)
	if err != nil {
		return fmt.Errorf("reschedule reminders: %w", err)
	}
	return nil
}

// replacePending makes schedule the user's pending reminders. A milestone
// (its first day) that already left pending keeps its row, so recomputing
// the schedule never sends a milestone twice.
func (st *reminderStmts) replacePending(tx *sql.Tx, userID int64, schedule []advisor.Reminder) error {
	if _, err := tx.Stmt(st.dropPending).Exec(userID); err != nil {
		return err
	}
	ins := tx.Stmt(st.insert)
	for _, r := range schedule {
		if _, err := ins.Exec(userID, r.From.Unix(), r.To.Unix(), r.Due.Unix(), r.Text, strings.Join(r.Topics, ",")); err != nil {
			return err
		}
	}
	return nil
}

// reminderStmts are the reminders' statements run for each message
// (settings, schedule), prepared at their first use: parsing one costs
// about as much as running it.
type reminderStmts struct {
	once sync.Once
	err  error
	// On the writer.
	setSettings, dropPending, insert, finish *sql.Stmt
	// On the readers.
	settings, byUser *sql.Stmt
}

// remindersOfUser selects a user's reminders by milestone date.
const remindersOfUser = `SELECT ` + reminderColumns + `
	FROM reminders r JOIN users u ON u.id = r.user_id
	WHERE u.platform = ? AND u.platform_user_id = ? ORDER BY r.from_at`

// get returns the statements, prepared on the first call.
func (st *reminderStmts) get(ctx context.Context, db *DB) (*reminderStmts, error) {
	st.once.Do(func() {
		for _, p := range []struct {
			db    *sql.DB
			stmt  **sql.Stmt
			query string
		}{
			{db.writer, &st.setSettings, `
				INSERT INTO reminder_settings (user_id, enabled, hour, stopped, updated_at) VALUES (?, ?, ?, 0, ?)
				ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, hour = excluded.hour,
					stopped = 0, updated_at = excluded.updated_at`},
			{db.writer, &st.dropPending, `DELETE FROM reminders WHERE user_id = ? AND status = 'pending'`},
			{db.writer, &st.insert, `
				INSERT INTO reminders (user_id, from_at, to_at, due_at, text, topics) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (user_id, from_at) DO NOTHING`},
			{db.writer, &st.finish, `UPDATE reminders SET status = ?, done_at = ? WHERE id = ? AND status = 'pending'`},
			{db.reader, &st.settings, `
				SELECT s.enabled, s.hour, s.stopped FROM reminder_settings s JOIN users u ON u.id = s.user_id
				WHERE u.platform = ? AND u.platform_user_id = ?`},
			{db.reader, &st.byUser, remindersOfUser},
		} {
			// Not ctx: the statements outlive the call that prepares them.
			if *p.stmt, st.err = p.db.PrepareContext(context.WithoutCancel(ctx), p.query); st.err != nil {
				st.err = translate(st.err)
				return
			}
		}
	})
	return st, st.err
}

// close closes the statements prepared.
func (st *reminderStmts) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{st.setSettings, st.dropPending, st.insert, st.finish, st.settings, st.byUser} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}

// reminderColumns are what scanReminder reads, from reminders r joined
// with users u.
const reminderColumns = `r.id, u.platform, u.platform_user_id, r.from_at, r.to_at, r.due_at, r.text, r.topics, r.status, r.attempts`

func scanReminder(rows *sql.Rows) (advisor.Reminder, error) {
	var r advisor.Reminder
	var from, to, due int64
	var topics string
	if err := rows.Scan(&r.ID, &r.User.Platform, &r.User.ID, &from, &to, &due, &r.Text, &topics, &r.Status, &r.Attempts); err != nil {
		return advisor.Reminder{}, err
	}
	r.From, r.To, r.Due = time.Unix(from, 0).UTC(), time.Unix(to, 0).UTC(), time.Unix(due, 0).UTC()
	if topics != "" {
		r.Topics = strings.Split(topics, ",")
	}
	return r, nil
}

// scanReminders reads the rows of a query of reminderColumns.
func scanReminders(rows *sql.Rows, err error) ([]advisor.Reminder, error) {
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []advisor.Reminder
	for rows.Next() {
		r, err := scanReminder(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// Reminders returns u's reminders, pending and done, by milestone date.
func (db *DB) Reminders(ctx context.Context, u advisor.UserKey) ([]advisor.Reminder, error) {
	st, err := db.rem.get(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("read reminders: %w", err)
	}
	out, err := scanReminders(st.byUser.QueryContext(ctx, u.Platform, u.ID))
	if err != nil {
		return nil, fmt.Errorf("read reminders: %w", err)
	}
	return out, nil
}

// StopReminders turns u's reminders off after a platform refused one for
// good, dropping the pending ones, and marks the settings Stopped.
func (db *DB) StopReminders(ctx context.Context, u advisor.UserKey, now time.Time) error {
	st, err := db.rem.get(ctx, db)
	if err != nil {
		return fmt.Errorf("stop reminders: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRow(`
			UPDATE reminder_settings SET enabled = 0, stopped = 1, updated_at = ?
			WHERE user_id = (SELECT id FROM users WHERE platform = ? AND platform_user_id = ?)
			RETURNING user_id`, now.Unix(), u.Platform, u.ID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // forgotten meanwhile
		}
		if err != nil {
			return err
		}
		return st.replacePending(tx, id, nil)
	}, nil)
	if err != nil {
		return fmt.Errorf("stop reminders: %w", err)
	}
	return nil
}

// ClearReminderStop clears u's Stopped mark.
func (db *DB) ClearReminderStop(ctx context.Context, u advisor.UserKey) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE reminder_settings SET stopped = 0
			WHERE user_id = (SELECT id FROM users WHERE platform = ? AND platform_user_id = ?)`, u.Platform, u.ID)
		return err
	}, nil)
	if err != nil {
		return fmt.Errorf("clear reminder stop: %w", err)
	}
	return nil
}

// StoppedReminders lists the users whose reminders a platform stopped and
// who have not been told.
func (db *DB) StoppedReminders(ctx context.Context) ([]advisor.UserKey, error) {
	rows, err := db.reader.QueryContext(ctx, `
		SELECT u.platform, u.platform_user_id FROM reminder_settings s JOIN users u ON u.id = s.user_id
		WHERE s.stopped = 1`)
	if err != nil {
		return nil, fmt.Errorf("read stopped reminders: %w", translate(err))
	}
	defer rows.Close()
	var out []advisor.UserKey
	for rows.Next() {
		var u advisor.UserKey
		if err := rows.Scan(&u.Platform, &u.ID); err != nil {
			return nil, fmt.Errorf("read stopped reminders: %w", translate(err))
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stopped reminders: %w", translate(err))
	}
	return out, nil
}

// inPlatforms is "u.platform IN (?, ...)" for n platforms, and its
// arguments.
func inPlatforms(platforms []string) (string, []any) {
	args := make([]any, len(platforms))
	for i, p := range platforms {
		args[i] = p
	}
	return "u.platform IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(platforms)), ", ") + ")", args
}

// NextReminder returns when the earliest pending reminder of a user on one
// of platforms is due.
func (db *DB) NextReminder(ctx context.Context, platforms []string) (time.Time, bool, error) {
	if len(platforms) == 0 {
		return time.Time{}, false, nil
	}
	in, args := inPlatforms(platforms)
	var due int64
	// CROSS JOIN keeps reminders the outer loop (SQLite takes it as the
	// join order): the pending index in due order, stopping at the first
	// of these platforms, rather than every user of the platforms.
	err := db.reader.QueryRowContext(ctx, `
		SELECT r.due_at FROM reminders r CROSS JOIN users u ON u.id = r.user_id
		WHERE r.status = 'pending' AND `+in+` ORDER BY r.due_at LIMIT 1`, args...).Scan(&due)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, fmt.Errorf("next reminder: %w", translate(err))
	}
	return time.Unix(due, 0).UTC(), true, nil
}

// DueReminders returns up to limit pending reminders due at now or before,
// of users on one of platforms, earliest first.
func (db *DB) DueReminders(ctx context.Context, now time.Time, platforms []string, limit int) ([]advisor.Reminder, error) {
	if len(platforms) == 0 {
		return nil, nil
	}
	in, args := inPlatforms(platforms)
	args = append([]any{now.Unix()}, append(args, limit)...)
	out, err := scanReminders(db.reader.QueryContext(ctx, `SELECT `+reminderColumns+`
		FROM reminders r CROSS JOIN users u ON u.id = r.user_id -- the pending index first, as in NextReminder
		WHERE r.status = 'pending' AND r.due_at <= ? AND `+in+`
		ORDER BY r.due_at, r.id LIMIT ?`, args...))
	if err != nil {
		return nil, fmt.Errorf("due reminders: %w", err)
	}
	return out, nil
}

// FinishReminders sets the status of those of ids still pending.
func (db *DB) FinishReminders(ctx context.Context, ids []int64, status string, now time.Time) error {
	switch status {
	case advisor.ReminderSent, advisor.ReminderSkipped, advisor.ReminderFailed:
	default:
		return fmt.Errorf("finish reminders: status %q is not a final one", status)
	}
	st, err := db.rem.get(ctx, db)
	if err != nil {
		return fmt.Errorf("finish reminders: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		finish := tx.Stmt(st.finish)
		for _, id := range ids {
			if _, err := finish.Exec(status, now.Unix(), id); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	if err != nil {
		return fmt.Errorf("finish reminders: %w", err)
	}
	return nil
}

// RetryReminder counts a failed try of a pending reminder and makes it due
// again at due.
func (db *DB) RetryReminder(ctx context.Context, id int64, due time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE reminders SET attempts = attempts + 1, due_at = ? WHERE id = ? AND status = 'pending'`, due.Unix(), id)
		return err
	}, nil)
	if err != nil {
		return fmt.Errorf("retry reminder: %w", err)
	}
	return nil
}

// PendingReminders counts the pending reminders of every user.
func (db *DB) PendingReminders(ctx context.Context) (int, error) {
	var n int
	if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM reminders WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending reminders: %w", translate(err))
	}
	return n, nil
}

// exportReminders is a user's reminders as /export shows them.
type exportReminders struct {
	On bool `json:"on"`
	// Hour is the hour of the day, UTC, they are sent at.
	Hour      int              `json:"hour_utc"`
	Stopped   bool             `json:"stopped_by_platform"`
	Schedule  []exportReminder `json:"schedule"`
	UpdatedAt time.Time        `json:"updated_at"`
}

type exportReminder struct {
	Milestone string    `json:"milestone"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Due       time.Time `json:"due"`
	Status    string    `json:"status"`
}

// exportReminderRows reads u's reminders in tx; nil when u has none.
func exportReminderRows(ctx context.Context, tx *sql.Tx, u advisor.UserKey) (*exportReminders, error) {
	var out exportReminders
	var updated int64
	err := tx.QueryRowContext(ctx, `
		SELECT s.enabled, s.hour, s.stopped, s.updated_at FROM reminder_settings s JOIN users u ON u.id = s.user_id
		WHERE u.platform = ? AND u.platform_user_id = ?`, u.Platform, u.ID).Scan(&out.On, &out.Hour, &out.Stopped, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, translate(err)
	}
	out.UpdatedAt = time.Unix(updated, 0).UTC()
	rs, err := scanReminders(tx.QueryContext(ctx, remindersOfUser, u.Platform, u.ID))
	if err != nil {
		return nil, err
	}
	out.Schedule = make([]exportReminder, 0, len(rs))
	for _, r := range rs {
		out.Schedule = append(out.Schedule, exportReminder{Milestone: r.Text, From: r.From, To: r.To, Due: r.Due, Status: r.Status})
	}
	return &out, nil
}
