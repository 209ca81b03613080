package org.migdal.dm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.cli.LegacyCatalogs;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.ScanReport;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.daq.SyntheticRuns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code register}: (a) files/s of a scan of 100,000 small files into a fresh SQLite catalog, in this process as
 * {@code bench scan} does; (b) peak RSS and files/s of {@code migdal-dm scan} (the launcher, its default heap) on a
 * 1,000,000-file disk; (c) rows/s and peak RSS of {@code migdal-dm import-legacy} of a 1,000,000-row legacy catalog.
 * {@code --quick}: 5,000 / 20,000 / 20,000.
 */
public final class RegistrationBench implements Bench {
    static final double FILES_PER_SECOND = 50_000;
    static final double ROWS_PER_SECOND = 50_000;
    static final double PEAK_MIB = 512;
    static final int FILES_PER_RUN = 1000;
    private static final Pattern SCANNED = Pattern.compile("(\\d+) files listed, (\\d+) registered");

    @Override
    public String name() {
        return "register";
    }

    @Override
    public List<Figure> run(Context ctx) throws Exception {
        int small = ctx.quick() ? 5_000 : 100_000;
        int big = ctx.quick() ? 20_000 : 1_000_000;
        List<Figure> figures = new ArrayList<>();
        figures.add(scanInProcess(ctx, small));
        Scratch.delete(ctx.scratch().resolve("small"));
        figures.addAll(scanWithLauncher(ctx, big));
        Scratch.delete(ctx.scratch().resolve("big"));
        figures.addAll(importWithLauncher(ctx, big));
        Scratch.delete(ctx.scratch().resolve("legacy"));
        return figures;
    }

    // ---------------------------------------------------------------- (a) in-process scan

