package org.migdal.dm.catalog;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The single source of truth: one row per raw file, its history, and the claims that keep two
 * processes off the same file. Every state change goes through {@link FileState}'s rules.
 */
public interface Catalog extends AutoCloseable {

    /** Who this catalog handle claims work as ({@code host:pid:start}). */
    String owner();

    /** Registers new files in batched transactions; files already known (same LFN) are left alone. */
    RegisterResult register(List<NewFile> files);

    /**
     * Atomically claims up to {@code limit} files for a stage: resting files whose retry time has come,
     * and working files whose claim lease ran out (a crashed process). Claimed files are in the stage's
     * working state and owned by {@link #owner()}.
     */
    default List<CatalogFile> claim(Stage stage, int limit) {
        return claim(stage, limit, null);
    }

    /** As {@link #claim(Stage, int)}, only for files of the named DAQ disks ({@code null}: any disk). */
    List<CatalogFile> claim(Stage stage, int limit, Collection<String> disks);

    /** Records that a DAQ file changed size or mtime since registration (it may still be growing). */
    void updateSourceAttributes(CatalogFile file, long size, java.time.Instant mtime, String message);

    /** Moves a claimed file on (checked by {@link FileState}), records the event, and releases the claim. */
    CatalogFile advance(CatalogFile claimed, FileState to, Changes changes, String action, String message);

    /**
     * Claims TAPE_SUBMITTED files whose tape transfer is in flight (handed to FTS or waiting for the tape flag, no
     * owner) and due for a check ({@code next_attempt_at} passed), and takes over files with a recorded FTS job
     * ({@link TapeJob#isLive()}) whose owner's lease ran out: their fate is at FTS, so the takeover looks the job up and
     * is not charged as an attempt. The state does not change.
     */
    List<CatalogFile> claimInFlight(int limit);

    /**
     * Releases a claimed file in its current (working) state with {@code changes}, to be checked again at {@code next}:
     * a tape transfer handed over or still in flight.
     */
    CatalogFile release(CatalogFile claimed, Changes changes, java.time.Instant next, String action, String message);

    /**
     * Records a failed attempt on a claimed file: it goes back to its resting state with a retry time
     * (exponential backoff), or to QUARANTINED when {@code permanent} or the attempts are exhausted.
     */
    CatalogFile fail(CatalogFile claimed, String action, String error, boolean permanent);

    /**
     * Records, in one transaction and before anything is sent, the FTS job chosen for each claimed TAPE_SUBMITTED file
     * (its id, sid and submission number; not yet confirmed). The claims stay held. Files whose claim was lost are left
     * out of the result, untouched.
     */
    List<CatalogFile> recordTapeJobs(List<TapeJob.Plan> plans, String message);

    /** The recorded FTS jobs of these files (files without one are absent). */
    java.util.Map<Long, TapeJob> tapeJobs(Collection<Long> fileIds);

    /** Extends the lease of every claim this handle holds. */
    int renewClaims();

    /** Releases the claims of processes on this host that are no longer running; returns how many files. */
    int releaseClaimsOfDeadProcesses();

    void markLocalDeleted(CatalogFile file, String message);

    void markRawDeleted(CatalogFile file, String message);

    void recordEvent(long fileId, String action, boolean ok, String message);

    /** Records a failure that is not tied to a claim (cleanup, hand-back) and keeps it as the file's last error. */
    void recordError(long fileId, String action, String message);

    Optional<CatalogFile> find(String lfn);

    Optional<CatalogFile> get(long id);

    List<CatalogFile> list(FileFilter filter);

    long count(FileFilter filter);

    List<FileEvent> events(long fileId);

    List<StateCount> counts();

    /** Files of a disk whose storage copy is confirmed but whose DAQ copy is not yet deleted. */
    List<CatalogFile> awaitingLocalDelete(String disk, int limit);

    /** Files of a disk whose DAQ copy still exists or may exist (not yet deleted). */
    long countLocalCopies(String disk);

    /** ON_TAPE files whose uncompressed storage copy is not yet deleted. */
    List<CatalogFile> awaitingRawDelete(int limit);

    /** Puts quarantined (or failed, waiting) files back into their resting state for another try. */
    int retry(Collection<String> lfns);

    /** Puts every quarantined file back for another try. */
    int retryAllQuarantined();

    void putDisk(DiskRecord disk);

    Optional<DiskRecord> disk(String name);

    List<DiskRecord> disks();

    @Override
    void close();
}
