-- +goose Up
-- What users watch, unreadable to the operator: the value is encrypted to
-- the user's own age recipient (only their signed-in session can read it),
-- and matched while they are away by digest = HMAC-SHA256(MonitorSecret,
-- kind || SHA-256(normalised value)), the key living only in the secrets
-- file. kind is store.RecordKind: 1 an e-mail address, 2 a username.
CREATE TABLE watch_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       INTEGER NOT NULL CHECK (kind IN (1, 2)),
    ciphertext BLOB NOT NULL,
    digest     BLOB NOT NULL CHECK (length(digest) = 32),
    created_at TEXT NOT NULL,
    UNIQUE (user_id, digest)
) STRICT;

-- A breach's match looks every record up by digest.
CREATE INDEX watch_items_digest ON watch_items (digest);

-- A watched value found in a breach. known_at_add marks what the breach
-- data already held when the user added the value (not news to them);
-- emailed is 0 while a mail is due, 1 once queued, 2 when none is sent
-- (known at add time, e-mail alerts off, account disabled).
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    breach_id     INTEGER NOT NULL REFERENCES breaches (id) ON DELETE CASCADE,
    watch_item_id INTEGER NOT NULL REFERENCES watch_items (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    seen_at       TEXT,
    emailed       INTEGER NOT NULL DEFAULT 0 CHECK (emailed IN (0, 1, 2)),
    known_at_add  INTEGER NOT NULL DEFAULT 0 CHECK (known_at_add IN (0, 1)),
    UNIQUE (watch_item_id, breach_id)
) STRICT;

CREATE INDEX alerts_user ON alerts (user_id, created_at);
CREATE INDEX alerts_breach ON alerts (breach_id);
CREATE INDEX alerts_unmailed ON alerts (user_id) WHERE emailed = 0;

-- Per-user preferences; a missing row means the defaults.
CREATE TABLE user_prefs (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_alerts INTEGER NOT NULL DEFAULT 1 CHECK (email_alerts IN (0, 1))
) STRICT;

-- +goose Down
DROP TABLE user_prefs;
DROP TABLE alerts;
DROP TABLE watch_items;
