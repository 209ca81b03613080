-- Index-only status counts (issue 12): `status` groups the files by disk and state and sums their sizes; with size in
-- the index that is answered from the index alone, without reading a million table rows. It replaces (disk, state),
-- whose queries it serves as well, so a change of state still updates the same number of indexes.
DROP INDEX files_disk_state;
CREATE INDEX files_disk_state_size ON files (disk, state, size);
