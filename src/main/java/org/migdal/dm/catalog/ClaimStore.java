package org.migdal.dm.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * How work is claimed: files taken atomically by one owner with a lease and a fresh token ({@code FOR UPDATE SKIP
 * LOCKED} on PostgreSQL), a dead or silent worker's claim taken over as a crash ({@link FailurePolicy#afterCrash}), leases
 * renewed while a process works, and the claims of processes that died on this host released at once. The fenced
 * updates that end a claim are {@link JdbcCatalog}'s ({@code HELD}).
 */
final class ClaimStore {
    private final JdbcCatalog db;

    ClaimStore(JdbcCatalog db) {
        this.db = db;
    }

    public List<CatalogFile> claim(Stage stage, int limit, Collection<String> disks, Collection<Long> passed) {
        if (limit <= 0 || (disks != null && disks.isEmpty())) {
            return List.of();
        }
        String diskClause = (disks == null ? "" : " AND disk IN (" + String.join(",", java.util.Collections.nCopies(disks.size(), "?")) + ")")
                + (passed.isEmpty() ? "" : " AND id NOT IN (" + String.join(",", passed.stream().map(String::valueOf).toList()) + ")");
        return db.inTransaction(c -> {
            long now = db.now();
            // a TAPE_SUBMITTED file with a recorded FTS job is taken over by claimInFlight (the job is looked up first)
            String sql = "SELECT " + JdbcCatalog.COLUMNS + " FROM files WHERE ((state = ? AND next_attempt_at <= ? AND claim_owner IS NULL)"
                    + " OR (state = ? AND claim_owner IS NOT NULL AND claim_expires < ? AND tape_job_recorded_at IS NULL"
                    // a file with a batch job recorded is the batch collector's: its job may still run
                    + " AND NOT EXISTS (SELECT 1 FROM batch_jobs WHERE batch_jobs.file_id = files.id)))" + diskClause
                    + " ORDER BY next_attempt_at, id LIMIT ?"
                    + (db.dialect() == JdbcCatalog.Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "");
            List<CatalogFile> candidates = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, stage.from().name());
                ps.setLong(2, now);
                ps.setString(3, stage.working().name());
                ps.setLong(4, now);
                int i = 5;
                if (disks != null) {
                    for (String d : disks) {
                        ps.setString(i++, d);
                    }
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(JdbcCatalog.row(rs));
                    }
                }
            }
            List<CatalogFile> claimed = new ArrayList<>();
            long expires = now + db.policy().lease().toMillis();
            try (PreparedStatement up = c.prepareStatement("UPDATE files SET state = ?, claim_owner = ?, claim_expires = ?,"
                    + " claim_token = ?, crashes = ?, updated_at = ? WHERE id = ? AND state = ? AND "
                    + " (claim_owner IS NULL OR claim_expires < ?)")) {
                for (CatalogFile f : candidates) {
                    boolean takeover = f.state() == stage.working();
                    FailurePolicy.Decision crash = takeover ? db.failurePolicy().afterCrash(f, now) : null;
                    if (crash != null && crash.quarantined()) {
                        quarantineAbandoned(c, f, crash, now);
                        continue;
                    }
                    up.setString(1, stage.working().name());
                    up.setString(2, db.owner());
                    up.setLong(3, expires);
                    up.setString(4, JdbcCatalog.newToken());
                    up.setInt(5, takeover ? crash.crashes() : f.crashes());
                    up.setLong(6, now);
                    up.setLong(7, f.id());
                    up.setString(8, f.state().name());
                    up.setLong(9, now);
                    if (up.executeUpdate() == 1) {
                        if (takeover) {
                            db.event(c, f.id(), "claim-takeover", false, crash.event() + "; " + db.owner() + " takes the file over and resumes it");
                        }
                        claimed.add(JdbcCatalog.readRow(c, f.id()).orElseThrow());
                    }
                }
            }
            return claimed;
        }, "claiming " + stage + " work");
    }

    public List<CatalogFile> claimInFlight(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return db.inTransaction(c -> {
            long now = db.now();
            List<CatalogFile> candidates = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JdbcCatalog.COLUMNS + " FROM files WHERE state = 'TAPE_SUBMITTED'"
                    + " AND ((claim_owner IS NULL AND next_attempt_at <= ?)"
                    + " OR (claim_owner IS NOT NULL AND claim_expires < ? AND tape_job_recorded_at IS NOT NULL))"
                    + " ORDER BY next_attempt_at, id LIMIT ?" + (db.dialect() == JdbcCatalog.Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : ""))) {
                ps.setLong(1, now);
                ps.setLong(2, now);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(JdbcCatalog.row(rs));
                    }
                }
            }
            List<CatalogFile> claimed = new ArrayList<>();
            try (PreparedStatement up = c.prepareStatement("UPDATE files SET claim_owner = ?, claim_expires = ?, claim_token = ?,"
                    + " crashes = ?, updated_at = ? WHERE id = ? AND state = 'TAPE_SUBMITTED' AND (claim_owner IS NULL OR claim_expires < ?)")) {
                for (CatalogFile f : candidates) {
                    FailurePolicy.Decision crash = f.claimOwner() != null ? db.failurePolicy().afterCrash(f, now) : null;
                    if (crash != null && crash.quarantined()) {
                        quarantineAbandoned(c, f, crash, now);
                        continue;
                    }
                    up.setString(1, db.owner());
                    up.setLong(2, now + db.policy().lease().toMillis());
                    up.setString(3, JdbcCatalog.newToken());
                    up.setInt(4, crash != null ? crash.crashes() : f.crashes());
                    up.setLong(5, now);
                    up.setLong(6, f.id());
                    up.setLong(7, now);
                    if (up.executeUpdate() == 1) {
                        if (crash != null) {
                            db.event(c, f.id(), "claim-takeover", false, crash.event() + " while FTS job " + f.tapeTransferId()
                                    + " was recorded for it; " + db.owner() + " looks the job up at FTS before anything is submitted"
                                    + " again (no attempt charged)");
                        }
                        claimed.add(JdbcCatalog.readRow(c, f.id()).orElseThrow());
                    }
                }
            }
            return claimed;
        }, "claiming tape transfers in flight");
    }

    /** A file whose workers keep dying (killed, out of memory) is stopped for an operator instead of taken over forever. */
    private void quarantineAbandoned(Connection c, CatalogFile f, FailurePolicy.Decision crash, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, crashes = ?, last_error = ?,"
                + " quarantined_from = ?, claim_owner = NULL, claim_expires = NULL, claim_token = NULL, next_attempt_at = 0,"
                + " updated_at = ? WHERE id = ? AND state = ? AND claim_owner IS NOT NULL AND claim_expires < ?")) {
            ps.setString(1, FileState.QUARANTINED.name());
            ps.setInt(2, crash.crashes());
            ps.setString(3, crash.reason());
            ps.setString(4, f.state().name());
            ps.setLong(5, now);
            ps.setLong(6, f.id());
            ps.setString(7, f.state().name());
            ps.setLong(8, now);
            if (ps.executeUpdate() == 1) {
                db.event(c, f.id(), "claim-takeover", false, crash.event());
            }
        }
    }

    public int renewClaims() {
        return db.inTransaction(c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET claim_expires = ? WHERE claim_owner = ?")) {
                ps.setLong(1, db.now() + db.policy().lease().toMillis());
                ps.setString(2, db.owner());
                n = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE recalls SET claim_expires = ? WHERE claim_owner = ?")) {
                ps.setLong(1, db.now() + db.policy().lease().toMillis());
                ps.setString(2, db.owner());
                n += ps.executeUpdate();
            }
            return n;
        }, "renewing claims of " + db.owner());
    }

    public int releaseClaimsOfDeadProcesses() {
        String host = ClaimPolicy.hostName() + ":";
        List<String> owners = db.query("SELECT DISTINCT claim_owner FROM files WHERE claim_owner IS NOT NULL", ps -> { },
                rs -> rs.getString(1));
        int released = 0;
        for (String other : owners) {
            if (!other.startsWith(host) || other.equals(db.owner()) || isAlive(other.substring(host.length()))) {
                continue;
            }
            released += db.inTransaction(c -> {
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM files WHERE claim_owner = ?")) {
                    ps.setString(1, other);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                // the claims run out now; whoever takes a file over records the one event of the crash
                try (PreparedStatement ps = c.prepareStatement("UPDATE files SET claim_expires = 0 WHERE claim_owner = ?")) {
                    ps.setString(1, other);
                    ps.executeUpdate();
                }
                return ids.size();
            }, "releasing claims of " + other);
        }
        return released;
    }

    /** {@code pid:startMillis} names a running process? A reused pid has another start time. */
    private static boolean isAlive(String pidAndStart) {
        String[] parts = pidAndStart.split(":");
        try {
            long pid = Long.parseLong(parts[0]);
            long start = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .map(p -> start == 0 || p.info().startInstant().map(Instant::toEpochMilli).orElse(start) == start)
                    .orElse(false);
        } catch (NumberFormatException e) {
            return true; // not ours to judge
        }
    }
}
