package org.migdal.dm.cli;

import org.migdal.dm.archive.CompressionResults;
import org.migdal.dm.archive.GridCollector;
import org.migdal.dm.archive.GridDecisions;
import org.migdal.dm.batch.Condor;
import org.migdal.dm.batch.CondorException;
import org.migdal.dm.batch.JobAd;
import org.migdal.dm.batch.JobId;
import org.migdal.dm.catalog.BatchJob;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.health.Failures;
import org.migdal.dm.storage.StorageEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code jobs}: the compression jobs in flight on HTCondor, per cycle, as the catalog records them; {@code jobs cancel}:
 * removes jobs from the queue ({@code condor_rm}) and only then puts their files back, uncharged.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true, subcommands = JobsCommand.Cancel.class,
        description = "List the compression jobs in flight on HTCondor (per cycle: batch name, cluster, folder; per job:"
                + " ClusterId.ProcId, status, releases, last event, file).")
final class JobsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    /** One recorded job with its file's LFN (null when the file is gone from the catalog). */
    record Row(BatchJob.Cycle cycle, BatchJob job, String lfn) {
        String id() {
            return cycle.cluster() == null || job.proc() == null ? null : new JobId(cycle.cluster(), job.proc()).toString();
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        try (Context ctx = new Context(main.loadConfig())) {
            JdbcCatalog catalog = ctx.catalog();
            Map<BatchJob.Cycle, List<Row>> all = inFlight(catalog);
            if (json) {
                out.println(JsonOutput.mapper().writeValueAsString(json(all)));
                return Main.OK;
            }
            print(all, out);
        }
        return Main.OK;
    }

    /** Every open cycle (oldest first) with its jobs. */
    static Map<BatchJob.Cycle, List<Row>> inFlight(JdbcCatalog catalog) {
        Map<BatchJob.Cycle, List<Row>> all = new LinkedHashMap<>();
        for (BatchJob.Cycle c : catalog.batch().cycles()) {
            List<Row> rows = new ArrayList<>();
            for (BatchJob j : catalog.batch().jobs(c.id())) {
                rows.add(new Row(c, j, catalog.get(j.fileId()).map(CatalogFile::lfn).orElse(null)));
            }
            all.put(c, rows);
        }
        return all;
    }

    static Map<String, Object> json(Map<BatchJob.Cycle, List<Row>> all) {
        List<Map<String, Object>> cycles = new ArrayList<>();
        int jobs = 0;
        for (Map.Entry<BatchJob.Cycle, List<Row>> e : all.entrySet()) {
            BatchJob.Cycle c = e.getKey();
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("batchName", c.batchName());
            cm.put("cluster", c.cluster());
            cm.put("createdAt", c.createdAt());
            cm.put("submittedAt", c.submittedAt());
            cm.put("folder", c.dir());
            List<Map<String, Object>> jl = new ArrayList<>();
            for (Row r : e.getValue()) {
                BatchJob j = r.job();
                Map<String, Object> jm = new LinkedHashMap<>();
                jm.put("jobId", r.id());
                jm.put("job", j.job());
                jm.put("status", j.status());
                jm.put("releases", j.releases());
                jm.put("lastEventAt", j.lastEventAt());
                jm.put("code", j.code());
                jm.put("detail", j.detail());
                jm.put("lfn", r.lfn());
                jl.add(jm);
            }
            jobs += jl.size();
            cm.put("jobs", jl);
            cycles.add(cm);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("inFlight", jobs);
        doc.put("cycles", cycles);
        return doc;
    }

    static void print(Map<BatchJob.Cycle, List<Row>> all, PrintWriter out) {
        int jobs = 0;
        for (Map.Entry<BatchJob.Cycle, List<Row>> e : all.entrySet()) {
            BatchJob.Cycle c = e.getKey();
            out.printf("cycle %s  cluster %s  submitted %s  folder %s%n", c.batchName(),
                    c.cluster() == null ? "not yet known" : c.cluster().toString(),
                    c.submittedAt() == null ? "not yet (recorded " + c.createdAt() + ")" : c.submittedAt().toString(), c.dir());
            for (Row r : e.getValue()) {
                BatchJob j = r.job();
                out.printf("  %-12s %-8s releases %d  last event %s  %s%n      %s%n", r.id() == null ? "-" : r.id(), j.status(),
                        j.releases(), j.lastEventAt(), r.lfn() == null ? "(file " + j.fileId() + " no longer in the catalog)" : r.lfn(),
                        j.detail() == null ? "(job " + j.job() + ")" : j.detail() + " (job " + j.job() + ")");
            }
            jobs += e.getValue().size();
        }
        out.printf("-- %d job(s) in flight in %d cycle(s)%n", jobs, all.size());
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel compression jobs in flight: condor_rm (one per cluster when a whole cluster goes), then each"
                    + " file is put back uncharged, its temporary upload removed, its job record dropped. Nothing changes"
                    + " while the schedd cannot be reached.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand
        JobsCommand jobs;

        @Option(names = "--all", description = "cancel every job in flight")
        boolean all;

        @Parameters(paramLabel = "LFN", arity = "0..*", description = "the files whose jobs are cancelled")
        List<String> lfns = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = jobs.main.spec.commandLine().getOut();
            PrintWriter err = jobs.main.spec.commandLine().getErr();
            if (all == !lfns.isEmpty()) {
                err.println("give either --all or one or more LFNs");
                return Main.USAGE;
            }
            try (Context ctx = new Context(jobs.main.loadConfig())) {
                return RunCommand.locked(ctx, "grid", err, () -> new Canceller(ctx, out, err).cancel(all, lfns));
            }
        }
    }

    /**
     * The cancellation, per cycle: the files are claimed, then their jobs removed from the queue, and only when HTCondor
     * said so (removed, being removed, or unknown to it) is a file put back; otherwise the claims go, nothing else changes.
     */
    static final class Canceller {
        private final Context ctx;
        private final JdbcCatalog catalog;
        private final PrintWriter out;
        private final PrintWriter err;
        private Condor condor;
        private CompressionResults results;
        private String resultsProblem;

        Canceller(Context ctx, PrintWriter out, PrintWriter err) {
            this.ctx = ctx;
            this.catalog = ctx.catalog();
            this.out = out;
            this.err = err;
        }

        int cancel(boolean all, List<String> lfns) {
            Map<BatchJob.Cycle, List<Row>> inFlight = inFlight(catalog);
            Map<BatchJob.Cycle, List<Row>> chosen = new LinkedHashMap<>();
            boolean problems = false;
            if (all) {
                inFlight.forEach((c, rows) -> {
                    if (!rows.isEmpty()) {
                        chosen.put(c, rows);
                    }
                });
            } else {
                Map<Long, Row> byFile = new HashMap<>();
                inFlight.values().forEach(rows -> rows.forEach(r -> byFile.put(r.job().fileId(), r)));
                for (String lfn : new LinkedHashSet<>(lfns)) {
                    Optional<CatalogFile> f = catalog.find(lfn);
                    Row r = f.map(x -> byFile.get(x.id())).orElse(null);
                    if (r == null) {
                        err.println(lfn + ": " + (f.isEmpty() ? "no such file in the catalog" : "no job in flight (the file is "
                                + f.get().state() + ")") + "; nothing done");
                        problems = true;
                        continue;
                    }
                    chosen.computeIfAbsent(r.cycle(), c -> new ArrayList<>()).add(r);
                }
            }
            if (chosen.isEmpty()) {
                out.println("no job in flight to cancel");
                return problems ? Main.FAILURE : Main.OK;
            }
            int cancelled = 0;
            int left = 0;
            for (Map.Entry<BatchJob.Cycle, List<Row>> e : chosen.entrySet()) {
                BatchJob.Cycle cycle = e.getKey();
                // the files are claimed first: no collector (here or on another host) acts on these jobs meanwhile
                Map<Row, CatalogFile> claimed = new LinkedHashMap<>();
                for (Row r : e.getValue()) {
                    Optional<CatalogFile> c = catalog.batch().claim(r.job());
                    if (c.isPresent()) {
                        claimed.put(r, c.get());
                    } else if (stale(r)) {
                        cancelled++;
                    } else {
                        problems = true;
                        left++;
                    }
                }
                if (claimed.isEmpty()) {
                    closeIfDone(cycle);
                    continue;
                }
                Map<Long, String> removed;
                try {
                    removed = removeFromQueue(cycle, List.copyOf(claimed.keySet()), inFlight.get(cycle).size());
                } catch (CondorException ex) {
                    claimed.values().forEach(this::releaseUnchanged);
                    err.println("cannot cancel the jobs of " + cycle.batchName() + ": the HTCondor schedd ("
                            + org.migdal.dm.archive.GridCompression.EXECUTOR + ") did not carry out the removal ("
                            + ex.kind() + "): " + ex.getMessage());
                    err.println("nothing was changed for them: a job that may still run and upload keeps its file; try again"
                            + " when the schedd answers");
                    for (Row r : claimed.keySet()) {
                        out.println(name(r) + ": NOT cancelled, nothing changed (condor_rm failed: " + ex.kind() + ")");
                        left++;
                    }
                    problems = true;
                    continue;
                }
                for (Map.Entry<Row, CatalogFile> c : claimed.entrySet()) {
                    if (putBack(c.getKey(), c.getValue(), removed.get(c.getKey().job().fileId()))) {
                        cancelled++;
                    } else {
                        problems = true;
                        left++;
                    }
                }
                closeIfDone(cycle);
            }
            out.printf("-- %d job(s) cancelled%s%n", cancelled, left == 0 ? "" : ", " + left + " not cancelled");
            return problems ? Main.FAILURE : Main.OK;
        }

        private void closeIfDone(BatchJob.Cycle cycle) {
            if (GridCollector.closeIfDone(catalog, cycle)) {
                out.println("cycle " + cycle.batchName() + " has no job left: closed, its folder " + cycle.dir() + " removed");
            }
        }

        /** The claim taken for the cancellation goes, the file as it was (COMPRESSING, its job recorded). */
        private void releaseUnchanged(CatalogFile claimed) {
            try {
                catalog.release(claimed, org.migdal.dm.catalog.Changes.none(), ctx.clock.instant(), null, null);
            } catch (LostClaimException e) {
                org.slf4j.LoggerFactory.getLogger(JobsCommand.class).warn("{}", e.getMessage());
            }
        }

        /**
         * A job whose file could not be claimed: a stale record (the file is no longer COMPRESSING) is dropped (true);
         * a file another live process holds is left alone, its job untouched (false).
         */
        private boolean stale(Row r) {
            BatchJob j = r.job();
            Optional<CatalogFile> f = catalog.get(j.fileId());
            if (GridDecisions.forgetIfGone(catalog, j)) {
                out.println(name(r) + ": the file no longer waits for its job (" + f.map(x -> x.state().toString()).orElse("gone")
                        + "); the stale job record is dropped, HTCondor is not asked");
                return true;
            }
            out.println(name(r) + ": NOT cancelled, nothing changed: another process holds the file (claim of "
                    + f.get().claimOwner() + ", e.g. a collector applying the job's result); try again later");
            return false;
        }

        /**
         * condor_rm of the chosen jobs of one cycle (the whole cluster at once when every job left is chosen). Returns, per
         * file, what HTCondor said. A cycle whose cluster is not yet known (condor_submit's answer lost) is looked up by its
         * batch name first. Throws when HTCondor could not say: nothing may be put back then.
         */
        private Map<Long, String> removeFromQueue(BatchJob.Cycle cycle, List<Row> rows, int jobsOfCycle) throws CondorException {
            Map<Long, String> said = new HashMap<>();
            String reason = "migdal-dm jobs cancel";
            Long cluster = cycle.cluster();
            Map<String, JobId> queuedByName = new HashMap<>();
            if (cluster == null) {
                for (JobAd ad : condor().queueByBatchName(cycle.batchName())) {
                    if (ad.migdalJob() != null) {
                        queuedByName.put(ad.migdalJob(), ad.id());
                    }
                }
            }
            boolean wholeCluster = cluster != null && rows.size() == jobsOfCycle && rows.stream().allMatch(r -> r.job().proc() != null);
            if (wholeCluster) {
                Condor.Outcome o = condor().removeCluster(cluster, reason);
                for (Row r : rows) {
                    said.put(r.job().fileId(), "HTCondor job " + r.id() + " " + describe(o, Long.toString(cluster)));
                }
                return said;
            }
            for (Row r : rows) {
                JobId id = r.id() != null ? JobId.parse(r.id()) : queuedByName.get(r.job().job());
                if (id == null) {
                    said.put(r.job().fileId(), "HTCondor job " + r.job().job() + " was never queued (" + (cluster == null
                            ? "the schedd has no job of " + cycle.batchName() : "cluster " + cluster + " has no job for it") + ")");
                    continue;
                }
                Condor.Outcome o = condor().remove(id, reason);
                said.put(r.job().fileId(), "HTCondor job " + id + " " + describe(o, id.toString()));
            }
            return said;
        }

        private static String describe(Condor.Outcome o, String target) {
            return switch (o) {
                case DONE, NOT_HELD -> "removed (condor_rm " + target + ")";
                case ALREADY_REMOVING -> "was already being removed (condor_rm " + target + ")";
                case NOT_FOUND -> "was no longer known to HTCondor (condor_rm " + target + ": not in the queue, it had ended or left)";
            };
        }

        /** Under the claim: the file goes back uncharged, its temporary upload is removed, its job record dropped. */
        private boolean putBack(Row r, CatalogFile claimed, String condorSaid) {
            BatchJob j = r.job();
            CompressionJob job;
            try {
                job = GridDecisions.job(j);
            } catch (RuntimeException e) {
                job = null;
            }
            String message = condorSaid + "; cancelled by `migdal-dm jobs cancel`, no attempt charged";
            CatalogFile after;
            try {
                after = catalog.putBack(claimed, "compress-cancel", message);
            } catch (LostClaimException e) {
                out.println(name(r) + ": " + condorSaid + "; NOT put back: " + e.getMessage());
                return false;
            }
            String temp = job == null ? "; its job description cannot be read, so a temporary upload is left to the janitor"
                    : removeTemp(job);
            catalog.batch().finish(j.fileId());
            out.println(name(r) + ": " + condorSaid + "; put back to " + after.state() + ", no attempt charged" + temp);
            return true;
        }

        private String removeTemp(CompressionJob job) {
            CompressionResults res = results();
            if (res == null) {
                return "; its temporary upload (if any) is left to the janitor: " + resultsProblem;
            }
            boolean existed;
            try {
                existed = ctx.disk().stat(job.temp()).isPresent();
            } catch (RuntimeException | org.migdal.dm.storage.StorageException e) {
                existed = true; // unknown: try to remove it all the same
            }
            if (!existed) {
                return "; no temporary upload to remove";
            }
            try {
                res.removeTemp(job);
            } catch (RuntimeException e) {
                return "; its temporary upload " + job.temp() + " could not be removed (the janitor will): " + e.getMessage();
            }
            return "; its temporary upload " + job.temp() + " removed";
        }

        private CompressionResults results() {
            if (results == null && resultsProblem == null) {
                try {
                    StorageEndpoint disk = ctx.disk();
                    results = new CompressionResults(catalog, disk, new Failures(ctx.health()));
                } catch (RuntimeException e) {
                    resultsProblem = e.getMessage();
                }
            }
            return results;
        }

        private Condor condor() {
            if (condor == null) {
                condor = ctx.condor();
            }
            return condor;
        }

        private static String name(Row r) {
            return r.lfn() == null ? "file " + r.job().fileId() : r.lfn();
        }
    }


    /** Jobs in flight by status, over every cycle. */
    static Map<BatchJob.Status, Integer> byStatus(Map<BatchJob.Cycle, List<Row>> all) {
        Map<BatchJob.Status, Integer> n = new java.util.EnumMap<>(BatchJob.Status.class);
        all.values().forEach(rows -> rows.forEach(r -> n.merge(r.job().status(), 1, Integer::sum)));
        return n;
    }
}
