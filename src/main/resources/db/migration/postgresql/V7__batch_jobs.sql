-- Compression jobs on a batch system (HTCondor): one cycle = one cluster submitted by one condor_submit; its job event
-- log is read from a byte offset kept here. A file whose job is in flight stays COMPRESSING with no claim owner and one
-- batch_jobs row naming its job (the job's description as JSON, the claim token it was made under, its ProcId).
CREATE TABLE batch_cycles (
    id             BIGSERIAL PRIMARY KEY,
    dir            TEXT    NOT NULL UNIQUE,
    batch_name     TEXT    NOT NULL,
    cluster        BIGINT,
    log_offset     BIGINT  NOT NULL DEFAULT 0,
    created_at     BIGINT  NOT NULL,
    submitted_at   BIGINT,
    reconciled_at  BIGINT  NOT NULL DEFAULT 0
);
CREATE TABLE batch_jobs (
    file_id        BIGINT  PRIMARY KEY REFERENCES files (id),
    cycle_id       BIGINT  NOT NULL REFERENCES batch_cycles (id),
    job            TEXT    NOT NULL,
    token          TEXT    NOT NULL,
    job_json       TEXT    NOT NULL,
    proc           INTEGER,
    status         TEXT    NOT NULL,
    releases       INTEGER NOT NULL DEFAULT 0,
    last_event_at  BIGINT  NOT NULL,
    code           INTEGER,
    detail         TEXT
);
CREATE INDEX batch_jobs_cycle ON batch_jobs (cycle_id);
