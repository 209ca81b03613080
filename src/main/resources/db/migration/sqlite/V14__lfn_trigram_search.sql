-- LFN substring search (issue 13, the dashboard's /files and `ls --lfn`): LIKE '%x%' reads every row, ~0.3 s at a
-- million files. A trigram index (FTS5, external content: it stores only the index, not the LFNs) answers it from the
-- index in milliseconds, in id order, so a page stops after its rows. It is not kept in step by triggers (they would
-- cost registration 4-8 µs per file, a third of its speed): files_lfn_trigram_to says up to which id it is filled;
-- newer files are searched by LIKE over their id range (catalog/FileQuery), and catalog/LfnIndex fills it in batches
-- (the daemon after each cycle, the dashboard while it runs). detail=none, columnsize=0 keep it small; every match is
-- checked against the row itself. Files are never deleted nor renamed, so an entry never goes stale.
CREATE VIRTUAL TABLE files_lfn_trigram USING fts5(lfn, content='files', content_rowid='id', tokenize='trigram', detail='none', columnsize=0);
INSERT INTO files_lfn_trigram(files_lfn_trigram) VALUES ('rebuild');
CREATE TABLE files_lfn_trigram_to (indexed_to INTEGER NOT NULL);
INSERT INTO files_lfn_trigram_to (indexed_to) SELECT COALESCE(MAX(id), 0) FROM files;

-- Keyset pages of one state or one disk in id order (the dashboard's /files?state=, ?disk=, `ls --state`): without
-- these, the planner reads every row of the state through (state, next_attempt_at) and sorts them (5 s for ON_TAPE at a
-- million files); with them a page reads its own rows.
CREATE INDEX files_state_id ON files (state, id);
CREATE INDEX files_disk_id ON files (disk, id);
