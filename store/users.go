package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uscebot/uscebot/advisor"
)

// Touch records that u was seen at now, creating the user on first sight.
func (db *DB) Touch(ctx context.Context, u advisor.UserKey, now time.Time) error {
	t := now.Unix()
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Stmt(db.stmt.touch).Exec(u.Platform, u.ID, t, t)
		return err
	}, nil)
	if err != nil {
		return fmt.Errorf("touch user: %w", translate(err))
	}
	return nil
}

// export is everything stored about one user, as /export shows it. A new
// per-user table adds a field here and a query in Export.
type export struct {
	User *exportUser `json:"user"` // nil for a user never seen
	// Profile and Intake are the stored JSON documents, absent when the
	// user has none.
	Profile json.RawMessage `json:"profile,omitempty"`
	Intake  json.RawMessage `json:"intake,omitempty"`
	// ProfileUpdatedAt is when the profile was last saved.
	ProfileUpdatedAt *time.Time `json:"profile_updated_at,omitempty"`
	// Reminders are the /remind settings and schedule, absent for a user
	// who never turned reminders on.
	Reminders *exportReminders `json:"reminders,omitempty"`
}

type exportUser struct {
	Platform   string    `json:"platform"`
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// Export returns everything stored about u as indented JSON.
func (db *DB) Export(ctx context.Context, u advisor.UserKey) ([]byte, error) {
	// One read transaction, so that every table is read from the same snapshot.
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("export user: %w", translate(err))
	}
	defer tx.Rollback() // read-only: nothing to commit

	var out export
	var created, seen int64
	err = tx.QueryRowContext(ctx, `
		SELECT created_at, last_seen_at FROM users
		WHERE platform = ? AND platform_user_id = ?`,
		u.Platform, u.ID).Scan(&created, &seen)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Never seen: nothing is stored, which the null user says.
	case err != nil:
		return nil, fmt.Errorf("export user: %w", translate(err))
	default:
		out.User = &exportUser{
			Platform:   u.Platform,
			ID:         u.ID,
			CreatedAt:  time.Unix(created, 0).UTC(),
			LastSeenAt: time.Unix(seen, 0).UTC(),
		}
	}
	var profile, intake string
	var updated int64
	err = tx.QueryRowContext(ctx, `
		SELECT p.profile, p.intake, p.updated_at FROM profiles p JOIN users u ON u.id = p.user_id
		WHERE u.platform = ? AND u.platform_user_id = ?`,
		u.Platform, u.ID).Scan(&profile, &intake, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("export profile: %w", translate(err))
	default:
		at := time.Unix(updated, 0).UTC()
		out.Profile, out.Intake, out.ProfileUpdatedAt = json.RawMessage(profile), json.RawMessage(intake), &at
	}
	if out.Reminders, err = exportReminderRows(ctx, tx, u); err != nil {
		return nil, fmt.Errorf("export reminders: %w", err)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export user: %w", err)
	}
	return b, nil
}

// Forget deletes everything stored about u and reports whether there was
// any. Deleted rows are overwritten in the file (secure_delete) and the WAL
// is truncated before it returns; if readers keep the WAL from being
// truncated, that is done as soon as they let it (see checkpointer.wipe),
// and Forget still succeeds: the user's data is deleted either way.
func (db *DB) Forget(ctx context.Context, u advisor.UserKey) (bool, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Stmt(db.stmt.forget).Exec(u.Platform, u.ID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	}, func() { db.profiles.set(u, storedProfile{}) })
	if err != nil {
		return false, fmt.Errorf("forget user: %w", err)
	}
	if n > 0 {
		_ = db.ckpt.wipe(ctx) // when it fails, it is owed: see above
	}
	return n > 0, nil
}
