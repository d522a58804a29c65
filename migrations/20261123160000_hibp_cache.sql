-- +goose Up
-- Answers of the Have I Been Pwned API, kept for the configured CacheTTL so
-- that repeated searches neither spend the API key's rate nor wait on it.
-- key is an HMAC-SHA256 of the request under a server secret: a copy of the
-- file does not tell which accounts were searched. For breachedaccount the
-- body holds only the breach names (a JSON array); 404s are kept too, with an
-- empty body.
CREATE TABLE hibp_cache (
    key        BLOB PRIMARY KEY CHECK (length(key) = 32),
    body       BLOB NOT NULL,
    status     INTEGER NOT NULL,
    fetched_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX hibp_cache_fetched_at ON hibp_cache (fetched_at);

-- +goose Down
DROP TABLE hibp_cache;
