-- Claims that fence: a token per claim (owner + token must still match before any visible step) and crashes
-- counted apart from attempts. Endpoint health: an endpoint that failed as a whole is DOWN until a probe proves it.
-- A DAQ disk root is remembered by its inode when scanned: another folder in its place (an empty mount point) is not it.
ALTER TABLE files ADD COLUMN claim_token TEXT;
ALTER TABLE files ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recalls ADD COLUMN claim_token TEXT;
ALTER TABLE recalls ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0;

CREATE TABLE endpoints (
    url            TEXT    PRIMARY KEY,
    state          TEXT    NOT NULL,
    reason         TEXT,
    since          INTEGER NOT NULL,
    checked_at     INTEGER NOT NULL,
    next_probe_at  INTEGER NOT NULL DEFAULT 0,
    failures       INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE disks ADD COLUMN root_inode BIGINT;
