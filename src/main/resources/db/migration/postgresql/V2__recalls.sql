-- Recalls: compressed copies staged back from tape to a chosen storage endpoint, tracked like any transfer.
CREATE TABLE recalls (
    id              BIGSERIAL PRIMARY KEY,
    file_id         BIGINT NOT NULL REFERENCES files (id),
    destination     TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    transfer_id     TEXT,
    requested_at    BIGINT NOT NULL,
    finished_at     BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    claim_owner     TEXT,
    claim_expires   BIGINT,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX recalls_state ON recalls (state, next_attempt_at);
CREATE INDEX recalls_file ON recalls (file_id);
