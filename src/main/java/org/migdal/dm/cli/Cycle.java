package org.migdal.dm.cli;

import org.migdal.dm.archive.ArchiveReport;
import org.migdal.dm.catalog.Counters;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.daq.DiskCleaner;
import org.migdal.dm.daq.ScanReport;
import org.migdal.dm.transfer.ShipReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** One cycle of a role: the DAQ side (scan, ship, clean, hand back) and the grid side (compress, tape, raw cleanup). */
final class Cycle {
    private static final Logger log = LoggerFactory.getLogger(Cycle.class);

    private Cycle() {
    }

    /** What a cycle did; {@link #problems()} lists what an operator should look at. */
    record Result(ScanReport scan, ShipReport ship, DiskCleaner.Report clean, ArchiveReport archive, int rawDeleted,
                  List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }

        boolean didWork() {
            return (scan != null && scan.registered() > 0) || (ship != null && ship.shipped() + ship.failed() > 0)
                    || (clean != null && clean.deleted() > 0) || (clean != null && !clean.released().isEmpty())
                    || (archive != null && archive.compressed() + archive.onTape() + archive.failed() > 0) || rawDeleted > 0;
        }
    }

    static Result run(Context ctx, String role, boolean interactive, PrintStream err) {
        List<String> problems = new ArrayList<>();
        ScanReport scan = null;
        ShipReport ship = null;
        DiskCleaner.Report clean = null;
        ArchiveReport archive = null;
        int raw = 0;
        if (role.equals("daq") || role.equals("all")) {
            scan = scan(ctx);
            sampleDiskSpace(ctx);
            // a scan problem fails the cycle once, when it is new; afterwards it stays open in the catalog (status, doctor,
            // ls --problems) and the cycle only warns, so cron does not fail every few minutes for one condition
            scan.newProblems().forEach(p -> problems.add("scan " + p));
            int stillOpen = scan.problems().size() - scan.newProblems().size();
            if (stillOpen > 0) {
                log.warn("{} scan problem(s) still open, reported before; see `migdal-dm ls --problems`", stillOpen);
            }
            Optional<String> refusal = ctx.endpointRefusal(true, false);
            if (refusal.isPresent()) {
                problems.add("ship and clean not started, no file touched: " + refusal.get());
                log.error("ship and clean not started, no file touched: {}", refusal.get());
            } else {
                ship = ship(ctx, interactive, err);
                if (ship.failed() + ship.quarantined() > 0) {
                    problems.add("ship: " + ship.failed() + " failed, " + ship.quarantined() + " quarantined (see `migdal-dm ls --state QUARANTINED` and `show LFN`)");
                }
                if (ship.missing() > 0) {
                    problems.add("ship: " + ship.missing() + " file(s) vanished from their DAQ disk before shipping and are MISSING"
                            + " (`migdal-dm ls --state MISSING`; `retry LFN` if one comes back, `forget LFN` if it never will)");
                }
                clean = clean(ctx);
                clean.problems().forEach(p -> problems.add("clean " + p));
                if (clean.refused() > 0) {
                    problems.add("clean: " + clean.refused() + " DAQ copies kept because their storage copy could not be confirmed");
                }
            }
        }
        Optional<String> gridRefusal = role.equals("grid") || role.equals("all") ? ctx.endpointRefusal(true, true) : Optional.empty();
        if (gridRefusal.isPresent()) {
            problems.add("archive not started, no file touched: " + gridRefusal.get());
            log.error("archive not started, no file touched: {}", gridRefusal.get());
        } else if (role.equals("grid") || role.equals("all")) {
            archive = archive(ctx, interactive, err, problems);
            if (archive.failed() + archive.quarantined() > 0) {
                problems.add("archive: " + archive.failed() + " failed, " + archive.quarantined() + " quarantined");
            }
            org.migdal.dm.archive.Recaller.Report recalled = recall(ctx);
            if (recalled.failed() > 0) {
                problems.add("recall: " + recalled.failed() + " failed (they are retried; see `show LFN`)");
            }
            if (ctx.config.archive().cleanupRaw()) {
                raw = cleanupRaw(ctx);
            }
        }
        janitor(ctx, role);
        NotifyCommand.afterCycle(ctx);
        Result r = new Result(scan, ship, clean, archive, raw, problems);
        log.info("cycle {} done: {}", role, summary(r));
        return r;
    }

    /** One free-space sample of each DAQ disk per DAQ cycle, for the time-to-full forecast; a failure only warns. */
    private static void sampleDiskSpace(Context ctx) {
        try {
            new org.migdal.dm.health.DiskSpace(ctx.catalog(), ctx.config.daq(), ctx.clock).sample();
        } catch (RuntimeException e) {
            log.warn("free space of the DAQ disks not sampled: {}", e.getMessage());
        }
    }

    /**
     * Removes orphaned temporaries where this role writes them, each place at most once an hour. What it finds is
     * logged; a place it cannot sweep now (endpoint unreachable, credential refused) is left for a later cycle and
     * does not fail this one.
     */
    static void janitor(Context ctx, String role) {
        timed(ctx, "janitor", () -> {
            sweep(ctx, role);
            return null;
        }, x -> List.of());
    }

    private static void sweep(Context ctx, String role) {
        try {
            for (org.migdal.dm.storage.Janitor.Report r : JanitorCommand.sweep(ctx, JanitorCommand.places(ctx, role), false, true)) {
                if (!r.problems().isEmpty()) {
                    log.warn("janitor {}", r.summary());
                }
            }
        } catch (RuntimeException e) {
            log.warn("janitor not run: {}", e.toString());
        }
    }

    /**
     * Runs one stage and records, when it ends (even by an exception), its duration and what its steps moved
     * ({@code migdal_dm_stage_duration_seconds}, {@code migdal_dm_step_files_total}): the one place stage ends are
     * counted. A catalog that cannot record them only warns; the stage's outcome stands.
     */
    static <T> T timed(Context ctx, String stage, Supplier<T> work, Function<T, List<Counters.Moved>> moved) {
        long start = System.nanoTime();
        T result = null;
        try {
            result = work.get();
            return result;
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            try {
                new Counters(ctx.catalog()).stageEnded(stage, took, result == null ? List.of() : moved.apply(result));
            } catch (RuntimeException e) {
                log.warn("stage {} took {} ms, not recorded for /metrics: {}", stage, took.toMillis(), e.getMessage());
            }
        }
    }

    /** Registers the files of the disks flagged full. */
    static ScanReport scan(Context ctx) {
        return timed(ctx, "scan", () -> ctx.scanner().scan(), r -> List.of(new Counters.Moved("registered", r.registered(), 0)));
    }

    /** Finishes DAQ deletes an interrupted run left and hands drained disks back. */
    static DiskCleaner.Report clean(Context ctx) {
        return timed(ctx, "clean", () -> ctx.diskCleaner().clean(), r -> List.of(new Counters.Moved("daq_deleted", r.deleted(), 0)));
    }

    /** Ships every registered file, with a progress bar on a terminal. */
    static ShipReport ship(Context ctx, boolean interactive, PrintStream err) {
        return timed(ctx, "ship", () -> {
            long bytes = bytesIn(ctx, FileState.REGISTERED);
            try (Progress p = new Progress(err, interactive && bytes > 0, "ship", bytes)) {
                return ctx.shipper().ship(p);
            }
        }, r -> List.of(new Counters.Moved("shipped", r.shipped(), r.bytes())));
    }

    /** Works outstanding recalls (a cycle's worth). */
    static org.migdal.dm.archive.Recaller.Report recall(Context ctx) {
        return timed(ctx, "recall", () -> ctx.recaller().run(ctx.config.archive().jobsPerCycle()),
                r -> List.of(new Counters.Moved("recalled", r.done(), 0)));
    }

    /** Deletes raw storage copies of files safely on tape (a cycle's worth); only called with {@code archive.cleanupRaw}. */
    static int cleanupRaw(Context ctx) {
        return timed(ctx, "cleanup_raw", () -> ctx.rawCleaner().clean(ctx.config.archive().jobsPerCycle()),
                n -> List.of(new Counters.Moved("raw_deleted", n, 0)));
    }

    /** What an archive pass (or a tape poll) moved: compressed files with their raw bytes, files on tape. */
    static List<Counters.Moved> moved(ArchiveReport r) {
        return List.of(new Counters.Moved("compressed", r.compressed(), r.rawBytes()), new Counters.Moved("on_tape", r.onTape(), 0));
    }

    /** Compresses a cycle's worth of files and runs the tape mover; a mover that refuses to start is a problem. */
    static ArchiveReport archive(Context ctx, boolean interactive, PrintStream err, List<String> problems) {
        return timed(ctx, "archive", () -> archiveUntimed(ctx, interactive, err, problems), Cycle::moved);
    }

    private static ArchiveReport archiveUntimed(Context ctx, boolean interactive, PrintStream err, List<String> problems) {
        ctx.catalog().releaseClaimsOfDeadProcesses();
        long bytes = bytesIn(ctx, FileState.ON_DISK_STORAGE);
        ArchiveReport archive;
        try (Progress p = new Progress(err, interactive && bytes > 0, "compress", bytes)) {
            archive = ctx.compression().run(p);
        }
        try {
            archive = archive.plus(ctx.mover().move());
        } catch (org.migdal.dm.archive.FtsMover.Refused e) {
            // the message says which FTS server, why, and that no file was charged (FtsMover.Refused)
            problems.add("tape transfers: " + e.getMessage());
            log.error("tape transfers: {}", e.getMessage());
        }
        return archive;
    }

    private static long bytesIn(Context ctx, FileState state) {
        return ctx.catalog().counts().stream().filter(c -> c.state() == state).mapToLong(c -> c.bytes()).sum();
    }

    /** A cycle's {@code --json} document: the role, whether it succeeded, each stage's report and the problems. */
    static java.util.Map<String, Object> json(String role, Result r) {
        java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("role", role);
        doc.put("ok", r.ok());
        doc.put("scan", r.scan());
        doc.put("ship", r.ship() == null ? null : StageCommands.json(r.ship()));
        doc.put("clean", r.clean());
        doc.put("archive", r.archive());
        doc.put("rawDeleted", r.rawDeleted());
        doc.put("problems", r.problems());
        return doc;
    }

    static String summary(Result r) {
        List<String> parts = new ArrayList<>();
        if (r.scan() != null) {
            parts.add("scanned " + r.scan().disksScanned() + ", registered " + r.scan().registered());
        }
        if (r.ship() != null) {
            parts.add(String.format(java.util.Locale.ROOT, "shipped %d (%.1f MiB, %.1f MiB/s), failed %d",
                    r.ship().shipped(), r.ship().bytes() / 1048576.0, r.ship().mibPerSecond(), r.ship().failed() + r.ship().quarantined()));
        }
        if (r.clean() != null) {
            parts.add("DAQ copies deleted late " + r.clean().deleted() + ", disks released " + r.clean().released());
        }
        if (r.archive() != null) {
            parts.add("compressed " + r.archive().compressed() + ", on tape " + r.archive().onTape() + ", failed "
                    + (r.archive().failed() + r.archive().quarantined()));
        }
        if (r.rawDeleted() > 0) {
            parts.add("raw copies deleted " + r.rawDeleted());
        }
        return String.join("; ", parts);
    }
}
