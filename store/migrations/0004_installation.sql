-- Values made once per installation and kept with the data, so that they
-- survive restarts and travel with a backup. log_key (32 random bytes,
-- written by the store when missing) keys the hash that stands for user
-- ids in the logs: without it a log id cannot be turned back into a user.
CREATE TABLE installation (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;
