-- Questions the advisor could not answer, kept (when [advisor]
-- log_unanswered is on) so admins can see what the knowledge base lacks.
-- Deliberately no user_id: nothing links a question to who asked it, so
-- it is not part of any user's /export or /forget, and retention leaves it.
CREATE TABLE unanswered (
    id       INTEGER PRIMARY KEY,
    question TEXT    NOT NULL,
    asked_at INTEGER NOT NULL
) STRICT;
