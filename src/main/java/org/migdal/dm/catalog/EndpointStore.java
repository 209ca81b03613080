package org.migdal.dm.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Endpoint health in the catalog, shared by every process and host: DOWN with a reason, since when, and when to probe
 * again (backoff doubling from {@link #FIRST_PROBE} to {@link #MAX_PROBE}); UP once a probe or a success proves it.
 */
final class EndpointStore {
    static final Duration FIRST_PROBE = Duration.ofSeconds(30);
    static final Duration MAX_PROBE = Duration.ofMinutes(15);

    private final JdbcCatalog catalog;

    EndpointStore(JdbcCatalog catalog) {
        this.catalog = catalog;
    }

    EndpointStatus down(String url, String reason, long now) {
        return catalog.inTransaction(c -> {
            Optional<EndpointStatus> old = read(c, url);
            boolean wasDown = old.map(EndpointStatus::down).orElse(false);
            int failures = wasDown ? old.get().failures() + 1 : 1;
            long delay = Math.min(MAX_PROBE.toMillis(), FIRST_PROBE.toMillis() << Math.min(failures - 1, 20));
            long since = wasDown ? old.get().since().toEpochMilli() : now;
            upsert(c, url, EndpointStatus.State.DOWN, reason, since, now, now + delay, failures);
            return read(c, url).orElseThrow();
        }, "marking endpoint " + url + " DOWN");
    }

    /** Marks an endpoint UP; returns the status it had before (DOWN → the outage is over). */
    Optional<EndpointStatus> up(String url, long now) {
        return catalog.inTransaction(c -> {
            Optional<EndpointStatus> old = read(c, url);
            boolean wasUp = old.map(o -> !o.down()).orElse(false);
            upsert(c, url, EndpointStatus.State.UP, null, wasUp ? old.get().since().toEpochMilli() : now, now, 0, 0);
            return old;
        }, "marking endpoint " + url + " UP");
    }

    Optional<EndpointStatus> get(String url) {
        return catalog.inTransaction(c -> read(c, url), "reading endpoint " + url);
    }

    List<EndpointStatus> all() {
        return catalog.inTransaction(c -> {
            List<EndpointStatus> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT url, state, reason, since, checked_at, next_probe_at, failures"
                    + " FROM endpoints ORDER BY url"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        }, "listing endpoints");
    }

    private static void upsert(Connection c, String url, EndpointStatus.State state, String reason, long since, long checked,
                               long next, int failures) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO endpoints (url, state, reason, since, checked_at, next_probe_at,"
                + " failures) VALUES (?,?,?,?,?,?,?) ON CONFLICT (url) DO UPDATE SET state = excluded.state, reason = excluded.reason,"
                + " since = excluded.since, checked_at = excluded.checked_at, next_probe_at = excluded.next_probe_at,"
                + " failures = excluded.failures")) {
            ps.setString(1, url);
            ps.setString(2, state.name());
            ps.setString(3, reason);
            ps.setLong(4, since);
            ps.setLong(5, checked);
            ps.setLong(6, next);
            ps.setInt(7, failures);
            ps.executeUpdate();
        }
    }

    private static Optional<EndpointStatus> read(Connection c, String url) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT url, state, reason, since, checked_at, next_probe_at, failures"
                + " FROM endpoints WHERE url = ?")) {
            ps.setString(1, url);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static EndpointStatus row(ResultSet rs) throws SQLException {
        return new EndpointStatus(rs.getString(1), EndpointStatus.State.valueOf(rs.getString(2)), rs.getString(3),
                Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)),
                rs.getInt(7));
    }
}
