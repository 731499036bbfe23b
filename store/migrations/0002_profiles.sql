-- A user's profile and where they are in the guided intake, one row per
-- user, both as JSON documents: the profile's shape belongs to the advisor
-- and grows with it, and every intake answer rewrites this one row, so an
-- accepted answer is one single-row upsert.
CREATE TABLE profiles (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    profile    TEXT    NOT NULL,
    intake     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
