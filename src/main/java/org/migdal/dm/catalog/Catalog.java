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

    /**
     * Registers new files in batched transactions; files already known (same LFN) are left alone. When it returns, the
     * registrations are durable (on SQLite too, whose other commits are not synced: see {@link Registration}).
     */
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
    default List<CatalogFile> claim(Stage stage, int limit, Collection<String> disks) {
        return claim(stage, limit, disks, List.of());
    }

    /**
     * As {@link #claim(Stage, int, Collection)}, never one of the files with the ids in {@code passed}: a pass that claims one
     * file at a time does not take a file it already worked on again.
     */
    List<CatalogFile> claim(Stage stage, int limit, Collection<String> disks, Collection<Long> passed);

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
     * Records a failed attempt on a claimed file as {@link FailurePolicy} decides: back to its resting state with a retry
     * time (exponential backoff) and an attempt charged, to QUARANTINED when permanent or the attempts are exhausted, or,
     * for an endpoint failure, back to its resting state with nothing charged.
     */
    CatalogFile fail(CatalogFile claimed, String action, Failure failure);

    /** {@link #fail(CatalogFile, String, Failure)} for the file's own problem, or data contradicting itself ({@code permanent}). */
    default CatalogFile fail(CatalogFile claimed, String action, String error, boolean permanent) {
        return fail(claimed, action, permanent ? Failure.permanent(error) : Failure.file(error));
    }

    /**
     * Checks, right before a visible or destructive step, that this very claim (owner and token) still holds, and extends
     * its lease so the step can finish under it. Throws {@link LostClaimException} when it does not: the caller touches nothing.
     */
    CatalogFile fence(CatalogFile claimed);

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

    /**
     * Records an event not tied to a claim. The same event (action, result, message) as the file's last one is not
     * added again: the last one's repeat count and time move instead, so an unchanged condition does not grow history.
     */
    void recordEvent(long fileId, String action, boolean ok, String message);

    /**
     * Records a failure that is not tied to a claim (cleanup, hand-back) and keeps it as the file's last error; once per
     * condition, as {@link #recordEvent}.
     */
    void recordError(long fileId, String action, String message);

    Optional<CatalogFile> find(String lfn);

    Optional<CatalogFile> get(long id);

    List<CatalogFile> list(FileFilter filter);

    long count(FileFilter filter);

    List<FileEvent> events(long fileId);

    List<StateCount> counts();

    /** Files of a disk whose storage copy is confirmed but whose DAQ copy is not yet deleted. */
    default List<CatalogFile> awaitingLocalDelete(String disk, int limit) {
        return awaitingLocalDelete(disk, 0, limit);
    }

    /** As {@link #awaitingLocalDelete(String, int)}, the page of rows with an id above {@code afterId} (keyset paging). */
    List<CatalogFile> awaitingLocalDelete(String disk, long afterId, int limit);

    /**
     * Files of a disk whose DAQ copy still exists or may exist (not yet deleted), MISSING and FORGOTTEN files
     * excepted: they do not hold the disk back.
     */
    long countLocalCopies(String disk);

    /**
     * A claimed file whose DAQ copy vanished from a mounted, readable disk before it was shipped becomes MISSING,
     * with {@code reason} as its last error and in its history; the claim is released.
     */
    CatalogFile markMissing(CatalogFile claimed, String reason);

    /**
     * Gives a claimed file back, in its resting state and without charging an attempt: the work could not start for
     * a reason that is not the file's (its whole disk is unavailable). Recorded once per condition in its history.
     */
    CatalogFile putBack(CatalogFile claimed, String action, String message);

    /** Compression jobs in flight on a batch system, and the claims that apply their results. */
    BatchStore batch();

    /** MISSING or FORGOTTEN files of {@code disk} listed again by a scan go back to REGISTERED; returns how many. */
    int reappeared(String disk, List<NewFile> listed);

    /** An operator gives up MISSING files: they become FORGOTTEN (row and history kept); any other file is refused. */
    ForgetResult forget(Collection<String> lfns);

    /**
     * Records what one look at a DAQ disk found, once per condition, and clears what is gone; returns the findings
     * that are new. {@code listed}: the disk's files were listed (else only a disk-wide problem can be cleared).
     */
    List<ScanProblem.Finding> recordScanProblems(String disk, List<ScanProblem.Finding> found, boolean listed);

    /** Open scan problems of {@code disk} ({@code null}: every disk). */
    List<ScanProblem> openScanProblems(String disk);

    /**
     * ON_TAPE files whose uncompressed storage copy is not yet deleted and whose DAQ copy is: the raw storage copy is the
     * evidence a late delete of the DAQ copy ({@code clean}) relies on, so it goes only after the DAQ copy.
     */
    List<CatalogFile> awaitingRawDelete(int limit);

    /** Puts quarantined (or failed, waiting) files back into their resting state for another try; a MISSING file back to REGISTERED. */
    int retry(Collection<String> lfns);

    /** Puts every quarantined file back for another try. */
    int retryAllQuarantined();

    /** Records that an endpoint failed as a whole; probes back off while it stays DOWN. */
    EndpointStatus endpointDown(String url, String reason);

    /** Records that an endpoint proved healthy; returns its status before (DOWN: an outage just ended). */
    Optional<EndpointStatus> endpointUp(String url);

    Optional<EndpointStatus> endpoint(String url);

    List<EndpointStatus> endpoints();

    void putDisk(DiskRecord disk);

    /** The inode of a DAQ disk's root when it was last scanned, if known. */
    java.util.OptionalLong diskRootInode(String disk);

    /** Remembers the inode of a DAQ disk's root (at a scan of the flagged disk). */
    void rememberDiskRoot(String disk, String path, long inode);

    Optional<DiskRecord> disk(String name);

    List<DiskRecord> disks();

    @Override
    void close();
}
