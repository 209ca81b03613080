package org.migdal.dm.cli;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.ScanReport;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.catalog.LegacyImport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code bench scan}: how fast registration runs, on generated small files and a fresh SQLite catalog. */
@Command(name = "bench", description = "Benchmarks that print figures (not part of normal operation).",
        subcommands = {BenchCommand.Scan.class, BenchCommand.ImportLegacy.class})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.USAGE;
    }

    @Command(name = "scan", description = "Register N small files from a flagged disk into a fresh SQLite catalog; prints files/s.")
    static final class Scan implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Option(names = "--files", defaultValue = "100000", description = "small files to register (default ${DEFAULT-VALUE})")
    int files;

    @Option(names = "--dir", description = "scratch folder (default: a new temporary folder)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = bench.spec.commandLine().getOut();
        Path base = dir != null ? dir : Files.createTempDirectory("migdal-bench");
        Path disk = base.resolve("data1");
        int perRun = 1000;
        LocalDateTime t0 = LocalDateTime.of(2022, 8, 3, 14, 54, 47);
        long genStart = System.nanoTime();
        for (int i = 0; i < files; i++) {
            String run = org.migdal.dm.daq.SyntheticRuns.runName("Fe55", t0.plusMinutes(i / perRun));
            Path d = disk.resolve(run);
            if (i % perRun == 0) {
                Files.createDirectories(d);
            }
            Files.write(d.resolve(String.format("%s.CAL.%04d.dat", run, i % perRun)), new byte[]{(byte) i});
        }
        Files.writeString(disk.resolve("ReadyToTransfer"), "");
        out.printf(Locale.ROOT, "generated %d files in %.1f s%n", files, (System.nanoTime() - genStart) / 1e9);
        MigdalConfig.Daq daq = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data1", disk.toString())), null, null, null, null, null);
        Path db = base.resolve("bench-catalog.db");
        Files.deleteIfExists(db);
        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + db, null, null,
                new ClaimPolicy(ClaimPolicy.thisProcessOwner(), Duration.ofMinutes(30), 5, Duration.ofMinutes(1)), Clock.systemUTC(), 4)) {
            long start = System.nanoTime();
            ScanReport r = new Scanner(daq, catalog, Clock.systemUTC()).scan();
            double secs = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "scan registered %d files (%d listed, %d problems) into SQLite in %.2f s: %.0f files/s%n",
                    r.registered(), r.filesFound(), r.problems().size(), secs, r.registered() / secs);
            return r.registered() == files ? Main.OK : Main.FAILURE;
        } finally {
            if (dir == null) {
                try (var walk = Files.walk(base)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}

    @Command(name = "import-legacy", description = "Import a generated legacy catalog of N rows into a fresh SQLite catalog; prints rows/s.")
    static final class ImportLegacy implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Option(names = "--rows", defaultValue = "100000", description = "legacy rows (default ${DEFAULT-VALUE})")
        int rows;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = bench.spec.commandLine().getOut();
            Path base = Files.createTempDirectory("migdal-bench-legacy");
            try {
                Path legacy = base.resolve("sqlite_dt.db");
                long g = System.nanoTime();
                LegacyCatalogs.generate(legacy, rows);
                out.printf(Locale.ROOT, "generated a legacy catalog of %d rows in %.1f s%n", rows, (System.nanoTime() - g) / 1e9);
                LegacyImport importer = new LegacyImport(java.util.Map.of("data1", base.resolve("data1"), "data2", base.resolve("data2"),
                        "data3", base.resolve("data3"), "data4", base.resolve("data4")));
                try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + base.resolve("catalog.db"), null, null,
                        new ClaimPolicy(ClaimPolicy.thisProcessOwner(), Duration.ofMinutes(30), 5, Duration.ofMinutes(1)), Clock.systemUTC(), 4)) {
                    long start = System.nanoTime();
                    List<LegacyImport.LegacyRow> read = importer.read(legacy);
                    LegacyImport.Report r = importer.run(read, catalog, false, java.time.Instant.now());
                    double secs = (System.nanoTime() - start) / 1e9;
                    out.printf(Locale.ROOT, "imported %d legacy rows (%s, %d quarantined) in %.2f s: %.0f rows/s%n",
                            r.read(), r.perState(), r.quarantined(), secs, r.read() / secs);
                    return r.read() == rows ? Main.OK : Main.FAILURE;
                }
            } finally {
                try (var walk = Files.walk(base)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
