package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uscebot/uscebot/advisor"
	"github.com/uscebot/uscebot/advisor/rules"
)

var _ advisor.ProfileStore = (*DB)(nil)

// LoadProfile returns the user's profile and intake state; a user with
// none gets empty ones.
func (db *DB) LoadProfile(ctx context.Context, u advisor.UserKey) (rules.Profile, advisor.IntakeState, error) {
	var p rules.Profile
	var s advisor.IntakeState
	var profile, intake string
	err := db.reader.QueryRowContext(ctx, `
		SELECT p.profile, p.intake FROM profiles p JOIN users u ON u.id = p.user_id
		WHERE u.platform = ? AND u.platform_user_id = ?`,
		u.Platform, u.ID).Scan(&profile, &intake)
	if errors.Is(err, sql.ErrNoRows) {
		return p, s, nil
	}
	if err != nil {
		return p, s, fmt.Errorf("load profile: %w", translate(err))
	}
	if err := json.Unmarshal([]byte(profile), &p); err != nil {
		return p, s, fmt.Errorf("load profile: decode profile: %w", err)
	}
	if err := json.Unmarshal([]byte(intake), &s); err != nil {
		return p, s, fmt.Errorf("load profile: decode intake state: %w", err)
	}
	return p, s, nil
}

// SaveProfile stores the user's profile and intake state, creating the
// user if needed, in one transaction: when it returns nil the answer is on
// disk, and a crash before it leaves the previous answer whole.
func (db *DB) SaveProfile(ctx context.Context, u advisor.UserKey, p rules.Profile, s advisor.IntakeState, now time.Time) error {
	profile, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	intake, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	t := now.Unix()
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save profile: %w", translate(err))
	}
	defer tx.Rollback() // a no-op after Commit
	var id int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO users (platform, platform_user_id, created_at, last_seen_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (platform, platform_user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at
		RETURNING id`,
		u.Platform, u.ID, t, t).Scan(&id)
	if err != nil {
		return fmt.Errorf("save profile: %w", translate(err))
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO profiles (user_id, profile, intake, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile, intake = excluded.intake, updated_at = excluded.updated_at`,
		id, string(profile), string(intake), t)
	if err != nil {
		return fmt.Errorf("save profile: %w", translate(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save profile: %w", translate(err))
	}
	return nil
}
