-- Activity (issue 13): what the dashboard, /metrics and the notifications ask of the catalog, answered from indexes at
-- a million rows. Throughput per hour and the time of the last progress read the step times through partial indexes
-- (rows without the time, most of a fresh catalog, are not in them, so registration pays nothing for them); the last
-- error of each stage reads failed events through a partial index on (action, id).
CREATE INDEX files_shipped_at ON files (shipped_at, size) WHERE shipped_at IS NOT NULL;
CREATE INDEX files_compressed_at ON files (compressed_at, compressed_size) WHERE compressed_at IS NOT NULL;
CREATE INDEX files_on_tape_at ON files (on_tape_at, size) WHERE on_tape_at IS NOT NULL;
CREATE INDEX files_registered_at ON files (registered_at, size);
CREATE INDEX files_local_deleted_at ON files (local_deleted_at, disk, size) WHERE local_deleted_at IS NOT NULL;
CREATE INDEX file_events_failed ON file_events (action, id) WHERE ok = 0;

-- Free space of each DAQ disk, sampled once a cycle: the time-to-full forecast fits the recent samples.
CREATE TABLE disk_space (
    disk        TEXT   NOT NULL,
    at          BIGINT NOT NULL,
    free_bytes  BIGINT NOT NULL,
    total_bytes BIGINT NOT NULL,
    PRIMARY KEY (disk, at)
);