    Figure scanInProcess(Context ctx, int files) throws Exception {
        Path disk = ctx.scratch().resolve("small/data1");
        double gen = Rounds.time(() -> writeSmallFiles(disk, files));
        ctx.log().printf(Locale.ROOT, "  generated %d small files in %.1f s%n", files, gen);
        MigdalConfig.Daq daq = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data1", disk.toString())), null, null, null, null, null);
        int[] registered = new int[1];
        double[] cpu = new double[1];
        double secs = Rounds.medians(ctx.rounds(), List.of(() -> {
            Path db = ctx.scratch().resolve("small/catalog-" + System.nanoTime() + ".db");
            Files.writeString(disk.resolve("ReadyToTransfer"), "");
            try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + db, null, null, new ClaimPolicy(ClaimPolicy.thisProcessOwner(),
                    Duration.ofMinutes(30), 5, Duration.ofMinutes(1)), Clock.systemUTC(), 4)) {
                long cpu0 = processCpuNanos();
                long start = System.nanoTime();
                ScanReport r = new Scanner(daq, catalog, Clock.systemUTC()).scan();
                double s = (System.nanoTime() - start) / 1e9;
                cpu[0] = (processCpuNanos() - cpu0) / 1e9;
                registered[0] = r.registered();
                return s;
            } finally {
                for (String suffix : new String[]{"", "-wal", "-shm"}) {
                    Files.deleteIfExists(Path.of(db + suffix));
                }
            }
        }))[0];
        if (registered[0] != files) {
            return new Figure("register: scan " + files + " small files (in process)", Double.NaN, "files/s", "", Double.NaN,
                    "≥ 50000 files/s", false, "registered " + registered[0] + " of " + files + " files");
        }
        return Figure.absolute("register: scan " + files + " small files (in process)", files / secs, "files/s", FILES_PER_SECOND, true,
                String.format(Locale.ROOT, "fresh SQLite catalog, median of %d rounds: %.2f s; last round used %.2f s of process CPU"
                        + " (%.0f files per CPU-second); generation %.1f s", ctx.rounds(), secs, cpu[0], files / cpu[0], gen));
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /**
     * Writes {@code files} one-byte files under {@code disk} as the DAQ names them ({@value #FILES_PER_RUN} files per run
     * folder, {@link SyntheticRuns#runName}), with two writers, and drops the {@code ReadyToTransfer} flag.
     */
    public static void writeSmallFiles(Path disk, int files) throws Exception {
        LocalDateTime t0 = LocalDateTime.of(2022, 8, 3, 14, 54, 47);
        int runs = (files + FILES_PER_RUN - 1) / FILES_PER_RUN;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                int first = run * FILES_PER_RUN;
                int n = Math.min(FILES_PER_RUN, files - first);
                String name = SyntheticRuns.runName("Fe55", t0.plusMinutes(run));
                done.add(pool.submit(() -> {
                    Path d = Files.createDirectories(disk.resolve(name));
                    for (int i = 0; i < n; i++) {
                        try {
                            Files.write(d.resolve(String.format(Locale.ROOT, "%s.CAL.%04d.dat", name, i)), new byte[]{(byte) (first + i)});
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Files.writeString(disk.resolve("ReadyToTransfer"), "");
    }

    // ---------------------------------------------------------------- (b) migdal-dm scan, whole process

    List<Figure> scanWithLauncher(Context ctx, int files) throws Exception {
        String what = "register: migdal-dm scan of a " + files + "-file disk";
        if (ctx.launcher() == null) {
            return missingLauncher(what);
        }
        Path base = Files.createDirectories(ctx.scratch().resolve("big"));
        Path disk = base.resolve("data1");
        double gen = Rounds.time(() -> writeSmallFiles(disk, files));
        ctx.log().printf(Locale.ROOT, "  generated a %d-file disk in %.1f s%n", files, gen);
        List<PeakRss.Run> runs = new ArrayList<>();
        for (int round = 0; round < ctx.rounds(); round++) {
            Path cfg = config(base, "catalog-" + round + ".db", List.of(disk));
            Files.writeString(disk.resolve("ReadyToTransfer"), "");
            PeakRss.Run run = PeakRss.run(List.of(ctx.launcher().toString(), "-c", cfg.toString(), "scan"), base);
            Matcher m = SCANNED.matcher(run.stdout());
            if (run.exit() != 0 || !m.find() || Integer.parseInt(m.group(2)) != files) {
                return failed(what, "exit " + run.exit() + ", expected " + files + " registered: " + tail(run));
            }
            runs.add(run);
            deleteCatalog(base.resolve("catalog-" + round + ".db"));
        }
        return wholeProcess(what, "files/s", FILES_PER_SECOND, files, runs, String.format(Locale.ROOT, "generation %.1f s", gen));
    }

    // ---------------------------------------------------------------- (c) migdal-dm import-legacy, whole process

    List<Figure> importWithLauncher(Context ctx, int rows) throws Exception {
        String what = "register: migdal-dm import-legacy of " + rows + " rows";
        if (ctx.launcher() == null) {
            return missingLauncher(what);
        }
        Path base = Files.createDirectories(ctx.scratch().resolve("legacy"));
        Path legacy = base.resolve("sqlite_dt.db");
        double gen = Rounds.time(() -> LegacyCatalogs.generate(legacy, rows));
        ctx.log().printf(Locale.ROOT, "  generated a %d-row legacy catalog in %.1f s%n", rows, gen);
        List<Path> disks = List.of(base.resolve("data1"), base.resolve("data2"), base.resolve("data3"), base.resolve("data4"));
        List<PeakRss.Run> runs = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (int round = 0; round < ctx.rounds(); round++) {
            Path cfg = config(base, "catalog-" + round + ".db", disks);
            PeakRss.Run run = PeakRss.run(List.of(ctx.launcher().toString(), "-c", cfg.toString(), "import-legacy", "--json",
                    legacy.toString()), base);
            JsonNode report;
            try {
                report = json.readTree(run.stdout());
            } catch (IOException e) {
                return failed(what, "exit " + run.exit() + ", no JSON report: " + tail(run));
            }
            if (run.exit() != 0 || report.path("read").asInt() != rows || report.path("skippedPresent").asInt() != 0) {
                return failed(what, "exit " + run.exit() + ", expected " + rows + " rows imported: " + tail(run));
            }
            runs.add(run);
            rates.add(rows / Math.max(0.001, report.path("millis").asLong() / 1000.0));
            deleteCatalog(base.resolve("catalog-" + round + ".db"));
        }
        double rate = Rounds.median(rates.stream().mapToDouble(Double::doubleValue).toArray());
        double peak = runs.stream().mapToDouble(PeakRss.Run::peakMiB).max().orElse(Double.NaN);
        double wall = Rounds.median(runs.stream().mapToDouble(PeakRss.Run::seconds).toArray());
        return List.of(
                Figure.absolute(what + ": rows/s", rate, "rows/s", ROWS_PER_SECOND, true, String.format(Locale.ROOT,
                        "the import itself (its report's time), median of %d; whole process %.1f s, %.1f s of CPU; generation %.1f s",
                        runs.size(), wall, runs.get(0).cpuSeconds(), gen)),
                Figure.absolute(what + ": peak RSS", peak, "MiB", PEAK_MIB, false, String.format(Locale.ROOT,
                        "whole process, launcher defaults%s, highest of %d runs (%s)", javaOpts(), runs.size(), runs.get(0).how())));
    }

    // ---------------------------------------------------------------- helpers

    private static Path config(Path base, String catalog, List<Path> disks) throws IOException {
        StringBuilder yaml = new StringBuilder("catalog: {url: \"sqlite:" + base.resolve(catalog) + "\"}\ndaq:\n  disks:\n");
        for (int i = 0; i < disks.size(); i++) {
            yaml.append("    - {name: data").append(i + 1).append(", path: \"").append(disks.get(i)).append("\"}\n");
        }
        yaml.append("storage: {disk: \"").append(base.resolve("storage").toUri()).append("\", tape: \"")
                .append(base.resolve("tape").toUri()).append("\"}\n");
        yaml.append("lockDir: \"").append(base).append("\"\n");
        Path cfg = base.resolve("migdal-dm.yaml");
        Files.writeString(cfg, yaml.toString());
        return cfg;
    }

    private static List<Figure> wholeProcess(String what, String unit, double bound, int items, List<PeakRss.Run> runs, String extra) {
        double wall = Rounds.median(runs.stream().mapToDouble(PeakRss.Run::seconds).toArray());
        double peak = runs.stream().mapToDouble(PeakRss.Run::peakMiB).max().orElse(Double.NaN);
        return List.of(
                Figure.absolute(what + ": " + unit, items / wall, unit, bound, true, String.format(Locale.ROOT,
                        "whole process (JVM start and catalog creation included), median of %d: %.1f s, %.1f s of CPU (%.0f %s per"
                                + " CPU-second); %s", runs.size(), wall, runs.get(0).cpuSeconds(), items / runs.get(0).cpuSeconds(),
                        unit.replace("/s", ""), extra)),
                Figure.absolute(what + ": peak RSS", peak, "MiB", PEAK_MIB, false, String.format(Locale.ROOT,
                        "whole process, launcher defaults%s, highest of %d runs (%s)", javaOpts(), runs.size(), runs.get(0).how())));
    }

    private static String javaOpts() {
        String opts = System.getenv("MIGDAL_JAVA_OPTS");
        return opts == null || opts.isBlank() ? "" : " (MIGDAL_JAVA_OPTS=" + opts + ")";
    }

    private static List<Figure> missingLauncher(String what) {
        return failed(what, "no launcher (bin/migdal-dm) known to this process: run through bin/migdal-dm bench all");
    }

    private static List<Figure> failed(String what, String why) {
        return List.of(new Figure(what, Double.NaN, "", "", Double.NaN, "≤ 512 MiB", false, why));
    }

    private static String tail(PeakRss.Run run) {
        String all = (run.stdout() + "\n" + run.stderr()).strip();
        return all.length() <= 400 ? all : "…" + all.substring(all.length() - 400);
    }

    private static void deleteCatalog(Path db) throws IOException {
        for (String suffix : new String[]{"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
    }
}
