package org.migdal.dm.archive;

import org.migdal.dm.batch.Condor;
import org.migdal.dm.batch.CondorException;
import org.migdal.dm.batch.EventLog;
import org.migdal.dm.batch.JobAd;
import org.migdal.dm.batch.JobEvent;
import org.migdal.dm.catalog.BatchJob;
import org.migdal.dm.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects what the batch system did with earlier cycles' jobs, from each cycle's job event log read incrementally (the
 * offset kept in the catalog): 001 running, 004 evicted (waits), 012 held, 013 released, 005 terminated, 009 removed.
 * Events only record a job's status; {@link GridDecisions} then acts on it: applies the result of a terminated job under
 * the claim, releases a job held for a passing reason a bounded number of times, removes it otherwise. Jobs whose log stays
 * silent are reconciled with one condor_q and one condor_history per cluster, at most every few minutes. Nothing waits for
 * a running job, and an unreachable schedd charges no file: the work waits.
 */
public final class GridCollector {
    private static final Logger log = LoggerFactory.getLogger(GridCollector.class);

    private final Catalog catalog;
    private final Condor condor;
    private final GridDecisions decisions;
    private final Clock clock;
    private final Duration silent;
    private final Duration reconcileEvery;
    private final Duration lookupAfter;

    public GridCollector(Catalog catalog, Condor condor, GridDecisions decisions, Clock clock, Duration silent,
                         Duration reconcileEvery, Duration lookupAfter) {
        this.catalog = catalog;
        this.condor = condor;
        this.decisions = decisions;
        this.clock = clock;
        this.silent = silent;
        this.reconcileEvery = reconcileEvery;
        this.lookupAfter = lookupAfter;
    }

    /** Collects every open cycle; returns what was applied, and the executor's outage if the schedd could not be reached. */
    public GridDecisions.Tally collect() {
        GridDecisions.Tally tally = new GridDecisions.Tally();
        for (BatchJob.Cycle cycle : catalog.batch().cycles()) {
            try {
                collect(cycle, tally);
            } catch (CondorException e) {
                tally.outage(e);
                log.warn("HTCondor cycle {}: {}", cycle.batchName(), e.getMessage());
            }
            if (closeIfDone(catalog, cycle)) {
                log.info("HTCondor cycle {} is complete; its folder {} is removed", cycle.batchName(), cycle.dir());
            }
        }
        return tally;
    }

