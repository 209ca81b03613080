package org.migdal.dm.archive;

import org.migdal.dm.batch.ClusterRange;
import org.migdal.dm.batch.Condor;
import org.migdal.dm.batch.CondorException;
import org.migdal.dm.batch.SubmitDescription;
import org.migdal.dm.catalog.BatchJob;
import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.compress.CompressionJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One grid cycle's submission: claims up to a cycle's worth of files, writes their jobs, the items and the submit
 * description into a fresh cycle folder, records the jobs in the catalog under the claims, runs ONE {@code condor_submit
 * -terse}, and records the cluster (the claims are then released: the jobs are in flight). It never waits for a job.
 * When condor_submit fails before the commit nothing is queued and the files go back uncharged; when its answer is lost
 * (timeout, unreachable schedd) the jobs stay recorded as PLANNED and the collector looks the cycle up by its batch name.
 */
public final class GridSubmitter {
    private static final Logger log = LoggerFactory.getLogger(GridSubmitter.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /** What a cycle's submit description needs beyond its folder and batch name. */
    public interface Description {
        SubmitDescription forCycle(Path cycleDir, String batchName);
    }

    private final Catalog catalog;
    private final Condor condor;
    private final CompressionJob.Settings settings;
    private final Description description;
    private final Path spool;
    private final String batchPrefix;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public GridSubmitter(Catalog catalog, Condor condor, CompressionJob.Settings settings, Description description, Path spool,
                         String batchPrefix, Clock clock) {
        this.catalog = catalog;
        this.condor = condor;
        this.settings = settings;
        this.description = description;
        this.spool = spool;
        this.batchPrefix = batchPrefix;
        this.clock = clock;
    }

    /** What a submission did: jobs submitted, and the executor's refusal when there was one. */
    public record Submitted(int jobs, Long cluster, String refusal) {
    }

    public Submitted submit(int limit) {
        List<CatalogFile> claimed = catalog.claim(Stage.COMPRESS, limit);
        if (claimed.isEmpty()) {
            return new Submitted(0, null, null);
        }
        String name = STAMP.format(clock.instant()) + "-" + suffix();
        Path dir = spool.resolve(name).toAbsolutePath();
        String batchName = batchPrefix + "-" + name;
        List<BatchJob.Planned> planned = new ArrayList<>();
        Path sub = dir.resolve("cycle.sub");
        try {
            for (CatalogFile f : claimed) {
                CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
                planned.add(new BatchJob.Planned(f, job.job(), job.token(), job.json()));
            }
        } catch (RuntimeException e) {
            String why = "cannot describe the jobs of the HTCondor cycle " + dir + ": " + e.getMessage();
            putBack(claimed, why);
            return new Submitted(0, null, why);
        }
        // the cycle is recorded BEFORE its folder is made: a process killed from here on leaves a cycle the collector finds
        // (looked up by its batch name; nothing queued: the files go back, the folder is removed), never a folder no cycle names
        BatchJob.Cycle cycle = catalog.batch().plan(dir.toString(), batchName, planned);
        try {
            Files.createDirectories(dir.resolve("jobs"));
            for (BatchJob.Planned p : planned) {
                Files.writeString(dir.resolve("jobs").resolve(p.job() + ".json"), p.jobJson());
            }
            Files.writeString(dir.resolve("items.txt"), SubmitDescription.items(planned.stream().map(BatchJob.Planned::job).toList()));
            Files.writeString(sub, description.forCycle(dir, batchName).render());
        } catch (IOException | RuntimeException e) {
            String why = "cannot write the HTCondor cycle " + dir + ": " + e.getMessage();
            abandon(cycle, planned, claimed, why);
            return new Submitted(0, null, why);
        }
        ClusterRange range;
        try {
            range = condor.submit(sub);
        } catch (CondorException e) {
            if (e.outcomeUnknown()) {
                // the submission may or may not have been committed: the collector looks the batch name up before anything else
                log.warn("condor_submit of {} gave no answer ({}); its {} jobs stay recorded until the schedd says whether it"
                        + " has them", batchName, e.getMessage(), planned.size());
                return new Submitted(0, null, e.getMessage());
            }
            abandon(cycle, planned, claimed, "condor_submit refused the cycle " + batchName + " (" + e.kind() + "): " + e.getMessage());
            return new Submitted(0, null, e.getMessage());
        }
        Map<String, Integer> procs = new LinkedHashMap<>();
        if (range.count() != planned.size()) {
            log.error("condor_submit queued {} jobs for the {} items of {}; removing cluster {}", range.count(), planned.size(),
                    batchName, range.cluster());
            try {
                condor.removeCluster(range.cluster(), "migdal-dm: job count differs from the items");
            } catch (CondorException e) {
                log.error("cannot remove cluster {}: {}", range.cluster(), e.getMessage());
            }
            // the jobs are recorded with no ProcId: the collector finds them gone and puts the files back
            catalog.batch().submitted(cycle, range.cluster(), procs, "not submitted: condor_submit made " + range.count()
                    + " jobs for " + planned.size() + " items");
            return new Submitted(0, range.cluster(), "condor_submit made " + range.count() + " jobs for " + planned.size() + " items");
        }
        for (int i = 0; i < planned.size(); i++) {
            procs.put(planned.get(i).job(), range.firstProc() + i);
        }
        catalog.batch().submitted(cycle, range.cluster(), procs, "submitted by one condor_submit with " + planned.size() + " jobs");
        log.info("submitted {} compression jobs as HTCondor cluster {} ({})", planned.size(), range.cluster(), batchName);
        return new Submitted(planned.size(), range.cluster(), null);
    }

    /**
     * A cycle that nothing was queued for: its jobs' records go, its files go back uncharged, its folder is removed, and
     * only then the cycle itself (a process killed on the way leaves an open cycle that a collection closes and removes).
     */
    private void abandon(BatchJob.Cycle cycle, List<BatchJob.Planned> planned, List<CatalogFile> claimed, String why) {
        for (BatchJob.Planned p : planned) {
            catalog.batch().finish(p.claimed().id());
        }
        putBack(claimed, why);
        GridCollector.closeIfDone(catalog, cycle);
    }

    private void putBack(List<CatalogFile> claimed, String why) {
        for (CatalogFile f : claimed) {
            try {
                catalog.putBack(f, "compress-submit", why + "; no attempt charged");
            } catch (LostClaimException e) {
                log.warn("{}", e.getMessage());
            }
        }
        log.warn("{}", why);
    }

    private String suffix() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
