package org.migdal.dm.bench;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.storage.Marker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.Adler32;

/**
 * {@code migdal-dm audit --rate 0} as a whole process on a consistent state of 100,000 files (2,000 with {@code --quick}):
 * each one a raw copy of 64 bytes at a {@code file://} storage in run folders of 1,000, recorded ON_DISK_STORAGE with its
 * size and adler32 in a SQLite catalog. Every file costs a listing entry, a catalog lookup (in batches), a stat and a
 * checksum (a read of the copy); the figures are files per second and the process's peak RSS (memory stays bounded: one
 * folder listing and one page of rows at a time). The audit must find the state consistent (exit 0), else the bench fails.
 */
public final class AuditBench implements Bench {
    static final int PER_RUN = 1000;
    static final int BYTES = 64;
    static final double RSS_BOUND_MIB = 300;

    @Override
    public String name() {
        return "audit";
    }

    @Override
    public List<Figure> run(Context ctx) throws Exception {
        int files = ctx.quick() ? 2_000 : 100_000;
        long start = System.nanoTime();
        Path storage = ctx.scratch().resolve("storage");
        Path tape = ctx.scratch().resolve("tape");
        Path db = ctx.scratch().resolve("catalog.db");
        generate(db, storage, files);
        Files.createDirectories(tape);
        Files.writeString(storage.resolve(Marker.NAME), "bench\n");
        Files.writeString(tape.resolve(Marker.NAME), "bench\n");
        Files.createDirectories(ctx.scratch().resolve("data1"));
        ctx.log().printf(Locale.ROOT, "audit: generated %d files and their catalog in %.1f s%n", files, (System.nanoTime() - start) / 1e9);
        ctx.log().flush();
        Path config = ctx.scratch().resolve("migdal-dm.yaml");
        Files.writeString(config, """
                catalog: {url: "sqlite:%1$s"}
                daq: {disks: [{name: data1, path: "%2$s/data1"}]}
                storage: {disk: "%3$s", tape: "%4$s"}
                archive: {workDir: "%2$s/work"}
                lockDir: "%2$s"
                """.formatted(db, ctx.scratch(), storage.toUri(), tape.toUri()));
        List<String> command = new ArrayList<>(CliBench.ours(ctx.launcher()));
        command.addAll(List.of("-q", "-c", config.toString(), "audit", "--rate", "0"));
        double[] seconds = new double[ctx.rounds()];
        double peak = 0;
        for (int r = 0; r < ctx.rounds(); r++) {
            PeakRss.Run run = PeakRss.run(command, ctx.scratch());
            if (run.exit() != 0 || !run.stdout().contains(files + " catalog file(s) checked")) {
                throw new IllegalStateException("audit did not find the generated state consistent (exit " + run.exit() + "):\n"
                        + run.stdout() + run.stderr());
            }
            seconds[r] = run.seconds();
            peak = Math.max(peak, run.peakMiB());
            ctx.log().printf(Locale.ROOT, "audit: round %d: %.2f s, peak RSS %.1f MiB%n", r + 1, run.seconds(), run.peakMiB());
            ctx.log().flush();
        }
        double median = Rounds.median(seconds);
        String detail = String.format(Locale.ROOT, "%d files of %d bytes at file:// in run folders of %d, SQLite catalog, whole"
                + " process (JVM start included), --rate 0, median of %d: %.2f s", files, BYTES, PER_RUN, ctx.rounds(), median);
        return List.of(
                new Figure("audit: consistent state, files/s", files / median, "files/s", "", Double.NaN, "informative", true, detail),
                Figure.absolute("audit: peak RSS", peak, "MiB", RSS_BOUND_MIB, false, detail + "; highest of the rounds"));
    }

    /** The copies and their rows: ON_DISK_STORAGE, shipped, DAQ copy deleted. */
    static void generate(Path db, Path storage, int files) throws Exception {
        SplittableRandom random = new SplittableRandom(13);
        long now = System.currentTimeMillis();
        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + db, null, null,
                new ClaimPolicy("bench", Duration.ofMinutes(30), 5, Duration.ofMinutes(1)), Clock.systemUTC(), 2)) {
            catalog.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO files (lfn, disk, local_path, run, size, mtime, adler32,"
                        + " state, registered_at, shipped_at, local_deleted_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    for (int i = 0; i < files; i++) {
                        String run = String.format(Locale.ROOT, "MIG_Fe55_data_2208%02dT1200%02d", 1 + (i / PER_RUN) / 60 % 28,
                                (i / PER_RUN) % 60);
                        String day = run.substring(14, 20);
                        String name = String.format(Locale.ROOT, "%s.CAL.%05d.dat", run, i % PER_RUN);
                        String lfn = "/" + day.substring(0, 4) + "/" + day + "/" + run + "/" + name;
                        byte[] bytes = new byte[BYTES];
                        random.nextBytes(bytes);
                        Path copy = storage.resolve(lfn.substring(1));
                        try {
                            Files.createDirectories(copy.getParent());
                            Files.write(copy, bytes);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        Adler32 a = new Adler32();
                        a.update(bytes);
                        ps.setString(1, lfn);
                        ps.setString(2, "data1");
                        ps.setString(3, run + "/" + name);
                        ps.setString(4, run);
                        ps.setLong(5, BYTES);
                        ps.setLong(6, now);
                        ps.setString(7, String.format("%08x", a.getValue()));
                        ps.setString(8, "ON_DISK_STORAGE");
                        ps.setLong(9, now);
                        ps.setLong(10, now);
                        ps.setLong(11, now);
                        ps.setLong(12, now);
                        ps.addBatch();
                        if (i % 1000 == 999) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
                return null;
            }, "generating " + files + " files");
        }
    }
}
