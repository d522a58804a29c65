-- +goose Up
-- One row per breach: metadata only. Its records live in breach_records and
-- go with it (ON DELETE CASCADE) in the same transaction.
CREATE TABLE breaches (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (name != ''),
    title              TEXT NOT NULL,
    domain             TEXT NOT NULL DEFAULT '',
    breach_date        TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD, '' when unknown
    added_at           TEXT NOT NULL,
    modified_at        TEXT NOT NULL,
    is_verified        INTEGER NOT NULL DEFAULT 0 CHECK (is_verified IN (0, 1)),
    contains_passwords INTEGER NOT NULL DEFAULT 0 CHECK (contains_passwords IN (0, 1)),
    contains_hashes    INTEGER NOT NULL DEFAULT 0 CHECK (contains_hashes IN (0, 1)),
    contains_emails    INTEGER NOT NULL DEFAULT 0 CHECK (contains_emails IN (0, 1)),
    contains_usernames INTEGER NOT NULL DEFAULT 0 CHECK (contains_usernames IN (0, 1)),
    hash_type          TEXT NOT NULL DEFAULT '',
    hash_salted        INTEGER NOT NULL DEFAULT 0 CHECK (hash_salted IN (0, 1)),
    hash_peppered      INTEGER NOT NULL DEFAULT 0 CHECK (hash_peppered IN (0, 1)),
    description        TEXT NOT NULL DEFAULT '',
    -- HIBP-style data class names, a JSON array of strings.
    data_classes       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(data_classes) AND json_type(data_classes) = 'array'),
    -- Entries read, by kind (distinct or not), and what was passed over.
    n_emails           INTEGER NOT NULL DEFAULT 0,
    n_usernames        INTEGER NOT NULL DEFAULT 0,
    n_passwords        INTEGER NOT NULL DEFAULT 0,
    n_hashes           INTEGER NOT NULL DEFAULT 0,
    n_skipped          INTEGER NOT NULL DEFAULT 0,
    n_invalid          INTEGER NOT NULL DEFAULT 0,
    -- Distinct digests stored (salted hashes are counted above, not stored).
    n_records          INTEGER NOT NULL DEFAULT 0,
    source             TEXT NOT NULL DEFAULT ''
) STRICT;

-- A breach's records as digests, never plain text: kind says which digest
-- (see store.RecordKind). The key starts with the breach so an import
-- appends in key order (digests come sorted) and a delete is one range;
-- a search seeks once per breach.
CREATE TABLE breach_records (
    breach_id INTEGER NOT NULL REFERENCES breaches (id) ON DELETE CASCADE,
    kind      INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 7),
    digest    BLOB NOT NULL,
    PRIMARY KEY (breach_id, kind, digest)
) STRICT, WITHOUT ROWID;

-- Imports from the command line and the admin pages. A job row outlives its
-- process: the checkpoint columns let a corpus import resume where its last
-- committed batch ended, and a restart finds jobs left 'running'.
CREATE TABLE import_jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    origin        TEXT NOT NULL CHECK (origin IN ('cli', 'web')),
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    path          TEXT NOT NULL,            -- the file read
    file_name     TEXT NOT NULL,            -- as the admin named it
    file_size     INTEGER NOT NULL,
    fingerprint   TEXT NOT NULL,            -- size, time and first bytes: same file?
    format        TEXT NOT NULL DEFAULT '',
    options       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
    state         TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    bytes_done    INTEGER NOT NULL DEFAULT 0,
    records       INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    invalid       INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    -- Corpus imports: the phase ('sorted' or 'unsorted'), the last range
    -- committed (-1 for none) and, for sorted input, where reading resumes.
    phase         TEXT NOT NULL DEFAULT '',
    ck_prefix     INTEGER NOT NULL DEFAULT -1,
    ck_offset     INTEGER NOT NULL DEFAULT 0,
    ck_line       INTEGER NOT NULL DEFAULT 0,
    -- The process running the job, to tell a live command-line import from
    -- one that was killed.
    pid           INTEGER NOT NULL DEFAULT 0,
    host          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
) STRICT;

CREATE INDEX import_jobs_state ON import_jobs (state);

-- +goose Down
DROP TABLE import_jobs;
DROP TABLE breach_records;
DROP TABLE breaches;
