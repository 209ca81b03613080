package org.migdal.dm.batch;

/** The job attribute {@code JobStatus} (reference §3.1, {@code job-status-codes.rst}). */
public enum JobStatus {
    /** 0 (unexpanded) or any code this enum does not know. */
    UNKNOWN(0),
    IDLE(1),
    RUNNING(2),
    /** Removal under way ({@code X}): leaves the queue, then appears in condor_history. */
    REMOVED(3),
    COMPLETED(4),
    HELD(5),
    TRANSFERRING_OUTPUT(6),
    SUSPENDED(7);

    private final int code;

    JobStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The status for a {@code JobStatus} value; {@link #UNKNOWN} for any other number. */
    public static JobStatus of(int code) {
        for (JobStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNKNOWN;
    }

    /** Completed or removed: the job has left (or is leaving) the queue for good. */
    public boolean isFinal() {
        return this == COMPLETED || this == REMOVED;
    }
}