    /**
     * The one way a cycle ends: once no job of it is recorded, its folder goes first, then the cycle — a process killed in
     * between leaves an empty cycle the next collection closes, never a folder no cycle names. Returns whether it closed.
     */
    public static boolean closeIfDone(Catalog catalog, BatchJob.Cycle cycle) {
        if (!catalog.batch().jobs(cycle.id()).isEmpty()) {
            return false;
        }
        Path dir = Path.of(cycle.dir());
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                log.warn("cannot remove the folder {} of HTCondor cycle {}: {}; the cycle stays open until it can",
                        dir, cycle.batchName(), e.getMessage());
                return false;
            }
        }
        return catalog.batch().close(cycle.id());
    }

    private void collect(BatchJob.Cycle cycle, GridDecisions.Tally tally) throws CondorException {
        if (cycle.cluster() == null) {
            if (clock.instant().isAfter(cycle.createdAt().plus(lookupAfter))) {
                lookUp(cycle, tally);
            }
            return;
        }
        Map<Integer, BatchJob> byProc = new HashMap<>();
        for (BatchJob j : catalog.batch().jobs(cycle.id())) {
            if (j.proc() == null) {
                decisions.neverSubmitted(j, "cluster " + cycle.cluster() + " of " + cycle.batchName() + " has no job for it", tally);
            } else {
                byProc.put(j.proc(), j);
            }
        }
        Path logFile = Path.of(cycle.dir(), "events.log");
        EventLog.Chunk chunk;
        try {
            chunk = EventLog.read(logFile, cycle.logOffset());
        } catch (IOException e) {
            log.warn("cannot read the job event log {}: {}; its jobs are reconciled with condor_q when silent", logFile, e.getMessage());
            chunk = new EventLog.Chunk(List.of(), cycle.logOffset(), List.of());
        }
        for (JobEvent e : chunk.events()) {
            BatchJob j = e.cluster() == cycle.cluster() ? byProc.get(e.proc()) : null;
            if (j != null) {
                record(j, e);
            }
        }
        if (chunk.offset() != cycle.logOffset()) {
            catalog.batch().logRead(cycle.id(), chunk.offset());
        }
        List<BatchJob> jobs = catalog.batch().jobs(cycle.id());
        for (BatchJob j : jobs) {
            decisions.act(cycle, j, tally);
        }
        reconcileSilent(cycle, tally);
    }

    /** Records what one event says of a job; acting on it is {@link GridDecisions}'. */
    private void record(BatchJob j, JobEvent e) {
        String at = "HTCondor job " + e.cluster() + "." + e.proc();
        switch (e.code()) {
            case 1 -> catalog.batch().status(j.fileId(), BatchJob.Status.RUNNING, null, at + " running since " + e.time(), false);
            case 4 -> catalog.batch().status(j.fileId(), BatchJob.Status.IDLE, null, at + " evicted at " + e.time()
                    + (e.requeued() ? " (terminated and requeued)" : "") + "; it waits to run again", false);
            case 7 -> catalog.batch().status(j.fileId(), BatchJob.Status.IDLE, null, at + " shadow exception at " + e.time()
                    + "; it waits to run again", false);
            case 12 -> catalog.batch().status(j.fileId(), BatchJob.Status.HELD, e.holdCode().orElse(0),
                    e.holdReason().orElse("Reason unspecified") + " (Code " + e.holdCode().orElse(0) + " Subcode " + e.holdSubcode().orElse(0) + ")", false);
            case 13 -> catalog.batch().status(j.fileId(), BatchJob.Status.IDLE, null, at + " released at " + e.time(), false);
            case 5 -> catalog.batch().status(j.fileId(), BatchJob.Status.ENDED,
                    e.returnValue().isPresent() ? e.returnValue().getAsInt() : -e.signal().orElse(0),
                    at + " terminated at " + e.time() + ": " + (e.returnValue().isPresent() ? "return value " + e.returnValue().getAsInt()
                            : "killed by signal " + e.signal().orElse(0)), false);
            case 9 -> {
                if (j.status() != BatchJob.Status.ENDED) {
                    catalog.batch().status(j.fileId(), BatchJob.Status.REMOVED, null, at + " was aborted at " + e.time()
                            + e.reason().map(r -> ": " + r).orElse(""), false);
                }
            }
            default -> { }
        }
    }

    /** Jobs whose log has been silent for long: one condor_q and one condor_history for the cluster, at most every few minutes. */
    private void reconcileSilent(BatchJob.Cycle cycle, GridDecisions.Tally tally) throws CondorException {
        java.time.Instant now = clock.instant();
        List<BatchJob> quiet = catalog.batch().jobs(cycle.id()).stream()
                .filter(j -> j.proc() != null && j.lastEventAt().plus(silent).isBefore(now)).toList();
        if (quiet.isEmpty() || cycle.reconciledAt().plus(reconcileEvery).isAfter(now)) {
            return;
        }
        Map<Integer, JobAd> queued = new HashMap<>();
        for (JobAd ad : condor.queue(cycle.cluster())) {
            queued.put(ad.id().proc(), ad);
        }
        Map<Integer, JobAd> history = new HashMap<>();
        for (JobAd ad : condor.history(cycle.cluster(), cycle.createdAt().getEpochSecond() - 60)) {
            history.putIfAbsent(ad.id().proc(), ad);
        }
        catalog.batch().reconciled(cycle.id());
        for (BatchJob j : quiet) {
            String at = "HTCondor job " + cycle.cluster() + "." + j.proc();
            JobAd ad = queued.containsKey(j.proc()) ? queued.get(j.proc()) : history.get(j.proc());
            if (ad == null) {
                catalog.batch().status(j.fileId(), BatchJob.Status.REMOVED, null, at + " is known to neither condor_q nor"
                        + " condor_history after " + silent.toMinutes() + " minutes without an event: the job is lost", false);
            } else {
                switch (ad.status()) {
                    case HELD -> catalog.batch().status(j.fileId(), BatchJob.Status.HELD, ad.holdCode(), ad.holdReason()
                            + " (Code " + ad.holdCode() + " Subcode " + ad.holdSubcode() + ")", false);
                    case COMPLETED -> catalog.batch().status(j.fileId(), BatchJob.Status.ENDED,
                            Boolean.TRUE.equals(ad.exitBySignal()) ? -ad.exitSignal() : ad.exitCode(),
                            at + " completed (condor_history; its terminate event is missing from the log)", false);
                    case REMOVED -> catalog.batch().status(j.fileId(), BatchJob.Status.REMOVED, null, at + " was removed"
                            + (ad.removeReason() == null ? "" : ": " + ad.removeReason()) + " (condor_history)", false);
                    default -> catalog.batch().status(j.fileId(), j.status(), j.code(), j.detail(), false); // alive: quiet is fine
                }
            }
        }
        for (BatchJob j : catalog.batch().jobs(cycle.id())) {
            decisions.act(cycle, j, tally);
        }
    }

    /**
     * A cycle whose condor_submit gave no answer (killed, timed out, schedd lost): the schedd is asked for its batch name.
     * Found: the cluster is adopted. Not in the queue nor in the history: nothing was queued, the files go back uncharged.
     */
    private void lookUp(BatchJob.Cycle cycle, GridDecisions.Tally tally) throws CondorException {
        List<JobAd> ads = new java.util.ArrayList<>(condor.queueByBatchName(cycle.batchName()));
        ads.addAll(condor.historyByBatchName(cycle.batchName(), 100_000));
        List<BatchJob> jobs = catalog.batch().jobs(cycle.id());
        if (ads.isEmpty()) {
            for (BatchJob j : jobs) {
                decisions.neverSubmitted(j, "the schedd has no job of " + cycle.batchName() + " (condor_submit's answer was"
                        + " lost and nothing was queued)", tally);
            }
            return;
        }
        long cluster = ads.get(0).id().cluster();
        Map<String, Integer> procs = new HashMap<>();
        for (JobAd ad : ads) {
            if (ad.migdalJob() != null && ad.id().cluster() == cluster) {
                procs.put(ad.migdalJob(), ad.id().proc());
            }
        }
        catalog.batch().submitted(cycle, cluster, procs, "found in the queue by its batch name after condor_submit's answer"
                + " was lost");
        log.info("HTCondor cycle {}: condor_submit's answer was lost; the schedd has cluster {} with {} of its {} jobs",
                cycle.batchName(), cluster, procs.size(), jobs.size());
    }
}
