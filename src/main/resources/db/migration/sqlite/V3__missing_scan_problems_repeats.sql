-- Version 3 (SQLite): scan problems kept once per condition; a repeated event is counted on the last one, not added again.
-- New file states MISSING and FORGOTTEN need no schema change (state is TEXT).

-- One row per open condition found by a scan (a file with a refused name, a symlink, an unreadable file, a disk
-- that is not mounted, ...). Seen again: last_seen and seen_count move. Gone on a later scan: cleared_at is set.
-- The same condition coming back after it was cleared is a new row.
CREATE TABLE scan_problems (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    disk        TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    seen_count  INTEGER NOT NULL DEFAULT 1,
    cleared_at  INTEGER
);
CREATE UNIQUE INDEX scan_problems_open ON scan_problems (disk, path, kind) WHERE cleared_at IS NULL;

-- How many more times the same event (same action, result and message) happened right after it, and when last.
ALTER TABLE file_events ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;
ALTER TABLE file_events ADD COLUMN last_at INTEGER;
