package org.migdal.dm.archive;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Recall;
import org.migdal.dm.catalog.RecallStore;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.FtsException;
import org.migdal.dm.fts.FtsStates;
import org.migdal.dm.fts.Job;
import org.migdal.dm.fts.JobFile;
import org.migdal.dm.fts.JobLookup;
import org.migdal.dm.fts.JobParams;
import org.migdal.dm.fts.Submission;
import org.migdal.dm.fts.SubmitResult;
import org.migdal.dm.fts.TransferFile;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Recall through FTS3 ({@code archive.mover: fts}): requested recalls are submitted as FTS jobs with
 * {@code bring_online} &gt; 0 from the tape URL of the compressed copy to the destination URL (X509 only, reference §6),
 * recorded as STAGING with the job id ({@link RecallStore#inFlight}), and followed with bulk polling (one request per
 * ≤ 100 jobs). FINISHED is not trusted alone: the destination itself must report the size and adler32 recorded when the
 * file was archived, then the recall is DONE; otherwise, or on FAILED/CANCELED, the attempt fails (retried, FAILED after
 * the limit). A job FTS no longer knows is judged by the destination alone. A recall in flight longer than
 * bring-online + margin is cancelled at FTS and failed.
 */
public final class FtsRecaller implements RecallMover {
    private static final Logger log = LoggerFactory.getLogger(FtsRecaller.class);

    /**
     * @param filesPerJob    recalls per FTS job
     * @param bringOnline    FTS {@code bring_online}: how long the tape system has to stage a file
     * @param retry          FTS retries per file
     * @param pollInterval   shortest interval between two checks of a recall
     * @param inFlightMargin added to bring-online: after that long the job is cancelled and the recall failed
     */
    public record Settings(int filesPerJob, Duration bringOnline, int retry, Duration pollInterval, Duration inFlightMargin) {
        public Settings {
            if (filesPerJob < 1 || filesPerJob > 1000) {
                throw new IllegalArgumentException("files per job must be 1..1000: " + filesPerJob);
            }
            if (bringOnline.toSeconds() <= 0) {
                throw new IllegalArgumentException("bring_online must be > 0 seconds: " + bringOnline);
            }
        }
    }

    private final Catalog catalog;
    private final RecallStore recalls;
    private final StorageEndpoint tape;
    private final Function<String, StorageEndpoint> destinations;
    private final FtsClient fts;
    private final Settings settings;
    private final Clock clock;

    public FtsRecaller(Catalog catalog, RecallStore recalls, StorageEndpoint tape, Function<String, StorageEndpoint> destinations,
                       FtsClient fts, Settings settings, Clock clock) {
        this.catalog = Objects.requireNonNull(catalog);
        this.recalls = Objects.requireNonNull(recalls);
        this.tape = Objects.requireNonNull(tape);
        this.destinations = Objects.requireNonNull(destinations);
        this.fts = Objects.requireNonNull(fts);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Submits requested recalls and checks those in flight that are due. */
    @Override
    public Recaller.Report run(int limit) {
        int[] tally = new int[2];
        if (fts.isTokenMode()) {
            throw new FtsMover.Refused("FTS recall not started, no recall touched: bring_online needs X509 proxy"
                    + " authentication and a delegated proxy, and only a bearer token is configured (FTS3 answers \"Requests"
                    + " to retrieve from tape using token authentication are not supported\", reference §6)", null);
        }
        List<Recall> requested = recalls.claim(limit);
        List<Recall> inFlight = recalls.claimInFlight(limit);
        if (requested.isEmpty() && inFlight.isEmpty()) {
            return new Recaller.Report(0, 0);
        }
        try {
            fts.ensureDelegated();
        } catch (FtsException e) {
            // claimed requests record the failure to reach FTS as a failed attempt; STAGING ones are checked again later
            Instant soon = clock.instant().plus(settings.pollInterval());
            requested.forEach(r -> recalls.fail(r, "cannot check the delegated proxy at FTS3: " + e.getMessage(), false));
            inFlight.forEach(r -> recalls.inFlight(r, r.transferId(), soon, null));
            return new Recaller.Report(0, requested.size());
        }
        submit(requested, tally);
        poll(inFlight, tally);
        return new Recaller.Report(tally[0], tally[1]);
    }

    private record Item(Recall recall, CatalogFile file, StorageEndpoint dest, TransferFile transfer) {
    }

    private void submit(List<Recall> requested, int[] tally) {
        Map<String, List<Item>> byDestination = new LinkedHashMap<>();
        for (Recall r : requested) {
            Optional<CatalogFile> file = catalog.get(r.fileId());
            if (file.isEmpty() || file.get().compressedName() == null || file.get().compressedSize() == null
                    || file.get().compressedAdler32() == null) {
                recalls.fail(r, "no compressed copy is recorded for " + r.lfn(), true);
                tally[1]++;
                continue;
            }
            CatalogFile f = file.get();
            StorageEndpoint dest;
            TransferFile tf;
            try {
                dest = destinations.apply(r.destination());
                ObjectNode md = JsonNodeFactory.instance.objectNode();
                md.put("issuer", "migdal-dm");
                md.put("purpose", "recall");
                md.put("lfn", f.lfn());
                md.put("recall_id", String.valueOf(r.id()));
                md.put("attempt", r.attempts() + 1);
                tf = new TransferFile(List.of(tape.urlOf(f.compressedName())), List.of(dest.urlOf(f.compressedName())),
                        "ADLER32:" + f.compressedAdler32(), f.compressedSize(), md, null);
            } catch (RuntimeException e) {
                recalls.fail(r, "cannot hand the recall of " + f.compressedName() + " to " + r.destination() + " to FTS3: "
                        + e.getMessage(), true);
                tally[1]++;
                continue;
            }
            byDestination.computeIfAbsent(r.destination(), k -> new ArrayList<>()).add(new Item(r, f, dest, tf));
        }
        for (List<Item> group : byDestination.values()) {
            for (int i = 0; i < group.size(); i += settings.filesPerJob()) {
                submitJob(group.subList(i, Math.min(group.size(), i + settings.filesPerJob())), tally);
            }
        }
    }

    private void submitJob(List<Item> items, int[] tally) {
        ObjectNode jm = JsonNodeFactory.instance.objectNode();
        jm.put("issuer", "migdal-dm");
        jm.put("purpose", "recall");
        JobParams params = JobParams.builder()
                .verifyChecksum("both")
                .bringOnline((int) Math.min(Integer.MAX_VALUE, settings.bringOnline().toSeconds()))
                .overwrite(true) // a recall target is a copy of what is on tape; an older partial copy is replaced
                .retry(settings.retry())
                .jobMetadata(jm)
                .deterministic(sid(items))
                .build();
        Submission s = new Submission(items.stream().map(Item::transfer).toList(), params);
        SubmitResult res;
        try {
            res = fts.submit(s);
        } catch (FtsException e) {
            for (Item it : items) {
                recalls.fail(it.recall(), "FTS3 recall submission failed: " + e.getMessage(), false);
                tally[1]++;
            }
            return;
        }
        Instant next = clock.instant().plus(settings.pollInterval());
        for (Item it : items) {
            recalls.inFlight(it.recall(), res.jobId(), next, "recall handed to FTS3 as job " + res.jobId() + " (bring_online "
                    + settings.bringOnline().toHours() + " h, attempt " + (it.recall().attempts() + 1) + "): "
                    + it.transfer().sources().get(0) + " → " + it.transfer().destinations().get(0));
        }
        log.info("FTS3 recall job {} ({}): {} files", res.jobId(), res.outcome(), items.size());
    }

    /** {@code migdal-dm-recall-} + SHA-256 over the recall ids and attempts: a new attempt is a new job. */
    static String sid(List<Item> items) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Item it : items) {
            sha.update(("recall#" + it.recall().id() + "#" + (it.recall().attempts() + 1) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return "migdal-dm-recall-" + HexFormat.of().formatHex(sha.digest()).substring(0, 32);
    }

    private void poll(List<Recall> inFlight, int[] tally) {
        Map<String, List<Recall>> byJob = new LinkedHashMap<>();
        for (Recall r : inFlight) {
            if (FtsMover.isFtsJobId(r.transferId())) {
                byJob.computeIfAbsent(r.transferId(), k -> new ArrayList<>()).add(r);
            } else {
                recalls.fail(r, "recall in flight without an FTS job id", false);
                tally[1]++;
            }
        }
        if (byJob.isEmpty()) {
            return;
        }
        Map<String, JobLookup> status;
        try {
            status = fts.jobs(new ArrayList<>(byJob.keySet()), FtsClient.POLL_FILE_FIELDS);
        } catch (FtsException e) {
            log.warn("FTS3 status check of {} recall jobs failed, checking again later: {}", byJob.size(), e.getMessage());
            Instant next = clock.instant().plus(settings.pollInterval());
            byJob.forEach((id, rs) -> rs.forEach(r -> recalls.inFlight(r, id, next, null)));
            return;
        }
        java.util.Set<String> cancelled = new java.util.HashSet<>();
        for (Map.Entry<String, List<Recall>> e : byJob.entrySet()) {
            String jobId = e.getKey();
            JobLookup l = status.get(jobId);
            for (Recall r : e.getValue()) {
                switch (l.status()) {
                    case FOUND -> judge(r, l.job(), tally, cancelled);
                    case NOT_FOUND -> verify(r, "FTS3 no longer knows job " + jobId + " (purged)", jobId, tally);
                    case ERROR -> recalls.inFlight(r, jobId, clock.instant().plus(settings.pollInterval()), null);
                }
            }
        }
    }

    private void judge(Recall r, Job job, int[] tally, java.util.Set<String> cancelled) {
        String id = String.valueOf(r.id());
        JobFile jf = null;
        for (JobFile x : job.files()) {
            if (x.metadata("recall_id").filter(id::equals).isPresent()) {
                jf = x;
            }
        }
        if (jf == null) {
            recalls.fail(r, "FTS job " + job.jobId() + " does not list this recall", false);
            tally[1]++;
            return;
        }
        if (FtsStates.FINISHED.equals(jf.fileState())) {
            verify(r, "FTS3 job " + job.jobId() + " FINISHED at " + jf.finishTime(), job.jobId(), tally);
            return;
        }
        if (FtsStates.isFileFinal(jf.fileState(), job.jobState())) {
            String reason = jf.reason().isEmpty() ? (job.reason().isEmpty() ? jf.fileState() : job.reason()) : jf.reason();
            recalls.fail(r, "FTS job " + job.jobId() + ": " + reason, false);
            tally[1]++;
            return;
        }
        Instant since = job.submitTime() != null ? job.submitTime() : clock.instant();
        Duration waited = Duration.between(since, clock.instant());
        if (waited.compareTo(settings.bringOnline().plus(settings.inFlightMargin())) > 0) {
            if (cancelled.add(job.jobId())) {
                try {
                    fts.cancel(job.jobId());
                } catch (FtsException e) {
                    log.warn("cannot cancel FTS3 recall job {}: {}", job.jobId(), e.getMessage());
                }
            }
            recalls.fail(r, "FTS job " + job.jobId() + ": still " + jf.fileState() + " after " + waited.toHours()
                    + " h (bring_online " + settings.bringOnline().toHours() + " h + margin); cancelled at FTS", false);
            tally[1]++;
            return;
        }
        recalls.inFlight(r, job.jobId(), clock.instant().plus(FtsMover.nextPoll(waited, settings.pollInterval())), null);
    }

    /** What arrived must be what was archived: size and adler32 from the destination itself. */
    private void verify(Recall r, String why, String jobId, int[] tally) {
        Optional<CatalogFile> file = catalog.get(r.fileId());
        if (file.isEmpty()) {
            recalls.fail(r, "the file is no longer in the catalog", true);
            tally[1]++;
            return;
        }
        CatalogFile f = file.get();
        StorageEndpoint dest;
        try {
            dest = destinations.apply(r.destination());
        } catch (RuntimeException e) {
            recalls.fail(r, "destination " + r.destination() + ": " + e.getMessage(), true);
            tally[1]++;
            return;
        }
        String to = dest.urlOf(f.compressedName());
        try {
            Optional<String> problem = Recaller.arrivalProblem(dest, f);
            if (problem.isPresent()) {
                recalls.fail(r, why + ", but " + problem.get(), false);
                tally[1]++;
                return;
            }
            recalls.done(r, "recalled through FTS3 (job " + jobId + "): " + why + "; the destination " + to + " confirms "
                    + f.compressedSize() + " bytes and adler32 " + f.compressedAdler32() + " (as archived)");
            tally[0]++;
        } catch (StorageException e) {
            recalls.fail(r, why + ", but checking " + to + " failed (" + e.kind() + "): " + e.getMessage(), false);
            tally[1]++;
        }
    }
}
