-- +goose Up
-- Mail waiting to go out, and mail sent. A row is written before any SMTP
-- conversation, so a mail server outage or a restart loses nothing: the
-- worker retries with backoff until sent_at is set.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE, -- NULL: not a user's mail
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT              -- NULL until the server accepted it
) STRICT;

-- The worker's question, "what is due?", reads only unsent rows.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_user ON outbox (user_id);

-- +goose Down
DROP TABLE outbox;
