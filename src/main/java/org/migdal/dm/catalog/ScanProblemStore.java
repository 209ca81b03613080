package org.migdal.dm.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scan problems in the catalog, once per condition (disk + path + kind): a condition seen again moves its
 * {@code last_seen} and count; one a complete scan of the disk no longer finds is cleared. Used through
 * {@link Catalog#recordScanProblems} and {@link Catalog#openScanProblems}.
 */
final class ScanProblemStore {
    private static final String COLUMNS = "id, disk, path, kind, message, first_seen, last_seen, seen_count, cleared_at";

    private final JdbcCatalog catalog;
    private final Clock clock;

    ScanProblemStore(JdbcCatalog catalog, Clock clock) {
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * Records what one look at {@code disk} found. Returns the findings that are new (not open before). Open problems
     * of the disk that were not found again are cleared when {@code listed} (the whole disk was listed); otherwise only
     * a disk-wide problem is cleared (the disk was looked at, its files were not).
     */
    List<ScanProblem.Finding> record(String disk, List<ScanProblem.Finding> found, boolean listed) {
        return catalog.inTransaction(c -> {
            long now = clock.millis();
            Map<String, ScanProblem> open = new LinkedHashMap<>();
            for (ScanProblem p : open(c, disk)) {
                open.put(key(p.path(), p.kind()), p);
            }
            Map<String, ScanProblem.Finding> seen = new LinkedHashMap<>();
            for (ScanProblem.Finding f : found) {
                if (!f.disk().equals(disk)) {
                    throw new IllegalArgumentException("finding " + f + " is not about disk " + disk);
                }
                seen.putIfAbsent(key(f.path(), f.kind()), f);
            }
            List<ScanProblem.Finding> fresh = new ArrayList<>();
            for (Map.Entry<String, ScanProblem.Finding> e : seen.entrySet()) {
                ScanProblem known = open.get(e.getKey());
                ScanProblem.Finding f = e.getValue();
                if (known != null) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE scan_problems SET last_seen = ?, seen_count = seen_count + 1,"
                            + " message = ? WHERE id = ?")) {
                        ps.setLong(1, now);
                        ps.setString(2, f.message());
                        ps.setLong(3, known.id());
                        ps.executeUpdate();
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO scan_problems (disk, path, kind, message, first_seen,"
                            + " last_seen, seen_count) VALUES (?,?,?,?,?,?,1)")) {
                        ps.setString(1, disk);
                        ps.setString(2, f.path());
                        ps.setString(3, f.kind().name());
                        ps.setString(4, f.message());
                        ps.setLong(5, now);
                        ps.setLong(6, now);
                        ps.executeUpdate();
                    }
                    fresh.add(f);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE scan_problems SET cleared_at = ? WHERE id = ?")) {
                for (Map.Entry<String, ScanProblem> e : open.entrySet()) {
                    boolean clearable = listed || e.getValue().kind() == ScanProblem.Kind.DISK_UNAVAILABLE;
                    if (clearable && !seen.containsKey(e.getKey())) {
                        ps.setLong(1, now);
                        ps.setLong(2, e.getValue().id());
                        ps.executeUpdate();
                    }
                }
            }
            return fresh;
        }, "recording scan problems of disk " + disk);
    }

    /** Open problems of {@code disk} ({@code null}: of every disk), oldest first. */
    List<ScanProblem> open(String disk) {
        return catalog.reading(c -> open(c, disk), "listing scan problems");
    }

    private static List<ScanProblem> open(Connection c, String disk) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM scan_problems WHERE cleared_at IS NULL" + (disk == null ? "" : " AND disk = ?")
                + " ORDER BY disk, first_seen, id";
        List<ScanProblem> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (disk != null) {
                ps.setString(1, disk);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long cleared = rs.getLong(9);
                    Instant clearedAt = rs.wasNull() ? null : Instant.ofEpochMilli(cleared);
                    out.add(new ScanProblem(rs.getLong(1), rs.getString(2), rs.getString(3), ScanProblem.Kind.valueOf(rs.getString(4)),
                            rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)), rs.getLong(8),
                            clearedAt));
                }
            }
        }
        return out;
    }

    private static String key(String path, ScanProblem.Kind kind) {
        return kind.name() + "\u0000" + path;
    }
}
