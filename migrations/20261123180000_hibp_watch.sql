-- +goose Up
-- Have I Been Pwned's breach list as last seen: a breach that appears in it
-- later is added as a local breach without records (source "Have I Been
-- Pwned"), and every user with a watchlist is queued for a recheck. The
-- recheck runs when the user's session unlocks their watchlist: values are
-- encrypted to the user's key, so only then can they be sent to HIBP.
CREATE TABLE hibp_breaches (
    name      TEXT PRIMARY KEY COLLATE NOCASE,
    breach_id INTEGER REFERENCES breaches (id) ON DELETE SET NULL, -- NULL: known before the first check
    seen_at   TEXT NOT NULL
) STRICT;

CREATE TABLE hibp_rechecks (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    since   TEXT NOT NULL
) STRICT;

-- +goose Down
DROP TABLE hibp_rechecks;
DROP TABLE hibp_breaches;
