package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongConsumer;

/**
 * The compression stage on HTCondor (executor {@code htcondor}), as a cron job must run it: each pass first collects
 * what earlier cycles' jobs did ({@link GridCollector}), then submits one new cycle of at most {@code jobsPerCycle} jobs
 * with one condor_submit ({@link GridSubmitter}), and returns without waiting for any job. While the schedd cannot be
 * reached nothing is submitted and nothing charged; the executor is shown DOWN (as {@link #EXECUTOR}) in status and doctor.
 */
public final class GridCompression implements CompressionStage {
    private static final Logger log = LoggerFactory.getLogger(GridCompression.class);
    /** The name under which the HTCondor executor's health is recorded beside the storage endpoints. */
    public static final String EXECUTOR = "htcondor:schedd";

    private final Catalog catalog;
    private final GridCollector collector;
    private final GridSubmitter submitter;
    private final int jobsPerCycle;

    public GridCompression(Catalog catalog, GridCollector collector, GridSubmitter submitter, int jobsPerCycle) {
        this.catalog = catalog;
        this.collector = collector;
        this.submitter = submitter;
        this.jobsPerCycle = jobsPerCycle;
    }

    @Override
    public ArchiveReport run(LongConsumer progress) {
        GridDecisions.Tally tally = collector.collect();
        ArchiveReport report = tally.report();
        progress.accept(report.rawBytes());
        if (tally.outage().isPresent()) {
            catalog.endpointDown(EXECUTOR, tally.outage().get());
            log.warn("HTCondor schedd unreachable; nothing is submitted this cycle and no file is charged: {}", tally.outage().get());
            return report;
        }
        if (tally.endpointFailures() > 0) {
            // jobs found the storage down or their credential unusable: no new cycle of jobs that would fail the same way
            String why = tally.endpointFailures() + " jobs failed on the storage as a whole or on their credential (no file"
                    + " charged; see the files' last errors); nothing is submitted this cycle";
            catalog.endpointDown(EXECUTOR, why);
            log.warn("HTCondor: {}", why);
            return report;
        }
        GridSubmitter.Submitted s = submitter.submit(jobsPerCycle);
        if (s.refusal() != null) {
            catalog.endpointDown(EXECUTOR, s.refusal());
        } else {
            catalog.endpointUp(EXECUTOR);
        }
        log.info("HTCondor: {} compressed, {} failed, {} released from hold, {} removed; {} jobs submitted{}, {} in flight",
                report.compressed(), report.failed() + report.quarantined(), tally.released(), tally.removed(), s.jobs(),
                s.cluster() == null ? "" : " as cluster " + s.cluster(), catalog.batch().inFlight());
        return report;
    }
}
