package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.TapeJob;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.FtsException;
import org.migdal.dm.fts.FtsStates;
import org.migdal.dm.fts.Job;
import org.migdal.dm.fts.JobFile;
import org.migdal.dm.fts.JobLookup;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The FTS3 tape mover ({@code archive.mover: fts}): hands compressed copies to FTS3 as tape jobs with archive monitoring
 * (so FINISHED means "on tape", reference §3.3) and follows them with bulk polling until each file is ON_TAPE, retried,
 * or QUARANTINED with FTS's reason.
 *
 * <p>One {@link #move()} is: check the delegation (X509 only; a token-only client is refused before any file is
 * touched, reference §6), submit the COMPRESSED files it can claim ({@link #submit()}), then check the files in flight
 * that are due ({@link #poll()}) with one {@code GET /jobs/{id1},…?files=…} per ≤ 100 jobs, never one request per file.
 *
 * <p>Submission is crash-safe ({@link FtsSubmitter}): the job id of every file is recorded in the catalog before the
 * POST; a file found later with a recorded job that FTS never confirmed is looked up first, adopted if FTS has it, and
 * submitted again with the same id only if FTS definitively does not know it. A failure of the FTS server itself
 * ({@link FtsException#isServerWide()}: unreachable, timeout, 5xx, TLS, authentication, delegation) charges no file: the
 * files held are released as they are, tape work stops for the cycle, and {@link Refused} names the server and why.
 *
 * <p>A file's row in a job is the one with the destination URL we sent, and it is believed only when it also carries
 * the size and adler32 we sent ({@link FtsRows}): another catalog using the same proxy and FTS may have jobs about
 * other files, even under the same catalog ids.
 *
 * <p>State mapping per file (reference §7, Rucio's):
 * <ul>
 *   <li>FINISHED, with our destination, size and adler32 → ON_TAPE, with the job id and FTS's copy and archive finish
 *       times in the history; FINISHED about anything else → a failure naming both;</li>
 *   <li>FAILED/CANCELED → {@link Catalog#fail} ("FTS job id: reason"), i.e. back to COMPRESSED with backoff and a new
 *       attempt (a new submission number, so a new sid and a new job), QUARANTINED with FTS's reason after the attempt
 *       limit; except when the reason says the destination exists (on tape / overwrite not enabled) and the
 *       {@code dst_file} report matches the size and adler32 and says {@code file_on_tape}: that is success;</li>
 *   <li>any other state (SUBMITTED, ACTIVE, ARCHIVING, STAGING…) → released, checked again later with growing intervals;
 *       a file in flight longer than archive timeout + margin (counted from FTS's submit time) is cancelled at FTS and
 *       failed, so no file stays TAPE_SUBMITTED forever;</li>
 *   <li>job unknown to FTS (404) that FTS never confirmed → submitted now, with the recorded sid (the same id), no
 *       attempt charged;</li>
 *   <li>job unknown to FTS (purged, 404) that FTS had confirmed → last-chance check on the tape endpoint: the right size
 *       and adler32 (and the tape flag where the endpoint reports one) is success, anything else fails the attempt and
 *       the file is resubmitted;</li>
 *   <li>per-job lookup error (403, missing from the reply) → checked again later, within the same in-flight limit; the
 *       whole status request failing (FTS unreachable, 5xx, TLS, authentication) → every file released as it is and
 *       {@link Refused}.</li>
 * </ul>
 *
 * <p>Source and destination URLs are the storage endpoints' own URLs ({@link StorageEndpoint#urlOf}) of the compressed
 * copy: what FTS copies is exactly what the catalog names. FTS refuses {@code file://} URLs, so the configuration does
 * not allow this mover with {@code file://} storage.
 */
public final class FtsMover implements TapeMover {
    private static final Logger log = LoggerFactory.getLogger(FtsMover.class);
    private static final Duration MAX_POLL_INTERVAL = Duration.ofHours(1);

    /**
     * @param batch          COMPRESSED files claimed for submission per cycle
     * @param pollLimit      in-flight files checked per cycle at most
     * @param filesPerJob    files per FTS job (1..1000)
     * @param archiveTimeout FTS {@code archive_timeout}: how long the tape system has to confirm a copy
     * @param retry          FTS retries per file inside a job
     * @param pollInterval   the shortest interval between two checks of a file (growing with its time in flight)
     * @param inFlightMargin added to the archive timeout: after that long in flight a job is cancelled and its files failed
     * @param runId          names the cycle in the jobs' metadata
     */
    public record Settings(int batch, int pollLimit, int filesPerJob, Duration archiveTimeout, int retry, Duration pollInterval,
                           Duration inFlightMargin, String runId) {
        public Settings {
            if (batch < 1 || pollLimit < 1) {
                throw new IllegalArgumentException("batch and pollLimit must be at least 1");
            }
            Objects.requireNonNull(archiveTimeout, "archiveTimeout");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(inFlightMargin, "inFlightMargin");
            runId = runId == null ? "migdal-dm" : runId;
        }

        public Duration maxInFlight() {
            return archiveTimeout.plus(inFlightMargin);
        }
    }

    /**
     * The FTS mover will not run, or stopped its tape work for this cycle: the FTS server (or our credential there) is
     * unusable. No file was charged an attempt; the message names the server and why.
     */
    public static final class Refused extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What the last cycle did at FTS: submissions, and how many status requests the poll made. */
    public record Cycle(int filesSubmitted, int jobsSubmitted, int filesPolled, int jobsPolled, int statusRequests,
                        int stillInFlight, int cancelled) {
        static final Cycle NONE = new Cycle(0, 0, 0, 0, 0, 0, 0);

        public Cycle plus(Cycle o) {
            return new Cycle(filesSubmitted + o.filesSubmitted, jobsSubmitted + o.jobsSubmitted, filesPolled + o.filesPolled,
                    jobsPolled + o.jobsPolled, statusRequests + o.statusRequests, stillInFlight + o.stillInFlight,
                    cancelled + o.cancelled);
        }
    }

    private final Catalog catalog;
    private final StorageEndpoint disk;
    private final StorageEndpoint tape;
    private final FtsClient fts;
    private final Settings settings;
    private final Clock clock;
    private final FtsSubmitter submitter;
    private final CopyCheck.Residency residency;
    private volatile Cycle last = Cycle.NONE;

    /** Tape residency required where the tape endpoint can tell ({@code archive.requireTapeResidency}, the default). */
    public FtsMover(Catalog catalog, StorageEndpoint disk, StorageEndpoint tape, FtsClient fts, Settings settings, Clock clock) {
        this(catalog, disk, tape, fts, settings, clock, CopyCheck.Residency.REQUIRED);
    }

    /**
     * {@code residency}: how a FINISHED (or already-on-tape, or purged) file is confirmed at the tape endpoint before it
     * is ON_TAPE ({@link CopyCheck}): FTS's word alone is never enough.
     */
    public FtsMover(Catalog catalog, StorageEndpoint disk, StorageEndpoint tape, FtsClient fts, Settings settings, Clock clock,
                    CopyCheck.Residency residency) {
        this.residency = Objects.requireNonNull(residency);
        this.catalog = Objects.requireNonNull(catalog);
        this.disk = Objects.requireNonNull(disk);
        this.tape = Objects.requireNonNull(tape);
        this.fts = Objects.requireNonNull(fts);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
        this.submitter = new FtsSubmitter(catalog, disk, tape, fts, settings, clock);
    }

    /** What the last {@link #move()}, {@link #submit()} or {@link #poll()} did at FTS. */
    public Cycle lastCycle() {
        return last;
    }

    /** Delegation check, then submission of COMPRESSED files, then a check of the files in flight that are due. */
    @Override
    public ArchiveReport move() {
        prepare();
        Counter c = new Counter();
        try {
            submitter.submitNew(c);
            pollInFlight(c);
        } finally {
            last = c.cycle;
        }
        return c.report();
    }

    /** Only the submission half of {@link #move()} (delegation checked first). */
    public ArchiveReport submit() {
        prepare();
        Counter c = new Counter();
        try {
            submitter.submitNew(c);
        } finally {
            last = c.cycle;
        }
        return c.report();
    }

    /** Only the polling half of {@link #move()} (delegation checked first: archive monitoring uses the delegated proxy). */
    public ArchiveReport poll() {
        prepare();
        Counter c = new Counter();
        try {
            pollInFlight(c);
        } finally {
            last = c.cycle;
        }
        return c.report();
    }

    /** Refuses a token-only client, and keeps the delegated proxy fresh (reference §5, §6, §8). */
    private void prepare() {
        if (fts.isTokenMode()) {
            throw new Refused("FTS mover not started, no file touched: tape jobs need X509 proxy authentication and a"
                    + " delegated proxy, and only a bearer token is configured. FTS3 refuses archive_timeout and bring_online"
                    + " with token authentication (\"Requests to archive to tape using token authentication are not"
                    + " supported\") because it polls the tape system with the delegated X509 proxy (FTS3 reference §6)."
                    + " Provide a VOMS proxy (X509_USER_PROXY or credentials.proxy) and set fts.auth to x509 or auto", null);
        }
        try {
            fts.ensureDelegated();
        } catch (FtsException e) {
            throw new Refused("FTS mover not started, no file touched: cannot check or renew the delegated proxy at "
                    + fts.settings().endpoint() + ": " + e.getMessage(), e);
        }
        try {
            fts.expectedJobId("migdal-dm-check"); // job ids are recorded before each POST: they must be computable
        } catch (FtsException e) {
            throw new Refused("FTS mover not started, no file touched: " + e.getMessage(), e);
        }
    }

    /**
     * The one report of an FTS server that became unusable during a cycle: which server, what it (or the network)
     * answered, that tape work stopped, and that the files held were released without an attempt charged.
     */
    static Refused serverDown(FtsClient fts, String during, FtsException e, int released) {
        String msg = "FTS3 server " + fts.settings().endpoint() + " unusable while " + during + " (" + e.kind()
                + (e.status() > 0 ? ", HTTP " + e.status() : "") + "): " + e.getMessage() + "; tape work stopped for this"
                + " cycle, " + released + " claimed files released, no attempt charged";
        log.error("{}", msg);
        return new Refused(msg, e);
    }

    // ------------------------------------------------------------------ polling

    private void pollInFlight(Counter c) {
        List<CatalogFile> inFlight = catalog.claimInFlight(settings.pollLimit());
        if (inFlight.isEmpty()) {
            return;
        }
        Map<Long, TapeJob> recorded = catalog.tapeJobs(inFlight.stream().map(CatalogFile::id).toList());
        Map<String, List<CatalogFile>> byJob = new LinkedHashMap<>();
        for (CatalogFile f : inFlight) {
            if (isFtsJobId(f.tapeTransferId())) {
                byJob.computeIfAbsent(f.tapeTransferId(), k -> new ArrayList<>()).add(f);
            } else {
                // in flight without an FTS job (e.g. left by the built-in mover): the tape endpoint decides
                lastChance(f, "no FTS job is recorded for it (transfer " + f.tapeTransferId() + ")", c);
            }
        }
        if (byJob.isEmpty()) {
            return;
        }
        Map<String, JobLookup> status;
        try {
            status = lookup(new ArrayList<>(byJob.keySet()), c);
        } catch (FtsException e) {
            log.warn("FTS3 status check of {} jobs failed, checking again later: {}", byJob.size(), e.getMessage());
            Instant next = clock.instant().plus(settings.pollInterval());
            int released = 0;
            for (List<CatalogFile> fs : byJob.values()) {
                for (CatalogFile f : fs) {
                    c.cycle = c.cycle.plus(new Cycle(0, 0, 1, 0, 0, 1, 0));
                    released += release(f, Changes.none(), next, null) ? 1 : 0;
                }
            }
            if (e.isServerWide()) {
                throw serverDown(fts, "checking " + byJob.size() + " jobs", e, released);
            }
            return;
        }
        Set<String> cancelled = new HashSet<>();
        List<CatalogFile> neverSent = new ArrayList<>();
        for (Map.Entry<String, List<CatalogFile>> e : byJob.entrySet()) {
            String jobId = e.getKey();
            JobLookup l = status.get(jobId);
            c.cycle = c.cycle.plus(new Cycle(0, 0, e.getValue().size(), 1, 0, 0, 0));
            for (CatalogFile f : e.getValue()) {
                TapeJob t = recorded.get(f.id());
                boolean unconfirmed = t != null && t.isLive() && !t.isConfirmed() && jobId.equals(t.jobId());
                try {
                    switch (l.status()) {
                        case FOUND -> {
                            // a job we recorded but never heard back about is ours to follow now: adopt it
                            Changes seen = unconfirmed ? Changes.none().tapeJobConfirmed(clock.instant()) : Changes.none();
                            String destination = tape.urlOf(f.compressedName());
                            Optional<JobFile> jf = FtsRows.rowOf(l.job(), destination);
                            if (jf.isEmpty()) {
                                c.failure(catalog, f, "tape", FtsRows.absent(fts.settings().endpoint(), l.job(), f, destination), false);
                            } else {
                                judge(f, l.job(), jf.get(), destination, seen, c, cancelled);
                            }
                        }
                        case NOT_FOUND -> {
                            if (unconfirmed) {
                                neverSent.add(f); // recorded, never reached FTS: send it now, with the same id
                            } else {
                                lastChance(f, "FTS3 no longer knows job " + jobId + " (" + (l.message() == null
                                        ? l.httpStatus() : l.message()) + "; purged after its clean interval)", c);
                            }
                        }
                        case ERROR -> unknownState(f, jobId, l, c, cancelled);
                    }
                } catch (LostClaimException ex) {
                    log.warn("{}", ex.getMessage());
                }
            }
        }
        if (!neverSent.isEmpty()) {
            submitter.resubmit(neverSent, recorded, c);
        }
    }

    /** Bulk status of these jobs: one request per ≤ 100 ids (FtsClient chunks), counted. */
    private Map<String, JobLookup> lookup(List<String> ids, Counter c) throws FtsException {
        int requests = (ids.size() + FtsClient.MAX_IDS_PER_REQUEST - 1) / FtsClient.MAX_IDS_PER_REQUEST;
        c.cycle = c.cycle.plus(new Cycle(0, 0, 0, 0, requests, 0, 0));
        return fts.jobs(ids, FtsClient.POLL_FILE_FIELDS);
    }

    /**
     * Decides one file from its row (the one with our destination) in a job FTS knows; {@code seen} carries the job's
     * confirmation when it was recorded but not yet acknowledged.
     */
    private void judge(CatalogFile f, Job job, JobFile jf, String destination, Changes seen, Counter c, Set<String> cancelled) {
        String state = jf.fileState();
        String jobId = job.jobId();
        if (FtsStates.FINISHED.equals(state)) {
            Optional<String> other = FtsRows.mismatch(fts.settings().endpoint(), job, jf, f, destination);
            if (other.isPresent()) {
                c.failure(catalog, f, "tape", other.get(), false);
                return;
            }
            Instant copied = jf.finishTime();
            Instant archived = jf.archiveFinishTime();
            Instant at = archived != null ? archived : copied != null ? copied : job.jobFinished();
            String msg = "on tape: FTS3 job " + jobId + " FINISHED at " + at + " (copied " + copied + ", tape confirmed "
                    + archived + " through archive monitoring); " + jf.destSurl() + ", " + f.compressedSize()
                    + " bytes, adler32 " + f.compressedAdler32() + " verified by FTS at both ends";
            confirmOnTape(f, job, msg, seen, c);
            return;
        }
        if (FtsStates.isFileFinal(state, job.jobState())) {
            String reason = jf.reason().isEmpty() ? (job.reason().isEmpty() ? state : job.reason()) : jf.reason();
            Optional<String> exists = existsOnTape(jf, f);
            if (exists.isPresent()) {
                confirmOnTape(f, job, "on tape: FTS3 job " + jobId + " " + state + " with \"" + reason + "\", but its dst_file"
                        + " report shows the destination " + jf.destSurl() + " " + exists.get() + ": the copy on tape is this file",
                        seen, c);
                return;
            }
            c.failure(catalog, f, "tape", "FTS job " + jobId + ": " + reason, false);
            return;
        }
        // not final yet: SUBMITTED, READY, ACTIVE, ARCHIVING, STAGING, ON_HOLD, NOT_USED in a live job …
        Instant since = job.submitTime() != null ? job.submitTime() : clock.instant();
        Duration inFlight = Duration.between(since, clock.instant());
        if (inFlight.compareTo(settings.maxInFlight()) > 0) {
            String why = cancel(jobId, cancelled, c);
            c.failure(catalog, f, "tape", "FTS job " + jobId + ": still " + state + " after " + hours(inFlight)
                    + " in flight (archive timeout " + hours(settings.archiveTimeout()) + " + margin "
                    + hours(settings.inFlightMargin()) + "); " + why + "; it will be submitted again", false);
            return;
        }
        c.cycle = c.cycle.plus(new Cycle(0, 0, 0, 0, 0, 1, 0));
        release(f, seen, clock.instant().plus(nextPoll(inFlight, settings.pollInterval())), null);
    }

    /**
     * FTS says the file is on tape; the tape endpoint must say so too ({@link CopyCheck}): the right size and adler32, and
     * a tape copy where the endpoint can tell. Then ON_TAPE with the evidence. A copy of the wrong size or checksum, or
     * none, fails the attempt (submitted again); a copy not yet reported on tape, or an endpoint that cannot answer now,
     * is checked again later, within the in-flight limit.
     */
    private void confirmOnTape(CatalogFile f, Job job, String ftsSays, Changes seen, Counter c) {
        String jobId = job.jobId();
        String problem;
        try {
            CopyCheck.Outcome copy = CopyCheck.confirm(tape, f.compressedName(), f.compressedSize(),
                    Checksum.adler32(f.compressedAdler32()), residency);
            if (copy instanceof CopyCheck.Confirmed ok) {
                catalog.advance(f, FileState.ON_TAPE, seen.tapeTransferId(jobId).tapeEvidence(ok.evidence().tape()),
                        "tape", ftsSays + "; the tape endpoint confirms: " + ok.evidence().describe());
                c.onTape++;
                return;
            }
            CopyCheck.Mismatch m = (CopyCheck.Mismatch) copy;
            if (m.problem() != CopyCheck.Problem.NOT_ON_TAPE) {
                c.failure(catalog, f, "tape", "FTS job " + jobId + " says the file is on tape, but " + m.message()
                        + "; it will be submitted again", false);
                return;
            }
            problem = m.message();
        } catch (StorageException e) {
            problem = "the tape endpoint could not be asked (" + e.kind() + "): " + e.getMessage();
        }
        Instant since = job.submitTime() != null ? job.submitTime() : clock.instant();
        Duration inFlight = Duration.between(since, clock.instant());
        if (inFlight.compareTo(settings.maxInFlight()) > 0) {
            c.failure(catalog, f, "tape", "FTS job " + jobId + " says the file is on tape, but after " + hours(inFlight)
                    + " the tape endpoint still does not confirm it: " + problem + "; it will be submitted again", false);
            return;
        }
        log.warn("FTS3 job {} says {} is on tape, not yet confirmed by the tape endpoint: {}", jobId, f.lfn(), problem);
        c.cycle = c.cycle.plus(new Cycle(0, 0, 0, 0, 0, 1, 0));
        String note = "FTS job " + jobId + " says the file is on tape; not yet confirmed by the tape endpoint (" + problem
                + "); checking again later";
        List<FileEvent> history = catalog.events(f.id());
        boolean repeated = !history.isEmpty() && note.equals(history.get(history.size() - 1).message());
        release(f, seen, clock.instant().plus(nextPoll(inFlight, settings.pollInterval())), repeated ? null : note); // once per condition
    }

    /**
     * The exception of reference §7: the file failed because its destination exists (on tape, or overwrite is not
     * enabled), and the {@code dst_file} report shows the same size and adler32, on tape. Returns what was found.
     */
    static Optional<String> existsOnTape(JobFile jf, CatalogFile f) {
        String reason = jf.reason().toLowerCase(Locale.ROOT);
        if (!reason.contains("destination file exists and is on tape") && !reason.contains("overwrite is not enabled")) {
            return Optional.empty();
        }
        Optional<JobFile.DstFile> d = jf.dstFile();
        if (d.isEmpty() || d.get().fileSize() == null || !d.get().fileSize().equals(f.compressedSize())) {
            return Optional.empty();
        }
        Checksum sum;
        try {
            sum = Checksum.parse(d.get().checksumType(), d.get().checksumValue());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!sum.equals(Checksum.adler32(f.compressedAdler32())) || !d.get().fileOnTape()) {
            return Optional.empty();
        }
        return Optional.of("with " + d.get().fileSize() + " bytes, adler32 " + sum + " and file_on_tape true");
    }

    /** A lookup error: try again later, but not past the in-flight limit (counted from the last submission event). */
    private void unknownState(CatalogFile f, String jobId, JobLookup l, Counter c, Set<String> cancelled) {
        Instant since = lastSubmission(f).orElse(f.tapeSubmittedAt() != null ? f.tapeSubmittedAt() : clock.instant());
        Duration inFlight = Duration.between(since, clock.instant());
        String what = l.message() != null ? l.message() : String.valueOf(l.httpStatus());
        if (inFlight.compareTo(settings.maxInFlight()) > 0) {
            String why = cancel(jobId, cancelled, c);
            c.failure(catalog, f, "tape", "FTS job " + jobId + " could not be checked for " + hours(inFlight) + " ("
                    + what + "); " + why + "; it will be submitted again", false);
            return;
        }
        log.warn("FTS3 job {}: cannot read its state ({}); checking {} again later", jobId, what, f.lfn());
        c.cycle = c.cycle.plus(new Cycle(0, 0, 0, 0, 0, 1, 0));
        release(f, Changes.none(), clock.instant().plus(nextPoll(inFlight, settings.pollInterval())), null);
    }

    private Optional<Instant> lastSubmission(CatalogFile f) {
        List<FileEvent> events = catalog.events(f.id());
        Instant latest = null;
        for (FileEvent e : events) {
            if ("tape-submit".equals(e.action()) && e.ok() && (latest == null || e.at().isAfter(latest))) {
                latest = e.at();
            }
        }
        return Optional.ofNullable(latest);
    }

    /** Cancels a job once per cycle; says what happened, for the file's history. */
    private String cancel(String jobId, Set<String> cancelled, Counter c) {
        if (!cancelled.add(jobId)) {
            return "job cancelled at FTS";
        }
        try {
            var r = fts.cancel(jobId);
            c.cycle = c.cycle.plus(new Cycle(0, 0, 0, 0, 0, 0, 1));
            return r.alreadyTerminal() ? "the job was already " + r.job().jobState() + " at FTS" : "job cancelled at FTS";
        } catch (FtsException e) {
            log.warn("cannot cancel FTS3 job {}: {}", jobId, e.getMessage());
            return "cancelling it at FTS failed (" + e.getMessage() + ")";
        }
    }

    /**
     * FTS does not know the job (purged) or none is recorded: the tape endpoint decides ({@link CopyCheck}). The right
     * size and adler32, and a tape copy where the endpoint can tell, is success; anything else fails the attempt
     * (resubmission).
     */
    private void lastChance(CatalogFile f, String why, Counter c) {
        String name = f.compressedName();
        if (name == null || f.compressedSize() == null || f.compressedAdler32() == null) {
            c.failure(catalog, f, "tape", why + "; no compressed copy is recorded", true);
            return;
        }
        String url = tape.urlOf(name);
        try {
            CopyCheck.Outcome copy = CopyCheck.confirm(tape, name, f.compressedSize(), Checksum.adler32(f.compressedAdler32()), residency);
            if (copy instanceof CopyCheck.Mismatch m) {
                c.failure(catalog, f, "tape", why + "; last-chance check: " + m.message() + "; it will be submitted again", false);
                return;
            }
            CopyCheck.Evidence e = copy.confirmed().orElseThrow();
            catalog.advance(f, FileState.ON_TAPE, Changes.none().tapeEvidence(e.tape()), "tape", "on tape (last-chance check): "
                    + why + "; the tape endpoint confirms: " + e.describe());
            c.onTape++;
        } catch (StorageException e) {
            c.failure(catalog, f, "tape", why + "; last-chance check of " + url + " failed (" + e.kind() + "): " + e.getMessage()
                    + "; it will be submitted again", false);
        }
    }

    private boolean release(CatalogFile f, Changes changes, Instant next, String message) {
        try {
            catalog.release(f, changes, next, "tape-poll", message);
            return true;
        } catch (LostClaimException e) {
            log.warn("{}", e.getMessage());
            return false;
        }
    }

    static boolean isFtsJobId(String id) {
        return id != null && id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    }

    /** Half the time already in flight, at least {@code min}, at most one hour (unless {@code min} is longer). */
    static Duration nextPoll(Duration inFlight, Duration min) {
        Duration half = inFlight.dividedBy(2);
        if (half.compareTo(MAX_POLL_INTERVAL) > 0) {
            half = MAX_POLL_INTERVAL;
        }
        return half.compareTo(min) < 0 ? min : half;
    }

    private static String hours(Duration d) {
        long m = d.toMinutes();
        return m >= 120 ? (m / 60) + " h" : m + " min";
    }

    /** What a cycle did to files, and the cycle's FTS figures. */
    static final class Counter {
        int onTape;
        int failed;
        int quarantined;
        Cycle cycle = Cycle.NONE;

        void failure(Catalog catalog, CatalogFile f, String action, String error, boolean permanent) {
            try {
                CatalogFile after = catalog.fail(f, action, error, permanent);
                log.warn("tape {}: {}", f.lfn(), error);
                if (after.state() == FileState.QUARANTINED) {
                    quarantined++;
                } else {
                    failed++;
                }
            } catch (LostClaimException e) {
                log.warn("{}", e.getMessage());
            }
        }

        ArchiveReport report() {
            return new ArchiveReport(0, onTape, failed, quarantined, 0, 0);
        }
    }
}
