-- +goose Up
-- Personal API tokens. Only the SHA-256 of the whole token is kept, so a copy
-- of this table cannot be replayed; prefix is the few characters after
-- "pcmt_" that the settings page shows so its owner can tell tokens apart.
-- scopes is a space-separated list of the known scopes (at least one, no
-- repeats). A revoked or expired row stays for the list until its user goes.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest       BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
    prefix       TEXT NOT NULL CHECK (length(prefix) BETWEEN 1 AND 16),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    scopes       TEXT NOT NULL CHECK (
        scopes <> '' AND scopes = trim(scopes) AND scopes NOT LIKE '%  %' AND
        trim(replace(replace(replace(' ' || scopes || ' ',
            ' search ', ' '), ' watchlist:read ', ' '), ' watchlist:write ', ' ')) = ''),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- +goose Down
DROP TABLE api_tokens;
