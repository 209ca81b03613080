package org.migdal.dm.archive;

import org.migdal.dm.batch.Condor;
import org.migdal.dm.batch.CondorException;
import org.migdal.dm.batch.JobId;
import org.migdal.dm.catalog.BatchJob;
import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.compress.JobResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * What happens to a batch job once its status is known — the one place that decides it:
 * <ul>
 *   <li>terminated: its result (the job's output) is applied under the claim by {@link CompressionResults}; no result, or
 *   one the storage contradicts, is a failure of the file;</li>
 *   <li>held for a passing reason (transfer errors, failed to start, held by the startd): released, at most
 *   {@code maxReleases} times; held for any other reason, or once more: removed, and a failure of the file with the hold
 *   reason. A job an operator held ({@code condor_hold}, code 1) is left to the operator;</li>
 *   <li>removed by someone else or lost: a failure of the file;</li>
 *   <li>idle, running, evicted: waits.</li>
 * </ul>
 * A failure of the file goes through the one failure policy ({@code Catalog.fail}); an unreachable schedd stops here
 * ({@link CondorException}) and charges nothing.
 */
public final class GridDecisions {
    private static final Logger log = LoggerFactory.getLogger(GridDecisions.class);
    /** HoldReasonCodes worth a release: FailedToCreateProcess, TransferOutputError, TransferInputError, StartdHeldJob. */
    static final Set<Integer> TRANSIENT_HOLDS = Set.of(6, 12, 13, 21);
    static final int OPERATOR_HOLD = 1;

    private final Catalog catalog;
    private final Condor condor;
    private final CompressionResults results;
    private final int maxReleases;

    public GridDecisions(Catalog catalog, Condor condor, CompressionResults results, int maxReleases) {
        this.catalog = catalog;
        this.condor = condor;
        this.results = results;
        this.maxReleases = maxReleases;
    }

    /** Counts of one collection. */
    public static final class Tally {
        private ArchiveReport report = new ArchiveReport(0, 0, 0, 0, 0, 0);
        private int released;
        private int removed;
        private int endpointFailures;
        private String outage;

        void add(CompressionResults.Applied applied, CatalogFile f, JobResult r) {
            report = report.plus(Compression.report(applied, f, r));
            if (applied == CompressionResults.Applied.ENDPOINT_DOWN) {
                endpointFailures++;
            }
        }

        /** Jobs that failed for a reason of the storage as a whole or of their credential: no file was charged. */
        public int endpointFailures() {
            return endpointFailures;
        }

        void outage(CondorException e) {
            outage = e.getMessage();
        }

        public ArchiveReport report() {
            return report;
        }

        public int released() {
            return released;
        }

        public int removed() {
            return removed;
        }

        public Optional<String> outage() {
            return Optional.ofNullable(outage);
        }
    }

    public void act(BatchJob.Cycle cycle, BatchJob j, Tally tally) throws CondorException {
        JobId id = j.proc() == null ? null : new JobId(cycle.cluster(), j.proc());
        switch (j.status()) {
            case PLANNED, IDLE, RUNNING -> { }
            case HELD -> held(cycle, j, id, tally);
            case ENDED -> ended(cycle, j, id, tally);
            case REMOVED -> fail(j, j.detail(), tally);
        }
    }

    private void held(BatchJob.Cycle cycle, BatchJob j, JobId id, Tally tally) throws CondorException {
        int code = j.code() == null ? 0 : j.code();
        if (code == OPERATOR_HOLD) {
            return; // an operator's condor_hold: theirs to release or remove
        }
        if (TRANSIENT_HOLDS.contains(code) && j.releases() < maxReleases) {
            condor.release(id);
            catalog.batch().status(j.fileId(), BatchJob.Status.IDLE, null, "HTCondor job " + id + " released (" + (j.releases() + 1)
                    + " of " + maxReleases + ") after hold: " + j.detail(), true);
            catalog.recordEvent(j.fileId(), "compress-hold", false, "HTCondor job " + id + " was held: " + j.detail()
                    + "; released (" + (j.releases() + 1) + " of at most " + maxReleases + ")");
            tally.released++;
            return;
        }
        String why = TRANSIENT_HOLDS.contains(code) ? "held again after " + j.releases() + " releases" : "held for a reason a"
                + " release does not cure";
        condor.remove(id, "migdal-dm: " + why);
        tally.removed++;
        fail(j, "HTCondor job " + id + " " + why + ": " + j.detail() + "; the job was removed", tally);
    }

    private void ended(BatchJob.Cycle cycle, BatchJob j, JobId id, Tally tally) {
        Path out = Path.of(cycle.dir(), id.cluster() + "." + id.proc() + ".out");
        Optional<CatalogFile> claimed = catalog.batch().claim(j);
        if (claimed.isEmpty()) {
            forgetIfGone(j);
            return;
        }
        CompressionJob job = job(j);
        JobResult result = read(out);
        CompressionResults.Applied applied;
        if (result == null) {
            applied = results.missing(claimed.get(), job, j.detail() + "; no result in " + out + tail(Path.of(cycle.dir(),
                    id.cluster() + "." + id.proc() + ".err")));
        } else {
            applied = results.apply(claimed.get(), job, result, "HTCondor");
        }
        catalog.batch().finish(j.fileId());
        tally.add(applied, claimed.get(), result);
    }

    /** Jobs recorded but never queued (condor_submit refused, its answer lost and no job found): the files go back, uncharged. */
    public void neverSubmitted(BatchJob j, String why, Tally tally) {
        Optional<CatalogFile> claimed = catalog.batch().claim(j);
        if (claimed.isPresent()) {
            try {
                catalog.putBack(claimed.get(), "compress-submit", "HTCondor job " + j.job() + " was never queued: " + why
                        + "; no attempt charged");
            } catch (LostClaimException e) {
                log.warn("{}", e.getMessage());
            }
            results.removeTemp(job(j));
            catalog.batch().finish(j.fileId());
        } else {
            forgetIfGone(j);
        }
    }

    private void fail(BatchJob j, String why, Tally tally) {
        Optional<CatalogFile> claimed = catalog.batch().claim(j);
        if (claimed.isEmpty()) {
            forgetIfGone(j);
            return;
        }
        CompressionResults.Applied applied = results.missing(claimed.get(), job(j), why);
        catalog.batch().finish(j.fileId());
        tally.add(applied, claimed.get(), null);
    }

    private void forgetIfGone(BatchJob j) {
        forgetIfGone(catalog, j);
    }

    /**
     * A job whose file could not be claimed: when the file no longer waits for it (not COMPRESSING, or gone: an operator,
     * another collector) the record is stale and dropped (true); otherwise a live process holds the file (false).
     */
    public static boolean forgetIfGone(Catalog catalog, BatchJob j) {
        Optional<CatalogFile> f = catalog.get(j.fileId());
        if (f.isEmpty() || f.get().state() != org.migdal.dm.catalog.FileState.COMPRESSING) {
            catalog.batch().finish(j.fileId());
            return true;
        }
        return false;
    }

    /** The job recorded for a file, as it was submitted. */
    public static CompressionJob job(BatchJob j) {
        try {
            return CompressionJob.fromJson(j.jobJson());
        } catch (IOException e) {
            throw new IllegalStateException("the recorded job " + j.job() + " of file " + j.fileId() + " cannot be read: " + e.getMessage(), e);
        }
    }

    private JobResult read(Path out) {
        try {
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? null : JobResult.fromJson(text);
        } catch (IOException e) {
            log.warn("the job output {} holds no result: {}", out, e.getMessage());
            return null;
        }
    }

    private static String tail(Path err) {
        try {
            String text = Files.readString(err, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "" : "; its stderr ends: " + text.substring(Math.max(0, text.length() - 600));
        } catch (IOException e) {
            return "";
        }
    }
}
