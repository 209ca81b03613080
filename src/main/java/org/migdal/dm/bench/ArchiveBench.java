package org.migdal.dm.bench;

import org.migdal.dm.archive.ArchiveReport;
import org.migdal.dm.archive.Compression;
import org.migdal.dm.batch.LocalExecutor;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.compress.Engine;
import org.migdal.dm.compress.Toolbox;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.transfer.Shipper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The archive row of issue 12: camera-like files compressed by our archive stage (the real path: {@link Compression}
 * over a file:// storage and a SQLite catalog, verification included) against {@code bzip2 -9} (and {@code gzip -6})
 * alone on the same files with the same parallelism (the executor's threads: one per core); the size of our bzip2
 * copies against bzip2's; zstd's speed-up over our bzip2; whether our copies pass {@code bzip2 -t}; and the memory row
 * ({@link ArchiveMemory}).
 */
public final class ArchiveBench implements Bench {
    private static final LocalDateTime START = LocalDateTime.of(2022, 8, 3, 14, 54, 47);

    /** The lighter bzip2 level measured beside -9 (block size 600k instead of 900k). */
    private static final int LIGHTER = 6;

    @Override
    public String name() {
        return "archive";
    }

    @Override
    public List<Figure> run(Context ctx) throws Exception {
        int files = ctx.quick() ? 4 : 8;
        long bytes = (ctx.quick() ? 2L : 32L) << 20;
        int threads = Math.max(1, Math.min(files, Runtime.getRuntime().availableProcessors()));
        Path master = ctx.scratch().resolve("master");
        List<Path> raws = new SyntheticRuns(2022).writeRun(master, "Fe55", START, files, bytes);
        ctx.log().printf(Locale.ROOT, "archive: %d camera files of %d MiB, %d threads, %d rounds%n", files, bytes >> 20, threads, ctx.rounds());
        ctx.log().flush();
        Tools tools = new Tools(ctx.scratch().resolve("tools-out"));
        AtomicLong baseBytes = new AtomicLong();
        AtomicLong oursBytes = new AtomicLong();
        AtomicLong level6Bytes = new AtomicLong();
        AtomicInteger passed = new AtomicInteger(-1);
        AtomicInteger round = new AtomicInteger();
        double[] baseCpu = new double[ctx.rounds()];
        double[] oursCpu = new double[ctx.rounds()];
        List<Rounds.Timed> contenders = List.of(
                () -> {
                    double before = CpuTime.now();
                    double seconds = tools.parallel("bzip2", List.of("-9", "-c"), raws, threads, baseBytes);
                    baseCpu[round.get()] = CpuTime.now() - before;
                    return seconds;
                },
                () -> ours(ctx, master, raws, Codec.BZIP2, threads, round.getAndIncrement(), oursBytes, passed, tools, oursCpu),
                () -> ours(ctx, master, raws, Codec.ZSTD, threads, round.get(), null, null, tools, null),
                () -> ours(ctx, master, raws, Codec.GZIP, threads, round.get(), null, null, tools, null),
                () -> tools.parallel("gzip", List.of("-6", "-c"), raws, threads, null),
                // one file at a time: the verifying decompressor runs beside the compressor on the other core
                () -> tools.parallel("bzip2", List.of("-9", "-c"), raws, 1, null),
                () -> ours(ctx, master, raws, Codec.BZIP2, 9, 1, round.get(), null, null, tools, null),
                // a smaller block size: on camera data the same size, less CPU for compressing and for verifying
                () -> ours(ctx, master, raws, Codec.BZIP2, LIGHTER, threads, round.get(), level6Bytes, null, tools, null));
        double[] s = Rounds.medians(ctx.rounds(), contenders);
        String detail = String.format(Locale.ROOT, "%d × %d MiB camera files, %d threads, file:// + SQLite, median of %d rounds",
                files, bytes >> 20, threads, ctx.rounds());
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.ratio("archive bzip2 -9 (verify included, file://)", s[1], "bzip2 -9 ×" + threads, s[0], 1.35, detail));
        figures.add(new Figure("archive bzip2 -9 CPU time (verify included)", Rounds.median(oursCpu), "s CPU", "bzip2 -9 ×" + threads,
                Rounds.median(baseCpu), "≤ 1.35×", Rounds.median(oursCpu) <= 1.35 * Rounds.median(baseCpu),
                "CPU of this process and its children (whatever the machine's other load): what the wall-clock ratio is on an idle"
                        + " machine with one thread per core; " + detail));
        double mib = 1024.0 * 1024;
        double sizeRatio = oursBytes.get() / (double) baseBytes.get();
        figures.add(new Figure("archive bzip2 size", oursBytes.get() / mib, "MiB", "bzip2 -9", baseBytes.get() == 0 ? Double.NaN
                : baseBytes.get() / mib, "≤ 1.02×", sizeRatio <= 1.02, detail));
        figures.add(Figure.ratio("archive bzip2 -9, one file at a time (verify included)", s[6], "bzip2 -9 ×1", s[5], 1.35,
                detail.replace(threads + " threads", "1 thread")));
        figures.add(Figure.ratio("archive bzip2 -" + LIGHTER + " (archive.level " + LIGHTER + ", verify included)", s[7], "bzip2 -9 ×" + threads,
                s[0], 1.35, detail));
        double lighterSize = level6Bytes.get() / (double) baseBytes.get();
        figures.add(new Figure("archive bzip2 -" + LIGHTER + " size", level6Bytes.get() / mib, "MiB", "bzip2 -9", baseBytes.get() == 0
                ? Double.NaN : baseBytes.get() / mib, "≤ 1.02×", lighterSize <= 1.02, detail));
        figures.add(Figure.absolute("archive bzip2 copies passing bzip2 -t", passed.get(), "files", files, true,
                "bzip2 -t on each compressed copy of round 1 (" + files + " files)"));
        figures.add(Figure.absolute("archive zstd speed-up over archive bzip2", s[1] / s[2], "×", 5, true,
                String.format(Locale.ROOT, "zstd -%d %.2f s vs bzip2 -9 %.2f s; %s", Codec.ZSTD.defaultLevel(), s[2], s[1], detail)));
        figures.add(Figure.ratio("archive gzip -6 (verify included, file://)", s[3], "gzip -6 ×" + threads, s[4], 1.35,
                detail + "; no target in the issue: bzip2's bound shown"));
        figures.addAll(new ArchiveMemory(ctx, tools, threads).figures(ctx.quick() ? 100 : 1000));
        return figures;
    }

    /** One archive run of our stage on fresh copies of the raw files; returns the seconds {@link Compression#run} took. */
    private static double ours(Context ctx, Path master, List<Path> raws, Codec codec, int threads, int round, AtomicLong bytes,
                               AtomicInteger passed, Tools tools, double[] cpu) throws Exception {
        return ours(ctx, master, raws, codec, codec.defaultLevel(), threads, round, bytes, passed, tools, cpu);
    }

    private static double ours(Context ctx, Path master, List<Path> raws, Codec codec, int level, int threads, int round, AtomicLong bytes,
                               AtomicInteger passed, Tools tools, double[] cpu) throws Exception {
        Path run = ctx.scratch().resolve("ours-" + codec.id() + "-" + level + "-" + threads + "-" + round);
        Path daq = run.resolve("daq");
        for (Path raw : raws) {
            Path link = daq.resolve(master.relativize(raw));
            Files.createDirectories(link.getParent());
            Files.createLink(link, raw); // the DAQ copy: the master's bytes, no copy
        }
        Files.writeString(daq.resolve("ReadyToTransfer"), "");
        MigdalConfig.Daq d = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data1", daq.toString())), null, null, null, null, null);
        Path storageRoot = Files.createDirectories(run.resolve("storage"));
        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + run.resolve("catalog.db"), null, null,
                new ClaimPolicy("bench:1:0", Duration.ofMinutes(30), 3, Duration.ZERO), Clock.systemUTC(), 4);
             FileEndpoint storage = new FileEndpoint(storageRoot.toUri());
             LocalExecutor executor = new LocalExecutor(threads)) {
            new Scanner(d, catalog, Clock.systemUTC()).scan();
            if (new Shipper(d, threads, catalog, storage).ship(b -> { }).shipped() != raws.size()) {
                throw new IllegalStateException("archive bench: shipping the " + raws.size() + " files to " + storageRoot + " failed (see the log)");
            }
            Compression c = new Compression(catalog, storage, new CompressionJob.Settings(storage.base().toString(), "none", null, false,
                    "", codec, level), Toolbox.system(Engine.AUTO), executor, run.resolve("work"), 100_000);
            ArchiveReport[] report = new ArchiveReport[1];
            double before = CpuTime.now();
            double seconds = Rounds.time(() -> report[0] = c.run(b -> { }));
            if (cpu != null) {
                cpu[round] = CpuTime.now() - before;
            }
            if (report[0].compressed() != raws.size()) {
                throw new IllegalStateException("archive bench: our " + codec.id() + " archive compressed " + report[0].compressed() + " of "
                        + raws.size() + " files (" + report[0] + "; see the log)");
            }
            if (bytes != null) {
                bytes.set(report[0].compressedBytes());
            }
            if (passed != null && passed.get() < 0) {
                passed.set(tools.testAll(storageRoot, codec.suffix()));
            }
            return seconds;
        } finally {
            Scratch.delete(run);
        }
    }

    /** Whether the program is on this machine's PATH (for a NaN figure). */
    static boolean present(String program) {
        return org.migdal.dm.compress.Programs.systemPath().stream().anyMatch(p -> Files.isExecutable(p.resolve(program)));
    }
}
