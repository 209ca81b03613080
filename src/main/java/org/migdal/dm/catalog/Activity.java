package org.migdal.dm.catalog;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the catalog says about work over time, for the dashboard, {@code /metrics} and the notifications: the last
 * progress, the last error of each stage, files and bytes per hour through each step, and the free space samples of the
 * DAQ disks. Every query reads an index of migration 9, so each answers in milliseconds at a million rows.
 */
public final class Activity {
    /** The step times a file's progress is measured by, with the size that step moved. */
    public enum Step {
        REGISTERED("registered_at", "size"),
        SHIPPED("shipped_at", "size"),
        COMPRESSED("compressed_at", "compressed_size"),
        ON_TAPE("on_tape_at", "size");

        private final String column;
        private final String bytes;

        Step(String column, String bytes) {
            this.column = column;
            this.bytes = bytes;
        }
    }

    /** The newest failed event of one action (a stage's step: {@code ship}, {@code compress}, {@code tape-submit}, …). */
    public record StageError(String action, Instant at, long fileId, String lfn, String message) {
    }

    /** Files and bytes that went through a step in {@code [start, start + width)}. */
    public record Bucket(Instant start, long files, long bytes) {
    }

    /** One sample of a DAQ disk's free space. */
    public record SpaceSample(String disk, Instant at, long freeBytes, long totalBytes) {
    }

    /** The actions with failed events, one index probe each (a loose index scan: failed events may be millions). */
    private static final String DISTINCT_FAILED_ACTIONS = "WITH RECURSIVE a(action) AS ("
            + "SELECT MIN(action) FROM file_events WHERE ok = 0"
            + " UNION ALL SELECT (SELECT MIN(action) FROM file_events WHERE ok = 0 AND action > a.action) FROM a WHERE a.action IS NOT NULL)"
            + " SELECT action FROM a WHERE action IS NOT NULL";

    private final JdbcCatalog catalog;

    Activity(JdbcCatalog catalog) {
        this.catalog = catalog;
    }

    /** When a file last went through a step that moves data on (shipped, compressed or on tape), if ever. */
    public Optional<Instant> lastProgress() {
        return catalog.reading(c -> {
            long newest = Long.MIN_VALUE;
            for (Step s : List.of(Step.SHIPPED, Step.COMPRESSED, Step.ON_TAPE)) {
                try (PreparedStatement ps = c.prepareStatement("SELECT MAX(" + s.column + ") FROM files WHERE " + s.column + " IS NOT NULL");
                     ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long v = rs.getLong(1);
                        if (!rs.wasNull()) {
                            newest = Math.max(newest, v);
                        }
                    }
                }
            }
            return newest == Long.MIN_VALUE ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(newest));
        }, "reading the last progress");
    }

    /** The newest failed event of each action, newest first. */
    public List<StageError> lastErrors() {
        return catalog.reading(c -> {
            List<String> actions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(DISTINCT_FAILED_ACTIONS);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    actions.add(rs.getString(1));
                }
            }
            List<StageError> out = new ArrayList<>();
            for (String action : actions) {
                try (PreparedStatement ps = c.prepareStatement("SELECT e.action, e.at, e.file_id, f.lfn, e.message FROM file_events e"
                        + " JOIN files f ON f.id = e.file_id WHERE e.id = (SELECT MAX(id) FROM file_events WHERE ok = 0 AND action = ?)")) {
                    ps.setString(1, action);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            out.add(new StageError(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getLong(3), rs.getString(4),
                                    rs.getString(5)));
                        }
                    }
                }
            }
            out.sort((a, b) -> b.at().compareTo(a.at()));
            return out;
        }, "reading the last error of each stage");
    }

    /**
     * Files and bytes through {@code step} per bucket of {@code width}, for the buckets from {@code from} up to {@code to};
     * every bucket is present (zero when nothing happened), oldest first.
     */
    public List<Bucket> throughput(Step step, Instant from, Instant to, Duration width) {
        long w = width.toMillis();
        if (w <= 0 || !to.isAfter(from)) {
            throw new IllegalArgumentException("throughput needs a positive bucket width and from < to, not " + width + ", " + from + ".." + to);
        }
        long start = from.toEpochMilli();
        int n = (int) Math.min(10_000, (to.toEpochMilli() - start + w - 1) / w);
        long[] files = new long[n];
        long[] bytes = new long[n];
        catalog.reading(c -> {
            // one index range per bucket: an aggregate over a range of the step's index, with no grouping to sort (a
            // single GROUP BY over the window sorted every row of it: 4× slower at a million files)
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(" + step.bytes + "), 0) FROM files WHERE "
                    + step.column + " IS NOT NULL AND " + step.column + " >= ? AND " + step.column + " < ?")) {
                for (int i = 0; i < n; i++) {
                    ps.setLong(1, start + i * w);
                    ps.setLong(2, start + (i + 1) * w);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            files[i] = rs.getLong(1);
                            bytes[i] = rs.getLong(2);
                        }
                    }
                }
            }
            return null;
        }, "reading the throughput of step " + step);
        List<Bucket> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Bucket(Instant.ofEpochMilli(start + i * w), files[i], bytes[i]));
        }
        return out;
    }

    /** Records one free-space sample of a DAQ disk (a second sample at the same instant replaces the first). */
    public void recordSpace(SpaceSample s) {
        catalog.inTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM disk_space WHERE disk = ? AND at = ?");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO disk_space (disk, at, free_bytes, total_bytes) VALUES (?, ?, ?, ?)")) {
                del.setString(1, s.disk());
                del.setLong(2, s.at().toEpochMilli());
                del.executeUpdate();
                ins.setString(1, s.disk());
                ins.setLong(2, s.at().toEpochMilli());
                ins.setLong(3, s.freeBytes());
                ins.setLong(4, s.totalBytes());
                ins.executeUpdate();
            }
            return null;
        }, "recording the free space of disk " + s.disk());
    }

    /** Removes the samples taken before {@code before}; returns how many. */
    public int pruneSpace(Instant before) {
        return catalog.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM disk_space WHERE at < ?")) {
                ps.setLong(1, before.toEpochMilli());
                return ps.executeUpdate();
            }
        }, "pruning free-space samples");
    }

    /** The samples of {@code disk} taken at or after {@code since}, oldest first. */
    public List<SpaceSample> space(String disk, Instant since) {
        return catalog.query("SELECT disk, at, free_bytes, total_bytes FROM disk_space WHERE disk = ? AND at >= ? ORDER BY at",
                ps -> {
                    ps.setString(1, disk);
                    ps.setLong(2, since.toEpochMilli());
                }, Activity::sample);
    }

    /** Bytes of DAQ copies of {@code disk} recorded deleted at or after {@code since}. */
    public long deletedFrom(String disk, Instant since) {
        // (on SQLite "+disk" keeps the planner on the local_deleted_at index: through the disk's index it read a quarter
        // of a million-row catalog, 1 s)
        return catalog.query("SELECT COALESCE(SUM(size), 0) FROM files WHERE local_deleted_at IS NOT NULL AND local_deleted_at >= ?"
                + " AND " + (catalog.dialect() == JdbcCatalog.Dialect.SQLITE ? "+disk" : "disk") + " = ?", ps -> {
                    ps.setLong(1, since.toEpochMilli());
                    ps.setString(2, disk);
                }, rs -> rs.getLong(1)).get(0);
    }

    private static SpaceSample sample(ResultSet rs) throws SQLException {
        return new SpaceSample(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getLong(3), rs.getLong(4));
    }
}
