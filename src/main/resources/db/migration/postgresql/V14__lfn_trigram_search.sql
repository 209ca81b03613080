-- LFN substring search (issue 13, the dashboard's /files and `ls --lfn`): a trigram GIN index (pg_trgm) serves
-- LIKE '%x%' without reading every row. pg_trgm is a trusted extension (PostgreSQL 13+: the database owner may create
-- it); where it cannot be created the migration still succeeds, without the index, and substring search reads the table.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm cannot be created (%): LFN substring search will read the whole table', SQLERRM;
END
$$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX files_lfn_trigram ON files USING gin (lfn gin_trgm_ops);
    END IF;
END
$$;

-- Keyset pages of one state or one disk in id order (the dashboard's /files?state=, ?disk=, `ls --state`): a page reads
-- its own rows instead of every row of the state.
CREATE INDEX files_state_id ON files (state, id);
CREATE INDEX files_disk_id ON files (disk, id);
