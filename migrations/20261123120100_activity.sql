-- +goose Up
-- The activity log: security events a user can read about their account.
-- Rows are never changed or removed (the triggers refuse it), and each row's
-- mac chains it to the one before, so an edit or deletion made behind the
-- triggers' back shows in `pcmt audit verify`.
CREATE TABLE activity (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    user_id  INTEGER,             -- the account the event is about
    actor_id INTEGER,             -- who caused it; NULL for anonymous or the system
    event    TEXT NOT NULL,
    ip       TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT '',
    mac      BLOB NOT NULL CHECK (length(mac) = 32)
) STRICT;

CREATE INDEX activity_user ON activity (user_id, id);
CREATE INDEX activity_actor ON activity (actor_id, id);

-- +goose StatementBegin
CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity
BEGIN
    SELECT RAISE(ABORT, 'activity is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
BEGIN
    SELECT RAISE(ABORT, 'activity is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE activity;
