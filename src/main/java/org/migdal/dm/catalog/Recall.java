package org.migdal.dm.catalog;

import java.time.Instant;

/** A request to stage a file's compressed copy back from tape to {@code destination}, tracked like any transfer. */
public record Recall(long id, long fileId, String lfn, String destination, State state, String transferId, Instant requestedAt,
                     Instant finishedAt, int attempts, String lastError, String claimToken, int crashes) {

    /** REQUESTED → COPYING (built-in, claimed) or STAGING (handed to FTS) → DONE; FAILED after the attempts. */
    public enum State { REQUESTED, COPYING, STAGING, DONE, FAILED }
}
