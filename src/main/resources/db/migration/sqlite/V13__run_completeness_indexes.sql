-- Per-run completeness (issue 13: `runs`, `manifest`, /runs). Two indexes:
-- (run, state, size, on_tape_at) answers a run's files, bytes, files per state and latest tape confirmation from the
-- index alone (it replaces (run), whose queries it serves as well), and finds the next run name with one seek;
-- (run, lfn) over the files NOT on tape only finds the incomplete runs and their first files not on tape without reading
-- the runs that are complete (in a catalog in use, most files are ON_TAPE and absent from it).
DROP INDEX files_run;
CREATE INDEX files_run_state ON files (run, state, size, on_tape_at);
CREATE INDEX files_run_not_on_tape ON files (run, lfn) WHERE state <> 'ON_TAPE';
