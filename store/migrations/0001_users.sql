-- A user is one account on one platform. Everything else stored about a user
-- lives in tables whose user_id REFERENCES users(id) ON DELETE CASCADE, so
-- deleting this row forgets the user everywhere.
-- Times are unix seconds (UTC): they compare and sort as numbers.
CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    platform_user_id TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    UNIQUE (platform, platform_user_id)
) STRICT;
