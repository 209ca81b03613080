-- FTS3 submissions that survive a crash (issue 10, defects 7 and 13). The FTS job of a file is chosen and recorded
-- before the POST: tape_transfer_id is its id, tape_job_sid the sid that makes FTS give it that id, so it can be looked
-- up, or submitted again with the same id, by whoever takes the file over.
--   tape_job_submissions  per-file counter of FTS job ids chosen for it (part of the sid, with the LFN and destination)
--   tape_job_recorded_at  when the current job id was recorded; NULL when the file has no live FTS job
--   tape_job_confirmed_at when FTS acknowledged that job (200, 409 duplicate sid, or found by a lookup); NULL: not known
ALTER TABLE files ADD COLUMN tape_job_sid TEXT;
ALTER TABLE files ADD COLUMN tape_job_submissions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN tape_job_recorded_at BIGINT;
ALTER TABLE files ADD COLUMN tape_job_confirmed_at BIGINT;
-- FTS jobs in flight before this version were recorded after FTS accepted them
UPDATE files SET tape_job_recorded_at = COALESCE(tape_submitted_at, updated_at),
                 tape_job_confirmed_at = COALESCE(tape_submitted_at, updated_at)
 WHERE state = 'TAPE_SUBMITTED' AND tape_transfer_id IS NOT NULL AND tape_transfer_id NOT LIKE 'builtin:%';
