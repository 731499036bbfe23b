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
	sp, ok, epoch := db.profiles.get(u)
	if ok {
		return sp.profile, sp.intake, nil
	}
	var profile, intake string
	err := db.stmt.loadProfile.QueryRowContext(ctx, u.Platform, u.ID).Scan(&profile, &intake)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return rules.Profile{}, advisor.IntakeState{}, fmt.Errorf("load profile: %w", translate(err))
	default:
		if err := json.Unmarshal([]byte(profile), &sp.profile); err != nil {
			return rules.Profile{}, advisor.IntakeState{}, fmt.Errorf("load profile: decode profile: %w", err)
		}
		if err := json.Unmarshal([]byte(intake), &sp.intake); err != nil {
			return rules.Profile{}, advisor.IntakeState{}, fmt.Errorf("load profile: decode intake state: %w", err)
		}
	}
	db.profiles.fill(u, sp, epoch)
	return sp.profile, sp.intake, nil
}

// SaveProfile stores the user's profile and intake state, creating the
// user if needed, in one transaction: when it returns nil the answer is
// committed, and a crash before it leaves the previous answer whole.
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
	err = db.write(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.Stmt(db.stmt.upsertUser).QueryRow(u.Platform, u.ID, t, t).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Stmt(db.stmt.saveProfile).Exec(id, string(profile), string(intake), t)
		return err
	}, func() { db.profiles.set(u, storedProfile{p, s}) })
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}
