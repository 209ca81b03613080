package org.migdal.dm.catalog;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code migdal-dm audit} keeps in the catalog (migration V11): one row per audit with its cursor, so an interrupted
 * audit continues where it stopped ({@code --resume}), and its findings, once per (kind, subject) whatever how often a
 * resumed audit meets them again. Also the two catalog questions only the audit asks: which of a batch of paths the
 * catalog knows, and the one repair it may make to a file's state ({@link #reship}).
 */
public final class AuditStore {
    /** Paths asked about per query. */
    static final int BATCH = 500;

    private final JdbcCatalog db;

    AuditStore(JdbcCatalog db) {
        this.db = db;
    }

    /** One audit: its cursor ({@code afterId}: the last file of the catalog checked, in id order) and counters. */
    public record Run(long id, Instant startedAt, Instant finishedAt, boolean listingsDone, long afterId, long filesChecked,
                      long checksums) {
    }

    /** Starts a new audit; an unfinished earlier one is left as it is (and no longer resumed). */
    public Run start() {
        return db.inTransaction(c -> {
            long now = db.now();
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_runs (started_at, updated_at, owner) VALUES (?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, now);
                ps.setLong(2, now);
                ps.setString(3, db.owner());
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            return new Run(id, Instant.ofEpochMilli(now), null, false, 0, 0, 0);
        }, "starting an audit");
    }

    /** The newest audit, if it did not finish (the one {@code --resume} continues). */
    public Optional<Run> unfinished() {
        return db.query("SELECT id, started_at, finished_at, listings_done, after_id, files_checked, checksums FROM audit_runs"
                + " ORDER BY id DESC LIMIT 1", ps -> { }, AuditStore::run).stream().filter(r -> r.finishedAt() == null).findFirst();
    }

    public Optional<Run> run(long id) {
        return db.query("SELECT id, started_at, finished_at, listings_done, after_id, files_checked, checksums FROM audit_runs"
                + " WHERE id = ?", ps -> ps.setLong(1, id), AuditStore::run).stream().findFirst();
    }

