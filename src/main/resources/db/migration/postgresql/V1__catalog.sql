-- migdal-dm catalog, version 1 (PostgreSQL). Times are epoch milliseconds (UTC).
CREATE TABLE files (
    id                  BIGSERIAL PRIMARY KEY,
    lfn                 TEXT    NOT NULL UNIQUE,
    disk                TEXT    NOT NULL,
    local_path          TEXT    NOT NULL,
    run                 TEXT    NOT NULL,
    size                BIGINT  NOT NULL,
    mtime               BIGINT  NOT NULL,
    adler32             TEXT,
    state               TEXT    NOT NULL,
    compressed_name     TEXT,
    compressed_size     BIGINT,
    compressed_adler32  TEXT,
    tape_transfer_id    TEXT,
    registered_at       BIGINT  NOT NULL,
    shipped_at          BIGINT,
    local_deleted_at    BIGINT,
    compressed_at       BIGINT,
    tape_submitted_at   BIGINT,
    on_tape_at          BIGINT,
    raw_deleted_at      BIGINT,
    attempts            BIGINT  NOT NULL DEFAULT 0,
    last_error          TEXT,
    next_attempt_at     BIGINT  NOT NULL DEFAULT 0,
    quarantined_from    TEXT,
    claim_owner         TEXT,
    claim_expires       BIGINT,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX files_state ON files (state, next_attempt_at);
CREATE INDEX files_disk_state ON files (disk, state);
CREATE INDEX files_run ON files (run);
CREATE INDEX files_claim_owner ON files (claim_owner);

CREATE TABLE file_events (
    id       BIGSERIAL PRIMARY KEY,
    file_id  BIGINT  NOT NULL REFERENCES files (id),
    at       BIGINT  NOT NULL,
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    ok       BIGINT  NOT NULL,
    message  TEXT
);
CREATE INDEX file_events_file ON file_events (file_id, id);

CREATE TABLE disks (
    name        TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    state       TEXT NOT NULL,
    changed_at  BIGINT  NOT NULL,
    note        TEXT
);
