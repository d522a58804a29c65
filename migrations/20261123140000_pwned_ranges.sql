-- +goose Up
-- The Pwned Passwords corpus, one row per 5-hex range and mode rather than
-- one row per hash: a /range answer is one row read and the file stays near
-- the size of the hashes themselves.
--
-- data holds the range's n entries sorted by digest: first n fixed-width keys
-- (the digest without its first two bytes: 18 bytes for SHA-1, 14 for NTLM;
-- the key's high nibble repeats the prefix's last hex digit so that keys stay
-- byte-aligned), then the n counts as unsigned varints in the same order.
-- Fixed-width keys make an exact check a binary search; varint counts cost
-- one byte for most hashes.
CREATE TABLE pwned_ranges (
    mode   TEXT    NOT NULL CHECK (mode IN ('sha1', 'ntlm')),
    prefix INTEGER NOT NULL CHECK (prefix BETWEEN 0 AND 1048575),
    n      INTEGER NOT NULL CHECK (n > 0),
    data   BLOB    NOT NULL,
    PRIMARY KEY (mode, prefix)
) STRICT;

-- +goose Down
DROP TABLE pwned_ranges;