    private static Run run(ResultSet rs) throws SQLException {
        long fin = rs.getLong(3);
        Instant finished = rs.wasNull() ? null : Instant.ofEpochMilli(fin);
        return new Run(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), finished, rs.getInt(4) != 0, rs.getLong(5),
                rs.getLong(6), rs.getLong(7));
    }

    /** Moves the cursor: every file up to {@code afterId} is checked, with these totals so far. */
    public void progress(long runId, long afterId, long filesChecked, long checksums) {
        update(runId, "after_id = ?, files_checked = ?, checksums = ?", afterId, filesChecked, checksums);
    }

    public void listingsDone(long runId) {
        update(runId, "listings_done = 1");
    }

    public void finish(long runId) {
        update(runId, "finished_at = ?", db.now());
    }

    private void update(long runId, String set, Object... values) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_runs SET " + set + ", updated_at = ? WHERE id = ?")) {
                int i = 1;
                for (Object v : values) {
                    ps.setLong(i++, ((Number) v).longValue());
                }
                ps.setLong(i++, db.now());
                ps.setLong(i, runId);
                ps.executeUpdate();
            }
            return null;
        }, "recording the progress of audit " + runId);
    }

    /** Records a finding of audit {@code runId}; false when the same (kind, subject) is recorded already. */
    public boolean record(long runId, AuditFinding f) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_findings (run_id, kind, subject, url, expected, found,"
                    + " file_id, todo, fixed) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (run_id, kind, subject) DO NOTHING")) {
                ps.setLong(1, runId);
                ps.setString(2, f.kind());
                ps.setString(3, f.subject());
                ps.setString(4, f.url());
                ps.setString(5, f.expected());
                ps.setString(6, f.found());
                if (f.fileId() == null) {
                    ps.setNull(7, java.sql.Types.BIGINT);
                } else {
                    ps.setLong(7, f.fileId());
                }
                ps.setString(8, f.todo());
                ps.setString(9, f.fixed());
                return ps.executeUpdate() == 1;
            }
        }, "recording a finding of audit " + runId);
    }

    /** Records what {@code --fix} did about a finding. */
    public void fixed(long findingId, String note) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_findings SET fixed = ? WHERE id = ?")) {
                ps.setString(1, note);
                ps.setLong(2, findingId);
                ps.executeUpdate();
            }
            return null;
        }, "recording a fix of audit finding " + findingId);
    }

    /** The findings of an audit with an id above {@code afterId}, in the order found, at most {@code limit}. */
    public List<AuditFinding> findings(long runId, long afterId, int limit) {
        return db.query("SELECT id, kind, subject, url, expected, found, file_id, todo, fixed FROM audit_findings WHERE run_id = ?"
                + " AND id > ? ORDER BY id LIMIT ?", ps -> {
                    ps.setLong(1, runId);
                    ps.setLong(2, afterId);
                    ps.setInt(3, limit);
                }, rs -> {
                    long fid = rs.getLong(7);
                    Long fileId = rs.wasNull() ? null : fid;
                    return new AuditFinding(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), fileId, rs.getString(8), rs.getString(9));
                });
    }

    /** How many findings of each kind an audit has. */
    public Map<String, Long> counts(long runId) {
        Map<String, Long> out = new LinkedHashMap<>();
        db.query("SELECT kind, COUNT(*) FROM audit_findings WHERE run_id = ? GROUP BY kind ORDER BY kind",
                ps -> ps.setLong(1, runId), rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    /** Of a batch of paths at an endpoint, those the catalog has as some file's LFN, and those it has as a compressed name. */
    public record Known(Set<String> lfns, Set<String> compressedNames) {
    }

    /** {@link Known} for {@code paths}, asked {@value #BATCH} at a time (two indexed lookups per batch). */
    public Known known(Collection<String> paths) {
        Set<String> lfns = new HashSet<>();
        Set<String> compressed = new HashSet<>();
        List<String> all = new ArrayList<>(paths);
        for (int from = 0; from < all.size(); from += BATCH) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + BATCH));
            String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
            lfns.addAll(db.query("SELECT lfn FROM files WHERE lfn IN (" + marks + ")", ps -> bind(ps, chunk), rs -> rs.getString(1)));
            compressed.addAll(db.query("SELECT compressed_name FROM files WHERE compressed_name IN (" + marks + ")",
                    ps -> bind(ps, chunk), rs -> rs.getString(1)));
        }
        return new Known(lfns, compressed);
    }

    private static void bind(PreparedStatement ps, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            ps.setString(i + 1, values.get(i));
        }
    }

    /**
     * Sends an ON_DISK_STORAGE file back to be shipped again, through the state machine (ON_DISK_STORAGE → QUARANTINED →
     * REGISTERED, both legal in {@link FileState}), when its storage copy is gone and its DAQ copy, checked by the caller
     * against the recorded size and adler32, is still there ({@code evidence} says both). The shipping stamps are cleared
     * (the storage copy they stood for is gone; the DAQ copy is there again); the recorded adler32 stays. Only an unclaimed
     * file still ON_DISK_STORAGE is changed; returns the file as it is now, or empty when it was not changed.
     */
    public Optional<CatalogFile> reship(CatalogFile file, String evidence) {
        return db.inTransaction(c -> {
            Optional<CatalogFile> now = JdbcCatalog.readRow(c, file.id());
            if (now.isEmpty() || now.get().state() != FileState.ON_DISK_STORAGE || now.get().claimOwner() != null) {
                return Optional.<CatalogFile>empty();
            }
            FileState.ON_DISK_STORAGE.checkMoveTo(FileState.QUARANTINED, file.lfn());
            FileState.QUARANTINED.checkMoveTo(FileState.REGISTERED, file.lfn());
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = 'REGISTERED', shipped_at = NULL,"
                    + " local_deleted_at = NULL, attempts = 0, crashes = 0, next_attempt_at = 0, quarantined_from = NULL,"
                    + " last_error = ?, updated_at = ? WHERE id = ? AND state = 'ON_DISK_STORAGE' AND claim_owner IS NULL")) {
                ps.setString(1, "audit: " + evidence);
                ps.setLong(2, db.now());
                ps.setLong(3, file.id());
                if (ps.executeUpdate() != 1) {
                    return Optional.<CatalogFile>empty();
                }
            }
            db.event(c, file.id(), "audit", false, "ON_DISK_STORAGE → QUARANTINED: " + evidence);
            db.event(c, file.id(), "audit-fix", true, "QUARANTINED → REGISTERED: to be shipped again from its verified DAQ copy");
            return JdbcCatalog.readRow(c, file.id());
        }, "sending " + file.lfn() + " back to be shipped");
    }
}
