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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bench scan}: how fast registration runs, on generated small files and a fresh SQLite catalog; {@code bench claims}
 * ({@link ClaimsBench}): how fast several workers claim and advance files on one catalog.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures (not part of normal operation).",
        subcommands = {BenchCommand.All.class, BenchCommand.Scan.class, BenchCommand.ImportLegacy.class, BenchCommand.Put.class, ClaimsBench.class})
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

    @Command(name = "all", mixinStandardHelpOptions = true, description = "Every figure of the performance targets beside its baseline tool,"
            + " measured in interleaved rounds on this machine; prints a Markdown table. Exit 0 when every target is met.")
    static final class All implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Option(names = "--only", split = ",", description = "run only these benches (names: ${COMPLETION-CANDIDATES})",
                completionCandidates = BenchNames.class)
        List<String> only;

        @Option(names = "--rounds", defaultValue = "3", description = "interleaved rounds, median taken (default ${DEFAULT-VALUE})")
        int rounds;

        @Option(names = "--quick", description = "small data, for a smoke run: figures are not comparable to the targets")
        boolean quick;

        @Option(names = "--dir", description = "scratch folder (default: a new folder under the system's temporary folder)")
        Path dir;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = bench.spec.commandLine().getOut();
            List<org.migdal.dm.bench.Bench> benches = org.migdal.dm.bench.Benches.all().stream()
                    .filter(b -> only == null || only.contains(b.name())).toList();
            if (only != null && benches.size() != only.size()) {
                bench.spec.commandLine().getErr().println("error: unknown bench in " + only + "; known: " + new BenchNames());
                return Main.USAGE;
            }
            Path base = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("migdal-bench-all");
            String launcher = System.getenv("MIGDAL_DM_LAUNCHER");
            org.migdal.dm.bench.Machine before = org.migdal.dm.bench.Machine.now();
            List<org.migdal.dm.bench.Figure> figures = new java.util.ArrayList<>();
            try {
                for (org.migdal.dm.bench.Bench b : benches) {
                    Path scratch = Files.createDirectories(base.resolve(b.name()));
                    out.printf(Locale.ROOT, "# %s …%n", b.name());
                    out.flush();
                    try {
                        figures.addAll(b.run(new org.migdal.dm.bench.Bench.Context(scratch, rounds, quick, out,
                                launcher == null ? null : Path.of(launcher))));
                    } finally {
                        org.migdal.dm.bench.Scratch.delete(scratch);
                    }
                }
            } finally {
                if (dir == null) {
                    org.migdal.dm.bench.Scratch.delete(base);
                }
            }
            out.println();
            org.migdal.dm.bench.Table.print(out, before, org.migdal.dm.bench.Machine.now(), figures);
            return figures.stream().allMatch(org.migdal.dm.bench.Figure::met) ? Main.OK : Main.FAILURE;
        }

        static final class BenchNames extends java.util.ArrayList<String> {
            BenchNames() {
                super(org.migdal.dm.bench.Benches.all().stream().map(org.migdal.dm.bench.Bench::name).toList());
            }
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true, description = "Register N small files from a flagged disk into a fresh SQLite catalog; prints files/s.")
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
        long genStart = System.nanoTime();
        org.migdal.dm.bench.RegistrationBench.writeSmallFiles(disk, files);
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
                org.migdal.dm.bench.Scratch.delete(base);
            }
        }
    }
}

    @Command(name = "import-legacy", mixinStandardHelpOptions = true, description = "Import a generated legacy catalog of N rows into a fresh SQLite catalog; prints rows/s.")
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
                    LegacyImport.Report r = importer.run(legacy, catalog, false, java.time.Instant.now());
                    double secs = (System.nanoTime() - start) / 1e9;
                    out.printf(Locale.ROOT, "imported %d legacy rows (%s, %d quarantined) in %.2f s: %.0f rows/s%n",
                            r.read(), r.perState(), r.quarantined(), secs, r.read() / secs);
                    return r.read() == rows ? Main.OK : Main.FAILURE;
                }
            } finally {
                org.migdal.dm.bench.Scratch.delete(base);
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Upload every file of --dir to --url through migdal-dm's endpoint, confirming size and"
            + " adler32 from the storage as shipping does; prints MiB/s.")
    static final class Put implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Option(names = "--url", required = true, description = "endpoint base URL (file://, root://, http(s)://, davs://)")
        String url;

        @Option(names = "--dir", required = true, description = "folder whose files are uploaded")
        Path dir;

        @Option(names = "--threads", defaultValue = "1", description = "parallel uploads (default ${DEFAULT-VALUE})")
        int threads;

        @Option(names = "--proxy", description = "X509 proxy to present (https/davs/roots)")
        Path proxy;

        @Option(names = "--ca-dir", description = "grid CA directory to trust (with --proxy)")
        Path caDir;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = bench.spec.commandLine().getOut();
            List<Path> files;
            try (var s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            String prefix = "/bench-" + java.util.UUID.randomUUID();
            long bytes = files.stream().mapToLong(p -> p.toFile().length()).sum();
            java.util.concurrent.atomic.AtomicInteger bad = new java.util.concurrent.atomic.AtomicInteger();
            org.migdal.dm.storage.StorageAuth auth = org.migdal.dm.storage.StorageAuth.none();
            if (proxy != null) {
                java.util.Optional<org.migdal.dm.security.X509Credential> cred =
                        java.util.Optional.of(org.migdal.dm.security.ProxyLoader.load(proxy));
                auth = new org.migdal.dm.storage.StorageAuth(
                        java.util.Optional.of(org.migdal.dm.security.TlsContexts.create(cred, caDir, false)),
                        java.util.Optional.of(proxy), java.util.Optional.ofNullable(caDir), java.util.Optional.empty());
            }
            try (org.migdal.dm.storage.StorageEndpoint e = org.migdal.dm.storage.Endpoints.open(url, auth)) {
                long start = System.nanoTime();
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
                List<java.util.concurrent.Future<?>> jobs = new java.util.ArrayList<>();
                for (Path f : files) {
                    jobs.add(pool.submit(() -> {
                        String name = prefix + "/" + f.getFileName();
                        try (java.io.InputStream in = Files.newInputStream(f)) {
                            org.migdal.dm.storage.StorageEndpoint.Sent sent = e.put(in, Files.size(f), name, false);
                            long size = e.stat(name).orElseThrow().size();
                            if (size != sent.bytes() || !e.checksum(name).equals(sent.adler32())) {
                                bad.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> j : jobs) {
                    j.get();
                }
                pool.shutdown();
                double secs = (System.nanoTime() - start) / 1e9;
                out.printf(Locale.ROOT, "migdal-dm put+confirm %s: %d files, %.1f MiB in %.2f s = %.1f MiB/s (%d threads, %d mismatches)%n",
                        url, files.size(), bytes / 1048576.0, secs, bytes / 1048576.0 / secs, threads, bad.get());
                for (Path f : files) {
                    e.delete(prefix + "/" + f.getFileName());
                }
            }
            return bad.get() == 0 ? Main.OK : Main.FAILURE;
        }
    }
}
