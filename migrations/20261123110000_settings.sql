-- +goose Up
-- Instance-wide settings an admin changes at run time (the HIBP API key,
-- encrypted with the server key, lands here); config.toml holds the rest.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- +goose Down
DROP TABLE settings;
