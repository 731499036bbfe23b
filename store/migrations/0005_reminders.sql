-- Reminders of the plan's milestones (/remind). Both tables cascade from
-- users, so /forget and the retention sweep delete them with the user.
-- A user who never turned reminders on has no row in either.
CREATE TABLE reminder_settings (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    enabled    INTEGER NOT NULL,           -- 1: on
    hour       INTEGER NOT NULL,           -- UTC hour of day they are sent at
    -- 1: the platform refused a reminder for good (DMs closed, bot
    -- blocked), which turned them off; the user is told at their next
    -- message and this goes back to 0.
    stopped    INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
) STRICT;

-- One row per milestone of the user's plan. Pending rows are the schedule;
-- sent (or skipped, or failed) ones stay as its history, and their
-- (user_id, from_at) keeps the same milestone from being sent twice after
-- the schedule is recomputed.
CREATE TABLE reminders (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_at  INTEGER NOT NULL,  -- the milestone's first day
    to_at    INTEGER NOT NULL,  -- the first day after it
    due_at   INTEGER NOT NULL,  -- when to send it; later after a failed try
    text     TEXT    NOT NULL,
    topics   TEXT    NOT NULL,  -- topic ids, comma-separated
    status   TEXT    NOT NULL DEFAULT 'pending', -- pending, sent, skipped, failed
    attempts INTEGER NOT NULL DEFAULT 0,
    done_at  INTEGER,           -- when it left pending
    UNIQUE (user_id, from_at)
) STRICT;

-- The scheduler's one question: what is due next.
CREATE INDEX reminders_pending ON reminders (due_at) WHERE status = 'pending';
