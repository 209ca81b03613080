-- LFN substring search (issue 13, the dashboard's /files and `ls --lfn`): LIKE '%x%' reads every row, ~0.5 s at a
-- million files. A trigram index (FTS5, external content: it stores only the index, not the LFNs) answers it from the
-- index in milliseconds, in id order, so a page stops after its rows. Kept in step with `files` by triggers; detail=none
-- keeps it small (substrings are checked against the row itself, see catalog/FileQuery).
CREATE VIRTUAL TABLE files_lfn_trigram USING fts5(lfn, content='files', content_rowid='id', tokenize='trigram', detail='none');
INSERT INTO files_lfn_trigram(files_lfn_trigram) VALUES ('rebuild');
CREATE TRIGGER files_lfn_trigram_insert AFTER INSERT ON files BEGIN
    INSERT INTO files_lfn_trigram(rowid, lfn) VALUES (new.id, new.lfn);
END;
CREATE TRIGGER files_lfn_trigram_delete AFTER DELETE ON files BEGIN
    INSERT INTO files_lfn_trigram(files_lfn_trigram, rowid, lfn) VALUES ('delete', old.id, old.lfn);
END;
CREATE TRIGGER files_lfn_trigram_update AFTER UPDATE OF lfn ON files BEGIN
    INSERT INTO files_lfn_trigram(files_lfn_trigram, rowid, lfn) VALUES ('delete', old.id, old.lfn);
    INSERT INTO files_lfn_trigram(rowid, lfn) VALUES (new.id, new.lfn);
END;

-- Keyset pages of one state or one disk in id order (the dashboard's /files?state=, ?disk=, `ls --state`): without
-- these, the planner reads every row of the state through (state, next_attempt_at) and sorts them (5 s for ON_TAPE at a
-- million files); with them a page reads its own rows.
CREATE INDEX files_state_id ON files (state, id);
CREATE INDEX files_disk_id ON files (disk, id);
