package org.migdal.dm.bench;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.daq.SyntheticRuns;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A large, realistic SQLite catalog made quickly for the CLI bench: the real schema (migrated by {@link JdbcCatalog#open}),
 * then direct batched inserts in one transaction. Files of 4 disks in runs of 1,000, mostly ON_TAPE with the other
 * states in the proportions of a catalog in use; 2 to 6 history events per file, disk records, a few recalls.
 */
public final class CatalogGenerator {
    /** What was generated: rows and one LFN at each end, for {@code show}. */
    public record Generated(long files, long events, String firstLfn, String lastLfn) {
    }

    static final String[] DISKS = {"data1", "data2", "data3", "data4"};
    private static final int PER_RUN = 1000;

    private CatalogGenerator() {
    }

    /** Creates the catalog {@code db} (which must not exist) with {@code files} files. */
    /** Where a bench's generated catalog lives: {@code catalog.db} in its scratch folder. */
    static Path benchDb(Bench.Context ctx) {
        return ctx.scratch().resolve("catalog.db");
    }

    /** A bench's catalog ({@link #benchDb}): 1,000,000 files, 10,000 with {@code --quick}; how long it took is logged. */
    static Generated forBench(Bench.Context ctx, String bench) throws SQLException {
        long start = System.nanoTime();
        Generated g = sqlite(benchDb(ctx), ctx.quick() ? 10_000 : 1_000_000);
        ctx.log().printf(java.util.Locale.ROOT, "%s: generated a catalog of %d files and %d events in %.1f s%n", bench, g.files(), g.events(),
                (System.nanoTime() - start) / 1e9);
        ctx.log().flush();
        return g;
    }

    public static Generated sqlite(Path db, int files) throws SQLException {
        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + db, null, null,
                new ClaimPolicy("bench", Duration.ofMinutes(30), 5, Duration.ofMinutes(1)), Clock.systemUTC(), 2)) {
            return catalog.inTransaction(c -> fill(c, files), "generating " + files + " files");
        }
    }

    private static Generated fill(Connection c, int files) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA cache_size = -200000");
        }
        SplittableRandom random = new SplittableRandom(12);
        LocalDateTime t0 = LocalDateTime.of(2022, 8, 3, 14, 54, 47);
        long events = 0;
        String first = null;
        String last = null;
        try (PreparedStatement f = c.prepareStatement("INSERT INTO files (id, lfn, disk, local_path, run, size, mtime, adler32, state,"
                + " compressed_name, compressed_size, compressed_adler32, tape_transfer_id, registered_at, shipped_at, local_deleted_at,"
                + " compressed_at, on_tape_at, raw_deleted_at, attempts, last_error, next_attempt_at, quarantined_from, updated_at,"
                + " tape_evidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
             PreparedStatement e = c.prepareStatement("INSERT INTO file_events (file_id, at, actor, action, ok, message)"
                     + " VALUES (?,?,?,?,?,?)")) {
            for (int i = 0; i < files; i++) {
                long id = i + 1L;
                String disk = DISKS[(i / PER_RUN) % DISKS.length];
                LocalDateTime start = t0.plusMinutes(i / PER_RUN * 7L);
                String run = SyntheticRuns.runName("Fe55", start);
                String name = String.format(Locale.ROOT, "%s.CAL.%04d.dat", run, i % PER_RUN);
                String local = run + "/" + name;
                String ymd = run.substring(run.length() - 13, run.length() - 7);
                String lfn = "/20" + ymd.substring(0, 2) + "/20" + ymd + "/" + local;
                long registered = start.toInstant(ZoneOffset.UTC).toEpochMilli() + 60_000;
                long size = 50_000_000L + random.nextLong(100_000_000L);
                FileState state = state(i, files, random);
                boolean shipped = state != FileState.REGISTERED && state != FileState.SHIPPING && state != FileState.MISSING
                        && state != FileState.FORGOTTEN;
                boolean compressed = state == FileState.COMPRESSED || state == FileState.TAPE_SUBMITTED || state == FileState.ON_TAPE;
                boolean onTape = state == FileState.ON_TAPE;
                int k = 1;
                f.setLong(k++, id);
                f.setString(k++, lfn);
                f.setString(k++, disk);
                f.setString(k++, local);
                f.setString(k++, run);
                f.setLong(k++, size);
                f.setLong(k++, registered - 30_000);
                f.setString(k++, shipped ? String.format(Locale.ROOT, "%08x", random.nextInt()) : null);
                f.setString(k++, state.name());
                f.setString(k++, compressed ? name + ".bz2" : null);
                setLong(f, k++, compressed ? size / 3 : null);
                f.setString(k++, compressed ? String.format(Locale.ROOT, "%08x", random.nextInt()) : null);
                f.setString(k++, compressed && state != FileState.COMPRESSED ? "builtin:" + id : null);
                f.setLong(k++, registered);
                setLong(f, k++, shipped ? registered + 600_000 : null);
                setLong(f, k++, shipped && onTape ? registered + 3_600_000 : null);
                setLong(f, k++, compressed ? registered + 1_800_000 : null);
                setLong(f, k++, onTape ? registered + 7_200_000 : null);
                setLong(f, k++, onTape && i % 2 == 0 ? registered + 86_400_000 : null);
                f.setInt(k++, state == FileState.QUARANTINED ? 5 : 0);
                f.setString(k++, state == FileState.QUARANTINED ? "adler32 mismatch: storage says 0badc0de" : null);
                f.setLong(k++, 0);
                f.setString(k++, state == FileState.QUARANTINED ? FileState.ON_DISK_STORAGE.name() : null);
                f.setLong(k++, registered + 7_200_000);
                f.setString(k, onTape ? "size+adler32 only (file:// tape, no residency information)" : null);
                f.addBatch();
                events += event(e, id, registered, "register", "registered from " + disk + ":" + local + " (" + size + " bytes)");
                if (shipped) {
                    events += event(e, id, registered + 600_000, "ship", "shipped, adler32 confirmed by the storage");
                }
                if (compressed) {
                    events += event(e, id, registered + 1_800_000, "compress", "compressed to " + name + ".bz2, checked");
                }
                if (onTape) {
                    events += event(e, id, registered + 3_600_000, "local-delete", "local copy deleted");
                    events += event(e, id, registered + 7_200_000, "tape", "on tape, size+adler32 confirmed");
                }
                if (state == FileState.QUARANTINED) {
                    events += event(e, id, registered + 7_200_000, "compress", "adler32 mismatch: storage says 0badc0de");
                }
                if ((i + 1) % 10_000 == 0) {
                    f.executeBatch();
                    e.executeBatch();
                }
                first = first == null ? lfn : first;
                last = lfn;
            }
            f.executeBatch();
            e.executeBatch();
        }
        try (PreparedStatement d = c.prepareStatement("INSERT INTO disks (name, path, state, changed_at, note) VALUES (?,?,?,?,?)")) {
            for (int i = 0; i < DISKS.length; i++) {
                d.setString(1, DISKS[i]);
                d.setString(2, "/daq/" + DISKS[i]);
                d.setString(3, i == 0 ? "RELEASED" : "DRAINING");
                d.setLong(4, 1_660_000_000_000L);
                d.setString(5, null);
                d.addBatch();
            }
            d.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO recalls (file_id, destination, state, requested_at, updated_at)"
                    + " SELECT id, 'file:///recall', 'DONE', 1660000000000, 1660000000000 FROM files"
                    + " WHERE state = 'ON_TAPE' AND id % 997 = 0");
        }
        return new Generated(files, events, first, last);
    }

    /** Mostly ON_TAPE; the newest files are further behind; a few stuck ones everywhere. */
    private static FileState state(int i, int files, SplittableRandom random) {
        int r = random.nextInt(1000);
        if (r < 3) {
            return FileState.QUARANTINED;
        }
        if (r < 5) {
            return FileState.MISSING;
        }
        if (r < 6) {
            return FileState.FORGOTTEN;
        }
        double age = 1.0 - (double) i / files; // 0 for the newest
        if (age < 0.02) {
            return FileState.REGISTERED;
        }
        if (age < 0.05) {
            return r < 10 ? FileState.SHIPPING : FileState.ON_DISK_STORAGE;
        }
        if (age < 0.08) {
            return r < 10 ? FileState.COMPRESSING : FileState.COMPRESSED;
        }
        if (age < 0.09) {
            return FileState.TAPE_SUBMITTED;
        }
        return FileState.ON_TAPE;
    }

    private static int event(PreparedStatement e, long id, long at, String action, String message) throws SQLException {
        e.setLong(1, id);
        e.setLong(2, at);
        e.setString(3, "bench@host:1");
        e.setString(4, action);
        e.setInt(5, 1);
        e.setString(6, message);
        e.addBatch();
        return 1;
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, java.sql.Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }
}
