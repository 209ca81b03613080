package org.migdal.dm.catalog;

import java.time.Instant;

/**
 * The FTS3 job recorded for a file before it was sent (issue 10, defect 7): its id ({@code tape_transfer_id}), the
 * {@code sid} that makes FTS give it that id (so it can be submitted again with the same id), how many job ids were
 * chosen for the file so far, when this one was recorded ({@code null}: the file has no live FTS job), and when FTS
 * acknowledged it ({@code null}: not known to be at FTS, e.g. the process died during the POST).
 */
public record TapeJob(long fileId, String jobId, String sid, int submissions, Instant recordedAt, Instant confirmedAt) {

    /** A job is recorded for the file's current hand-over to FTS. */
    public boolean isLive() {
        return recordedAt != null && jobId != null;
    }

    /** FTS is known to hold the job. */
    public boolean isConfirmed() {
        return confirmedAt != null;
    }

    /** What to record before a POST: the job id FTS will give {@code sid}, for the {@code submission}-th job of the file. */
    public record Plan(CatalogFile file, String jobId, String sid, int submission) {
    }
}
