-- `migdal-dm audit` (issue 13): one row per audit, its cursor (the catalog is checked in id order; after_id is the last
-- file done) so that `audit --resume` continues after an interruption, and what it found, once per (kind, subject).
-- The index on compressed_name lets the listing checks ask the catalog for a batch of names at once.
CREATE TABLE audit_runs (
    id             BIGSERIAL PRIMARY KEY,
    started_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    finished_at    BIGINT,
    listings_done  INTEGER NOT NULL DEFAULT 0,
    after_id       BIGINT  NOT NULL DEFAULT 0,
    files_checked  BIGINT  NOT NULL DEFAULT 0,
    checksums      BIGINT  NOT NULL DEFAULT 0,
    owner          TEXT    NOT NULL
);
CREATE TABLE audit_findings (
    id        BIGSERIAL PRIMARY KEY,
    run_id    BIGINT  NOT NULL REFERENCES audit_runs (id),
    kind      TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    url       TEXT,
    expected  TEXT,
    found     TEXT,
    file_id   BIGINT,
    todo      TEXT,
    fixed     TEXT
);
CREATE UNIQUE INDEX audit_findings_once ON audit_findings (run_id, kind, subject);
CREATE INDEX files_compressed_name ON files (compressed_name);
