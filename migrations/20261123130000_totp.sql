-- +goose Up
-- Two-factor sign-in. The TOTP secret must be readable by the server at
-- sign-in, before the user's own key is unlocked, so it is sealed with a
-- server key (AES-256-GCM, bound to the user id), never stored in plain
-- text. A row whose enabled_at is NULL is an enrolment waiting for its first
-- code. last_step is the last time step whose code was accepted: a code is
-- good once.
CREATE TABLE totp (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     BLOB NOT NULL,
    created_at TEXT NOT NULL,
    enabled_at TEXT,
    last_step  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Recovery codes are kept as SHA-256 digests of their canonical form; a used
-- code keeps its row, with used_at set, so the page can count what is left.
CREATE TABLE recovery_codes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest  BLOB NOT NULL CHECK (length(digest) = 32),
    used_at TEXT,
    PRIMARY KEY (user_id, digest)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE recovery_codes;
DROP TABLE totp;
