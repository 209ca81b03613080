package org.migdal.dm.bench;

import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.daq.SyntheticRuns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The memory row of issue 12: {@code archive} of many small files (one 128 KiB camera frame each) by a child process of
 * the program, as an operator runs it ({@code bin/migdal-dm}, or {@code java -cp …} with the launcher's memory defaults
 * when the launcher is unknown), over a file:// storage and a SQLite catalog; its whole-process peak RSS, and its time
 * per file beyond what {@code bzip2 -9} alone takes on the same files with the same parallelism.
 */
final class ArchiveMemory {
    /** The launcher's defaults, used when the bench runs without it. */
    private static final List<String> JAVA_DEFAULTS = List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:MaxMetaspaceSize=128m");

    private final Bench.Context ctx;
    private final Tools tools;
    private final int threads;

    ArchiveMemory(Bench.Context ctx, Tools tools, int threads) {
        this.ctx = ctx;
        this.tools = tools;
        this.threads = threads;
    }

    List<Figure> figures(int files) throws Exception {
        Path base = ctx.scratch().resolve("memory");
        Path daq = base.resolve("daq/data1");
        new SyntheticRuns(1000).writeRun(daq, "Fe55", LocalDateTime.of(2022, 8, 4, 10, 0), files, 256 * 256 * 2);
        Files.writeString(daq.resolve("ReadyToTransfer"), "");
        Path config = base.resolve("migdal-dm.yaml");
        Files.writeString(config, """
                catalog:
                  url: sqlite:%1$s/catalog.db
                daq:
                  disks:
                    - {name: data1, path: %1$s/daq/data1}
                storage:
                  disk: %2$s
                  tape: %3$s
                  diskAuth: none
                  tapeAuth: none
                archive:
                  compression: bzip2
                  jobsPerCycle: 100000
                  workDir: %1$s/work
                  requireTapeResidency: false
                lockDir: %1$s
                """.formatted(base, Files.createDirectories(base.resolve("storage")).toUri(),
                Files.createDirectories(base.resolve("tape")).toUri()));
        run(base, "storage", "init");
        run(base, "scan");
        run(base, "ship");
        List<Path> raws;
        try (Stream<Path> s = Files.walk(base.resolve("storage"))) {
            raws = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".dat")).sorted().toList();
        }
        double baseline = tools.parallel("bzip2", List.of("-9", "-c"), raws, threads, null);
        Path rss = base.resolve("rss.txt");
        boolean timeTool = Files.isExecutable(Path.of("/usr/bin/time"));
        double seconds = Rounds.time(() -> run(base, timeTool ? List.of("/usr/bin/time", "-f", "%M", "-o", rss.toString()) : List.of(),
                "archive"));
        double peakMiB = timeTool ? Long.parseLong(Files.readString(rss).trim().lines().reduce((a, b) -> b).orElseThrow()) / 1024.0
                : Double.NaN;
        int archived = archived(base, files);
        String how = (ctx.launcher() != null ? ctx.launcher().getFileName() + " (its memory defaults, or MIGDAL_JAVA_OPTS)"
                : "java " + String.join(" ", JAVA_DEFAULTS)) + ", " + threads + " threads";
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.absolute("archive of " + files + " files: peak RSS", peakMiB, "MiB", 300, false,
                String.format(Locale.ROOT, "whole process (/usr/bin/time %%M), %d × 128 KiB files (%d archived), %s", files, archived, how)));
        double overheadMs = (seconds - baseline) * 1000 / files;
        figures.add(new Figure("archive of " + files + " files: time per file beyond bzip2 -9", overheadMs, "ms", "", Double.NaN,
                "informative", true, String.format(Locale.ROOT, "archive %.2f s (compress, verify, upload, tape copy, catalog; JVM start"
                        + " included) − bzip2 -9 alone %.2f s, over %d files", seconds, baseline, files)));
        Scratch.delete(base);
        return figures;
    }

    /** Files of the child's catalog that now have a compressed copy; the bench fails unless all {@code files} do. */
    private static int archived(Path base, int files) {
        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + base.resolve("catalog.db"), null, null,
                new ClaimPolicy("bench:1:0", Duration.ofMinutes(30), 3, Duration.ZERO), Clock.systemUTC(), 1)) {
            List<CatalogFile> rows = catalog.list(FileFilter.all(files + 1));
            int n = (int) rows.stream().filter(f -> f.compressedName() != null).count();
            if (rows.size() != files || n != files) {
                throw new IllegalStateException("archive bench (memory): " + rows.size() + " files registered, " + n + " archived, of "
                        + files + "; see " + base.resolve("archive.log"));
            }
            return n;
        }
    }

    private void run(Path base, String... command) throws Exception {
        run(base, List.of(), command);
    }

    private void run(Path base, List<String> prefix, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        if (ctx.launcher() != null) {
            cmd.add(ctx.launcher().toString());
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(JAVA_DEFAULTS);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.migdal.dm.cli.Main"));
        }
        cmd.addAll(List.of("-c", base.resolve("migdal-dm.yaml").toString()));
        cmd.addAll(List.of(command));
        Path log = base.resolve(String.join("-", command) + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + exit + ": " + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }
}
