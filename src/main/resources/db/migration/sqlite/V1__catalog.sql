-- migdal-dm catalog, version 1 (SQLite). Times are epoch milliseconds (UTC).
CREATE TABLE files (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    lfn                 TEXT    NOT NULL UNIQUE,
    disk                TEXT    NOT NULL,
    local_path          TEXT    NOT NULL,
    run                 TEXT    NOT NULL,
    size                INTEGER NOT NULL,
    mtime               INTEGER NOT NULL,
    adler32             TEXT,
    state               TEXT    NOT NULL,
    compressed_name     TEXT,
    compressed_size     INTEGER,
    compressed_adler32  TEXT,
    tape_transfer_id    TEXT,
    registered_at       INTEGER NOT NULL,
    shipped_at          INTEGER,
    local_deleted_at    INTEGER,
    compressed_at       INTEGER,
    tape_submitted_at   INTEGER,
    on_tape_at          INTEGER,
    raw_deleted_at      INTEGER,
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    next_attempt_at     INTEGER NOT NULL DEFAULT 0,
    quarantined_from    TEXT,
    claim_owner         TEXT,
    claim_expires       INTEGER,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX files_state ON files (state, next_attempt_at);
CREATE INDEX files_disk_state ON files (disk, state);
CREATE INDEX files_run ON files (run);
CREATE INDEX files_claim_owner ON files (claim_owner);

CREATE TABLE file_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id  INTEGER NOT NULL REFERENCES files (id),
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    ok       INTEGER NOT NULL,
    message  TEXT
);
CREATE INDEX file_events_file ON file_events (file_id, id);

CREATE TABLE disks (
    name        TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    state       TEXT NOT NULL,
    changed_at  INTEGER NOT NULL,
    note        TEXT
);
