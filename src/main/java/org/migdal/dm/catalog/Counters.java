package org.migdal.dm.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cumulative counters kept in the catalog (migration 10) for {@code /metrics}: stage durations as histogram buckets, the
 * files and bytes each step moved, and failures by stage and class. Kept here rather than in a process so that every
 * process serving them (the daemon, {@code serve}, {@code metrics} from cron) says the same, and they survive restarts.
 * Stage ends are recorded by one caller (the CLI's cycle), failures by {@link JdbcCatalog#fail} in its own transaction.
 */
public final class Counters {
    /** Upper bounds of the stage-duration buckets, seconds (stages take from milliseconds to hours). */
    public static final double[] BUCKETS = {0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600};
    /** The {@code le_ms} of the +Inf bucket. */
    static final long INF_MS = Long.MAX_VALUE;

    /** One stage's durations: how many ended, their total, and per bucket upper bound (ms) the count in that bucket alone. */
    public record StageDurations(String stage, long runs, long totalMillis, Map<Long, Long> bucketCounts) {
        /** Cumulative counts at each of {@link #BUCKETS} and then +Inf (the Prometheus form). */
        public long[] cumulative() {
            long[] out = new long[BUCKETS.length + 1];
            for (Map.Entry<Long, Long> e : bucketCounts.entrySet()) {
                for (int i = 0; i < BUCKETS.length; i++) {
                    if (e.getKey() <= Math.round(BUCKETS[i] * 1000)) {
                        out[i] += e.getValue();
                    }
                }
                out[BUCKETS.length] += e.getValue();
            }
            return out;
        }
    }

    /** Files and bytes that went through a step (bytes 0 where the stage does not know them). */
    public record StepTotal(String step, long files, long bytes) {
    }

    /** Failures of one stage (the failed action) and class. */
    public record ErrorCount(String stage, String failureClass, long count) {
    }

    /** What a stage moved, per step: {@code [files, bytes]}. */
    public record Moved(String step, long files, long bytes) {
    }

    private final JdbcCatalog catalog;

    public Counters(JdbcCatalog catalog) {
        this.catalog = catalog;
    }

    /** Records that {@code stage} ended after {@code took}, and what its steps moved, in one transaction. */
    public void stageEnded(String stage, Duration took, List<Moved> moved) {
        long ms = Math.max(0, took.toMillis());
        long le = INF_MS;
        for (double b : BUCKETS) {
            if (ms <= Math.round(b * 1000)) {
                le = Math.round(b * 1000);
                break;
            }
        }
        long bucket = le;
        catalog.inTransaction(c -> {
            upsert(c, "INSERT INTO stage_duration_buckets (stage, le_ms, count) VALUES (?, ?, 1)"
                    + " ON CONFLICT (stage, le_ms) DO UPDATE SET count = stage_duration_buckets.count + 1", stage, bucket);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO stage_totals (stage, runs, duration_ms) VALUES (?, 1, ?)"
                    + " ON CONFLICT (stage) DO UPDATE SET runs = stage_totals.runs + 1,"
                    + " duration_ms = stage_totals.duration_ms + excluded.duration_ms")) {
                ps.setString(1, stage);
                ps.setLong(2, ms);
                ps.executeUpdate();
            }
            for (Moved m : moved) {
                if (m.files() == 0 && m.bytes() == 0) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO step_totals (step, files, bytes) VALUES (?, ?, ?)"
                        + " ON CONFLICT (step) DO UPDATE SET files = step_totals.files + excluded.files,"
                        + " bytes = step_totals.bytes + excluded.bytes")) {
                    ps.setString(1, m.step());
                    ps.setLong(2, m.files());
                    ps.setLong(3, m.bytes());
                    ps.executeUpdate();
                }
            }
            return null;
        }, "recording the end of stage " + stage);
    }

    /** Counts one failure, in the transaction {@code c} that records it: the class is the failure's kind. */
    static void failed(Connection c, String stage, Failure.Kind kind) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO error_counts (stage, class, count) VALUES (?, ?, 1)"
                + " ON CONFLICT (stage, class) DO UPDATE SET count = error_counts.count + 1")) {
            ps.setString(1, stage);
            ps.setString(2, kind.name().toLowerCase(Locale.ROOT));
            ps.executeUpdate();
        }
    }

    private static void upsert(Connection c, String sql, String stage, long le) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, stage);
            ps.setLong(2, le);
            ps.executeUpdate();
        }
    }

    /** Every stage's durations, by stage name. */
    public List<StageDurations> stageDurations() {
        return catalog.reading(c -> {
            Map<String, long[]> totals = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT stage, runs, duration_ms FROM stage_totals");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    totals.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
            Map<String, Map<Long, Long>> buckets = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT stage, le_ms, count FROM stage_duration_buckets ORDER BY stage, le_ms");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    buckets.computeIfAbsent(rs.getString(1), s -> new TreeMap<>()).put(rs.getLong(2), rs.getLong(3));
                }
            }
            List<StageDurations> out = new ArrayList<>();
            totals.forEach((stage, t) -> out.add(new StageDurations(stage, t[0], t[1], buckets.getOrDefault(stage, Map.of()))));
            return out;
        }, "reading the stage durations");
    }

    /** Files and bytes per step, by step name. */
    public List<StepTotal> steps() {
        return catalog.query("SELECT step, files, bytes FROM step_totals ORDER BY step", ps -> { },
                rs -> new StepTotal(rs.getString(1), rs.getLong(2), rs.getLong(3)));
    }

    /** Failures per stage and class. */
    public List<ErrorCount> errors() {
        return catalog.query("SELECT stage, class, count FROM error_counts ORDER BY stage, class", ps -> { },
                rs -> new ErrorCount(rs.getString(1), rs.getString(2), rs.getLong(3)));
    }
}
