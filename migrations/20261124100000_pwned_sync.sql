-- +goose Up
-- What a sync of the Pwned Passwords corpus from the range API knows of each
-- range: the validators upstream sent with it (sent back as If-None-Match and
-- If-Modified-Since, so that a later sync downloads only what changed), and
-- the sync job that last fetched it. Rows are written in the transaction
-- that stores the range, so "job = this sync" is the checkpoint a sync killed
-- at any point resumes from. An import of a corpus deletes its mode's rows:
-- the validators no longer describe what is stored.
CREATE TABLE pwned_sync (
    mode     TEXT    NOT NULL CHECK (mode IN ('sha1', 'ntlm')),
    prefix   INTEGER NOT NULL CHECK (prefix BETWEEN 0 AND 1048575),
    etag     TEXT    NOT NULL DEFAULT '',
    modified TEXT    NOT NULL DEFAULT '', -- Last-Modified, as upstream wrote it
    job      INTEGER NOT NULL,
    PRIMARY KEY (mode, prefix)
) STRICT, WITHOUT ROWID;

-- A sync is an import job (format 'sync') that counts ranges rather than
-- bytes: file_size is the ranges to fetch, bytes_done those done. These
-- columns say how each range ended; heartbeat_at is moved while the sync
-- runs, so that one whose process vanished on another host does not block
-- the next for ever.
ALTER TABLE import_jobs ADD COLUMN ranges_fetched INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN ranges_unchanged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN ranges_changed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN ranges_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN heartbeat_at TEXT;

-- +goose Down
ALTER TABLE import_jobs DROP COLUMN heartbeat_at;
ALTER TABLE import_jobs DROP COLUMN ranges_failed;
ALTER TABLE import_jobs DROP COLUMN ranges_changed;
ALTER TABLE import_jobs DROP COLUMN ranges_unchanged;
ALTER TABLE import_jobs DROP COLUMN ranges_fetched;
DROP TABLE pwned_sync;
