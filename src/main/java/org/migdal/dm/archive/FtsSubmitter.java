package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.catalog.TapeJob;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.FtsException;
import org.migdal.dm.fts.Submission;
import org.migdal.dm.fts.SubmitResult;
import org.migdal.dm.fts.TapeSubmissionBuilder;
import org.migdal.dm.fts.TransferFile;
import org.migdal.dm.storage.StorageEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Hands files to FTS3 so that a crash at any instant loses nothing and duplicates nothing (issue 10, defect 7):
 * <ol>
 *   <li>the job of each file is chosen first: its sid comes from the file's LFN, tape destination and per-file
 *       submission number, and FTS's deterministic id from the sid ({@link FtsClient#expectedJobId});</li>
 *   <li>the job id and sid of every claimed file are recorded in the catalog, in one transaction, while the claims
 *       hold;</li>
 *   <li>only then is the job POSTed; FTS's acknowledgement (200, or 409 "sid duplicated", or the job found after a lost
 *       reply) is recorded as the job's confirmation together with the release of the file.</li>
 * </ol>
 * A file found later TAPE_SUBMITTED with a recorded, unconfirmed job (the process died, or FTS was unusable) is looked up
 * at FTS by whoever takes it ({@link FtsMover}); only when FTS definitively does not know the job is it POSTed again,
 * with the recorded sid, hence the same id ({@link #resubmit}).
 *
 * <p>A failure of the request (400, 409 on the destination) fails its files. A failure of the FTS server
 * ({@link FtsException#isServerWide()}: unreachable, timeout, 5xx, TLS, authentication, delegation) charges no file:
 * every claimed file is released with its recorded job, to be looked up later, and the cycle's tape work stops with a
 * {@link FtsMover.Refused} naming the server and its reply.
 */
final class FtsSubmitter {
    private static final Logger log = LoggerFactory.getLogger(FtsSubmitter.class);

    private final Catalog catalog;
    private final StorageEndpoint disk;
    private final StorageEndpoint tape;
    private final FtsClient fts;
    private final FtsMover.Settings settings;
    private final Clock clock;

    FtsSubmitter(Catalog catalog, StorageEndpoint disk, StorageEndpoint tape, FtsClient fts, FtsMover.Settings settings,
                 Clock clock) {
        this.catalog = Objects.requireNonNull(catalog);
        this.disk = Objects.requireNonNull(disk);
        this.tape = Objects.requireNonNull(tape);
        this.fts = Objects.requireNonNull(fts);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
    }

    /** A job to POST: the submission and the claimed files in it, in the order of its files. */
    private record Pending(Submission submission, List<CatalogFile> files) {
    }

    /** Claims COMPRESSED files, records a new FTS job for each, then submits. */
    void submitNew(FtsMover.Counter c) {
        List<CatalogFile> claimed = catalog.claim(Stage.TAPE, settings.batch());
        if (claimed.isEmpty()) {
            return;
        }
        Map<Long, TapeJob> earlier = catalog.tapeJobs(claimed.stream().map(CatalogFile::id).toList());
        TapeSubmissionBuilder builder = builder();
        Map<String, CatalogFile> byDestination = new HashMap<>();
        for (CatalogFile f : claimed) {
            TapeJob before = earlier.get(f.id());
            TapeSubmissionBuilder.TapeFile tf = tapeFile(f, (before == null ? 0 : before.submissions()) + 1, c);
            if (tf != null) {
                builder.add(tf);
                byDestination.put(tf.destination(), f);
            }
        }
        if (byDestination.isEmpty()) {
            return;
        }
        List<TapeJob.Plan> plans = new ArrayList<>();
        List<Submission> submissions = builder.build();
        for (Submission s : submissions) {
            String jobId = expectedJobId(s.sid());
            for (TransferFile tf : s.files()) {
                plans.add(new TapeJob.Plan(byDestination.get(tf.destinations().get(0)), jobId, s.sid(),
                        tf.metadata().get("submission").asInt()));
            }
        }
        Map<Long, CatalogFile> recorded = new HashMap<>();
        for (CatalogFile f : catalog.recordTapeJobs(plans, "to " + fts.settings().endpoint())) {
            recorded.put(f.id(), f);
        }
        List<Pending> pending = new ArrayList<>();
        for (Submission s : submissions) {
            List<CatalogFile> files = new ArrayList<>();
            List<TransferFile> kept = new ArrayList<>();
            for (TransferFile tf : s.files()) {
                CatalogFile f = recorded.get(byDestination.get(tf.destinations().get(0)).id());
                if (f != null) { // else its claim was lost: not ours to send
                    files.add(f);
                    kept.add(tf);
                }
            }
            if (!files.isEmpty()) {
                pending.add(new Pending(kept.size() == s.files().size() ? s : new Submission(kept, s.params()), files));
            }
        }
        post(pending, c);
    }

    /**
     * Submits again, with the recorded sid (so the same job id), files whose recorded job FTS definitively does not know
     * (404) and never confirmed: the process that recorded it died before or during the POST, or FTS was unusable.
     */
    void resubmit(List<CatalogFile> files, Map<Long, TapeJob> jobs, FtsMover.Counter c) {
        // recorded again (same id, sid and submission): the claim is checked, in the catalog, right before the POST
        List<TapeJob.Plan> plans = new ArrayList<>();
        for (CatalogFile f : files) {
            TapeJob t = jobs.get(f.id());
            plans.add(new TapeJob.Plan(f, t.jobId(), t.sid(), Math.max(1, t.submissions())));
        }
        Map<String, List<CatalogFile>> bySid = new LinkedHashMap<>();
        for (CatalogFile f : catalog.recordTapeJobs(plans, "FTS does not know it (404): submitted again with the same id")) {
            bySid.computeIfAbsent(jobs.get(f.id()).sid(), k -> new ArrayList<>()).add(f);
        }
        TapeSubmissionBuilder builder = builder();
        List<Pending> pending = new ArrayList<>();
        for (Map.Entry<String, List<CatalogFile>> e : bySid.entrySet()) {
            List<TapeSubmissionBuilder.TapeFile> tfs = new ArrayList<>();
            List<CatalogFile> kept = new ArrayList<>();
            for (CatalogFile f : e.getValue()) {
                TapeSubmissionBuilder.TapeFile tf = tapeFile(f, Math.max(1, jobs.get(f.id()).submissions()), c);
                if (tf != null) {
                    tfs.add(tf);
                    kept.add(f);
                }
            }
            if (!tfs.isEmpty()) {
                pending.add(new Pending(builder.submission(tfs, e.getKey()), kept));
            }
        }
        post(pending, c);
    }

    private TapeSubmissionBuilder builder() {
        return new TapeSubmissionBuilder(settings.runId(), settings.archiveTimeout()).maxFilesPerJob(settings.filesPerJob())
                .retry(settings.retry());
    }

    /** The file as FTS gets it, or null when it cannot be handed to FTS (the file is failed, with the reason). */
    private TapeSubmissionBuilder.TapeFile tapeFile(CatalogFile f, int submission, FtsMover.Counter c) {
        if (f.compressedName() == null || f.compressedSize() == null || f.compressedAdler32() == null) {
            c.failure(catalog, f, "tape-submit", "no compressed copy is recorded; cannot archive", true);
            return null;
        }
        String name = f.compressedName();
        try {
            TapeSubmissionBuilder.TapeFile tf = new TapeSubmissionBuilder.TapeFile(f.lfn(), String.valueOf(f.id()),
                    f.attempts() + 1, submission, disk.urlOf(name), tape.urlOf(name), f.compressedAdler32(), f.compressedSize());
            // the checks FTS makes on every URL (no file://, scheme, host and path), per file so one bad row stays alone
            TransferFile.of(tf.source(), tf.destination(), "ADLER32:" + tf.adler32(), tf.size(), null);
            return tf;
        } catch (IllegalArgumentException e) {
            c.failure(catalog, f, "tape-submit", "cannot hand " + name + " to FTS3: " + e.getMessage(), false);
            return null;
        }
    }

    /** FTS's deterministic id for this sid, from the {@code /whoami} answer that {@link FtsMover} checked before claiming. */
    private String expectedJobId(String sid) {
        try {
            return fts.expectedJobId(sid);
        } catch (FtsException e) {
            throw new IllegalStateException("FTS job ids cannot be computed after the /whoami check passed: " + e.getMessage(), e);
        }
    }

    /** POSTs each job in turn; stops at the first server-wide failure, releasing every file still held. */
    private void post(List<Pending> pending, FtsMover.Counter c) {
        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            SubmitResult r;
            try {
                r = fts.submit(p.submission());
            } catch (FtsException e) {
                if (e.isServerWide()) {
                    int released = 0;
                    for (Pending rest : pending.subList(i, pending.size())) {
                        released += releaseUnsent(rest, e);
                    }
                    throw FtsMover.serverDown(fts, "submitting " + p.files().size() + " files", e, released);
                }
                for (CatalogFile f : p.files()) {
                    c.failure(catalog, f, "tape-submit", "FTS3 refused the submission of job " + expectedJobId(p.submission().sid())
                            + " (sid " + p.submission().sid() + "): " + e.getMessage(), false);
                }
                continue;
            }
            handedOver(p, r, c);
        }
    }

    private void handedOver(Pending p, SubmitResult r, FtsMover.Counter c) {
        Instant now = clock.instant();
        Instant next = now.plus(settings.pollInterval());
        c.cycle = c.cycle.plus(new FtsMover.Cycle(p.files().size(), 1, 0, 0, 0, 0, 0));
        for (int i = 0; i < p.files().size(); i++) {
            CatalogFile f = p.files().get(i);
            TransferFile tf = p.submission().files().get(i);
            try {
                catalog.release(f, Changes.none().tapeTransferId(r.jobId()).tapeJobConfirmed(now), next, "tape-submit",
                        "handed to FTS3 " + fts.settings().endpoint() + " as job " + r.jobId()
                                + (r.outcome() == SubmitResult.Outcome.SUBMITTED ? "" : " (" + r.outcome().name().toLowerCase(Locale.ROOT)
                                .replace('_', ' ') + ")")
                                + ", attempt " + (f.attempts() + 1) + ", submission " + tf.metadata().get("submission").asInt()
                                + ", sid " + r.sid() + ": " + tf.sources().get(0) + " → " + tf.destinations().get(0) + ", "
                                + f.compressedSize() + " bytes, " + tf.checksum() + ", archive_timeout "
                                + settings.archiveTimeout().toHours() + " h");
            } catch (LostClaimException e) {
                log.warn("{}", e.getMessage());
            }
        }
        log.info("FTS3 job {} ({}): {} files to tape", r.jobId(), r.outcome(), p.files().size());
    }

    /** FTS is unusable: the file keeps its recorded job (looked up before any new POST) and waits; nothing is charged. */
    private int releaseUnsent(Pending p, FtsException e) {
        Instant next = clock.instant().plus(settings.pollInterval());
        int n = 0;
        for (CatalogFile f : p.files()) {
            try {
                catalog.release(f, Changes.none(), next, "tape-wait", "not handed to FTS3: the server " + fts.settings().endpoint()
                        + " is unusable (" + e.kind() + ": " + e.getMessage() + "); FTS job " + f.tapeTransferId()
                        + " stays recorded and is looked up before anything is submitted again; no attempt charged");
                n++;
            } catch (LostClaimException lost) {
                log.warn("{}", lost.getMessage());
            }
        }
        return n;
    }
}
