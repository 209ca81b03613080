package org.migdal.dm.catalog;

import java.time.Instant;

/**
 * A file's compression job on a batch system, as the catalog keeps it while the job is in flight: its cycle, its name
 * and the claim token it was made under, its description ({@code jobJson}), its ProcId in the cycle's cluster once
 * submitted, what its event log last said ({@code code}, {@code detail}), and how often it was released from hold.
 */
public record BatchJob(long fileId, long cycleId, String job, String token, String jobJson, Integer proc, Status status,
                       int releases, Instant lastEventAt, Integer code, String detail) {

    public enum Status {
        /** Recorded before condor_submit ran: the job may or may not be in the queue. */
        PLANNED,
        IDLE,
        RUNNING,
        /** Held: {@code code} is the HoldReasonCode, {@code detail} the reason; released or removed by the collector. */
        HELD,
        /** Terminated (005): {@code code} the return value, or minus the signal; the result is to be applied. */
        ENDED,
        /** Removed (009) by someone else: {@code detail} says by whom; a failure of the file. */
        REMOVED
    }

    /** One cycle: the cluster that one condor_submit made, its folder, and how far its event log has been read. */
    public record Cycle(long id, String dir, String batchName, Long cluster, long logOffset, Instant createdAt,
                        Instant submittedAt, Instant reconciledAt) {
    }

    /** A claimed file and the job made for it, to be recorded before submission. */
    public record Planned(CatalogFile claimed, String job, String token, String jobJson) {
    }
}
