-- Prometheus counters (issue 13): cumulative counts kept in the catalog, not in a process, so /metrics says the same
-- whichever process serves it (the daemon, `serve`, or `metrics` from cron). Each is a handful of rows.

-- How long each stage took: one row per stage and histogram bucket (le_ms: the bucket's upper bound in milliseconds,
-- 9223372036854775807 for +Inf; count: stages that ended in that bucket alone, not cumulative), written when the stage ends.
CREATE TABLE stage_duration_buckets (
    stage  TEXT   NOT NULL,
    le_ms  BIGINT NOT NULL,
    count  BIGINT NOT NULL,
    PRIMARY KEY (stage, le_ms)
);

-- Per stage: how many times it ended and their total duration; the files (and bytes, where the stage knows them) each
-- step moved, added when the stage ends (throughput).
CREATE TABLE stage_totals (
    stage       TEXT   NOT NULL PRIMARY KEY,
    runs        BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL
);

CREATE TABLE step_totals (
    step  TEXT   NOT NULL PRIMARY KEY,
    files BIGINT NOT NULL,
    bytes BIGINT NOT NULL
);

-- Failures recorded against files, by the action that failed and the class the failure policy gave them (file, permanent,
-- endpoint), counted in the transaction that records the failure.
CREATE TABLE error_counts (
    stage TEXT   NOT NULL,
    class TEXT   NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (stage, class)
);
