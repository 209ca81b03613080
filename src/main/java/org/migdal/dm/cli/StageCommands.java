package org.migdal.dm.cli;

import org.migdal.dm.archive.ArchiveReport;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.daq.DiskCleaner;
import org.migdal.dm.daq.ScanReport;
import org.migdal.dm.transfer.ShipReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The single stages, for operators and debugging; each takes its role's lock like {@code run}. */
final class StageCommands {
    private StageCommands() {
    }

    /** A ship report as {@code --json} shows it: its fields and the speed. */
    static Map<String, Object> json(ShipReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shipped", r.shipped());
        m.put("failed", r.failed());
        m.put("quarantined", r.quarantined());
        m.put("missing", r.missing());
        m.put("bytes", r.bytes());
        m.put("millis", r.millis());
        m.put("mibPerSecond", r.mibPerSecond());
        return m;
    }

    /** A stage's {@code --json} document: its name, whether it succeeded, what it did, and the problems. */
    static Map<String, Object> json(String stage, boolean ok, Object report, List<String> problems) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("stage", stage);
        doc.put("ok", ok);
        doc.put("report", report);
        doc.put("problems", problems);
        return doc;
    }

    abstract static class Stage implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Option(names = "--json", description = "print what the stage did as one JSON document (no progress bar)")
        boolean json;

        abstract String role();

        /** The stage's command name. */
        String name() {
            return getClass().getAnnotation(Command.class).name();
        }

        /** Stages that talk to storage check the credential policy first. */
        boolean needsCredentials() {
            return true;
        }

        /** Stages that read or write the storage endpoints wait while one is DOWN (marker missing, unreachable, full). */
        boolean touchesEndpoints() {
            return true;
        }

        abstract int stage(Context ctx, PrintWriter out, PrintWriter err);

        @Override
        public Integer call() throws Exception {
            try (Context ctx = new Context(main.loadConfig())) {
                PrintWriter out = main.spec.commandLine().getOut();
                PrintWriter err = main.spec.commandLine().getErr();
                return RunCommand.locked(ctx, role(), err, () -> {
                    if (needsCredentials()) {
                        java.util.Optional<String> refusal = touchesEndpoints()
                                ? ctx.endpointRefusal(true, role().equals("grid")) : ctx.credentialRefusal(true, role().equals("grid"));
                        if (refusal.isPresent()) {
                            err.println("not started, no file touched: " + refusal.get());
                            if (json) {
                                JsonOutput.print(out, json(name(), false, null, List.of("not started, no file touched: " + refusal.get())));
                            }
                            return Main.FAILURE;
                        }
                    }
                    return stage(ctx, out, err);
                });
            }
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true, description = "Register the files of every DAQ disk flagged ReadyToTransfer.")
    static final class Scan extends Stage {
        @Override
        String role() {
            return "daq";
        }

        @Override
        boolean needsCredentials() {
            return false;
        }

        @Override
        int stage(Context ctx, PrintWriter out, PrintWriter err) {
            ScanReport r = Cycle.scan(ctx);
            boolean ok = r.newProblems().isEmpty();
            if (json) {
                JsonOutput.print(out, json(name(), ok, r, r.newProblems().stream().map(Object::toString).toList()));
            } else {
                out.printf("scanned %s: %d files listed, %d registered, %d already known, %d empty folders removed%n",
                    r.disksScanned(), r.filesFound(), r.registered(), r.alreadyKnown(), r.foldersRemoved());
            }
            for (org.migdal.dm.daq.Problem p : r.problems()) {
                err.println((r.newProblems().contains(p) ? "problem: " : "problem (still open, reported before): ") + p);
            }
            return ok ? Main.OK : Main.FAILURE;
        }
    }

    @Command(name = "ship", mixinStandardHelpOptions = true, description = "Copy registered files to disk storage, confirm them there, delete the DAQ copies.")
    static final class Ship extends Stage {
        @Override
        String role() {
            return "daq";
        }

        @Override
        int stage(Context ctx, PrintWriter out, PrintWriter err) {
            ShipReport r = Cycle.ship(ctx, Progress.interactive(json), System.err);
            boolean ok = r.failed() + r.quarantined() + r.missing() == 0;
            if (json) {
                JsonOutput.print(out, json(name(), ok, json(r), List.of()));
            } else {
                out.printf(java.util.Locale.ROOT, "shipped %d files (%.1f MiB, %.1f MiB/s), %d failed, %d quarantined, %d MISSING%n",
                        r.shipped(), r.bytes() / 1048576.0, r.mibPerSecond(), r.failed(), r.quarantined(), r.missing());
            }
            return ok ? Main.OK : Main.FAILURE;
        }
    }

    @Command(name = "clean", mixinStandardHelpOptions = true, description = "Delete confirmed DAQ copies left by an interrupted run; hand drained disks back (ReadyForData).")
    static final class Clean extends Stage {
        @Override
        String role() {
            return "daq";
        }

        @Override
        int stage(Context ctx, PrintWriter out, PrintWriter err) {
            DiskCleaner.Report r = Cycle.clean(ctx);
            boolean ok = r.problems().isEmpty() && r.refused() == 0;
            if (json) {
                JsonOutput.print(out, json(name(), ok, r, r.problems().stream().map(Object::toString).toList()));
            } else {
                out.printf("deleted %d DAQ copies, kept %d unconfirmed, released disks %s%n", r.deleted(), r.refused(), r.released());
            }
            r.problems().forEach(p -> err.println("problem: " + p));
            return ok ? Main.OK : Main.FAILURE;
        }
    }

    @Command(name = "archive", mixinStandardHelpOptions = true, description = "Compress files on disk storage, verify, upload, and move them to tape.")
    static final class Archive extends Stage {
        @Override
        String role() {
            return "grid";
        }

        @Override
        int stage(Context ctx, PrintWriter out, PrintWriter err) {
            java.util.List<String> problems = new java.util.ArrayList<>();
            ArchiveReport r = Cycle.archive(ctx, Progress.interactive(json), System.err, problems);
            problems.forEach(p -> err.println("problem: " + p));
            int raw = ctx.config.archive().cleanupRaw() ? Cycle.cleanupRaw(ctx) : 0;
            boolean ok = r.failed() + r.quarantined() == 0 && problems.isEmpty();
            if (json) {
                Map<String, Object> report = new LinkedHashMap<>(JsonOutput.mapper().convertValue(r, Map.class));
                report.put("rawDeleted", raw);
                JsonOutput.print(out, json(name(), ok, report, problems));
            } else {
                out.printf("compressed %d, on tape %d, failed %d, quarantined %d, raw copies deleted %d%n",
                        r.compressed(), r.onTape(), r.failed(), r.quarantined(), raw);
            }
            return ok ? Main.OK : Main.FAILURE;
        }
    }

    @Command(name = "poll", mixinStandardHelpOptions = true, description = "Check tape transfers in flight (FTS3 jobs: one bulk status request per 100 jobs;"
            + " built-in mover: the tape copy flag) and work outstanding recalls.")
    static final class Poll extends Stage {
        @Override
        String role() {
            return "grid";
        }

        @Override
        boolean touchesEndpoints() {
            return false; // FTS3 is asked, not the endpoints
        }

        @Override
        int stage(Context ctx, PrintWriter out, PrintWriter err) {
            ctx.catalog().releaseClaimsOfDeadProcesses();
            org.migdal.dm.archive.TapeMover mover = ctx.mover();
            ArchiveReport r;
            Map<String, Object> report = new LinkedHashMap<>();
            if (mover instanceof org.migdal.dm.archive.FtsMover fts) {
                try {
                    r = Cycle.timed(ctx, "poll", fts::poll, Cycle::moved);
                } catch (org.migdal.dm.archive.FtsMover.Refused e) { // names the FTS server and why; no file charged
                    err.println("problem: tape transfers: " + e.getMessage());
                    if (json) {
                        JsonOutput.print(out, json(name(), false, null, List.of("tape transfers: " + e.getMessage())));
                    }
                    return Main.FAILURE;
                }
                org.migdal.dm.archive.FtsMover.Cycle c = fts.lastCycle();
                if (json) {
                    report.put("fts", Map.of("url", ctx.config.fts().url(), "filesPolled", c.filesPolled(), "jobsPolled", c.jobsPolled(),
                            "statusRequests", c.statusRequests(), "stillInFlight", c.stillInFlight(), "jobsCancelled", c.cancelled()));
                } else {
                    out.printf("FTS3 %s: checked %d files in %d jobs with %d bulk status requests; %d still in flight, %d jobs cancelled%n",
                            ctx.config.fts().url(), c.filesPolled(), c.jobsPolled(), c.statusRequests(), c.stillInFlight(), c.cancelled());
                }
            } else {
                r = Cycle.timed(ctx, "poll", mover::move, Cycle::moved);
            }
            org.migdal.dm.archive.Recaller.Report recalled = Cycle.recall(ctx);
            long waiting = ctx.catalog().count(new org.migdal.dm.catalog.FileFilter(FileState.TAPE_SUBMITTED, null, null, null, 0, 1));
            boolean ok = r.failed() + r.quarantined() + recalled.failed() == 0;
            if (json) {
                report.put("onTape", r.onTape());
                report.put("failed", r.failed());
                report.put("quarantined", r.quarantined());
                report.put("tapeSubmitted", waiting);
                report.put("recalls", recalled);
                JsonOutput.print(out, json(name(), ok, report, List.of()));
            } else {
                out.printf("on tape %d, failed %d, quarantined %d; %d files still TAPE_SUBMITTED; recalls done %d, failed %d%n",
                        r.onTape(), r.failed(), r.quarantined(), waiting, recalled.done(), recalled.failed());
            }
            return ok ? Main.OK : Main.FAILURE;
        }
    }

}
