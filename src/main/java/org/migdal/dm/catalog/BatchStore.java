package org.migdal.dm.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compression jobs in flight on a batch system. A cycle's jobs are recorded under the files' claims before anything is
 * submitted ({@link #plan}); once the cluster is known the claims are released with the jobs recorded ({@link #submitted}),
 * so no process takes such a file for itself: only the collector, claiming it back for one job's result ({@link #claim}).
 */
public final class BatchStore {
    private final JdbcCatalog db;

    BatchStore(JdbcCatalog db) {
        this.db = db;
    }

    /** Records a cycle and its jobs, for the files whose claims still hold (returned); nothing is submitted yet. */
    public BatchJob.Cycle plan(String dir, String batchName, List<BatchJob.Planned> jobs) {
        return db.inTransaction(c -> {
            long now = db.now();
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO batch_cycles (dir, batch_name, created_at) VALUES (?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, dir);
                ps.setString(2, batchName);
                ps.setLong(3, now);
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO batch_jobs (file_id, cycle_id, job, token, job_json, status,"
                    + " last_event_at) SELECT id, ?, ?, ?, ?, 'PLANNED', ? FROM files WHERE id = ? AND state = 'COMPRESSING'"
                    + " AND claim_owner = ? AND claim_token = ?")) {
                for (BatchJob.Planned p : jobs) {
                    ps.setLong(1, id);
                    ps.setString(2, p.job());
                    ps.setString(3, p.token());
                    ps.setString(4, p.jobJson());
                    ps.setLong(5, now);
                    ps.setLong(6, p.claimed().id());
                    ps.setString(7, db.owner());
                    ps.setString(8, p.claimed().claimToken());
                    ps.executeUpdate();
                }
            }
            return readCycle(c, id).orElseThrow();
        }, "recording batch cycle " + dir);
    }

    /**
     * The cycle's cluster is known: its jobs get their ProcIds, and their files' claims are released (the files stay
     * COMPRESSING, their jobs recorded) with one event each. Files whose claim ran out meanwhile are released all the same.
     */
    public void submitted(BatchJob.Cycle cycle, long cluster, Map<String, Integer> procByJob, String how) {
        db.inTransaction(c -> {
            long now = db.now();
            try (PreparedStatement ps = c.prepareStatement("UPDATE batch_cycles SET cluster = ?, submitted_at = ? WHERE id = ?")) {
                ps.setLong(1, cluster);
                ps.setLong(2, now);
                ps.setLong(3, cycle.id());
                ps.executeUpdate();
            }
            for (BatchJob j : jobs(c, cycle.id())) {
                Integer proc = procByJob.get(j.job());
                if (proc == null) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE batch_jobs SET proc = ?, status = 'IDLE', last_event_at = ?"
                        + " WHERE file_id = ?")) {
                    ps.setInt(1, proc);
                    ps.setLong(2, now);
                    ps.setLong(3, j.fileId());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE files SET claim_owner = NULL, claim_expires = NULL,"
                        + " claim_token = NULL, updated_at = ? WHERE id = ? AND state = 'COMPRESSING'"
                        + " AND (claim_owner = ? OR claim_owner IS NULL OR claim_expires < ?)")) {
                    ps.setLong(1, now);
                    ps.setLong(2, j.fileId());
                    ps.setString(3, db.owner());
                    ps.setLong(4, now);
                    ps.executeUpdate();
                }
                db.event(c, j.fileId(), "compress-submit", true, "HTCondor job " + cluster + "." + proc + " (" + j.job() + ", "
                        + cycle.batchName() + ") " + how);
            }
            return null;
        }, "recording cluster " + cluster + " of " + cycle.dir());
    }

    /** Every cycle with jobs still recorded (or none yet removed), oldest first. */
    public List<BatchJob.Cycle> cycles() {
        return db.inTransaction(c -> {
            List<BatchJob.Cycle> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CYCLE + " FROM batch_cycles ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(cycle(rs));
                }
            }
            return out;
        }, "listing batch cycles");
    }

    public List<BatchJob> jobs(long cycleId) {
        return db.inTransaction(c -> jobs(c, cycleId), "listing the jobs of batch cycle " + cycleId);
    }

    /** How many jobs are in flight (every cycle). */
    public int inFlight() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM batch_jobs"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }, "counting batch jobs");
    }

    public void logRead(long cycleId, long offset) {
        update("UPDATE batch_cycles SET log_offset = ? WHERE id = ?", offset, cycleId);
    }

    public void reconciled(long cycleId) {
        update("UPDATE batch_cycles SET reconciled_at = ? WHERE id = ?", db.now(), cycleId);
    }

    /** What the event log (or a query) last said of a job; {@code released}: one more release from hold. */
    public void status(long fileId, BatchJob.Status status, Integer code, String detail, boolean released) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE batch_jobs SET status = ?, code = ?, detail = ?, last_event_at = ?,"
                    + " releases = releases + ? WHERE file_id = ?")) {
                ps.setString(1, status.name());
                if (code == null) {
                    ps.setNull(2, java.sql.Types.INTEGER);
                } else {
                    ps.setInt(2, code);
                }
                ps.setString(3, detail);
                ps.setLong(4, db.now());
                ps.setInt(5, released ? 1 : 0);
                ps.setLong(6, fileId);
                ps.executeUpdate();
            }
            return null;
        }, "recording the job status of file " + fileId);
    }

    /**
     * Claims the file of a job whose outcome is known, to apply it: only while that very job is recorded for it and no live
     * process holds it. The state stays COMPRESSING; the claim ends with the result's advance, fail or putBack.
     */
    public Optional<CatalogFile> claim(BatchJob job) {
        return db.inTransaction(c -> {
            long now = db.now();
            Optional<CatalogFile> before = JdbcCatalog.readRow(c, job.fileId());
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET claim_owner = ?, claim_expires = ?, claim_token = ?,"
                    + " updated_at = ? WHERE id = ? AND state = 'COMPRESSING' AND (claim_owner IS NULL OR claim_expires < ? OR claim_owner = ?)"
                    + " AND EXISTS (SELECT 1 FROM batch_jobs WHERE batch_jobs.file_id = files.id AND batch_jobs.token = ?)")) {
                ps.setString(1, db.owner());
                ps.setLong(2, now + db.policy().lease().toMillis());
                ps.setString(3, JdbcCatalog.newToken());
                ps.setLong(4, now);
                ps.setLong(5, job.fileId());
                ps.setLong(6, now);
                ps.setString(7, db.owner());
                ps.setString(8, job.token());
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            if (before.isPresent() && before.get().claimOwner() != null && !before.get().claimOwner().equals(db.owner())) {
                db.event(c, job.fileId(), "claim-takeover", false, before.get().claimOwner() + " stopped while handling batch job "
                        + job.job() + "; " + db.owner() + " takes it over (no attempt charged: the job's fate is at the batch system)");
            }
            return JdbcCatalog.readRow(c, job.fileId());
        }, "claiming the file of batch job " + job.job());
    }

    /** The job's outcome is applied (or the job was never submitted): its record goes. */
    public void finish(long fileId) {
        update("DELETE FROM batch_jobs WHERE file_id = ?", fileId);
    }

    /** Removes a cycle that has no jobs left; returns whether it did. */
    public boolean close(long cycleId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM batch_cycles WHERE id = ? AND NOT EXISTS"
                    + " (SELECT 1 FROM batch_jobs WHERE cycle_id = ?)")) {
                ps.setLong(1, cycleId);
                ps.setLong(2, cycleId);
                return ps.executeUpdate() == 1;
            }
        }, "closing batch cycle " + cycleId);
    }

    private void update(String sql, long a, long b) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, a);
                ps.setLong(2, b);
                ps.executeUpdate();
            }
            return null;
        }, "updating batch jobs");
    }

    private void update(String sql, long a) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, a);
                ps.executeUpdate();
            }
            return null;
        }, "updating batch jobs");
    }

    private static final String CYCLE = "id, dir, batch_name, cluster, log_offset, created_at, submitted_at, reconciled_at";

    private static Optional<BatchJob.Cycle> readCycle(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CYCLE + " FROM batch_cycles WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(cycle(rs)) : Optional.empty();
            }
        }
    }

    private static BatchJob.Cycle cycle(ResultSet rs) throws SQLException {
        long cluster = rs.getLong(4);
        Long clusterOrNull = rs.wasNull() ? null : cluster;
        long submitted = rs.getLong(7);
        Instant submittedAt = rs.wasNull() ? null : Instant.ofEpochMilli(submitted);
        return new BatchJob.Cycle(rs.getLong(1), rs.getString(2), rs.getString(3), clusterOrNull, rs.getLong(5),
                Instant.ofEpochMilli(rs.getLong(6)), submittedAt, Instant.ofEpochMilli(rs.getLong(8)));
    }

    private static List<BatchJob> jobs(Connection c, long cycleId) throws SQLException {
        List<BatchJob> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT file_id, cycle_id, job, token, job_json, proc, status, releases,"
                + " last_event_at, code, detail FROM batch_jobs WHERE cycle_id = ? ORDER BY proc, file_id")) {
            ps.setLong(1, cycleId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int proc = rs.getInt(6);
                    Integer procOrNull = rs.wasNull() ? null : proc;
                    int code = rs.getInt(10);
                    Integer codeOrNull = rs.wasNull() ? null : code;
                    out.add(new BatchJob(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), procOrNull,
                            BatchJob.Status.valueOf(rs.getString(7)), rs.getInt(8), Instant.ofEpochMilli(rs.getLong(9)),
                            codeOrNull, rs.getString(11)));
                }
            }
        }
        return out;
    }
}
