-- What confirmed each file's tape copy (issue 10, defect 12): e.g. "archiveinfo locality TAPE at https://…",
-- "xroot stat BackUpExists at root://…", "size+adler32 only (file:// tape, no residency information)".
-- NULL for files not yet on tape and for files put on tape before this column existed.
ALTER TABLE files ADD COLUMN tape_evidence TEXT;
